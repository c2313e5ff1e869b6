//! Fixture tests for the series rules DS101–DS105, in the lint crate's style:
//! `fixtures/DSnnn/fail/` is a dsock repo (`patch-series/`, `emscripten/`) whose check
//! reports DSnnn (the findings are snapshotted), `fixtures/DSnnn/pass/` one that reports
//! none of it. The rules that need a checkout (DS101, DS102) run against a throwaway git
//! repository made from `fixtures/DS101/upstream/`; `BASE` in a fixture's `series.toml` is
//! replaced by its commit. DS102's passing case is a series freshly exported from the
//! branch `dsock apply` builds. DS106 needs the Emscripten toolchain and has no fixture.

use std::path::{Path, PathBuf};
use std::process::Command;

use dsock_core::checks::{check_series, Report, SeriesOptions};
use dsock_core::git::Git;
use dsock_lint::diagnostic::render_human;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// A git repo holding `fixtures/DS101/upstream/` as one commit; returns it and its sha.
fn upstream(dir: &Path) -> (Git, String) {
    let repo = dir.join("up");
    std::fs::create_dir_all(&repo).unwrap();
    copy_dir(&fixture("DS101/upstream"), &repo);
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(&repo)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .env("GIT_AUTHOR_NAME", "Up")
            .env("GIT_AUTHOR_EMAIL", "up@example.com")
            .env("GIT_AUTHOR_DATE", "1700000000 +0000")
            .env("GIT_COMMITTER_NAME", "Up")
            .env("GIT_COMMITTER_EMAIL", "up@example.com")
            .env("GIT_COMMITTER_DATE", "1700000000 +0000")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "Initial import"]);
    let sha = git(&["rev-parse", "HEAD"]);
    let handle = Git::open(&repo).unwrap().with_env("GIT_COMMITTER_NAME", "Dev").with_env("GIT_COMMITTER_EMAIL", "dev@example.com");
    (handle, sha)
}

/// A copy of the fixture repo `rel` in `dir`, with `BASE` replaced by `base`.
fn series_repo(dir: &Path, rel: &str, base: &str) -> PathBuf {
    let root = dir.join("ds");
    std::fs::create_dir_all(&root).unwrap();
    copy_dir(&fixture(rel), &root);
    let manifest = root.join("patch-series/series.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("\"BASE\"", &format!("\"{base}\""))).unwrap();
    root
}

fn findings(report: &Report, code: &str) -> String {
    report.diagnostics.iter().filter(|d| d.code == code).map(render_human).collect::<Vec<_>>().join("\n")
}

#[test]
fn offline_rules_fail_and_pass_fixtures() {
    for code in ["DS103", "DS104", "DS105"] {
        let fail = check_series(&fixture(&format!("{code}/fail")), None, &SeriesOptions::default()).unwrap();
        let found = findings(&fail, code);
        assert!(!found.is_empty(), "{code}: fail fixture produced no {code} finding: {:?}", fail.diagnostics);
        insta::assert_snapshot!(format!("{code}_fail"), found);
        let pass = check_series(&fixture(&format!("{code}/pass")), None, &SeriesOptions::default()).unwrap();
        assert_eq!(findings(&pass, code), "", "{code}: pass fixture");
    }
}

#[test]
fn ds101_series_applies() {
    let dir = tempfile::tempdir().unwrap();
    let (git, base) = upstream(dir.path());
    let root = series_repo(dir.path(), "DS101/fail", &base);
    let report = check_series(&root, Some((git.dir(), &git)), &SeriesOptions::default()).unwrap();
    let found = findings(&report, "DS101");
    assert!(found.contains("patch-series/patches/0001-Add-the-DIRECT_SOCKETS-setting.patch does not apply"), "{found}");
    assert!(report.skipped.iter().any(|s| s.ends_with("the series does not apply")), "{:?}", report.skipped);
    std::fs::remove_dir_all(&root).unwrap();
    let root = series_repo(dir.path(), "DS101/pass", &base);
    let report = check_series(&root, Some((git.dir(), &git)), &SeriesOptions::default()).unwrap();
    assert_eq!(findings(&report, "DS101"), "");
    assert!(report.ran.iter().any(|r| r.starts_with("applies: 1 commit(s)")), "{:?}", report.ran);
}

#[test]
fn ds102_export_drift() {
    let dir = tempfile::tempdir().unwrap();
    let (git, base) = upstream(dir.path());
    let root = series_repo(dir.path(), "DS102/fail", &base);
    let report = check_series(&root, Some((git.dir(), &git)), &SeriesOptions::default()).unwrap();
    let found = findings(&report, "DS102");
    // The patch's placeholder blob ids differ from git's, and no commit lists the stray patch.
    assert!(found.contains("0001-Add-the-DIRECT_SOCKETS-setting.patch: DS102 re-exporting the series would change this file"), "{found}");
    assert!(found.contains("0002-stray.patch: DS102 re-exporting the series would delete this file"), "{found}");
    // Pass: the series as `dsock export` writes it from the branch `dsock apply` builds.
    let series = dsock_core::series::Series::load(&root).unwrap();
    dsock_core::build::materialize(&git, &series, &root, None, "pr", false).unwrap();
    dsock_core::export::export_branch(&git, &root, "pr", Some(&base), false).unwrap();
    let report = check_series(&root, Some((git.dir(), &git)), &SeriesOptions::default()).unwrap();
    assert_eq!(findings(&report, "DS102"), "");
    assert!(report.ran.iter().any(|r| r.starts_with("export --check")), "{:?}", report.ran);
}
