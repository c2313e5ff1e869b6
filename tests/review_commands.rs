//! `dsock diff`, `dsock version`, `dsock pr-body` end to end on a fixture: a tiny
//! "Emscripten" repository and a dsock repository holding a 2-commit series (one
//! patch to an existing file, one overlay file). Runs the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use dsock::git::{Git, Ident};

const DATE: &str = "1767225600 +0000";
const AUTHOR: &str = "Dev Eloper <dev@example.com>";
const ID1: &str = "I1111111111111111111111111111111111111111";
const ID2: &str = "I2222222222222222222222222222222222222222";

struct Fx {
    _tmp: tempfile::TempDir,
    ems: PathBuf,
    repo: PathBuf,
    git: Git,
    base: String,
}

fn commit_files(git: &Git, parent: &str, files: &[(&str, &str)], subject: &str) -> String {
    let files: Vec<_> = files.iter().map(|&(path, text)| (path, Some(text))).collect();
    common::tree::commit_files(git, Some(parent), &files, AUTHOR, DATE, &format!("{subject}\n"))
}

const SYSCALL_OLD: &str = "function a() {\n  return 1;\n}\n#if NODERAWSOCKETS\nshutdown();\n#endif\nfunction z() {}\n";
const SYSCALL_NEW: &str = "function a() {\n  return 1;\n}\n#if NODERAWSOCKETS || DIRECT_SOCKETS\nshutdown();\n#endif\nfunction z() {}\n";
const BACKEND: &str = "// https://wicg.github.io/direct-sockets/\nvar directSockOps = {\n  close(sock) {},\n};\n";

fn fixture() -> Fx {
    let tmp = tempfile::tempdir().unwrap();
    let ems = tmp.path().join("emscripten");
    let st = Command::new("git").args(["init", "-q", "-b", "main"]).arg(&ems).status().unwrap();
    assert!(st.success());
    let git = Git::open(&ems).unwrap();
    // Root commit: a work tree checkout of it so the "user's" checkout is a normal clone.
    let tmpi = tempfile::tempdir().unwrap();
    let g = git.with_index(&tmpi.path().join("index"));
    g.run(["read-tree", "--empty"]).unwrap();
    let blob = g.hash_object(SYSCALL_OLD.as_bytes()).unwrap();
    g.run(["update-index", "--add", "--cacheinfo", &format!("100644,{blob},src/lib/libsyscall.js")]).unwrap();
    let tree = g.run(["write-tree"]).unwrap();
    let base = git.commit_tree(&tree, &[], "Upstream base\n", &Ident::parse(AUTHOR, DATE).unwrap()).unwrap();
    git.run(["reset", "-q", "--hard", &base]).unwrap();

    // The patch for commit 1, as format-patch writes it.
    let c = commit_files(&git, &base, &[("src/lib/libsyscall.js", SYSCALL_NEW)], "scratch");
    let patch = git.format_patch(&c).unwrap();

    let repo = tmp.path().join("dsock");
    std::fs::create_dir_all(repo.join("patch-series/patches")).unwrap();
    std::fs::create_dir_all(repo.join("emscripten/src/lib")).unwrap();
    std::fs::write(repo.join("patch-series/patches/0001-syscall.patch"), patch).unwrap();
    std::fs::write(repo.join("emscripten/src/lib/libsockfs_direct.js"), BACKEND).unwrap();
    write_series(&repo, &base, "Gate shutdown on DIRECT_SOCKETS too");
    std::fs::write(repo.join("patch-series/review.toml"), review_toml(ID2)).unwrap();
    Fx { _tmp: tmp, ems, repo, git, base: base.into() }
}

fn write_series(repo: &Path, base: &str, subject1: &str) {
    let text = format!(
        r#"[upstream]
url = "https://github.com/emscripten-core/emscripten"
branch = "main"
base = "{base}"

[[commit]]
id = "{ID1}"
subject = "{subject1}"
author = "{AUTHOR}"
body = "libsyscall gates shutdown/getsockopt/setsockopt per backend."
patches = ["patches/0001-syscall.patch"]

[[commit]]
id = "{ID2}"
subject = "Add the Direct Sockets sock_ops backend"
author = "{AUTHOR}"
body = "A sibling of $nodeSockOps."
overlay = ["src/lib/libsockfs_direct.js"]
"#
    );
    std::fs::write(repo.join("patch-series/series.toml"), text).unwrap();
}

fn review_toml(commit: &str) -> String {
    format!(
        r#"[pr]
title = "Add -sDIRECT_SOCKETS"
summary = "TCP/UDP for Isolated Web Apps."
usage = "Link with `-sDIRECT_SOCKETS`."

[[point]]
key = "spec-link"
raised = "sbc100, #26344"
url = "https://github.com/emscripten-core/emscripten/pull/26344"
point = "Link the spec | in the library"
resolution = "Header of libsockfs_direct.js."
commit = "{commit}"
rule = "DS003"
test = "sockets_browser.test_direct_echo"
"#
    )
}

fn dsock(fx: &Fx, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dsock"))
        .arg("--repo")
        .arg(&fx.repo)
        .arg("--emscripten")
        .arg(&fx.ems)
        .args(args)
        .env_remove("DSOCK_EMSCRIPTEN")
        .env_remove("DSOCK_REPO")
        .env("XDG_CONFIG_HOME", fx.repo.join(".config"))
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The tree `git apply --cached` makes of `patch` on the base.
fn apply_on_base(fx: &Fx, patch: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let g = fx.git.with_index(&tmp.path().join("index"));
    g.run(["read-tree", &fx.base]).unwrap();
    g.run_bytes(["apply", "--cached", "-"], Some(patch.as_bytes())).unwrap();
    g.run(["write-tree"]).unwrap()
}

fn expected_tip_tree(fx: &Fx) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let g = fx.git.with_index(&tmp.path().join("index"));
    g.run(["read-tree", &fx.base]).unwrap();
    for (path, content) in [("src/lib/libsyscall.js", SYSCALL_NEW), ("src/lib/libsockfs_direct.js", BACKEND)] {
        let blob = g.hash_object(content.as_bytes()).unwrap();
        g.run(["update-index", "--add", "--cacheinfo", &format!("100644,{blob},{path}")]).unwrap();
    }
    g.run(["write-tree"]).unwrap()
}

#[test]
fn combined_diff_applies_with_git_apply() {
    let fx = fixture();
    let out = ok(&dsock(&fx, &["--color", "never", "diff"]));
    assert!(out.starts_with(" src/lib/libsockfs_direct.js | 4 ++++\n"), "{out}");
    assert!(out.contains(" create mode 100644 src/lib/libsockfs_direct.js\n"), "{out}");
    assert_eq!(apply_on_base(&fx, &out), expected_tip_tree(&fx));
}

#[test]
fn per_commit_mbox_applies_with_git_am() {
    let fx = fixture();
    let out = ok(&dsock(&fx, &["--color", "never", "diff", "--per-commit"]));
    assert_eq!(out.matches("\nSubject: ").count(), 2, "{out}");
    // git am onto the base in a scratch clone.
    let tmp = tempfile::tempdir().unwrap();
    let clone = tmp.path().join("c");
    let st = Command::new("git").args(["clone", "-q"]).arg(&fx.ems).arg(&clone).status().unwrap();
    assert!(st.success());
    let g = Git::open(&clone).unwrap();
    g.run(["checkout", "-q", "--detach", &fx.base]).unwrap();
    g.with_env("GIT_COMMITTER_NAME", "T")
        .with_env("GIT_COMMITTER_EMAIL", "t@example.com")
        .run_bytes(["am", "-q"], Some(out.as_bytes()))
        .unwrap();
    assert_eq!(g.run(["rev-parse", "HEAD^{tree}"]).unwrap(), expected_tip_tree(&fx));
    assert_eq!(g.count(&fx.base, "HEAD").unwrap(), 2);
    let subject = g.run(["log", "-1", "--format=%s", "HEAD~1"]).unwrap();
    assert_eq!(subject, "Gate shutdown on DIRECT_SOCKETS too");
}

#[test]
fn one_commit_by_position_prefix_and_stat() {
    let fx = fixture();
    let by_pos = ok(&dsock(&fx, &["--color", "never", "diff", "--commit", "2"]));
    let by_prefix = ok(&dsock(&fx, &["--color", "never", "diff", "--commit", "I2222"]));
    assert_eq!(by_pos, by_prefix);
    assert!(by_pos.contains("Subject: Add the Direct Sockets sock_ops backend"), "{by_pos}");
    assert!(!by_pos.contains("libsyscall.js"), "{by_pos}");
    let stat = ok(&dsock(&fx, &["diff", "--commit", "1", "--stat"]));
    assert!(stat.contains("src/lib/libsyscall.js | 2 +-"), "{stat}");
    let bad = dsock(&fx, &["diff", "--commit", "I9"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("matches no commit") && err.contains("hint:"), "{err}");
}

#[test]
fn word_and_color() {
    let fx = fixture();
    let plain = ok(&dsock(&fx, &["--color", "never", "diff", "--word", "--commit", "1"]));
    assert!(plain.contains("-#if NODERAWSOCKETS\n+#if NODERAWSOCKETS{+ || DIRECT_SOCKETS+}\n"), "{plain}");
    let color = ok(&dsock(&fx, &["--color", "always", "diff", "--word", "--commit", "1"]));
    assert!(color.contains("\x1b[1;7;32m"), "{color:?}");
    let auto = ok(&dsock(&fx, &["diff"])); // stdout is a pipe here: auto means no color
    assert!(!auto.contains('\x1b'));
}

#[test]
fn version_tag_list_and_range_diff() {
    let fx = fixture();
    let out = ok(&dsock(&fx, &["version", "tag", "-m", "sent as PR #1"]));
    assert!(out.starts_with("recorded v1 (2 commits on "), "{out}");
    let again = dsock(&fx, &["version", "tag"]);
    assert_eq!(again.status.code(), Some(2), "identical series must not be tagged twice");
    assert!(String::from_utf8_lossy(&again.stderr).contains("identical to v1"));

    let since = ok(&dsock(&fx, &["--color", "never", "diff", "--since-sent"]));
    assert!(since.contains("2 → 2 commits: 2 unchanged"), "{since}");

    write_series(&fx.repo, &fx.base, "Gate shutdown and sockopts on DIRECT_SOCKETS");
    ok(&dsock(&fx, &["version", "tag"]));
    let list = ok(&dsock(&fx, &["version", "list"]));
    assert!(list.contains("v1 ") && list.contains("(sent as PR #1)"), "{list}");
    assert!(list.contains("since v1: 2 → 2 commits: 1 unchanged, 1 changed"), "{list}");
    assert!(fx.repo.join("patch-series/versions/v2.toml").is_file());

    let rd = ok(&dsock(&fx, &["--color", "never", "diff", "--range", "v1..v2"]));
    assert!(rd.contains("1:  I1111111 ! 1:  I1111111 Gate shutdown and sockopts on DIRECT_SOCKETS"), "{rd}");
    assert!(rd.contains("    -    Gate shutdown on DIRECT_SOCKETS too\n"), "{rd}");
    let bad = dsock(&fx, &["diff", "--range", "v1..v9"]);
    assert_eq!(bad.status.code(), Some(2));

    // Two recorded versions need no checkout at all.
    let out = Command::new(env!("CARGO_BIN_EXE_dsock"))
        .arg("--repo")
        .arg(&fx.repo)
        .args(["--color", "never", "diff", "--range", "v1..v2", "--headers-only"])
        .env_remove("DSOCK_EMSCRIPTEN")
        .env("XDG_CONFIG_HOME", fx.repo.join(".config"))
        .env("HOME", fx.repo.join(".home"))
        .output()
        .unwrap();
    let headers = ok(&out);
    assert!(headers.contains("1:  I1111111 ! 1:  I1111111 Gate shutdown and sockopts"), "{headers}");
    assert!(!headers.contains("    @@"), "--headers-only prints no inner diff: {headers}");
}

#[test]
fn pr_body_is_deterministic_and_complete() {
    let fx = fixture();
    let a = ok(&dsock(&fx, &["pr-body"]));
    let b = ok(&dsock(&fx, &["pr-body"]));
    assert_eq!(a, b);
    for needle in [
        "# Add -sDIRECT_SOCKETS\n",
        "https://wicg.github.io/direct-sockets/",
        "## Usage\n\nLink with `-sDIRECT_SOCKETS`.",
        "1. **Gate shutdown on DIRECT_SOCKETS too** (+1/−1)",
        "| **Link the spec \\| in the library** ([sbc100, #26344](https://github.com/emscripten-core/emscripten/pull/26344)) | Header of libsockfs_direct.js. | 2/2 | `DS003` | `sockets_browser.test_direct_echo` |",
        "First version: nothing was sent before.",
        "## Diffstat\n\n```\n src/lib/libsockfs_direct.js | 4 ++++",
    ] {
        assert!(a.contains(needle), "missing {needle:?} in:\n{a}");
    }
    assert!(!a.contains("## Test results"), "no results file → no section");

    // Test results, and a second version: the range-diff section appears.
    std::fs::create_dir_all(fx.repo.join("target/dsock")).unwrap();
    std::fs::write(
        fx.repo.join("target/dsock/test-results.json"),
        r#"{"chromium":"156.0.1","command":"dsock test","upstream_command":"EMTEST_BROWSER_IWA=1 EMTEST_BROWSER=/usr/bin/chromium EMTEST_HEADLESS=1 test/runner 'sockets_browser.*direct_sockets*'","tests":[
            {"suite":"sockets_browser","name":"test_direct_echo","outcome":"passed"},
            {"suite":"sockets_browser","name":"test_udp","variant":"jspi","outcome":"skipped","message":"no IPv6"}]}"#,
    )
    .unwrap();
    ok(&dsock(&fx, &["version", "tag"]));
    write_series(&fx.repo, &fx.base, "Gate shutdown and sockopts on DIRECT_SOCKETS");
    let c = ok(&dsock(&fx, &["pr-body"]));
    insta::assert_snapshot!("pr_body_v1_to_working", c);
    assert!(c.contains("| sockets_browser | 1 | 0 | 0 | 1 |"), "{c}");
    // The table names the command that runs the same tests without dsock.
    assert!(
        c.contains("with upstream's runner, from an Emscripten checkout with the series: `EMTEST_BROWSER_IWA=1 EMTEST_BROWSER=/usr/bin/chromium EMTEST_HEADLESS=1 test/runner 'sockets_browser.*direct_sockets*'`"),
        "{c}"
    );
    assert!(c.contains("- `sockets_browser.test_udp` — skipped: no IPv6"), "{c}");
    assert!(c.contains("## Changes since v1\n\nv1 → this version: 2 → 2 commits: 1 unchanged, 1 changed"), "{c}");
    // Once v2 is tagged, the body compares v1 → v2.
    ok(&dsock(&fx, &["version", "tag"]));
    let d = ok(&dsock(&fx, &["pr-body"]));
    assert!(d.contains("v1 → v2: 2 → 2 commits: 1 unchanged, 1 changed"), "{d}");

    // A review point naming a commit that is not in the series is refused.
    std::fs::write(fx.repo.join("patch-series/review.toml"), review_toml("I9999999999999999999999999999999999999999")).unwrap();
    let bad = dsock(&fx, &["pr-body"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not in the series"));
}

#[test]
fn no_checkout_is_an_environment_error_with_hint() {
    let fx = fixture();
    let out = Command::new(env!("CARGO_BIN_EXE_dsock"))
        .arg("--repo")
        .arg(&fx.repo)
        .args(["diff"])
        .env_remove("DSOCK_EMSCRIPTEN")
        .env("XDG_CONFIG_HOME", fx.repo.join(".config"))
        .env("HOME", fx.repo.join(".home"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("hint: run `dsock setup --emscripten PATH`"), "{err}");
}

/// The repository's own `patch-series/review.toml` parses, carries the review points
/// the maintainers raised, and names only commits that exist in `series.toml`.
#[test]
fn shipped_review_file_is_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let f = dsock::review::review_points::ReviewFile::load(root).unwrap();
    for key in [
        "fd-allocator", "autoadddeps", "cdefs", "spec-link", "browser-test", "eof-vs-error",
        "specific-errno", "feature-detection", "udp-bind-connect", "tcp-bind-connect",
        "sab-copies", "native-posix-tests", "settings-backticks",
    ] {
        assert!(f.points.iter().any(|p| p.key == key), "review.toml lacks point {key}");
    }
    let series = dsock::series::Series::load(root).expect("the repository's own patch-series/series.toml loads");
    for p in f.points.iter().filter(|p| !p.commit.is_empty()) {
        assert!(series.commit(&p.commit).is_some(), "point {} names unknown commit {}", p.key, p.commit);
    }
}
