//! Runs test-browser/'s node tests (`node --test`): the dev proxy, manifest and HTML rewriting
//! (hermetic), and the end-to-end Isolated Web App check (needs Chromium; it prints "SKIPPED:"
//! itself when Chromium is missing). Needs `npm ci` in test-browser/ (.ci/run does it); without
//! node_modules this test says SKIPPED loudly instead of passing silently.

use std::path::PathBuf;
use std::process::Command;

fn test_browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-browser")
}

/// `Some(reason)` when the node tests cannot run here.
fn skip_reason() -> Option<String> {
    let dir = test_browser_dir();
    if !dir.join("node_modules").join("puppeteer-core").is_dir() {
        return Some(format!(
            "{}/node_modules missing; run `cd test-browser && PUPPETEER_SKIP_DOWNLOAD=1 npm ci`",
            dir.display()
        ));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("`node` not on PATH (apt-get install -y nodejs, or `dsock toolchain`)".into());
    }
    None
}

fn run_node_test(file: &str) {
    if let Some(reason) = skip_reason() {
        eprintln!("SKIPPED: test-browser/{file}: {reason}");
        return;
    }
    let out = Command::new("node")
        .args(["--test", "--test-reporter=spec", file])
        .current_dir(test_browser_dir())
        .output()
        .expect("spawn node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Pass through SKIPPED lines so they show up in `cargo test -- --nocapture` and CI logs.
    for line in stderr.lines().filter(|l| l.starts_with("SKIPPED:")) {
        eprintln!("{line}");
    }
    assert!(out.status.success(), "node --test {file} failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("pass"), "no test ran:\n{stdout}");
}

#[test]
fn dev_proxy_manifest_and_html_rewriting() {
    run_node_test("test/proxy.test.mjs");
}

#[test]
fn isolated_web_app_end_to_end() {
    run_node_test("test/iwa.e2e.test.mjs");
}

#[test]
fn dsock_run_hook_and_proxy_routes() {
    run_node_test("test/run.test.mjs");
}
