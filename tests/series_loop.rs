//! The maintain-the-branch loop end to end, on throwaway repositories built from code:
//! export → apply → export --check → status → rebase (clean, conflict, already upstream,
//! rename), and that no user work is lost (dirty trees refused, branches untouched on failure).

mod common;

use common::Sandbox;

// ---------------------------------------------------------------- export

#[test]
fn export_splits_overlay_files_from_patches() {
    let sb = Sandbox::with_branch();
    let r = sb.dsock(&["export"]);
    snap!(sb, "export_first", r.both());
    assert_eq!(r.code, 0);
    snap!(sb, "export_series_toml", sb.read("ds/patch-series/series.toml"));
    // The overlay file holds the FINAL content (commit 3 extended it) ...
    assert!(sb.read("ds/emscripten/src/lib/libsockfs_direct.js").contains("sendmsg"));
    // ... and commit 3's change to it is an ordinary patch.
    snap!(sb, "export_patch_3", sb.read("ds/patch-series/patches/0003-DIRECT_SOCKETS-UDP-sendmsg-select-the-ops-in-createS.patch"));
    // Commit 2's patch has the settings.js change but not the file it adds.
    let p2 = sb.read("ds/patch-series/patches/0002-Add-the-DIRECT_SOCKETS-backend-TCP.patch");
    assert!(p2.contains("src/settings.js") && !p2.contains("libsockfs_direct.js"), "{p2}");
}

#[test]
fn re_export_of_unchanged_branch_changes_no_byte() {
    let sb = Sandbox::exported();
    let before = sb.tree_bytes("ds");
    let r = sb.dsock(&["export"]);
    assert_eq!(r.code, 0, "{}", r.both());
    assert_eq!(sb.tree_bytes("ds"), before, "a re-export changed files");
    let r = sb.dsock(&["export", "--check"]);
    assert_eq!(r.code, 0, "{}", r.both());
}

#[test]
fn export_check_reports_drift_and_writes_nothing() {
    let sb = Sandbox::exported();
    sb.edit("ds/patch-series/series.toml", "autoAddDeps pulls", "autoAddDeps (edited by hand) pulls");
    std::fs::remove_file(sb.path("ds/emscripten/src/lib/libsockfs_direct.js")).unwrap();
    sb.write("ds/patch-series/patches/0009-stale.patch", "stale\n");
    let before = sb.tree_bytes("ds");
    let r = sb.dsock(&["export", "--check"]);
    snap!(sb, "export_check_drift", r.both());
    assert_eq!(r.code, 1);
    assert_eq!(sb.tree_bytes("ds"), before, "--check wrote files");
}

#[test]
fn export_refuses_merge_commits() {
    let sb = Sandbox::with_branch();
    sb.git("up", &["checkout", "-q", "-b", "side", "main"]);
    sb.write("up/side.txt", "x\n");
    sb.commit_all("up", "side");
    sb.git("up", &["checkout", "-q", "direct-sockets"]);
    sb.git("up", &["merge", "-q", "--no-edit", "side"]);
    sb.git("up", &["checkout", "-q", "main"]);
    let r = sb.dsock(&["export", "--base", "main~1"]);
    assert_eq!(r.code, 2, "{}", r.both());
    assert!(r.stderr.contains("is a merge") && r.stderr.contains("hint:"), "{}", r.stderr);
}

// ---------------------------------------------------------------- apply

#[test]
fn apply_round_trips_and_touches_no_work_tree() {
    let sb = Sandbox::exported();
    let head_before = sb.git("up", &["rev-parse", "HEAD"]);
    let r = sb.dsock(&["apply", "--branch", "pr"]);
    snap!(sb, "apply_new_branch", r.both());
    assert_eq!(r.code, 0);
    // Same content as the branch it was exported from; the user's HEAD and tree untouched.
    assert_eq!(sb.git("up", &["rev-parse", "pr^{tree}"]), sb.git("up", &["rev-parse", "direct-sockets^{tree}"]));
    assert_eq!(sb.git("up", &["rev-parse", "HEAD"]), head_before);
    assert_eq!(sb.git("up", &["symbolic-ref", "--short", "HEAD"]), "main");
    assert_eq!(sb.git("up", &["status", "--porcelain"]), "");
    // Each commit carries its recorded message and Change-Id, and the series' author.
    let log = sb.git("up", &["log", "--format=%an <%ae>|%s|%(trailers:key=Change-Id,valueonly)", "main..pr"]);
    snap!(sb, "apply_log", log);
    // Round trip: exporting the applied branch reproduces the series byte for byte.
    let r = sb.dsock(&["export", "--check", "--branch", "pr"]);
    assert_eq!(r.code, 0, "{}", r.both());
    // Deterministic: applying again builds the same commits (nothing to do).
    let tip = sb.rev("up", "pr").unwrap();
    let r = sb.dsock(&["apply", "--branch", "pr"]);
    assert_eq!(r.code, 0, "{}", r.both());
    assert!(r.stdout.contains("nothing to do"), "{}", r.stdout);
    assert_eq!(sb.rev("up", "pr").unwrap(), tip);
}

#[test]
fn apply_refuses_branch_with_unrecorded_commits_unless_forced() {
    let sb = Sandbox::exported();
    assert_eq!(sb.dsock(&["apply", "--branch", "pr"]).code, 0);
    sb.git("up", &["checkout", "-q", "pr"]);
    sb.write("up/extra.txt", "work the series does not have\n");
    sb.commit_all("up", "Unexported work");
    sb.git("up", &["checkout", "-q", "main"]);
    let tip = sb.rev("up", "pr").unwrap();
    let r = sb.dsock(&["apply", "--branch", "pr"]);
    snap!(sb, "apply_refused_unrecorded", r.both());
    assert_eq!(r.code, 2);
    assert_eq!(sb.rev("up", "pr").unwrap(), tip, "branch moved although apply refused");
    let r = sb.dsock(&["apply", "--branch", "pr", "--force"]);
    assert_eq!(r.code, 0, "{}", r.both());
    assert_eq!(sb.rev("up", "refs/dsock/backup/pr").unwrap(), tip, "no backup of the replaced tip");
    assert_ne!(sb.rev("up", "pr").unwrap(), tip);
}

#[test]
fn apply_dry_run_says_what_it_would_do_and_moves_nothing() {
    let sb = Sandbox::exported();
    let refs = sb.git("up", &["for-each-ref"]);
    let r = sb.dsock(&["apply", "--branch", "pr", "--dry-run"]);
    snap!(sb, "apply_dry_run", r.both());
    assert_eq!(r.code, 0);
    assert_eq!(sb.git("up", &["for-each-ref"]), refs);
    // The checks still run: a branch with unrecorded work is refused in a dry run too.
    sb.git("up", &["checkout", "-q", "-b", "pr2", "main"]);
    sb.write("up/mine.txt", "unrecorded\n");
    sb.commit_all("up", "Mine");
    sb.git("up", &["checkout", "-q", "main"]);
    let r = sb.dsock(&["apply", "--branch", "pr2", "--dry-run"]);
    assert_eq!(r.code, 2, "{}", r.both());
}

#[test]
fn apply_accepts_branch_whose_changes_are_exported() {
    let sb = Sandbox::exported();
    // The original branch was never written by apply, but export recorded it.
    let r = sb.dsock(&["apply"]);
    assert_eq!(r.code, 0, "{}", r.both());
}

#[test]
fn apply_fast_forwards_a_branch_behind_the_series() {
    let sb = Sandbox::exported();
    sb.git("up", &["branch", "pr", "main"]);
    let r = sb.dsock(&["apply", "--branch", "pr"]);
    assert_eq!(r.code, 0, "{}", r.both());
    assert_eq!(sb.git("up", &["rev-list", "--count", "main..pr"]), "3");
}

#[test]
fn apply_refuses_dirty_checked_out_branch() {
    let sb = Sandbox::exported();
    sb.git("up", &["checkout", "-q", "direct-sockets"]);
    sb.edit("up/README.md", "(miniature)", "(user's unsaved edit)");
    let tip = sb.rev("up", "direct-sockets").unwrap();
    sb.git("up", &["update-ref", "refs/dsock/recorded/direct-sockets", "HEAD~1"]);
    let r = sb.dsock(&["apply", "--force"]);
    assert_eq!(r.code, 2, "{}", r.both());
    assert!(r.stderr.contains("uncommitted changes"), "{}", r.stderr);
    assert_eq!(sb.rev("up", "direct-sockets").unwrap(), tip);
    assert!(sb.read("up/README.md").contains("user's unsaved edit"), "user work lost");
}

#[test]
fn apply_moves_a_clean_checked_out_branch_with_its_work_tree() {
    let sb = Sandbox::exported();
    assert_eq!(sb.dsock(&["apply", "--branch", "pr"]).code, 0);
    sb.git("up", &["checkout", "-q", "pr"]);
    sb.git("up", &["reset", "-q", "--hard", "HEAD~1"]);
    sb.git("up", &["update-ref", "refs/dsock/recorded/pr", "HEAD"]);
    let r = sb.dsock(&["apply", "--branch", "pr"]);
    assert_eq!(r.code, 0, "{}", r.both());
    assert!(r.stdout.contains("updated the work tree"), "{}", r.stdout);
    assert_eq!(sb.git("up", &["status", "--porcelain"]), "");
    assert!(sb.read("up/src/lib/libsockfs_direct.js").contains("sendmsg"));
}

#[test]
fn apply_reports_a_patch_that_does_not_apply() {
    let sb = Sandbox::exported();
    let p = "ds/patch-series/patches/0001-sockfs-depend-on-directSockOps-under-DIRECT_SOCKETS.patch";
    sb.edit(p, "\n     '$nodeSockOps',\n", "\n     '$notUpstreamOps',\n");
    let r = sb.dsock(&["apply", "--branch", "pr"]);
    assert_eq!(r.code, 1, "{}", r.both());
    assert!(r.stdout.contains("does not apply"), "{}", r.stdout);
    assert!(sb.rev("up", "pr").is_none(), "a branch was created for a broken series");
}

#[test]
fn apply_onto_newer_upstream_merges_or_refuses() {
    let sb = Sandbox::exported();
    sb.edit("up/src/lib/libsockfs.js", "// libsockfs.js (miniature)\n", "// libsockfs.js (miniature)\n// upstream moved on\n");
    sb.commit_all("up", "Upstream: header comment");
    let r = sb.dsock(&["apply", "--branch", "pr", "--onto", "main"]);
    assert_eq!(r.code, 0, "{}", r.both());
    assert_eq!(sb.git("up", &["merge-base", "pr", "main"]), sb.rev("up", "main").unwrap());
    assert_eq!(sb.git("up", &["rev-list", "--count", "main..pr"]), "3");
    conflicting_upstream(&sb);
    let r = sb.dsock(&["apply", "--branch", "pr2", "--onto", "main"]);
    assert_eq!(r.code, 1, "{}", r.both());
    assert!(r.stdout.contains("rebase --onto main --dry-run"), "{}", r.stdout);
    assert!(sb.rev("up", "pr2").is_none());
}

// ---------------------------------------------------------------- status

#[test]
fn status_reports_base_upstream_and_branch() {
    let sb = Sandbox::exported();
    sb.edit("up/ChangeLog.md", "- nothing yet\n", "- unrelated upstream change\n");
    sb.commit_all("up", "Upstream: ChangeLog");
    let r = sb.dsock(&["status"]);
    snap!(sb, "status_clean", r.both());
    assert_eq!(r.code, 0);
    let r = sb.dsock(&["status", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["upstream_ahead"], 1);
    assert_eq!(v["branch_state"], "recorded");
    assert_eq!(v["upstream_replay"]["commits"].as_array().unwrap().len(), 3);
}

#[test]
fn status_without_checkout_names_setup() {
    let sb = Sandbox::exported();
    let r = sb.dsock_raw(&["status"]);
    snap!(sb, "status_no_checkout", r.both());
    assert_eq!(r.code, 2);
}

// ---------------------------------------------------------------- rebase

/// Upstream changes the line series commit 1 changes, differently.
fn conflicting_upstream(sb: &Sandbox) {
    sb.edit("up/src/lib/libsockfs.js", "#endif\n  ],", "#endif\n#if WASMFS\n    '$wasmFSSockOps',\n#endif\n  ],");
    sb.commit_all("up", "Upstream: WASMFS sock ops dep");
}

#[test]
fn rebase_clean_updates_base_and_re_exports() {
    let sb = Sandbox::exported();
    sb.edit("up/src/lib/libsockfs.js", "// libsockfs.js (miniature)\n", "// libsockfs.js (miniature)\n// upstream moved on\n");
    sb.commit_all("up", "Upstream: header comment");
    let new_main = sb.rev("up", "main").unwrap();
    let r = sb.dsock(&["rebase"]);
    snap!(sb, "rebase_clean", r.both());
    assert_eq!(r.code, 0);
    assert!(sb.read("ds/patch-series/series.toml").contains(&new_main));
    assert_eq!(sb.dsock(&["export", "--check"]).code, 0);
    assert_eq!(sb.git("up", &["merge-base", "direct-sockets", "main"]), new_main);
    assert_eq!(sb.git("up", &["symbolic-ref", "--short", "HEAD"]), "main", "rebase moved HEAD");
}

#[test]
fn rebase_dry_run_reports_conflict_and_writes_nothing() {
    let sb = Sandbox::exported();
    conflicting_upstream(&sb);
    let ds = sb.tree_bytes("ds");
    let up = sb.tree_bytes("up");
    let refs = sb.git("up", &["for-each-ref"]);
    let r = sb.dsock(&["rebase", "--dry-run"]);
    snap!(sb, "rebase_dry_run_conflict", r.both());
    assert_eq!(r.code, 3);
    let r = sb.dsock(&["rebase", "--dry-run", "--format", "json"]);
    assert_eq!(r.code, 3);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let c = &v["replay"]["commits"];
    assert_eq!(c[0]["state"], "conflict");
    assert_eq!(c[0]["files"][0]["path"], "src/lib/libsockfs.js");
    assert!(c[0]["files"][0]["hunks"][0]["text"].as_str().unwrap().contains("$wasmFSSockOps"));
    assert_eq!(c[1]["state"], "clean");
    assert_eq!(c[1]["after_conflict"], true);
    assert_eq!(sb.tree_bytes("ds"), ds);
    assert_eq!(sb.tree_bytes("up"), up);
    assert_eq!(sb.git("up", &["for-each-ref"]), refs);
}

#[test]
fn rebase_conflict_leaves_resumable_am_session() {
    let sb = Sandbox::exported();
    conflicting_upstream(&sb);
    let series_before = sb.read("ds/patch-series/series.toml");
    let r = sb.dsock(&["rebase"]);
    snap!(sb, "rebase_conflict", r.both());
    assert_eq!(r.code, 3);
    assert_eq!(sb.read("ds/patch-series/series.toml"), series_before, "series changed on conflict");
    assert_eq!(sb.git("up", &["symbolic-ref", "--short", "HEAD"]), "direct-sockets");
    assert!(sb.path("up/.git/rebase-apply/applying").exists(), "no git am session");
    assert!(sb.read("up/src/lib/libsockfs.js").contains("<<<<<<<"));
    // status repeats the way out; a second rebase refuses and names it too.
    let r = sb.dsock(&["status"]);
    assert!(r.stdout.contains("stopped there in `git am`") && r.stdout.contains("git am --continue"), "{}", r.stdout);
    let r = sb.dsock(&["rebase"]);
    assert_eq!(r.code, 2, "{}", r.both());
    assert!(r.stderr.contains("finish it first") && r.stderr.contains("export --branch direct-sockets --base"), "{}", r.stderr);
    // Resolve as printed, continue, export: the loop closes.
    let text = sb.read("up/src/lib/libsockfs.js");
    let resolved = regex::Regex::new(r"(?s)<<<<<<< [^\n]*\n(.*?)=======\n(.*?)>>>>>>> [^\n]*\n")
        .unwrap()
        .replace(&text, "$1$2")
        .into_owned();
    sb.write("up/src/lib/libsockfs.js", &resolved);
    sb.git("up", &["add", "src/lib/libsockfs.js"]);
    sb.git("up", &["am", "--continue"]);
    let main = sb.rev("up", "main").unwrap();
    let r = sb.dsock(&["export", "--base", &main]);
    assert_eq!(r.code, 0, "{}", r.both());
    let series = sb.read("ds/patch-series/series.toml");
    assert!(series.contains(&main), "base not updated");
    assert_eq!(series.matches("[[commit]]").count(), 3);
    let r = sb.dsock(&["status"]);
    assert!(r.stdout.contains("applies to main: yes"), "{}", r.stdout);
}

/// Resolve every conflict region by keeping both sides (new base first).
fn resolve_keeping_both(sb: &Sandbox, path: &str) {
    let text = sb.read(path);
    let resolved = regex::Regex::new(r"(?s)<<<<<<< [^\n]*\n(.*?)=======\n(.*?)>>>>>>> [^\n]*\n")
        .unwrap()
        .replace_all(&text, "$1$2")
        .into_owned();
    assert_ne!(resolved, text, "no conflict markers in {path}");
    sb.write(path, &resolved);
}

#[test]
fn rebase_continue_refuses_unresolved_then_finishes_the_export() {
    let sb = Sandbox::exported();
    let r = sb.dsock(&["rebase", "--continue"]);
    assert_eq!(r.code, 2, "{}", r.both());
    assert!(r.stderr.contains("no stopped `dsock rebase`") && r.stderr.contains("hint:"), "{}", r.stderr);
    conflicting_upstream(&sb);
    assert_eq!(sb.dsock(&["rebase"]).code, 3);
    let series_before = sb.read("ds/patch-series/series.toml");
    // Not resolved yet: refused, nothing moves.
    let r = sb.dsock(&["rebase", "--continue"]);
    assert_eq!(r.code, 2, "{}", r.both());
    assert!(r.stderr.contains("unresolved conflicts: src/lib/libsockfs.js"), "{}", r.stderr);
    assert!(sb.path("up/.git/rebase-apply/applying").exists(), "the am session was lost");
    assert_eq!(sb.read("ds/patch-series/series.toml"), series_before);
    resolve_keeping_both(&sb, "up/src/lib/libsockfs.js");
    sb.git("up", &["add", "src/lib/libsockfs.js"]);
    let r = sb.dsock(&["rebase", "--continue"]);
    assert_eq!(r.code, 0, "{}", r.both());
    assert!(r.stdout.contains("branch direct-sockets rebased onto"), "{}", r.stdout);
    assert!(!sb.path("up/.git/rebase-apply").exists() && !sb.path("up/.git/dsock-rebase").exists());
    let main = sb.rev("up", "main").unwrap();
    let series = sb.read("ds/patch-series/series.toml");
    assert!(series.contains(&main), "base not updated");
    assert_eq!(series.matches("[[commit]]").count(), 3);
    let r = sb.dsock(&["export", "--check"]);
    assert_eq!(r.code, 0, "{}", r.both());
    let r = sb.dsock(&["status"]);
    assert!(r.stdout.contains("applies to main: yes"), "{}", r.stdout);
}

#[test]
fn rebase_abort_puts_the_branch_back_and_keeps_the_series() {
    let sb = Sandbox::exported();
    assert_eq!(sb.dsock(&["apply"]).code, 0);
    let tip = sb.rev("up", "direct-sockets").unwrap();
    conflicting_upstream(&sb);
    let before = sb.tree_bytes("ds");
    assert_eq!(sb.dsock(&["rebase"]).code, 3);
    let r = sb.dsock(&["rebase", "--abort"]);
    assert_eq!(r.code, 0, "{}", r.both());
    assert!(r.stdout.contains("rebase aborted"), "{}", r.stdout);
    assert_eq!(sb.rev("up", "direct-sockets").unwrap(), tip, "branch not restored");
    assert!(!sb.path("up/.git/rebase-apply").exists(), "am session left behind");
    assert_eq!(sb.git("up", &["status", "--porcelain"]), "");
    assert_eq!(sb.tree_bytes("ds"), before, "abort changed the series");
    // And a new rebase can start.
    assert_eq!(sb.dsock(&["rebase", "--dry-run"]).code, 3);
}

#[test]
fn rebase_conflict_json_names_the_next_commands() {
    let sb = Sandbox::exported();
    conflicting_upstream(&sb);
    let r = sb.dsock(&["rebase", "--format", "json"]);
    assert_eq!(r.code, 3, "{}", r.both());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["result"]["state"], "stopped");
    assert_eq!(v["result"]["commit_index"], 1);
    let next: Vec<&str> = v["result"]["next"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert!(next.contains(&"git add src/lib/libsockfs.js"), "{next:?}");
    assert!(next.iter().any(|n| n.contains("export --branch direct-sockets --base")), "{next:?}");
}

#[test]
fn export_warns_about_uncommitted_changes_on_the_branch() {
    let sb = Sandbox::exported();
    sb.git("up", &["checkout", "-q", "direct-sockets"]);
    sb.edit("up/src/lib/libsockfs_direct.js", "return 0;", "return 1;");
    let r = sb.dsock(&["export", "--check"]);
    assert_eq!(r.code, 0, "{}", r.both());
    assert!(r.stderr.contains("uncommitted change(s)") && r.stderr.contains("not exported"), "{}", r.stderr);
}

#[test]
fn rebase_refuses_dirty_checkout() {
    let sb = Sandbox::exported();
    conflicting_upstream(&sb);
    sb.edit("up/README.md", "(miniature)", "(dirty)");
    let ds = sb.tree_bytes("ds");
    let tip = sb.rev("up", "direct-sockets").unwrap();
    let r = sb.dsock(&["rebase"]);
    snap!(sb, "rebase_refuses_dirty", r.both());
    assert_eq!(r.code, 2);
    assert_eq!(sb.tree_bytes("ds"), ds);
    assert_eq!(sb.rev("up", "direct-sockets").unwrap(), tip);
    assert!(sb.read("up/README.md").contains("(dirty)"));
    assert!(!sb.path("up/.git/rebase-apply").exists());
}

#[test]
fn rebase_drops_commit_already_upstream() {
    let sb = Sandbox::exported();
    // Upstream takes series commit 1 verbatim (as if its PR was merged).
    let patch = sb.path("ds/patch-series/patches/0001-sockfs-depend-on-directSockOps-under-DIRECT_SOCKETS.patch");
    sb.git("up", &["am", "-q", patch.to_str().unwrap()]);
    let r = sb.dsock(&["rebase"]);
    snap!(sb, "rebase_already_upstream", r.both());
    assert_eq!(r.code, 0);
    let series = sb.read("ds/patch-series/series.toml");
    assert_eq!(series.matches("[[commit]]").count(), 2, "{series}");
    assert!(!series.contains("sockfs: depend on directSockOps"));
    assert_eq!(sb.dsock(&["export", "--check"]).code, 0);
}

#[test]
fn rebase_follows_upstream_rename_of_a_touched_file() {
    let sb = Sandbox::exported();
    sb.git("up", &["mv", "src/lib/libsockfs.js", "src/lib/libsockfs_core.js"]);
    sb.commit_all("up", "Upstream: rename libsockfs.js");
    let r = sb.dsock(&["rebase"]);
    assert_eq!(r.code, 0, "{}", r.both());
    let p1 = sb.read("ds/patch-series/patches/0001-sockfs-depend-on-directSockOps-under-DIRECT_SOCKETS.patch");
    assert!(p1.contains("a/src/lib/libsockfs_core.js") && !p1.contains("a/src/lib/libsockfs.js"), "{p1}");
    assert!(sb.git("up", &["show", "direct-sockets:src/lib/libsockfs_core.js"]).contains("directSockOps"));
}

// ---------------------------------------------------------------- setup

#[test]
fn setup_without_path_offers_clone_and_says_offline() {
    let sb = Sandbox::new();
    let r = sb.dsock_raw(&["setup"]);
    snap!(sb, "setup_offline", r.both());
    assert_eq!(r.code, 2);
}

#[test]
fn setup_records_checkout_used_by_later_commands() {
    let sb = Sandbox::exported();
    let up = sb.path("up");
    let r = sb.dsock_raw(&["setup", "--emscripten", up.to_str().unwrap()]);
    snap!(sb, "setup_record", r.both());
    assert_eq!(r.code, 0);
    assert!(sb.read("xdg/dsock/config.toml").contains("emscripten ="));
    // No --emscripten: the recorded checkout is used.
    let r = sb.dsock_raw(&["export", "--check"]);
    assert_eq!(r.code, 0, "{}", r.both());
    let r = sb.dsock_raw(&["setup"]);
    assert_eq!(r.code, 0, "{}", r.both());
    assert!(r.stdout.contains("Emscripten checkout:"), "{}", r.stdout);
}

#[test]
fn setup_rejects_a_non_git_directory() {
    let sb = Sandbox::new();
    let r = sb.dsock_raw(&["setup", "--emscripten", sb.path("home").to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.both());
    assert!(r.stderr.contains("not a git checkout") && r.stderr.contains("git clone"), "{}", r.stderr);
    assert!(!sb.path("xdg/dsock/config.toml").exists());
}
