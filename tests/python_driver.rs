//! The PyO3 path of `dsock test`, hermetically: `testrun::python::run_driver` embeds
//! CPython and runs `test-browser/python/dsock_driver.py` against a fake Emscripten
//! checkout (`tests/fixtures/fake-emscripten/test/runner.py`), with one test per outcome.
//!
//! One `#[test]` only: the interpreter is initialized once per process and the driver
//! imports `runner` (cached in `sys.modules`), so a second run in this binary would
//! reuse the first one's modules.

use std::collections::BTreeMap;
use std::path::PathBuf;

use dsock::testrun::model::DriverResults;
use dsock::testrun::python::{python_executable, run_driver, DriverConfig};
use dsock::testrun::Outcome;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn driver_runs_the_checkouts_runner_and_records_every_outcome() {
    let out = tempfile::tempdir().unwrap();
    let results = out.path().join("results/driver.json");
    let python = python_executable();
    // Set in the process and removed by the driver (config.env value `None`).
    std::env::set_var("DSOCK_FAKE_REMOVED", "leaks");
    let env = BTreeMap::from([
        ("DSOCK_FAKE_SET".to_string(), Some("set by dsock".to_string())),
        ("DSOCK_FAKE_REMOVED".to_string(), None),
        ("DSOCK_FAKE_PYTHON".to_string(), Some(python.display().to_string())),
    ]);
    let config = DriverConfig {
        checkout: root().join("tests/fixtures/fake-emscripten"),
        // `fake_ext.*ext_pass*`: a wildcard selector for an extension suite, which upstream's
        // get_all_tests() does not know (the driver adds it).
        argv: ["test_pass", "test_fail", "test_error", "test_skip", "test_expected", "test_timeout", "fake_ext.*ext_pass*"]
            .map(String::from)
            .into(),
        env,
        python: python.clone(),
        extensions: vec![root().join("tests/fixtures/fake-extensions")],
        results: results.clone(),
        timeout: 2,
    };
    // A driver directory without dsock_driver.py is a bug in dsock's install: internal (exit 4).
    let empty = tempfile::tempdir().unwrap();
    let e = run_driver(empty.path(), &config).expect_err("no dsock_driver.py");
    assert_eq!(e.kind(), dsock::error::ErrorKind::Internal, "{e}");
    assert_eq!(dsock::error::ExitStatusOf::exit_status(&e), dsock::exit::ExitStatus::Internal);
    assert!(e.to_string().contains("No module named 'dsock_driver'"), "{e}");

    let started = std::time::Instant::now();
    let code = run_driver(&root().join("test-browser/python"), &config).expect("driver runs");
    assert_eq!(code, 1, "failures make the runner exit 1");
    assert!(started.elapsed().as_secs() < 25, "the per-test timeout (2 s) did not stop test_timeout");

    let text = std::fs::read_to_string(&results).expect("the driver writes config.results");
    let run = DriverResults::parse(&text).expect("driver JSON parses").into_run();
    let outcome: BTreeMap<&str, Outcome> = run.tests.iter().map(|t| (t.name.as_str(), t.outcome)).collect();
    assert_eq!(
        outcome,
        BTreeMap::from([
            ("test_pass_sees_env", Outcome::Passed),
            ("test_fail", Outcome::Failed),
            ("test_error", Outcome::Error),
            ("test_skip", Outcome::Skipped),
            ("test_expected_failure", Outcome::Passed),
            ("test_timeout", Outcome::Error),
            ("test_ext_pass", Outcome::Passed),
        ]),
        "{text}"
    );
    let by_name = |n: &str| run.tests.iter().find(|t| t.name == n).unwrap();
    assert_eq!(by_name("test_pass_sees_env").suite, "fake");
    assert_eq!(by_name("test_ext_pass").suite, "fake_ext");
    assert_eq!(by_name("test_fail").message.as_deref(), Some("AssertionError: boom from test_fail"));
    assert_eq!(by_name("test_error").message.as_deref(), Some("RuntimeError: kaput from test_error"));
    assert_eq!(by_name("test_skip").message.as_deref(), Some("not here"));
    assert!(by_name("test_timeout").message.as_deref().unwrap_or("").contains("per-test timeout of 2s"), "{text}");
    assert!(by_name("test_fail").details.as_deref().unwrap_or("").contains("Traceback"), "{text}");
    let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(raw["runner_exit"], 1);
    assert_eq!(raw["interrupted"], false);
}
