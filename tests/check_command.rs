//! `dsock check` and `dsock explain` end to end on a fixture: a tiny "Emscripten"
//! repository (libsyscall.js, settings.js, struct_info_generated.json) and a dsock
//! repository whose series patches two upstream files and adds a backend. Runs the
//! real binary, with and without a checkout.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use dsock::git::Git;

const DATE: &str = "1767225600 +0000";
const AUTHOR: &str = "Dev Eloper <dev@example.com>";

struct Fx {
    _tmp: tempfile::TempDir,
    ems: PathBuf,
    repo: PathBuf,
}

fn commit_files(git: &Git, parent: Option<&str>, files: &[(&str, &str)], subject: &str) -> String {
    let files: Vec<_> = files.iter().map(|&(path, text)| (path, Some(text))).collect();
    common::tree::commit_files(git, parent, &files, AUTHOR, DATE, &format!("{subject}\n"))
}

const STRUCT_INFO: &str = "{\n    \"defines\": {\n        \"EAGAIN\": 6,\n        \"IPPROTO_IPV6\": 41,\n        \"SOCK_DGRAM\": 2\n    },\n    \"structs\": {}\n}\n";
const STRUCT_INFO_NEW: &str = "{\n    \"defines\": {\n        \"EAGAIN\": 6,\n        \"IPPROTO_IPV6\": 41,\n        \"IPV6_MULTICAST_HOPS\": 18,\n        \"SOCK_DGRAM\": 2\n    },\n    \"structs\": {}\n}\n";
const SYSCALL_OLD: &str = "var SyscallsLibrary = {\n  __syscall_setsockopt: (fd, level, optname) => {\n    return 0;\n  },\n};\naddToLibrary(SyscallsLibrary);\n";
const SYSCALL_NEW: &str = "var SyscallsLibrary = {\n  __syscall_setsockopt: (fd, level, optname) => {\n    if (level === 41) return 0;\n    return 0;\n  },\n};\naddToLibrary(SyscallsLibrary);\n";
const SETTINGS_OLD: &str = "// Old setting, `single` quoted upstream already.\nvar OLD = 1;\n";
const SETTINGS_NEW: &str = "// Old setting, `single` quoted upstream already.\nvar OLD = 1;\n\n// Use Direct Sockets; needs `ENVIRONMENT=web`. \nvar DIRECT_SOCKETS = false;\n";
/// The backend: clean except for one close-and-reopen (DS013) and one unknown cDefs (DS003).
const BACKEND: &str = "\
// https://wicg.github.io/direct-sockets/
addToLibrary({
  $directSockOps__deps: ['$SOCKFS', '$FS'],
  $directSockOps: {
    connect(sock, host, port) {
      if (sock.udp) sock.udp.close();
      sock.udp = new UDPSocket({ remoteAddress: host, remotePort: port });
      if (sock.type !== {{{ cDefs.SOCK_DGRAM }}}) throw new FS.ErrnoError({{{ cDefs.IPV6_MULTICAST_HOPS }}});
      throw new FS.ErrnoError({{{ cDefs.EAGIAN }}});
    },
  },
});
";

fn fixture() -> Fx {
    let tmp = tempfile::tempdir().unwrap();
    let ems = tmp.path().join("emscripten");
    assert!(Command::new("git").args(["init", "-q", "-b", "main"]).arg(&ems).status().unwrap().success());
    let git = Git::open(&ems).unwrap();
    let base = commit_files(
        &git,
        None,
        &[
            ("src/lib/libsyscall.js", SYSCALL_OLD),
            ("src/settings.js", SETTINGS_OLD),
            ("src/struct_info_generated.json", STRUCT_INFO),
        ],
        "Upstream base",
    );
    git.run(["reset", "-q", "--hard", &base]).unwrap();
    let c1 = commit_files(
        &git,
        Some(&base),
        &[("src/lib/libsyscall.js", SYSCALL_NEW), ("src/struct_info_generated.json", STRUCT_INFO_NEW)],
        "scratch 1",
    );
    let c2 = commit_files(&git, Some(&c1), &[("src/settings.js", SETTINGS_NEW)], "scratch 2");
    let repo = tmp.path().join("dsock");
    std::fs::create_dir_all(repo.join("patch-series/patches")).unwrap();
    std::fs::create_dir_all(repo.join("emscripten/src/lib")).unwrap();
    std::fs::write(repo.join("patch-series/patches/0001-syscall.patch"), git.format_patch(&c1).unwrap()).unwrap();
    std::fs::write(repo.join("patch-series/patches/0002-settings.patch"), git.format_patch(&c2).unwrap()).unwrap();
    std::fs::write(repo.join("emscripten/src/lib/libsockfs_direct.js"), BACKEND).unwrap();
    std::fs::write(repo.join("emscripten/src/lib/unowned.js"), "var x = 1;\n").unwrap();
    let long = "Add the DIRECT_SOCKETS setting with its documentation and every related flag";
    let series = format!(
        r#"[upstream]
url = "https://github.com/emscripten-core/emscripten"
branch = "main"
base = "{base}"

[[commit]]
id = "I1111111111111111111111111111111111111111"
subject = "Gate setsockopt for DIRECT_SOCKETS"
author = "{AUTHOR}"
body = "Why: the backend needs it."
patches = ["patches/0001-syscall.patch"]

[[commit]]
id = "I2222222222222222222222222222222222222222"
subject = "{long}"
author = "{AUTHOR}"
body = ""
patches = ["patches/0002-settings.patch"]
overlay = ["src/lib/libsockfs_direct.js"]
"#
    );
    std::fs::write(repo.join("patch-series/series.toml"), series).unwrap();
    Fx { _tmp: tmp, ems, repo }
}

fn dsock(repo: &Path, ems: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dsock"));
    cmd.arg("--repo").arg(repo);
    if let Some(e) = ems {
        cmd.arg("--emscripten").arg(e);
    }
    cmd.args(args)
        .env_remove("DSOCK_EMSCRIPTEN")
        .env_remove("DSOCK_REPO")
        .env_remove("EM_CONFIG")
        .env("XDG_CONFIG_HOME", repo.join(".config"))
        .output()
        .unwrap()
}

fn codes(out: &Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    let mut c: Vec<String> = v["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect();
    c.sort();
    c
}

#[test]
fn without_checkout_lints_overlay_validates_manifest_and_says_what_it_skipped() {
    let fx = fixture();
    let out = dsock(&fx.repo, None, &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        codes(&out),
        // Shipped table: IPV6_MULTICAST_HOPS known; EAGIAN is an errno-like name → DS003.
        ["DS003", "DS013", "DS015", "DS103", "DS103", "DS104", "DS105"]
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("SKIPPED: series applies (DS101), export --check (DS102)"), "{stderr}");
    let human = dsock(&fx.repo, None, &["check"]);
    let text = String::from_utf8_lossy(&human.stdout).replace(&fx.repo.display().to_string(), "[REPO]");
    insta::assert_snapshot!("check_without_checkout", text);
}

#[test]
fn with_checkout_builds_the_series_and_lints_patched_lines_only() {
    let fx = fixture();
    // The fixture's patches were not written by `dsock export`: DS102 says so.
    let out = dsock(&fx.repo, Some(&fx.ems), &["check", "--format", "json", "--no-upstream-linters", "--select", "DS102"]);
    assert!(codes(&out).iter().all(|c| c == "DS102") && !codes(&out).is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    // Round-trip through apply + export; then the series is export-clean.
    let apply = dsock(&fx.repo, Some(&fx.ems), &["apply"]);
    assert!(apply.status.success(), "{}", String::from_utf8_lossy(&apply.stderr));
    let export = dsock(&fx.repo, Some(&fx.ems), &["export"]);
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    std::fs::write(fx.repo.join("emscripten/src/lib/unowned.js"), "var x = 1;\n").unwrap();
    let out = dsock(&fx.repo, Some(&fx.ems), &["check", "--format", "json", "--no-upstream-linters"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    // DS001: the added `level === 41` line of the libsyscall patch (the constant comes from
    // the checkout's struct_info); the checkout's JSON + the patch's additions know
    // IPV6_MULTICAST_HOPS, so only EAGIAN is DS003.
    assert_eq!(codes(&out), ["DS001", "DS003", "DS013", "DS015", "DS103", "DS103", "DS104", "DS105"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ran: Vec<&str> = v["ran"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(ran.iter().any(|r| r.starts_with("applies: 2 commit(s)")), "{ran:?}");
    assert!(ran.iter().any(|r| r.starts_with("export --check (")), "{ran:?}");
    let skipped = v["skipped"].to_string();
    assert!(skipped.contains("--no-upstream-linters") && skipped.contains("--struct-info"), "{skipped}");
}

#[test]
fn a_patch_that_does_not_apply_is_ds101() {
    let fx = fixture();
    let p = fx.repo.join("patch-series/patches/0001-syscall.patch");
    // Corrupt a context line: the patch no longer matches the base.
    let text = std::fs::read_to_string(&p).unwrap().replace("(fd, level, optname)", "(fd, lvl, optname)");
    std::fs::write(&p, text).unwrap();
    let out = dsock(&fx.repo, Some(&fx.ems), &["check", "--format", "json", "--no-upstream-linters", "--select", "DS101"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(codes(&out), ["DS101"]);
}

#[test]
fn github_format_annotates_with_file_line_col() {
    let fx = fixture();
    let out = dsock(&fx.repo, None, &["check", "--format", "github", "--select", "DS013"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("::error file=emscripten/src/lib/libsockfs_direct.js,line=7,col=18,"),
        "{text}"
    );
    assert!(text.contains("::warning title=dsock check::SKIPPED:"), "{text}");
}

#[test]
fn files_mode_lints_any_library_file() {
    let fx = fixture();
    let f = fx.repo.join("emscripten/src/lib/libsockfs_direct.js");
    let out = dsock(&fx.repo, None, &["check", "--format", "json", f.to_str().unwrap()]);
    assert_eq!(codes(&out), ["DS003", "DS013"]);
    let clean = fx.repo.join("emscripten/src/lib/unowned.js");
    let out = dsock(&fx.repo, None, &["check", clean.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn explain_prints_the_rule_doc_and_rejects_unknown_codes() {
    let fx = fixture();
    let out = dsock(&fx.repo, None, &["explain", "ds002"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("# DS002 constant-value-mismatch (stable)\n\n## What it does\n"), "{text}");
    assert!(text.contains("## Fix"));
    let out = dsock(&fx.repo, None, &["explain", "DS999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("hint: list the rules with `dsock explain --list`"));
}

/// Upstream's ruff runs with upstream's config only: without a `pyproject.toml` in the
/// checkout's work tree it is skipped loudly (ruff would otherwise pick up some other
/// config or its defaults); with one, its findings are reported as `ruff:CODE`.
#[test]
#[ignore = "needs ruff (`pip install ruff`)"]
fn ruff_runs_with_the_checkouts_config_or_says_why_not() {
    assert!(
        Command::new("ruff").arg("--version").output().is_ok_and(|o| o.status.success()),
        "ruff is not installed (`pip install ruff`)"
    );
    let fx = fixture();
    let git = Git::open(&fx.ems).unwrap();
    let tip = git.rev_parse_commit("HEAD").unwrap();
    let base = git.run(["rev-list", "--max-parents=0", "HEAD"]).unwrap();
    git.run(["reset", "-q", "--hard", &base]).unwrap();
    let c3 = commit_files(&git, Some(&base), &[("tools/helper.py", "import os\n\nprint('hi')\n")], "scratch 3");
    git.run(["reset", "-q", "--hard", &tip]).unwrap();
    // A series whose only commit patches a Python file.
    std::fs::write(fx.repo.join("patch-series/patches/0001-syscall.patch"), git.format_patch(&c3).unwrap()).unwrap();
    let series = std::fs::read_to_string(fx.repo.join("patch-series/series.toml")).unwrap();
    let first = series.split("\n[[commit]]").take(2).collect::<Vec<_>>().join("\n[[commit]]");
    std::fs::write(fx.repo.join("patch-series/series.toml"), format!("{first}\n")).unwrap();
    let run = || {
        let out = dsock(&fx.repo, Some(&fx.ems), &["check", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
        (codes(&out), v["skipped"].to_string(), v["ran"].to_string())
    };
    let (codes_without, skipped, _) = run();
    assert!(!codes_without.iter().any(|c| c.starts_with("ruff:")), "{codes_without:?}");
    assert!(skipped.contains("SKIPPED: ruff:") && skipped.contains("no pyproject.toml"), "{skipped}");
    std::fs::write(fx.ems.join("pyproject.toml"), "[tool.ruff.lint]\nselect = [\"F401\"]\n").unwrap();
    let (codes_with, skipped, ran) = run();
    assert!(codes_with.contains(&"ruff:F401".to_string()), "{codes_with:?} {skipped}");
    assert!(ran.contains("ruff: 1 file(s)"), "{ran}");
}

/// `--repo .` and a relative `--emscripten`: git runs in the checkout, so paths into the
/// dsock repo must not stay relative (they did: DS101 "can't open patch").
#[test]
fn relative_repo_and_checkout_paths_work() {
    let fx = fixture();
    let absolute = dsock(&fx.repo, Some(&fx.ems), &["check", "--format", "json", "--no-upstream-linters"]);
    let out = Command::new(env!("CARGO_BIN_EXE_dsock"))
        .current_dir(&fx.repo)
        .args(["--repo", ".", "--emscripten", "../emscripten", "check", "--format", "json", "--no-upstream-linters"])
        .env_remove("DSOCK_EMSCRIPTEN")
        .env_remove("DSOCK_REPO")
        .env_remove("EM_CONFIG")
        .env("XDG_CONFIG_HOME", fx.repo.join(".config"))
        .output()
        .unwrap();
    assert!(!codes(&out).contains(&"DS101".to_string()), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(codes(&out), codes(&absolute));
}
