//! `dsock bench --render`: the committed report (docs/bench/latest.json) parses in the
//! current schema and redraws into the table and one chart per workload. Hermetic: no
//! toolchain, no Chromium.

use std::path::Path;

#[test]
fn committed_report_renders_table_and_charts() {
    let json = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/bench/latest.json");
    let out = tempfile::tempdir().unwrap();
    let status = dsock::run([
        "dsock",
        "bench",
        "--render",
        json.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(status, dsock::exit::ExitStatus::Success);
    let md = std::fs::read_to_string(out.path().join("latest.md")).unwrap();
    assert!(md.contains("| workload | figure | native |"), "{md}");
    for w in ["udp-burst", "udp-constant", "udp-ramp", "tcp-bulk", "tcp-rr"] {
        let svg = std::fs::read_to_string(out.path().join(format!("{w}.svg"))).unwrap();
        assert!(svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"), "{w}.svg");
    }
}

#[test]
fn render_rejects_a_file_that_is_not_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("x.json");
    std::fs::write(&bogus, r#"{"schema": "something-else"}"#).unwrap();
    let status = dsock::run(["dsock", "bench", "--render", bogus.to_str().unwrap()]);
    assert_eq!(status, dsock::exit::ExitStatus::Error);
    assert!(!dir.path().join("latest.md").exists());
}
