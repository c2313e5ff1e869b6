//! Test results as dsock reports them: one [`TestCase`] per upstream unittest test.
//!
//! The saved form (`target/dsock/test-results.json`, `--format json`) is [`TestRun`]
//! serialized with serde; `dsock pr-body` reads it (fields: emscripten, chromium, command,
//! tests\[{suite, name, variant, outcome, seconds, message}\]; unknown fields are ignored there).

use serde::{Deserialize, Serialize};

/// What happened to one test. `Error` covers exceptions, timeouts and class setup failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Failed,
    Error,
    Skipped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Error => "error",
            Outcome::Skipped => "skipped",
        }
    }
    /// `true` for the outcomes that make `dsock test` exit 1.
    pub fn is_bad(self) -> bool {
        matches!(self, Outcome::Failed | Outcome::Error)
    }
}

/// One test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestCase {
    /// Upstream suite (the TestCase class): `sockets_browser`, `sockets_node`, or ours (`dsock_sockets`).
    pub suite: String,
    /// Test method name including its parameterization suffix, e.g. `test_tcp_echo_jspi`
    /// (what `test/runner SUITE.NAME` selects).
    pub name: String,
    /// The known variant suffix of `name` (`jspi`, `proxy_to_pthread`, …), informational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    pub outcome: Outcome,
    /// Wall time of the test in seconds (compile + run), as measured around the test.
    #[serde(default)]
    pub seconds: f64,
    /// One line: the skip reason, or the exception line of a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The full traceback of a failure or error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

impl TestCase {
    /// `suite.name`, the selector upstream's runner takes.
    pub fn selector(&self) -> String {
        if self.suite.is_empty() {
            self.name.clone()
        } else {
            format!("{}.{}", self.suite, self.name)
        }
    }
}

/// Parameterization suffixes worth naming as a variant (upstream decorators and ours).
const VARIANTS: &[&str] = &["proxy_to_pthread", "pthread", "jspi", "asyncify", "wasm64", "memory64", "ipv6"];

/// The variant of a test name: the known suffix after the last `_` groups, if any
/// (`test_tcp_echo_proxy_to_pthread` → `proxy_to_pthread`).
pub fn variant_of(name: &str) -> Option<String> {
    VARIANTS.iter().find(|v| name.ends_with(&format!("_{v}"))).map(|v| v.to_string())
}

/// Counts per outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub error: usize,
    pub skipped: usize,
}

impl Counts {
    pub fn of<'a>(tests: impl IntoIterator<Item = &'a TestCase>) -> Counts {
        let mut c = Counts::default();
        for t in tests {
            c.total += 1;
            match t.outcome {
                Outcome::Passed => c.passed += 1,
                Outcome::Failed => c.failed += 1,
                Outcome::Error => c.error += 1,
                Outcome::Skipped => c.skipped += 1,
            }
        }
        c
    }
    /// "3 passed, 1 failed, 0 errors, 2 skipped (6 tests)".
    pub fn summary(&self) -> String {
        format!(
            "{} passed, {} failed, {} errors, {} skipped ({} tests)",
            self.passed, self.failed, self.error, self.skipped, self.total
        )
    }
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TestRun {
    /// The Emscripten commit tested (full sha).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emscripten: Option<String>,
    /// `chromium --version` of the browser used, e.g. "Chromium 156.0.8078.79".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chromium: Option<String>,
    /// The dsock command line, shown verbatim in the PR description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// The same tests without dsock: upstream's runner in the series' IWA mode
    /// (`EMTEST_BROWSER_IWA=1 … test/runner …`), shown next to `command` in the PR description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream_command: Option<String>,
    /// RFC 3339 UTC start time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// Wall time of the whole run in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_seconds: Option<f64>,
    /// The runner's own exit code (number of failures, capped at 125), when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_exit: Option<i32>,
    /// The run was stopped by Ctrl-C/SIGTERM; `tests` holds what finished.
    #[serde(default)]
    pub interrupted: bool,
    /// Derived from `tests` when saved; ignored when read.
    #[serde(default)]
    pub counts: Counts,
    pub tests: Vec<TestCase>,
}

impl TestRun {
    /// Recompute `counts` and `variant`s from `tests`.
    pub fn normalize(&mut self) {
        for t in &mut self.tests {
            if t.variant.is_none() {
                t.variant = variant_of(&t.name);
            }
        }
        self.counts = Counts::of(&self.tests);
    }
    pub fn any_bad(&self) -> bool {
        self.tests.iter().any(|t| t.outcome.is_bad())
    }
}

/// What the Python driver (test-browser/python/dsock_driver.py) writes.
#[derive(Debug, Clone, Deserialize)]
pub struct DriverResults {
    pub runner_exit: i32,
    #[serde(default)]
    pub interrupted: bool,
    pub started_at: Option<String>,
    pub wall_seconds: Option<f64>,
    pub tests: Vec<DriverTest>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DriverTest {
    pub suite: String,
    pub name: String,
    pub outcome: Outcome,
    #[serde(default)]
    pub seconds: f64,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub details: String,
}

impl DriverResults {
    /// Parse the driver's JSON. Errors name what is malformed (serde's message).
    pub fn parse(text: &str) -> Result<DriverResults, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    pub fn into_run(self) -> TestRun {
        let nonempty = |s: String| if s.trim().is_empty() { None } else { Some(s) };
        let mut run = TestRun {
            started_at: self.started_at,
            wall_seconds: self.wall_seconds,
            runner_exit: Some(self.runner_exit),
            interrupted: self.interrupted,
            tests: self
                .tests
                .into_iter()
                .map(|t| TestCase {
                    suite: t.suite,
                    name: t.name,
                    variant: None,
                    outcome: t.outcome,
                    seconds: t.seconds,
                    message: nonempty(t.message),
                    details: nonempty(t.details),
                })
                .collect(),
            ..TestRun::default()
        };
        run.normalize();
        run
    }
}
