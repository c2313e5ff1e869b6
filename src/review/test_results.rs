//! The latest `dsock test` results, as written by the test harness, read for the
//! PR body. Unknown fields are ignored so the harness can record more than we show.
//!
//! Default location: [`DEFAULT_PATH`] (relative to the dsock repo root).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{CommandError, CommandResult};

/// Where `dsock test` leaves its results (agreed with the harness helper).
pub const DEFAULT_PATH: &str = "test-browser/results/latest.json";

/// One test outcome.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TestOutcome {
    pub suite: String,
    pub name: String,
    #[serde(default)]
    pub variant: String,
    /// `passed`, `failed`, `skipped` or `error`.
    pub outcome: String,
    #[serde(default)]
    pub message: String,
}

/// The file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TestResults {
    /// Emscripten commit the run tested (40 hex), if recorded.
    #[serde(default)]
    pub emscripten: String,
    /// Chromium version, if recorded.
    #[serde(default)]
    pub chromium: String,
    /// The command that produced the results, if recorded.
    #[serde(default)]
    pub command: String,
    pub tests: Vec<TestOutcome>,
}

/// Per-suite counts: `(passed, failed, skipped)`; `error` counts as failed.
pub type SuiteCounts = BTreeMap<String, (usize, usize, usize)>;

impl TestResults {
    /// Read the file; `Ok(None)` when it does not exist.
    ///
    /// Errors (Usage) when it exists but is not valid results JSON.
    pub fn load(path: &Path) -> CommandResult<Option<TestResults>> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| {
                CommandError::usage(format!("{}: not dsock test results: {e}", path.display()))
                    .with_hint("re-run `dsock test`, or pass --test-results PATH")
            })
    }

    pub fn counts(&self) -> SuiteCounts {
        let mut m = SuiteCounts::new();
        for t in &self.tests {
            let e = m.entry(t.suite.clone()).or_default();
            match t.outcome.as_str() {
                "passed" | "pass" | "ok" => e.0 += 1,
                "skipped" | "skip" => e.2 += 1,
                _ => e.1 += 1,
            }
        }
        m
    }
}
