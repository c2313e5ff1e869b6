//! Runs test-browser/'s node tests (`node --test`): the dev proxy, manifest and HTML rewriting,
//! `dsock run`'s page hook, the bench's trace summary, and the end-to-end Isolated Web App
//! check. All need `npm ci` in test-browser/ and the end-to-end one needs Chromium, so they
//! are `#[ignore]`d: `bash .ci/run` installs the node
//! modules and runs them with `--ignored` when node (and Chromium) are there, and prints
//! which it did not run otherwise. Run by hand:
//! `cargo test --test browser_harness -- --ignored`.
//!
//! Run without their prerequisites they fail (they never pass by skipping), and they
//! assert that node ran at least one test and skipped none.

use std::path::PathBuf;
use std::process::Command;

fn test_browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-browser")
}

/// Panics naming the fix when node or the node modules are missing.
fn require_node_modules() {
    let dir = test_browser_dir();
    assert!(
        dir.join("node_modules").join("puppeteer-core").is_dir(),
        "{}/node_modules missing; run `cd test-browser && PUPPETEER_SKIP_DOWNLOAD=1 npm ci`",
        dir.display()
    );
    assert!(
        Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success()),
        "`node` not on PATH (apt-get install -y nodejs, or `dsock toolchain`)"
    );
}

/// The count node's spec reporter prints in its summary (`ℹ pass 3`).
fn summary_count(stdout: &str, what: &str) -> Option<usize> {
    stdout.lines().find_map(|l| l.trim_start_matches(['ℹ', ' ']).strip_prefix(what)?.trim().parse().ok())
}

fn run_node_test(file: &str) {
    require_node_modules();
    let out = Command::new("node")
        .args(["--test", "--test-reporter=spec", file])
        .current_dir(test_browser_dir())
        .output()
        .expect("spawn node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "node --test {file} failed:\n{stdout}\n{stderr}");
    let (pass, skipped) = (summary_count(&stdout, "pass "), summary_count(&stdout, "skipped "));
    assert!(pass.is_some_and(|n| n > 0), "node ran no passing test in {file}:\n{stdout}\n{stderr}");
    assert_eq!(skipped, Some(0), "node skipped tests in {file}:\n{stdout}\n{stderr}");
}

#[test]
fn node_summary_counts_are_read() {
    let spec = "✔ a (1ms)\nℹ tests 2\nℹ suites 0\nℹ pass 1\nℹ fail 0\nℹ skipped 1\n";
    assert_eq!(summary_count(spec, "pass "), Some(1));
    assert_eq!(summary_count(spec, "skipped "), Some(1));
    assert_eq!(summary_count("ℹ pass 0\n", "pass "), Some(0));
    assert_eq!(summary_count("no summary\n", "pass "), None);
}

#[test]
#[ignore = "needs node and test-browser/node_modules (npm ci)"]
fn dev_proxy_manifest_and_html_rewriting() {
    run_node_test("test/proxy.test.mjs");
}

#[test]
#[ignore = "needs node, test-browser/node_modules (npm ci) and Chromium (/usr/bin/chromium or DSOCK_CHROMIUM)"]
fn isolated_web_app_end_to_end() {
    run_node_test("test/iwa.e2e.test.mjs");
}

#[test]
#[ignore = "needs node and test-browser/node_modules (npm ci)"]
fn dsock_run_hook_and_proxy_routes() {
    run_node_test("test/run.test.mjs");
}

#[test]
#[ignore = "needs node and test-browser/node_modules (npm ci)"]
fn bench_trace_summary_counts_tasks() {
    run_node_test("test/trace-summary.test.mjs");
}

#[test]
#[ignore = "needs node and test-browser/node_modules (npm ci)"]
fn bench_profile_summary_paths() {
    run_node_test("test/profile-summary.test.mjs");
}
