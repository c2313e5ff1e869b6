//! Fixture series for the review engine, built as real git commits (plumbing only,
//! fixed dates), compared against the real `git range-diff`.
//!
//! Variants of a 4-commit v1 cover the pairing edge cases: a reworded commit, a
//! split commit, a reordered series, a commit dropped because it landed upstream
//! (with upstream shifting the lines another commit touches), and a code fixup.
//! For each: our pairing (order, old/new positions, `=`/`!`) must equal git's, and
//! our rendered range-diff is pinned by an insta snapshot.

use std::path::Path;
use std::process::Command;

mod common;

use dsock::git::Git;
use dsock::review::color::Style;
use dsock::review::materialize;
use dsock::review::range_diff::{range_diff, Entry};
use dsock::review::ReviewCommit;

const DATE: &str = "1767225600 +0000";

/// `I` + 40 × the digit `n`, so short ids (`I1111111`) tell commits apart.
fn id(n: u8) -> String {
    format!("I{}", n.to_string().repeat(40))
}

/// A throwaway repository (git init is the one call that cannot go through `Git`,
/// which only opens existing repositories).
fn repo(dir: &Path) -> Git {
    let st = Command::new("git").args(["init", "-q", "-b", "main"]).arg(dir).status().unwrap();
    assert!(st.success());
    Git::open(dir).unwrap()
}

/// Commit `files` (path → Some(content) to write, None to delete) on `parent`
/// without a work tree. `message` gets a `Change-Id` trailer when `change_id` is set.
fn commit(
    git: &Git,
    parent: Option<&str>,
    files: &[(&str, Option<&str>)],
    author: &str,
    subject: &str,
    body: &str,
    change_id: Option<&str>,
) -> String {
    let message = match change_id {
        Some(cid) => dsock::series::compose_message(subject, body, cid),
        None if body.is_empty() => format!("{subject}\n"),
        None => format!("{subject}\n\n{body}\n"),
    };
    common::tree::commit_files(git, parent, files, author, DATE, &message)
}

const DEV: &str = "Dev Eloper <dev@example.com>";
const MAINT: &str = "Main Tainer <maint@example.com>";

fn lines(prefix: &str, n: usize) -> String {
    (1..=n).map(|i| format!("{prefix} line {i}\n")).collect()
}

fn libsockfs(header: bool, direct: bool) -> String {
    let mut s = String::new();
    if header {
        s.push_str("/**\n * @license\n * Copyright 2013 The Emscripten Authors\n * SPDX-License-Identifier: MIT\n */\n\n");
    }
    s.push_str("var LibrarySockFS = {\n  $SOCKFS__deps: ['$FS'],\n  $SOCKFS: {\n");
    s.push_str(&lines("    // sockfs", 12));
    s.push_str("#if NODERAWSOCKETS\n    sock_ops: nodeSockOps,\n");
    if direct {
        s.push_str("#elif DIRECT_SOCKETS\n    sock_ops: directSockOps,\n");
    }
    s.push_str("#else\n    sock_ops: websocketSockOps,\n#endif\n");
    s.push_str(&lines("    // tail", 6));
    s.push_str("  },\n};\n");
    s
}

fn struct_info(extra: bool) -> String {
    let mut s = String::from("{\n  \"defines\": [\n    \"SOL_SOCKET\",\n    \"SO_ERROR\",\n");
    if extra {
        s.push_str("    \"SO_REUSEADDR\",\n    \"SO_KEEPALIVE\",\n    \"SHUT_RD\",\n    \"SHUT_WR\",\n");
    }
    s.push_str("    \"MSG_PEEK\"\n  ]\n}\n");
    s
}

fn settings(direct: bool) -> String {
    let mut s = lines("// setting", 10);
    if direct {
        s.push_str("// Use the Direct Sockets API (Isolated Web Apps) for TCP/UDP. [link]\nvar DIRECT_SOCKETS = false;\n");
    }
    s.push_str(&lines("// more", 4));
    s
}

fn backend(errno: &str) -> String {
    let mut s = String::from("// Direct Sockets backend: https://wicg.github.io/direct-sockets/\naddToLibrary({\n  $directSockOps: {\n");
    s.push_str(&lines("    // op", 14));
    s.push_str(&format!("    readError(sock) {{ sock.error = {{{{{{ cDefs.{errno} }}}}}}; }},\n"));
    s.push_str(&lines("    // more ops", 10));
    s.push_str("  },\n});\n");
    s
}

fn browser_test() -> String {
    let mut s = String::from("#include <sys/socket.h>\n#include <stdio.h>\n\nint main(void) {\n");
    s.push_str(&(1..=15).map(|i| format!("  step({i});\n")).collect::<String>());
    s.push_str("  puts(\"done\");\n  return 0;\n}\n");
    s
}

struct Fixture {
    git: Git,
    _dir: tempfile::TempDir,
    base0: String,
    base1: String,
    v1: String,
}

/// Upstream: base0; base1 = base0 + a header comment in libsockfs.js (shifts hunks)
/// + the struct_info change of commit 1 landed by a maintainer under a new subject.
///
/// v1 on base0: 1 struct_info, 2 setting, 3 backend + wiring, 4 browser test.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let git = repo(dir.path());
    let base0 = commit(
        &git,
        None,
        &[
            ("src/lib/libsockfs.js", Some(&libsockfs(false, false))),
            ("src/struct_info.json", Some(&struct_info(false))),
            ("src/settings.js", Some(&settings(false))),
        ],
        MAINT,
        "Upstream base",
        "",
        None,
    );
    let u1 = commit(&git, Some(&base0), &[("src/lib/libsockfs.js", Some(&libsockfs(true, false)))], MAINT, "Add license header to libsockfs.js", "", None);
    let base1 = commit(&git, Some(&u1), &[("src/struct_info.json", Some(&struct_info(true)))], MAINT, "Add socket option defines to struct_info (#27790)", "", None);
    let v1 = series(&git, &base0, Variant::V1);
    Fixture { git, _dir: dir, base0, base1, v1 }
}

#[derive(Clone, Copy, PartialEq)]
enum Variant {
    V1,
    Reword,
    Split,
    Reorder,
    Landed,
    Fixup,
}

const C1: &str = "Add missing socket constants to struct_info (NFC)";
const C2: &str = "Add DIRECT_SOCKETS setting";
const C3: &str = "Add Direct Sockets sock_ops backend";
const C4: &str = "Add end-to-end browser test for DIRECT_SOCKETS";

/// Build one version of the series on `base`; returns the tip.
fn series(git: &Git, base: &str, v: Variant) -> String {
    let header = v == Variant::Landed;
    let mut tip = base.to_string();
    let c1 = |git: &Git, p: &str| commit(git, Some(p), &[("src/struct_info.json", Some(&struct_info(true)))], DEV, C1, "SO_*, SHUT_* for the Direct Sockets backend; no literals.", Some(&id(1)));
    let c2 = |git: &Git, p: &str, reword: bool| {
        let (s, b) = if reword {
            ("Add -sDIRECT_SOCKETS link setting", "Declared with a [link] tag; docs use double backticks.")
        } else {
            (C2, "Declared with a [link] tag.")
        };
        commit(git, Some(p), &[("src/settings.js", Some(&settings(true)))], DEV, s, b, Some(&id(2)))
    };
    let c3 = |git: &Git, p: &str, errno: &str| {
        commit(
            git,
            Some(p),
            &[("src/lib/libsockfs_direct.js", Some(&backend(errno))), ("src/lib/libsockfs.js", Some(&libsockfs(header, true)))],
            DEV,
            C3,
            "A sibling of $nodeSockOps; sockets come from SOCKFS.createSocket.",
            Some(&id(3)),
        )
    };
    let c4 = |git: &Git, p: &str| commit(git, Some(p), &[("test/sockets/test_direct_echo.c", Some(&browser_test()))], DEV, C4, "sbc100 asked for at least one browser test (#26344).", Some(&id(4)));
    match v {
        Variant::V1 | Variant::Reword | Variant::Fixup => {
            tip = c1(git, &tip);
            tip = c2(git, &tip, v == Variant::Reword);
            tip = c3(git, &tip, if v == Variant::Fixup { "ECONNRESET" } else { "EIO" });
            tip = c4(git, &tip);
        }
        Variant::Split => {
            tip = c1(git, &tip);
            tip = c2(git, &tip, false);
            tip = commit(git, Some(&tip), &[("src/lib/libsockfs_direct.js", Some(&backend("EIO")))], DEV, C3, "A sibling of $nodeSockOps; sockets come from SOCKFS.createSocket.", Some(&id(3)));
            tip = commit(git, Some(&tip), &[("src/lib/libsockfs.js", Some(&libsockfs(false, true)))], DEV, "Wire DIRECT_SOCKETS into SOCKFS", "The #elif arm next to NODERAWSOCKETS.", Some(&id(5)));
            tip = c4(git, &tip);
        }
        Variant::Reorder => {
            tip = c1(git, &tip);
            tip = c3(git, &tip, "EIO");
            tip = c2(git, &tip, false);
            tip = c4(git, &tip);
        }
        Variant::Landed => {
            // Rebased onto base1 where commit 1 already is: only 2, 3, 4 remain.
            tip = c2(git, &tip, false);
            tip = c3(git, &tip, "EIO");
            tip = c4(git, &tip);
        }
    }
    tip
}

/// Review data for `base..tip` read back from git.
fn review(git: &Git, base: &str, tip: &str) -> Vec<ReviewCommit> {
    materialize::review_commits_in_range(git, base, tip).unwrap()
}

/// `git range-diff`'s pairing: `(old, new, mark)` per output line, in order.
fn git_pairing(git: &Git, a: &str, b: &str) -> Vec<(Option<usize>, Option<usize>, char)> {
    let out = git.run(["range-diff", "--no-color", "-s", a, b]).unwrap();
    out.lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let num = |s: &str| s.trim_end_matches(':').parse::<usize>().ok();
            (num(f[0]), num(f[3]), f[2].chars().next().unwrap())
        })
        .collect()
}

/// Range-diff output without the `N:  x = M:  y subject` lines, trailing blanks trimmed.
fn bodies(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with(|c: char| c.is_ascii_digit() || c == '-'))
        .map(|l| l.trim_end().to_string())
        .collect()
}

fn ours(entries: &[Entry]) -> Vec<(Option<usize>, Option<usize>, char)> {
    entries
        .iter()
        .map(|e| match e {
            Entry::Pair { old, new, identical, .. } => (Some(old + 1), Some(new + 1), if *identical { '=' } else { '!' }),
            Entry::Dropped { old, .. } => (Some(old + 1), None, '<'),
            Entry::Added { new } => (None, Some(new + 1), '>'),
        })
        .collect()
}

fn check(variant: Variant, name: &str) -> String {
    let f = fixture();
    let base2 = if variant == Variant::Landed { f.base1.clone() } else { f.base0.clone() };
    let v2 = series(&f.git, &base2, variant);
    let old = review(&f.git, &f.base0, &f.v1);
    let new = review(&f.git, &base2, &v2);
    let upstream = materialize::upstream_between(&f.git, &f.base0, &base2).unwrap();
    let rd = range_diff(&old, &new, &upstream);
    let theirs = git_pairing(&f.git, &format!("{}..{}", f.base0, f.v1), &format!("{base2}..{v2}"));
    assert_eq!(ours(&rd.entries), theirs, "{name}: our pairing differs from git range-diff's");
    // The inner diffs too: git's full output and ours, minus the pair header lines
    // (git prints shas, we print stable ids) and trailing whitespace.
    let git_full = f.git.run(["range-diff", "--no-color", &format!("{}..{}", f.base0, f.v1), &format!("{base2}..{v2}")]).unwrap();
    assert_eq!(bodies(&rd.render(Style::PLAIN)), bodies(&git_full), "{name}: inner diffs differ from git range-diff's");
    let text = format!("{}{}\n", rd.render(Style::PLAIN), rd.summary().line());
    insta::assert_snapshot!(name, text);
    text
}

#[test]
fn reworded_commit() {
    let out = check(Variant::Reword, "reworded");
    assert!(out.contains("2:  I2222222 ! 2:  I2222222 Add -sDIRECT_SOCKETS link setting"), "{out}");
}

#[test]
fn split_commit() {
    let out = check(Variant::Split, "split");
    assert!(out.contains("-:  -------- > 4:  I5555555 Wire DIRECT_SOCKETS into SOCKFS"), "{out}");
}

#[test]
fn reordered_series() {
    let out = check(Variant::Reorder, "reordered");
    assert!(out.contains("[moved]"), "{out}");
}

#[test]
fn dropped_because_landed_upstream() {
    let out = check(Variant::Landed, "landed_upstream");
    assert!(out.contains("[landed upstream as "), "{out}");
    // The backend commit only shifted (upstream added a header): not noise.
    assert!(out.contains("3:  I3333333 = 2:  I3333333 Add Direct Sockets sock_ops backend"), "{out}");
}

#[test]
fn code_fixup() {
    let out = check(Variant::Fixup, "fixup");
    assert!(out.contains("    -+    readError(sock) { sock.error = {{{ cDefs.EIO }}}; },"), "{out}");
    assert!(out.contains("    ++    readError(sock) { sock.error = {{{ cDefs.ECONNRESET }}}; },"), "{out}");
}

#[test]
fn identical_versions_are_all_equal() {
    let f = fixture();
    let old = review(&f.git, &f.base0, &f.v1);
    let rd = range_diff(&old, &old, &[]);
    assert!(rd.entries.iter().all(|e| matches!(e, Entry::Pair { identical: true, moved: false, .. })));
}
