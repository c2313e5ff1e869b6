//! Saved `dsock test` results: where they go, and reading them back (`dsock test --from`,
//! `dsock pr-body`).

use std::path::Path;

use crate::error::{CommandError, CommandResult};
use crate::testrun::junit;
use crate::testrun::model::TestRun;

/// Where results are saved, relative to the dsock repo (read by `dsock pr-body`): under
/// `target/`, so a run never leaves files in the source tree.
pub const RESULTS_FILE: &str = "target/dsock/test-results.json";

/// Load saved results: dsock JSON, or JUnit XML (by content: a leading `<`).
pub fn load_results(path: &Path) -> CommandResult<TestRun> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CommandError::usage(format!("cannot read {}: {e}", path.display())))?;
    let mut run = if text.trim_start().starts_with('<') {
        junit::parse(&text).map_err(|e| CommandError::usage(format!("{}: not valid JUnit XML: {e}", path.display())))?
    } else {
        serde_json::from_str::<TestRun>(&text)
            .map_err(|e| CommandError::usage(format!("{}: not dsock test results: {e}", path.display())))?
    };
    run.normalize();
    Ok(run)
}
