//! `dsock check [--format human|json|github] [--no-upstream-linters] [--struct-info] [FILE...]`:
//! lint the backend and validate the series.
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
//!
//! Exit status: 0 clean, 1 findings, 2 usage/environment error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use dsock_lint::diagnostic::{render_github, render_human, Diagnostic};
use dsock_lint::{Constants, LintOptions};
use serde::Serialize;

use crate::config;
use crate::context::CommandContext;
use crate::error::{CommandError, CommandResult};
use crate::exit::ExitStatus;
use crate::git::Git;
use crate::series::{Series, OVERLAY_DIR, SERIES_DIR};

use super::{apply, export};

/// Output format of `dsock check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CheckFormat {
    /// Findings with a code frame and help, then SKIPPED lines and a summary.
    #[default]
    Human,
    /// One JSON document: `{"diagnostics": [...], "skipped": [...], "ran": [...], "summary": {...}}`.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…::…`).
    Github,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Lint only these Emscripten JS library files (no series validation).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Do not run upstream's eslint and ruff on the patched files.
    #[arg(long)]
    pub no_upstream_linters: bool,
    /// Regenerate struct_info_generated*.json with gen_struct_info.py and compare
    /// (needs the checkout and the toolchain; takes a while).
    #[arg(long)]
    pub struct_info: bool,
    /// Only report these rule codes (comma-separated, e.g. DS001,DS013).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,
    /// Do not report these rule codes (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
}

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

/// Max subject length (DS103).
pub const MAX_SUBJECT: usize = 72;

/// Extensions in which upstream forbids tabs (DS105).
const NO_TABS: &[&str] = &["js", "mjs", "py", "c", "h", "cpp", "cc", "rst", "md", "json", "toml", "txt"];

/// Upstream trees that keep their own tab-indented style: musl's sources (and emscripten's
/// `#ifdef __EMSCRIPTEN__` additions to them) are indented with tabs.
const TABS_ALLOWED_UNDER: &[&str] = &["system/lib/libc/musl/"];

/// Whether an added line of `path` may not contain a tab (DS105).
fn tabs_forbidden(path: &str) -> bool {
    NO_TABS.contains(&ext(path)) && !TABS_ALLOWED_UNDER.iter().any(|dir| path.starts_with(dir))
}

fn ext(path: &str) -> &str {
    path.rsplit_once('.').map_or("", |(_, e)| e)
}

fn series_rule(code: &str) -> (&'static str, &'static str) {
    let m = dsock_lint::rule(code).expect("series rule in the registry");
    (m.code, m.name)
}

/// Lines (1-based) of `text` with trailing whitespace, and with tabs.
fn whitespace_findings(display: &str, text: &str, line_of: impl Fn(usize) -> bool, tabs_forbidden: bool, out: &mut Vec<Diagnostic>) {
    let (code, name) = series_rule("DS105");
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        if !line_of(i + 1) {
            continue;
        }
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_end_matches([' ', '\t']);
        if trimmed.len() != body.len() {
            let s = (start + trimmed.len()) as u32;
            out.push(
                Diagnostic::at(code, name, display, text, s, (start + body.len()) as u32, "added line ends in whitespace")
                    .with_help("strip trailing whitespace, then `dsock export`"),
            );
        } else if tabs_forbidden {
            if let Some(t) = body.find('\t') {
                let s = (start + t) as u32;
                out.push(
                    Diagnostic::at(code, name, display, text, s, s + 1, "added line contains a tab")
                        .with_help("indent with spaces as upstream does"),
                );
            }
        }
    }
}

/// One `diff --git` section of a patch file.
#[derive(Debug, Clone)]
pub struct PatchFile {
    /// Upstream path (`b/` side).
    pub path: String,
    /// 1-based lines of the patch file that are added lines (`+…`, not `+++`).
    pub added_patch_lines: Vec<usize>,
}

/// Split a `git format-patch` file into per-file sections.
pub fn patch_files(patch: &str) -> Vec<PatchFile> {
    let mut out: Vec<PatchFile> = Vec::new();
    let mut in_hunk = false;
    for (i, line) in patch.lines().enumerate() {
        if let Some(rest) = line.strip_prefix("diff --git a/") {
            let path = rest.split_once(" b/").map_or(rest, |(_, b)| b).to_string();
            out.push(PatchFile { path, added_patch_lines: vec![] });
            in_hunk = false;
        } else if line.starts_with("@@") {
            in_hunk = true;
        } else if line == "-- " {
            in_hunk = false;
        } else if in_hunk && line.starts_with('+') {
            if let Some(f) = out.last_mut() {
                f.added_patch_lines.push(i + 1);
            }
        }
    }
    out
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
                for section in text.split("diff --git ").filter(|s| s.starts_with("a/src/struct_info_generated.json")) {
                    constants.extend_from_patch(section);
                }
            }
        }
    }
    constants
}

/// Lint JS files given on the command line.
pub fn check_files(files: &[PathBuf], constants: Constants, report: &mut Report) -> CommandResult<()> {
    let opts = LintOptions { constants, only_lines: None };
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| {
            CommandError::usage(format!("cannot read {}: {e}", f.display())).with_hint("pass a readable JS library file, e.g. `dsock check src/lib/libsockfs_node.js`")
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
    let manifest = format!("{SERIES_DIR}/series.toml");
    // DS103
    let (code, name) = series_rule("DS103");
    for (i, c) in series.commits.iter().enumerate() {
        let n = c.subject.chars().count();
        if n > MAX_SUBJECT {
            out.push(
                Diagnostic::file_level(code, name, &manifest, format!("commit {} subject is {n} characters (max {MAX_SUBJECT}): \"{}\"", i + 1, c.subject))
                    .with_help("shorten the subject on the branch, then `dsock export`"),
            );
        }
        if c.body.trim().is_empty() {
            out.push(
                Diagnostic::file_level(code, name, &manifest, format!("commit {} \"{}\" has no body saying why", i + 1, c.subject))
                    .with_help("write the reason into the commit message, then `dsock export`"),
            );
        }
    }
    // DS104
    let (code, name) = series_rule("DS104");
    let mut owners: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in series.commits.iter().enumerate() {
        for f in &c.overlay {
            owners.entry(f.as_str()).or_default().push(i + 1);
        }
    }
    let mut files = Vec::new();
    walk(&root.join(OVERLAY_DIR), &mut files);
    let on_disk: BTreeSet<String> = files
        .iter()
        .filter_map(|p| p.strip_prefix(root.join(OVERLAY_DIR)).ok())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    for f in &on_disk {
        if !owners.contains_key(f.as_str()) {
            out.push(
                Diagnostic::file_level(code, name, &format!("{OVERLAY_DIR}/{f}"), "file is in no commit's overlay list")
                    .with_help("add it to one commit's `overlay` in patch-series/series.toml, or delete it"),
            );
        }
    }
    for (f, by) in &owners {
        if by.len() > 1 {
            out.push(Diagnostic::file_level(code, name, &manifest, format!("overlay file {f} belongs to commits {by:?}")));
        }
        if !on_disk.contains(*f) {
            out.push(
                Diagnostic::file_level(code, name, &manifest, format!("overlay file {OVERLAY_DIR}/{f} (commit {}) does not exist", by[0]))
                    .with_help("restore it, or re-export the branch with `dsock export`"),
            );
        }
    }
    // DS105 + lint of overlay files
    let opts = LintOptions { constants: constants.clone(), only_lines: None };
    let mut linted = 0;
    for f in &on_disk {
        let display = format!("{OVERLAY_DIR}/{f}");
        let Ok(text) = std::fs::read_to_string(root.join(OVERLAY_DIR).join(f)) else { continue };
        whitespace_findings(&display, &text, |_| true, tabs_forbidden(f), out);
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
        for section in patch_files(&text) {
            let lines: BTreeSet<usize> = section.added_patch_lines.iter().copied().collect();
            // The `+` is part of the patch line; whitespace at the end is what matters.
            whitespace_findings(&display, &text, |l| lines.contains(&l), tabs_forbidden(&section.path), out);
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

/// Lines (1-based, in `tip`'s version) that `base..tip` adds to `path`.
/// Line numbers (1-based, in `tip`) each of `paths` adds between `base` and `tip`, from one
/// `git diff-tree -p -U0` over all of them.
fn added_lines(git: &Git, base: &str, tip: &str, paths: &[String]) -> CommandResult<BTreeMap<String, BTreeSet<usize>>> {
    let mut out: BTreeMap<String, BTreeSet<usize>> = paths.iter().map(|p| (p.clone(), BTreeSet::new())).collect();
    if paths.is_empty() {
        return Ok(out);
    }
    let mut args: Vec<String> =
        ["diff-tree", "-r", "-p", "-U0", "--no-renames", "--no-ext-diff", "--no-color", base, tip, "--"].map(String::from).into();
    args.extend(paths.iter().cloned());
    let diff = git.run(&args)?;
    let hunk = regex::Regex::new(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@").unwrap();
    let mut current: Option<&mut BTreeSet<usize>> = None;
    for line in diff.lines() {
        if let Some(file) = line.strip_prefix("+++ b/") {
            current = out.get_mut(file);
        } else if line.starts_with("diff --git ") {
            current = None;
        } else if let Some(c) = hunk.captures(line) {
            let start: usize = c[1].parse().unwrap_or(0);
            let n: usize = c.get(2).map_or(1, |m| m.as_str().parse().unwrap_or(0));
            if let Some(set) = current.as_deref_mut() {
                set.extend(start..start + n);
            }
        }
    }
    Ok(out)
}

/// The checks that need the checkout: DS101, DS102, lint of patched JS files, upstream
/// linters, DS106.
pub fn check_series_with_checkout(root: &Path, series: &Series, checkout: &Path, git: &Git, constants: &Constants, opts: &SeriesOptions, report: &mut Report) -> CommandResult<()> {
    let t = std::time::Instant::now();
    let built = match apply::build(git, series, root) {
        Ok(Ok(built)) => built,
        Ok(Err(failure)) => {
            let (code, name) = series_rule("DS101");
            report.diagnostics.push(
                Diagnostic::file_level(code, name, &failure.file, failure.to_string())
                    .with_help("rebase the series (`dsock rebase`) or re-export the branch (`dsock export`)"),
            );
            report.skipped.push("SKIPPED: export --check, patched-file lint, upstream linters, struct_info: the series does not apply".into());
            return Ok(());
        }
        Err(e) => {
            let (code, name) = series_rule("DS101");
            let mut d = Diagnostic::file_level(code, name, &format!("{SERIES_DIR}/series.toml"), e.message.clone());
            if let Some(h) = e.hint {
                d = d.with_help(h);
            }
            report.diagnostics.push(d);
            report.skipped.push("SKIPPED: export --check, patched-file lint, upstream linters, struct_info: the series could not be built".into());
            return Ok(());
        }
    };
    let base = git.rev_parse_commit(&series.upstream.base)?;
    let tip = built.last().map_or(base.clone(), |c| c.sha.clone());
    report.ran.push(format!("applies: {} commit(s) on {:.12} (in memory, {} ms)", built.len(), base, t.elapsed().as_millis()));
    // DS102
    let t = std::time::Instant::now();
    match export::plan(git, &tip, &base, &series.upstream, Some(series), root) {
        Ok(plan) => {
            let (code, name) = series_rule("DS102");
            for change in plan.changes(root) {
                let path = change.path().to_string_lossy().into_owned();
                let what = match change {
                    export::FileChange::Add(_) => "re-exporting the series would create this file",
                    export::FileChange::Modify(_) => "re-exporting the series would change this file",
                    export::FileChange::Mode(_) => "re-exporting the series would change this file's mode",
                    export::FileChange::Remove(_) => "re-exporting the series would delete this file",
                };
                report.diagnostics.push(
                    Diagnostic::file_level(code, name, &path, what)
                        .with_help("run `dsock apply` then `dsock export`, and commit the result"),
                );
            }
            report.ran.push(format!("export --check ({} ms)", t.elapsed().as_millis()));
        }
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
        upstream_linters(checkout, git, &tip, &files, report);
    } else {
        report.skipped.push("SKIPPED: upstream linters (eslint, ruff): --no-upstream-linters".into());
    }
    if opts.struct_info {
        struct_info(checkout, git, &tip, report)?;
    } else {
        report.skipped.push("SKIPPED: struct_info regeneration (DS106): pass --struct-info (needs the toolchain; slow)".into());
    }
    Ok(())
}

fn tool_output(mut cmd: Command) -> Result<std::process::Output, String> {
    cmd.output().map_err(|e| e.to_string())
}

/// eslint (via the checkout's node_modules) and ruff on `files` as of `tip`, fed on stdin
/// so the checkout's work tree is never touched.
fn upstream_linters(checkout: &Path, git: &Git, tip: &str, files: &[String], report: &mut Report) {
    let eslint = checkout.join("node_modules/.bin/eslint");
    let js: Vec<&String> = files.iter().filter(|f| matches!(ext(f), "js" | "mjs")).collect();
    if !eslint.exists() {
        report.skipped.push(format!("SKIPPED: eslint: {} has no node_modules (run `npm ci` there)", checkout.display()));
    } else {
        // The checkout's eslint.config.mjs declares every setting in *its* src/settings.js as
        // a global; settings the series adds are declared here so they are not no-undef.
        let added_settings = added_settings(git, tip);
        let mut n = 0;
        for f in &js {
            let Ok(Some(bytes)) = git.read_blob(tip, f) else { continue };
            let mut cmd = Command::new("npm");
            cmd.current_dir(checkout).args(["exec", "--no", "--", "eslint", "--format", "json", "--stdin", "--stdin-filename", f]);
            for name in &added_settings {
                cmd.args(["--global", name]);
            }
            let out = match run_with_stdin(cmd, &bytes) {
                Ok(o) => o,
                Err(e) => {
                    report.skipped.push(format!("SKIPPED: eslint: {e}"));
                    break;
                }
            };
            n += 1;
            let Ok(v) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else { continue };
            for file in v.as_array().into_iter().flatten() {
                for m in file["messages"].as_array().into_iter().flatten() {
                    let msg = m["message"].as_str().unwrap_or("");
                    if msg.starts_with("File ignored") {
                        continue;
                    }
                    let rule = m["ruleId"].as_str().unwrap_or("parse");
                    report.diagnostics.push(Diagnostic::at_line(
                        &format!("eslint:{rule}"),
                        rule,
                        &format!("{f} (patched)"),
                        m["line"].as_u64().unwrap_or(1) as usize,
                        m["column"].as_u64().unwrap_or(1) as usize,
                        msg,
                    ));
                }
            }
        }
        report.ran.push(format!("eslint: {n} file(s) with {}/eslint.config.mjs", checkout.display()));
    }
    let py: Vec<&String> = files.iter().filter(|f| ext(f) == "py").collect();
    match tool_output({
        let mut c = Command::new("ruff");
        c.arg("--version");
        c
    }) {
        Err(_) => report.skipped.push("SKIPPED: ruff: not installed (`pip install ruff`)".into()),
        // Without upstream's config ruff would fall back to whatever config it finds
        // above the directory (or its defaults) and report rules upstream does not use.
        Ok(_) if !py.is_empty() && !checkout.join("pyproject.toml").is_file() => report.skipped.push(format!(
            "SKIPPED: ruff: {} has no pyproject.toml in its work tree (upstream's ruff config); check out main there",
            checkout.display()
        )),
        Ok(_) => {
            for f in &py {
                let Ok(Some(bytes)) = git.read_blob(tip, f) else { continue };
                let mut cmd = Command::new("ruff");
                cmd.current_dir(checkout).args(["check", "--output-format", "json", "--stdin-filename", f, "-"]);
                let Ok(out) = run_with_stdin(cmd, &bytes) else { continue };
                let Ok(v) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else { continue };
                for m in v.as_array().into_iter().flatten() {
                    let rule = m["code"].as_str().unwrap_or("syntax");
                    report.diagnostics.push(Diagnostic::at_line(
                        &format!("ruff:{rule}"),
                        rule,
                        &format!("{f} (patched)"),
                        m["location"]["row"].as_u64().unwrap_or(1) as usize,
                        m["location"]["column"].as_u64().unwrap_or(1) as usize,
                        m["message"].as_str().unwrap_or(""),
                    ));
                }
            }
            report.ran.push(format!("ruff: {} file(s) with {}/pyproject.toml", py.len(), checkout.display()));
        }
    }
}

/// `var NAME` settings in `src/settings.js` at `tip` that the checkout's work tree lacks.
fn added_settings(git: &Git, tip: &str) -> Vec<String> {
    let names = |text: &str| -> BTreeSet<String> {
        dsock_lint::regex!(r"(?m)^var ([A-Z_][A-Z0-9_]*)\b").captures_iter(text).map(|c| c[1].to_string()).collect()
    };
    let Ok(Some(new)) = git.read_blob(tip, "src/settings.js") else { return vec![] };
    let old = std::fs::read_to_string(git.dir().join("src/settings.js")).unwrap_or_default();
    let (new, old) = (names(&String::from_utf8_lossy(&new)), names(&old));
    new.difference(&old).cloned().collect()
}

fn run_with_stdin(mut cmd: Command, input: &[u8]) -> Result<std::process::Output, String> {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(|e| e.to_string())?;
    child.stdin.take().expect("piped").write_all(input).map_err(|e| e.to_string())?;
    child.wait_with_output().map_err(|e| e.to_string())
}

/// DS106: run gen_struct_info.py in a temporary worktree at `tip` and compare.
///
/// The worktree is bootstrapped the way a fresh clone is (`tools/maint/create_entry_points.py`
/// for the `emcc` launchers; the checkout's `node_modules` linked in), and removed after.
fn struct_info(checkout: &Path, git: &Git, tip: &str, report: &mut Report) -> CommandResult<()> {
    if std::env::var_os("EM_CONFIG").is_none() {
        report.skipped.push("SKIPPED: struct_info regeneration (DS106): no toolchain in the environment (EM_CONFIG unset; `. ~/.local/share/dsock/toolchain/env.sh`)".into());
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let wt_path = dir.path().join("wt");
    git.add_worktree(&wt_path, tip)?;
    let result = regenerate(checkout, git, tip, &wt_path, report);
    let _ = git.run(["worktree", "remove", "--force", &wt_path.to_string_lossy()]);
    result
}

fn regenerate(checkout: &Path, git: &Git, tip: &str, wt_path: &Path, report: &mut Report) -> CommandResult<()> {
    let mut boot = Command::new("python3");
    boot.current_dir(wt_path).arg("tools/maint/create_entry_points.py");
    let out = tool_output(boot).map_err(CommandError::environment)?;
    if !out.status.success() {
        report.skipped.push(format!("SKIPPED: struct_info regeneration (DS106): create_entry_points.py failed: {}", String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("")));
        return Ok(());
    }
    // What `bootstrap.py` records after `npm ci` and the entry points (see the guide).
    std::fs::create_dir_all(wt_path.join("out"))?;
    for stamp in ["npm_packages", "create_entry_points", "git_submodules", "install_hooks"] {
        std::fs::write(wt_path.join("out").join(format!("{stamp}.stamp")), "")?;
    }
    #[cfg(unix)]
    if checkout.join("node_modules").is_dir() {
        let _ = std::os::unix::fs::symlink(checkout.join("node_modules"), wt_path.join("node_modules"));
    }
    let mut found = Vec::new();
    for (args, file) in [(vec!["-q"], "src/struct_info_generated.json"), (vec!["-q", "--wasm64"], "src/struct_info_generated_wasm64.json")] {
        let mut cmd = Command::new("python3");
        cmd.current_dir(wt_path).arg("tools/gen_struct_info.py").args(&args);
        let out = tool_output(cmd).map_err(CommandError::environment)?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let why = stderr.lines().find(|l| l.contains("error:")).or_else(|| stderr.lines().last()).unwrap_or("");
            report.skipped.push(format!("SKIPPED: struct_info regeneration ({file}): gen_struct_info.py failed: {why}"));
            return Ok(());
        }
        let regenerated = std::fs::read(wt_path.join(file))?;
        let committed = git.read_blob(tip, file)?.unwrap_or_default();
        if regenerated != committed {
            let (code, name) = series_rule("DS106");
            found.push(
                Diagnostic::file_level(code, name, file, "differs from what tools/gen_struct_info.py generates from the headers")
                    .with_help("run ./tools/gen_struct_info.py (and --wasm64) on the applied branch, amend, `dsock export`"),
            );
        }
    }
    report.diagnostics.extend(found);
    report.ran.push("struct_info: regenerated with tools/gen_struct_info.py and compared".into());
    Ok(())
}

/// Series mode: everything `dsock check` does without FILE arguments.
pub fn check_series(root: &Path, checkout: Option<(&Path, &Git)>, opts: &SeriesOptions) -> CommandResult<Report> {
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

fn filter(report: &mut Report, args: &Args) {
    let norm = |v: &[String]| v.iter().map(|s| s.trim().to_ascii_uppercase()).collect::<BTreeSet<_>>();
    let (select, ignore) = (norm(&args.select), norm(&args.ignore));
    report.diagnostics.retain(|d| {
        let c = d.code.to_ascii_uppercase();
        (select.is_empty() || select.contains(&c)) && !ignore.contains(&c)
    });
}

/// Render the report in `format`.
pub fn render(report: &Report, format: CheckFormat) -> String {
    let mut s = String::new();
    match format {
        CheckFormat::Human => {
            for d in &report.diagnostics {
                s.push_str(&render_human(d));
                s.push('\n');
            }
            for r in &report.ran {
                s.push_str(&format!("ran: {r}\n"));
            }
            for k in &report.skipped {
                s.push_str(&format!("{k}\n"));
            }
            let n = report.diagnostics.len();
            s.push_str(&format!("{n} finding{}\n", if n == 1 { "" } else { "s" }));
        }
        CheckFormat::Json => {
            let v = serde_json::json!({
                "diagnostics": report.diagnostics,
                "ran": report.ran,
                "skipped": report.skipped,
                "summary": { "findings": report.diagnostics.len(), "skipped": report.skipped.len() },
            });
            s.push_str(&serde_json::to_string_pretty(&v).expect("serializable"));
            s.push('\n');
        }
        CheckFormat::Github => {
            for d in &report.diagnostics {
                s.push_str(&render_github(d));
            }
            for k in &report.skipped {
                s.push_str(&format!("::warning title=dsock check::{}\n", k.replace('%', "%25").replace('\n', "%0A")));
            }
        }
    }
    s
}

pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    let mut report = if !args.files.is_empty() {
        let mut report = Report::default();
        let checkout = config::checkout_path(&ctx.global)?.map(|(p, _)| p);
        // Inside a dsock repo, the names the series adds to struct_info are known too.
        let root = ctx.repo_root().ok();
        let series = root.as_deref().and_then(|r| Series::load(r).ok());
        let constants = constants_for(root.as_deref(), series.as_ref(), checkout.as_deref(), &mut report);
        check_files(&args.files, constants, &mut report)?;
        report
    } else {
        let root = ctx.repo_root()?;
        let checkout = match config::checkout_path(&ctx.global)? {
            Some(_) => Some(config::resolve_checkout(&ctx.global)?),
            None => None,
        };
        let opts = SeriesOptions { upstream_linters: !args.no_upstream_linters, struct_info: args.struct_info };
        check_series(&root, checkout.as_ref().map(|c| (c.path.as_path(), &c.git)), &opts)?
    };
    filter(&mut report, args);
    dsock_lint::sort(&mut report.diagnostics);
    let text = render(&report, args.format);
    ctx.out.write_all(text.as_bytes())?;
    if args.format != CheckFormat::Human {
        for k in &report.skipped {
            writeln!(ctx.err, "{k}")?;
        }
    }
    Ok(if report.diagnostics.is_empty() { ExitStatus::Success } else { ExitStatus::Failure })
}

use std::io::Write as _;

#[cfg(test)]
mod tabs_tests {
    use super::tabs_forbidden;

    #[test]
    fn tabs_are_allowed_in_musl_sources_only() {
        assert!(!tabs_forbidden("system/lib/libc/musl/src/network/bind.c"));
        assert!(tabs_forbidden("system/lib/libc/emscripten_internal.h"));
        assert!(tabs_forbidden("src/lib/libsyscall.js"));
        assert!(!tabs_forbidden("Makefile"));
    }
}
