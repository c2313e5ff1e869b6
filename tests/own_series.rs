//! This repository's own series passes the offline checks `dsock check` runs without a
//! checkout: the manifest (DS103, DS104), whitespace (DS105), and the lint of every JS
//! file the series adds, with the constants the series itself adds to struct_info.

use std::path::Path;

use dsock_core::checks::{check_series, SeriesOptions};

#[test]
fn our_series_and_backend_are_clean_offline() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let report = check_series(root, None, &SeriesOptions::default()).expect("the repository's series loads");
    assert!(report.ran.iter().any(|r| r.starts_with("lint: ") && !r.starts_with("lint: 0 overlay")), "{:?}", report.ran);
    assert!(
        report.diagnostics.is_empty(),
        "our own series must check clean (`dsock check`):\n{}",
        report.diagnostics.iter().map(dsock_lint::diagnostic::render_human).collect::<String>()
    );
}
