//! DS104 `overlay-ownership`: every file under `emscripten/` is in one commit's overlay
//! list, and every listed overlay file exists. (A file listed by two commits never gets
//! here: [`Series::validate`] rejects it when `series.toml` is loaded.) Doc: `dsock
//! explain DS104` (`dsock_lint::rules::ds104_overlay_ownership`).

use std::collections::{BTreeMap, BTreeSet};

use dsock_lint::diagnostic::Diagnostic;
use dsock_lint::rules::ds104_overlay_ownership::OverlayOwnership;

use crate::series::{Series, OVERLAY_DIR, SERIES_DIR};

/// `on_disk`: the paths under `emscripten/`, relative to it, `/`-separated.
pub fn check(series: &Series, on_disk: &BTreeSet<String>, out: &mut Vec<Diagnostic>) {
    let m = &OverlayOwnership::META;
    let manifest = format!("{SERIES_DIR}/series.toml");
    let owner: BTreeMap<&str, usize> =
        series.commits.iter().enumerate().flat_map(|(i, c)| c.overlay.iter().map(move |f| (f.as_str(), i + 1))).collect();
    for f in on_disk.iter().filter(|f| !owner.contains_key(f.as_str())) {
        out.push(
            Diagnostic::file_level(m.code, m.name, &format!("{OVERLAY_DIR}/{f}"), "file is in no commit's overlay list")
                .with_help("add it to one commit's `overlay` in patch-series/series.toml, or delete it"),
        );
    }
    for (f, commit) in owner.iter().filter(|(f, _)| !on_disk.contains(**f)) {
        out.push(
            Diagnostic::file_level(m.code, m.name, &manifest, format!("overlay file {OVERLAY_DIR}/{f} (commit {commit}) does not exist"))
                .with_help("restore it, or re-export the branch with `dsock export`"),
        );
    }
}
