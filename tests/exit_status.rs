//! The README's exit-status table, one test per code, end to end through the binary:
//! 0 success, 1 findings or a series that does not apply (for every command that builds
//! the series), 2 usage/environment/git/I/O errors, 3 a rebase stopped on a conflict,
//! 4 an internal error (a bug in dsock).

mod common;

use common::Sandbox;
use dsock::error::{ApplyFailure, CommandError, DoesNotApply, ExitStatusOf as _};
use dsock::exit::{ExitStatus, EXIT_STATUS_HELP};

/// A sandbox whose first patch no longer applies to the base.
fn broken() -> Sandbox {
    let sb = Sandbox::exported();
    with_review_file(&sb);
    let p = "ds/patch-series/patches/0001-sockfs-depend-on-directSockOps-under-DIRECT_SOCKETS.patch";
    sb.edit(p, "\n     '$nodeSockOps',\n", "\n     '$notUpstreamOps',\n");
    sb
}

/// A minimal `patch-series/review.toml` (what `pr-body` needs besides the series).
fn with_review_file(sb: &Sandbox) {
    sb.write("ds/patch-series/review.toml", "[pr]\ntitle = \"t\"\nsummary = \"s\"\nusage = \"u\"\n");
}

#[test]
fn exit_0_success() {
    let sb = Sandbox::exported();
    with_review_file(&sb);
    for args in [&["apply", "--dry-run"][..], &["status"], &["export", "--check"], &["diff", "--stat"], &["pr-body"]] {
        let r = sb.dsock(args);
        assert_eq!(r.code, 0, "dsock {args:?}: {}", r.both());
    }
}

#[test]
fn exit_1_the_series_does_not_apply_is_the_same_for_every_command() {
    let sb = broken();
    for args in [
        &["apply", "--branch", "pr"][..],
        &["status"],
        &["rebase", "--dry-run"],
        &["diff"],
        &["diff", "--stat"],
        &["pr-body"],
        &["version", "tag"],
    ] {
        let r = sb.dsock(args);
        assert_eq!(r.code, 1, "dsock {args:?}: {}", r.both());
        assert!(r.both().contains("does not apply"), "dsock {args:?}: {}", r.both());
    }
    // The error form names the patch and the next command.
    let r = sb.dsock(&["diff"]);
    assert!(r.stderr.starts_with("error: the series does not apply to its base "), "{}", r.stderr);
    assert!(r.stderr.contains("0001-sockfs-depend-on-directSockOps-under-DIRECT_SOCKETS.patch does not apply"), "{}", r.stderr);
    assert!(r.stderr.contains("\nhint: "), "{}", r.stderr);
}

#[test]
fn exit_1_findings() {
    let sb = Sandbox::exported();
    sb.edit("ds/emscripten/src/lib/libsockfs_direct.js", "      return 0;\n", "      return 0;   \n");
    let r = sb.dsock(&["export", "--check"]);
    assert_eq!(r.code, 1, "{}", r.both());
    let r = sb.dsock(&["check", "--no-upstream-linters"]);
    assert_eq!(r.code, 1, "{}", r.both());
}

#[test]
fn exit_2_usage_environment_and_io_errors() {
    let sb = Sandbox::exported();
    // Usage: a bad argument value.
    assert_eq!(sb.dsock(&["explain", "DS999"]).code, 2);
    assert_eq!(sb.dsock(&["no-such-command"]).code, 2);
    // Environment: no checkout configured.
    let r = sb.dsock_raw(&["status"]);
    assert_eq!(r.code, 2, "{}", r.both());
    assert!(r.stderr.contains("hint: "), "{}", r.stderr);
    // I/O: the message keeps the path that failed.
    with_review_file(&sb);
    let out = sb.path("ds/no-such-dir/pr.md");
    let r = sb.dsock(&["pr-body", "-o", out.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.both());
    assert!(r.stderr.starts_with("I/O error: ") && r.stderr.contains("no-such-dir/pr.md"), "{}", r.stderr);
}

#[test]
fn exit_3_rebase_stopped_on_a_conflict() {
    let sb = Sandbox::exported();
    sb.edit("up/src/lib/libsockfs.js", "#endif\n  ],", "#endif\n#if WASMFS\n    '$wasmFSSockOps',\n#endif\n  ],");
    sb.commit_all("up", "Upstream: WASMFS sock ops dep");
    let r = sb.dsock(&["rebase", "--dry-run"]);
    assert_eq!(r.code, 3, "{}", r.both());
}

/// Internal errors have their own status; the classes map as the table says.
#[test]
fn exit_4_internal_error_and_the_class_table() {
    assert_eq!(CommandError::internal("bug").exit_status(), ExitStatus::Internal);
    assert_eq!(ExitStatus::Internal as u8, 4);
    let failure = ApplyFailure { index: 0, id: "I0".into(), subject: "s".into(), file: "f".into(), detail: "d".into() };
    let not_applied: CommandError = DoesNotApply::ToBase { base: "0".repeat(40).parse().unwrap(), failure }.into();
    assert_eq!(not_applied.exit_status(), ExitStatus::Failure);
    for e in [
        CommandError::usage("u"),
        CommandError::environment("e"),
        CommandError::git("g"),
        std::io::Error::other("io").into(),
    ] {
        assert_eq!(e.exit_status(), ExitStatus::Error, "{e:?}");
    }
    assert!(EXIT_STATUS_HELP.contains("\n  4  internal error"), "{EXIT_STATUS_HELP}");
    // The README's table lists the same codes.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for code in ["| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 4 |"] {
        assert!(readme.contains(code), "README exit-status table lacks {code}");
    }
}
