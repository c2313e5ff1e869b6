//! The checks behind `dsock check`: lint the backend and validate the series.
//!
//! Without FILE arguments (series mode), in the dsock repo:
//! - the manifest loads and validates (`patch-series/series.toml`);
//! - every commit message has a subject ≤ 72 chars and a body (DS103);
//! - every file under `emscripten/` belongs to exactly one commit, every listed overlay
//!   file exists (DS104);
//! - no added line ends in whitespace or holds a tab where upstream forbids it (DS105);
//! - every `emscripten/**/*.js` file is linted whole with the `dsock-lint` rules;
//! - with an Emscripten checkout (`--emscripten`, `DSOCK_EMSCRIPTEN`, `dsock setup`):
//!   the series is built on its base in memory (DS101, through [`apply::build`]),
//!   re-exporting it must change nothing (DS102, [`export::plan`]), the JS files the
//!   patches change are linted on their added lines, the constants come from the
//!   checkout's `src/struct_info_generated.json` plus what the series adds to it, and
//!   upstream's own linters run on the changed files (`npm exec eslint` with the
//!   checkout's `eslint.config.mjs`, `ruff check` with its `pyproject.toml`);
//! - `--struct-info`: regenerate `struct_info_generated*.json` with
//!   `tools/gen_struct_info.py` in a temporary worktree and compare (DS106).
//!
//! Whatever cannot run says so on a line starting `SKIPPED:` (and in `skipped` of the
//! JSON), never silently.
//!
//! With FILE arguments, only those JS library files are linted (any Emscripten library
//! file, e.g. prior art), with the checkout's constants when one is configured.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use dsock_lint::diagnostic::Diagnostic;
use dsock_lint::{Constants, LintOptions};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::git::Git;
use crate::patch::parse_diff;
use crate::series::{Series, OVERLAY_DIR, SERIES_DIR};

pub mod ds101_series_applies;
pub mod ds102_export_drift;
pub mod ds103_commit_message;
pub mod ds104_overlay_ownership;
pub mod ds105_whitespace;
pub mod ds106_struct_info_generated;
pub mod upstream_linters;

pub use ds103_commit_message::MAX_SUBJECT;

/// Everything `dsock check` found and did (the `--format json` shape).
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    /// Checks that did not run, each with why and how to enable it.
    pub skipped: Vec<String>,
    /// Checks that ran (one line each).
    pub ran: Vec<String>,
}

/// What [`check_series`] may use.
#[derive(Debug, Default, Clone)]
pub struct SeriesOptions {
    /// Run eslint/ruff when a checkout is present.
    pub upstream_linters: bool,
    /// Run gen_struct_info.py (DS106).
    pub struct_info: bool,
}

pub(crate) fn ext(path: &str) -> &str {
    path.rsplit_once('.').map_or("", |(_, e)| e)
}

/// Constants for linting: the checkout's JSON plus what the series' patches add, or
/// the shipped table.
pub fn constants_for(repo_root: Option<&Path>, series: Option<&Series>, checkout: Option<&Path>, report: &mut Report) -> Constants {
    let mut constants = match checkout.map(|c| c.join("src/struct_info_generated.json")) {
        Some(path) => match std::fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|t| Constants::from_struct_info(&t, &path.display().to_string())) {
            Ok(c) => c,
            Err(e) => {
                report.skipped.push(format!("SKIPPED: checkout constants ({e}); using dsock's shipped struct_info table"));
                Constants::shipped()
            }
        },
        None => Constants::shipped(),
    };
    // The names the series itself adds to struct_info are known either way.
    if let (Some(root), Some(series)) = (repo_root, series) {
        for p in series.commits.iter().flat_map(|c| c.patches.iter()) {
            if let Ok(text) = std::fs::read_to_string(Series::patch_path(root, p)) {
                for f in parse_diff(&text).iter().filter(|f| f.path == "src/struct_info_generated.json") {
                    constants.extend_from_patch(&f.added_text());
                }
            }
        }
    }
    constants
}

/// Lint JS files given on the command line.
pub fn check_files(files: &[PathBuf], constants: Constants, report: &mut Report) -> Result<()> {
    let opts = LintOptions { constants, only_lines: None };
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| {
            Error::usage(format!("cannot read {}: {e}", f.display())).with_hint("pass a readable JS library file, e.g. `dsock check src/lib/libsockfs_node.js`")
        })?;
        report.diagnostics.extend(dsock_lint::lint_file(&f.display().to_string(), &text, &opts));
    }
    report.ran.push(format!("lint: {} file(s)", files.len()));
    Ok(())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Everything that needs only the dsock repo (no checkout): DS103, DS104, DS105 and the
/// lint of `emscripten/**/*.js` and of the patches' added lines (line rules).
pub fn check_series_offline(root: &Path, series: &Series, constants: &Constants, has_checkout: bool, report: &mut Report) {
    let out = &mut report.diagnostics;
    ds103_commit_message::check(series, out);
    let mut files = Vec::new();
    walk(&root.join(OVERLAY_DIR), &mut files);
    let on_disk: BTreeSet<String> = files
        .iter()
        .filter_map(|p| p.strip_prefix(root.join(OVERLAY_DIR)).ok())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    ds104_overlay_ownership::check(series, &on_disk, out);
    // DS105 + lint of overlay files
    let opts = LintOptions { constants: constants.clone(), only_lines: None };
    let mut linted = 0;
    for f in &on_disk {
        let display = format!("{OVERLAY_DIR}/{f}");
        let Ok(text) = std::fs::read_to_string(root.join(OVERLAY_DIR).join(f)) else { continue };
        ds105_whitespace::check(&display, &text, |_| true, ds105_whitespace::tabs_forbidden(f), out);
        if ext(f) == "js" {
            out.extend(dsock_lint::lint_file(&display, &text, &opts));
            linted += 1;
        }
    }
    // DS105 + line rules on patches' added lines (positions in the patch file).
    let mut patches = 0;
    for p in series.commits.iter().flat_map(|c| c.patches.iter()) {
        let display = format!("{SERIES_DIR}/{p}");
        let Ok(text) = std::fs::read_to_string(Series::patch_path(root, p)) else { continue };
        patches += 1;
        for section in parse_diff(&text) {
            let lines = section.added_text_lines();
            // The `+` is part of the patch line; whitespace at the end is what matters.
            ds105_whitespace::check(&display, &text, |l| lines.contains(&l), ds105_whitespace::tabs_forbidden(&section.path), out);
            if section.path.ends_with("settings.js") && !has_checkout {
                // DS015 works on comment lines; lint the patch text restricted to added lines
                // (with a checkout the patched file itself is linted instead).
                let line_opts = LintOptions { constants: constants.clone(), only_lines: Some(lines.clone()) };
                let masked_name = format!("{display} (src/settings.js)");
                let mut found = dsock_lint::lint_file(&format!("{masked_name}.settings.js"), &text, &line_opts);
                found.retain(|d| d.code == "DS015");
                for d in &mut found {
                    d.path = display.clone();
                }
                out.extend(found);
            }
        }
    }
    report.ran.push(format!("manifest: {} commit(s); messages, overlay ownership, whitespace", series.commits.len()));
    report.ran.push(format!("lint: {linted} overlay JS file(s), added lines of {patches} patch(es)"));
}

/// Line numbers (1-based, in `tip`) each of `paths` adds between `base` and `tip`, from one
/// `git diff-tree -p -U0` over all of them.
fn added_lines(git: &Git, base: &str, tip: &str, paths: &[String]) -> Result<BTreeMap<String, BTreeSet<usize>>> {
    let mut out: BTreeMap<String, BTreeSet<usize>> = paths.iter().map(|p| (p.clone(), BTreeSet::new())).collect();
    if paths.is_empty() {
        return Ok(out);
    }
    let mut args: Vec<String> =
        ["diff-tree", "-r", "-p", "-U0", "--no-renames", "--no-ext-diff", "--no-color", base, tip, "--"].map(String::from).into();
    args.extend(paths.iter().cloned());
    for f in parse_diff(&git.run(&args)?) {
        if let Some(set) = out.get_mut(&f.path) {
            set.extend(f.added_new_lines());
        }
    }
    Ok(out)
}

/// The checks that need the checkout: DS101, DS102, lint of patched JS files, upstream
/// linters, DS106.
pub fn check_series_with_checkout(root: &Path, series: &Series, checkout: &Path, git: &Git, constants: &Constants, opts: &SeriesOptions, report: &mut Report) -> Result<()> {
    let t = std::time::Instant::now();
    let built = match ds101_series_applies::check(git, series, root, &mut report.diagnostics) {
        Ok(built) => built,
        Err(why) => {
            report.skipped.push(format!("SKIPPED: export --check, patched-file lint, upstream linters, struct_info: {why}"));
            return Ok(());
        }
    };
    let base = git.rev_parse_commit(&series.upstream.base)?;
    let tip = built.last().map_or(base.clone(), |c| c.sha.clone());
    report.ran.push(format!("applies: {} commit(s) on {:.12} (in memory, {} ms)", built.len(), base, t.elapsed().as_millis()));
    // DS102
    let t = std::time::Instant::now();
    match ds102_export_drift::check(git, &tip, &base, series, root, &mut report.diagnostics) {
        Ok(()) => report.ran.push(format!("export --check ({} ms)", t.elapsed().as_millis())),
        Err(e) => report.skipped.push(format!("SKIPPED: export --check: {}", e.message)),
    }
    // Patched upstream JS files: lint their added lines.
    let t = std::time::Instant::now();
    let changed = git.diff_name_status(&base, &tip)?;
    let overlay: BTreeSet<&str> = series.commits.iter().flat_map(|c| c.overlay.iter().map(String::as_str)).collect();
    let mut patched_js = 0;
    let mut lint_targets = Vec::new();
    for (status, path) in &changed {
        if *status == 'D' || overlay.contains(path.as_str()) {
            continue;
        }
        lint_targets.push(path.clone());
    }
    let js: Vec<String> = lint_targets.iter().filter(|p| ext(p) == "js").cloned().collect();
    let blobs = git.read_blobs(&tip, &js)?;
    let mut added = added_lines(git, &base, &tip, &js)?;
    for (path, bytes) in js.iter().zip(blobs) {
        let Some(bytes) = bytes else { continue };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let lines = added.remove(path).unwrap_or_default();
        let lo = LintOptions { constants: constants.clone(), only_lines: Some(lines) };
        let mut found = dsock_lint::lint_file(path, &text, &lo);
        for d in &mut found {
            d.path = format!("{path} (patched)");
        }
        report.diagnostics.extend(found);
        patched_js += 1;
    }
    report.ran.push(format!("lint: added lines of {patched_js} patched upstream JS file(s) ({} ms)", t.elapsed().as_millis()));
    if opts.upstream_linters {
        let mut files: Vec<String> = lint_targets;
        files.extend(overlay.iter().map(|s| s.to_string()));
        upstream_linters::run(checkout, git, &tip, &files, report);
    } else {
        report.skipped.push("SKIPPED: upstream linters (eslint, ruff): --no-upstream-linters".into());
    }
    if opts.struct_info {
        ds106_struct_info_generated::check(checkout, git, &tip, report)?;
    } else {
        report.skipped.push("SKIPPED: struct_info regeneration (DS106): pass --struct-info (needs the toolchain; slow)".into());
    }
    Ok(())
}

pub(crate) fn tool_output(mut cmd: Command) -> Result<std::process::Output, String> {
    cmd.output().map_err(|e| e.to_string())
}

/// Series mode: everything `dsock check` does without FILE arguments.
pub fn check_series(root: &Path, checkout: Option<(&Path, &Git)>, opts: &SeriesOptions) -> Result<Report> {
    let mut report = Report::default();
    let series = Series::load(root)?;
    let constants = constants_for(Some(root), Some(&series), checkout.map(|c| c.0), &mut report);
    check_series_offline(root, &series, &constants, checkout.is_some(), &mut report);
    match checkout {
        Some((path, git)) => check_series_with_checkout(root, &series, path, git, &constants, opts, &mut report)?,
        None => report.skipped.push(
            "SKIPPED: series applies (DS101), export --check (DS102), patched-file lint, upstream linters, struct_info (DS106): \
             no Emscripten checkout (`dsock setup --emscripten PATH` or --emscripten PATH)"
                .into(),
        ),
    }
    Ok(report)
}

