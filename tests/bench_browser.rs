//! `dsock bench` on a browser variant end to end: the plain-JS server in headless Chromium,
//! driven by the native load generator. Needs a C compiler, node, test-browser/node_modules
//! (`npm ci`) and Chromium, so it is `#[ignore]`d: `bash .ci/run` runs it when they are
//! there and names it when not. By hand: `cargo test --test bench_browser -- --ignored`.

use std::path::Path;
use std::process::Command;

use dsock::bench::report::{Report, RunRecord};

/// The runs of `variant` in workload `id`.
fn runs<'a>(report: &'a Report, id: &str, variant: &str) -> Vec<&'a RunRecord> {
    let w = report
        .workloads
        .iter()
        .find(|w| w.id == id)
        .unwrap_or_else(|| panic!("no workload {id} in the report"));
    w.runs.iter().filter(|r| r.variant == variant).collect()
}

/// The C compiler for the native peer and server: `$CC`, else bench's default clang-22 when it
/// is installed, else `cc`.
fn native_cc() -> String {
    if let Ok(cc) = std::env::var("CC") {
        return cc;
    }
    let has = |p: &str| Command::new(p).arg("--version").output().is_ok_and(|o| o.status.success());
    if has("clang-22") { "clang-22" } else { "cc" }.to_string()
}

/// `chromium-js-thread` sends every datagram and TCP chunk through a worker and back before it
/// echoes it (dsbench-js.js `--thread-hop 1`): the echoes must still be complete, in order and
/// byte for byte what the generator sent (the bulk echo is checked against its pattern), and
/// the page must say that the hop was on.
#[test]
#[ignore = "needs a C compiler, node, test-browser/node_modules (npm ci) and Chromium"]
fn thread_hop_variant_echoes_every_byte_through_the_worker() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let console = out.path().join("console.log");
    let status = Command::new(env!("CARGO_BIN_EXE_dsock"))
        .current_dir(root)
        .env("DSBENCH_CONSOLE_LOG", &console)
        .args([
            "bench",
            "--quick",
            "--warmup",
            "0",
            "--variants",
            "chromium-js-thread",
            "--workloads",
            "udp-constant,tcp-bulk,tcp-rr",
            "--cc",
            &native_cc(),
            "--out",
        ])
        .arg(out.path())
        .status()
        .expect("spawn dsock");
    assert!(status.success(), "dsock bench exited with {status}");
    let log = std::fs::read_to_string(&console).expect("console log");
    assert!(log.contains("dsbench-js: thread hop on"), "the page did not turn the hop on:\n{log}");

    let report: Report =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("latest.json")).unwrap())
            .expect("latest.json in the dsock-bench/1 schema");
    let v = "chromium-js-thread";
    for id in ["udp-constant", "tcp-bulk", "tcp-rr"] {
        let rs = runs(&report, id, v);
        assert!(!rs.is_empty(), "{id}: {v} did not run");
        for r in &rs {
            assert_eq!(r.error, None, "{id}");
        }
    }
    for r in runs(&report, "tcp-bulk", v) {
        let echo = r.raw.iter().find(|s| s["mode"] == "echo").expect("an echo step");
        assert_eq!(echo["first_mismatch"], -1, "{echo}");
        assert_eq!(echo["intact_bytes"], echo["bytes"], "{echo}");
    }
    for r in runs(&report, "udp-constant", v) {
        let echoed = r.raw[0]["received"].as_u64().unwrap();
        assert!(echoed > 0, "no datagram came back: {}", r.raw[0]);
        assert_eq!(r.raw[0]["duplicates"], 0);
    }
    for r in runs(&report, "tcp-rr", v) {
        assert_eq!(r.values.get("failed_pct"), Some(&0.0), "{:?}", r.values);
    }
}
