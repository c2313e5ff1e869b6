//! The latest `dsock test` results for the PR body: the harness's own model
//! ([`crate::testrun::model::TestRun`]) read with `dsock test`'s loader (dsock JSON
//! or JUnit XML), grouped per suite.

use std::collections::BTreeMap;
use std::path::Path;

pub use crate::testrun::saved::RESULTS_FILE as DEFAULT_PATH;
use crate::error::CommandResult;
pub use crate::testrun::model::{Counts, Outcome, TestRun};

/// Read the results; `Ok(None)` when the file does not exist.
///
/// Errors (Usage) when it exists but is neither dsock results JSON nor JUnit XML.
pub fn load(path: &Path) -> CommandResult<Option<TestRun>> {
    if !path.exists() {
        return Ok(None);
    }
    crate::testrun::saved::load_results(path).map(Some)
}

/// Counts per suite, suites in name order.
pub fn counts_by_suite(run: &TestRun) -> BTreeMap<&str, Counts> {
    let mut m: BTreeMap<&str, Vec<&crate::testrun::model::TestCase>> = BTreeMap::new();
    for t in &run.tests {
        m.entry(t.suite.as_str()).or_default().push(t);
    }
    m.into_iter().map(|(k, v)| (k, Counts::of(v))).collect()
}
