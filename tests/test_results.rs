//! Hermetic tests of `dsock test`'s result handling: the driver's JSON and upstream's xmlrunner
//! JUnit XML into structs, the renderings, JUnit round trip, and `dsock test --from`.

use std::path::PathBuf;

use dsock::testrun::junit;
use dsock::testrun::model::{variant_of, DriverResults, Outcome, TestRun};
use dsock::testrun::render;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/testrun").join(name)
}

fn driver_run() -> TestRun {
    let text = std::fs::read_to_string(fixture("driver-results.json")).unwrap();
    DriverResults::parse(&text).unwrap().into_run()
}

#[test]
fn driver_json_becomes_test_cases_with_counts_and_variants() {
    let run = driver_run();
    assert_eq!(run.tests.len(), 5);
    assert_eq!(run.runner_exit, Some(1));
    assert_eq!(run.wall_seconds, Some(42.5));
    let c = run.counts;
    assert_eq!((c.total, c.passed, c.failed, c.error, c.skipped), (5, 2, 1, 1, 1));
    let t = &run.tests[1];
    assert_eq!(t.selector(), "sockets_browser.test_direct_sockets_tcp_echo_proxy_to_pthread");
    assert_eq!(t.outcome, Outcome::Failed);
    assert_eq!(t.variant.as_deref(), Some("proxy_to_pthread"));
    assert_eq!(run.tests[0].variant.as_deref(), Some("jspi"));
    assert_eq!(run.tests[3].variant, None);
    // Empty strings from the driver are absent, not Some("").
    assert_eq!(run.tests[0].message, None);
    assert_eq!(run.tests[2].message.as_deref(), Some("Direct Sockets unavailable: TCPSocket is not defined"));
    assert!(run.any_bad());
}

#[test]
fn malformed_driver_json_is_an_error_naming_the_field() {
    let e = DriverResults::parse(r#"{"runner_exit": 0, "tests": [{"suite": "s", "name": "n", "outcome": "maybe"}]}"#)
        .unwrap_err();
    assert!(e.contains("maybe"), "{e}");
}

#[test]
fn variants_are_known_suffixes_only() {
    assert_eq!(variant_of("test_tcp_echo_proxy_to_pthread").as_deref(), Some("proxy_to_pthread"));
    assert_eq!(variant_of("test_tcp_echo_pthread").as_deref(), Some("pthread"));
    assert_eq!(variant_of("test_jspi_thing"), None);
    assert_eq!(variant_of("test_x"), None);
}

#[test]
fn upstream_xmlrunner_output_parses() {
    let run = junit::parse(&std::fs::read_to_string(fixture("xmlrunner.xml")).unwrap()).unwrap();
    let got: Vec<(String, Outcome, f64)> = run.tests.iter().map(|t| (t.selector(), t.outcome, t.seconds)).collect();
    assert_eq!(
        got,
        vec![
            ("sockets_node.test_noderawsockets_echo".to_string(), Outcome::Passed, 3.643),
            ("sockets_node.test_noderawsockets_udp_jspi".to_string(), Outcome::Failed, 2.0),
            ("sockets_node.test_noderawsockets_ipv6".to_string(), Outcome::Skipped, 0.0),
            ("sockets_browser.test_direct_sockets_tcp_echo_proxy_to_pthread".to_string(), Outcome::Error, 9.0),
        ]
    );
    assert_eq!(run.started_at.as_deref(), Some("2026-11-21T15:10:15"));
    assert_eq!(run.tests[1].message.as_deref(), Some("Expected to find 'done'"));
    assert!(run.tests[1].details.as_deref().unwrap().ends_with("in '<nothing> & more'"));
    assert_eq!(run.tests[2].message.as_deref(), Some("no IPv6 loopback & no \"::1\""));
    // Entities and character references in text are resolved.
    let d = run.tests[3].details.as_deref().unwrap();
    assert!(d.contains("File \"x.py\""), "{d}");
    assert!(d.ends_with("timeout AB"), "{d}");
    assert_eq!(run.tests[1].variant.as_deref(), Some("jspi"));
}

#[test]
fn junit_round_trip_keeps_every_test() {
    let run = driver_run();
    let xml = junit::write(&run);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(xml.contains(r#"<testsuites name="dsock test" tests="5" failures="1" errors="1" skipped="1""#), "{xml}");
    let back = junit::parse(&xml).unwrap();
    let key = |r: &TestRun| {
        let mut v: Vec<_> = r
            .tests
            .iter()
            .map(|t| (t.selector(), t.outcome, t.message.clone(), t.details.clone(), format!("{:.3}", t.seconds)))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    assert_eq!(key(&back), key(&run));
}

#[test]
fn malformed_junit_is_an_error() {
    assert!(junit::parse("<testsuites><testcase classname='a.b'><failure></testcase>").is_err());
    assert!(junit::parse("<testsuite><testcase classname='a.b'/></testsuite>").unwrap_err().contains("without a name"));
}

#[test]
fn human_table() {
    insta::assert_snapshot!(render::human(&driver_run()));
}

#[test]
fn markdown_table() {
    let mut run = driver_run();
    run.command = Some("dsock test --apply".into());
    run.upstream_command = Some("EMTEST_BROWSER_IWA=1 EMTEST_BROWSER=/usr/bin/chromium EMTEST_HEADLESS=1 test/runner sockets_node".into());
    run.emscripten = Some("a04d0beef36bfa7661cee4b8dff7d3909303dabc".into());
    run.chromium = Some("Chromium 156.0.8078.79".into());
    insta::assert_snapshot!(render::markdown(&run));
}

#[test]
fn saved_json_is_what_pr_body_reads() {
    let mut run = driver_run();
    run.command = Some("dsock test".into());
    let v: serde_json::Value = serde_json::to_value(&run).unwrap();
    let t = &v["tests"][1];
    assert_eq!(t["suite"], "sockets_browser");
    assert_eq!(t["name"], "test_direct_sockets_tcp_echo_proxy_to_pthread");
    assert_eq!(t["variant"], "proxy_to_pthread");
    assert_eq!(t["outcome"], "failed");
    assert_eq!(t["seconds"], 9.5);
    assert_eq!(v["counts"]["failed"], 1);
    assert_eq!(v["command"], "dsock test");
    assert!(v.get("upstream_command").is_none(), "absent when unknown: {v}");
    // And it reads back.
    let back: TestRun = serde_json::from_value(v).unwrap();
    assert_eq!(back.tests, run.tests);
}

fn dsock(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dsock")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn from_renders_saved_results_and_exits_1_on_failures() {
    let dir = tempfile::tempdir().unwrap();
    let junit_out = dir.path().join("out/junit.xml");
    let xml = fixture("xmlrunner.xml");
    let (code, out, err) = dsock(&["test", "--from", xml.to_str().unwrap(), "--junit", junit_out.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("1 passed, 1 failed, 1 errors, 1 skipped (4 tests)"), "{out}");
    assert!(junit_out.is_file());
    let (code, out, _) = dsock(&["test", "--from", xml.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["tests"].as_array().unwrap().len(), 4);
}

#[test]
fn from_a_passing_run_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ok.json");
    std::fs::write(&p, r#"{"tests": [{"suite": "sockets_node", "name": "test_a", "outcome": "passed", "seconds": 1.0},
        {"suite": "sockets_node", "name": "test_b", "outcome": "skipped", "message": "no ipv6"}]}"#)
    .unwrap();
    let (code, out, err) = dsock(&["test", "--from", p.to_str().unwrap(), "--markdown"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("| `sockets_node.test_b` | skipped | 0.0 | no ipv6 |"), "{out}");
}

#[test]
fn from_a_bad_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.json");
    std::fs::write(&p, "{ nope").unwrap();
    let (code, _, err) = dsock(&["test", "--from", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("not dsock test results"), "{err}");
}
