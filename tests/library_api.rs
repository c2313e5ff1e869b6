//! The core library API the commands build on: `dsock_core::build::{materialize, build}`,
//! `git::Git::add_worktree` (sparse patterns copied), and patch ids.

mod common;

use common::Sandbox;
use dsock_core::build as apply;
use dsock::git::Git;
use dsock::series::Series;

/// Library calls run in this process: give git the sandbox identity and no global config.
fn isolate(sb: &Sandbox) {
    // SAFETY: tests in this binary set the same values; no thread reads them concurrently
    // in a way that depends on different values.
    unsafe {
        std::env::set_var("GIT_CONFIG_NOSYSTEM", "1");
        std::env::set_var("GIT_CONFIG_GLOBAL", sb.path("home/.gitconfig"));
    }
}

#[test]
fn materialize_builds_branch_and_worktree_gets_sparse_patterns() {
    let sb = Sandbox::exported();
    isolate(&sb);
    let git = Git::open(&sb.path("up")).unwrap();
    let series = Series::load(&sb.path("ds")).unwrap();
    let m = apply::materialize(&git, &series, &sb.path("ds"), None, "test-run", false).unwrap();
    assert_eq!(m.commits.len(), 3);
    assert_eq!(m.commits[2].sha, m.tip);
    assert_eq!(sb.rev("up", "test-run").unwrap(), m.tip);
    assert_eq!(m.commits.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        series.commits.iter().map(|c| c.id.as_str()).collect::<Vec<_>>());

    // A sparse checkout: the work tree added for tests must exclude the same paths.
    sb.git("up", &["sparse-checkout", "set", "--no-cone", "/*", "!/ChangeLog.md"]);
    let wt = sb.path("wt");
    let wg = git.add_worktree(&wt, &m.tip).unwrap();
    assert!(wt.join("src/lib/libsockfs_direct.js").is_file());
    assert!(!wt.join("ChangeLog.md").exists(), "sparse pattern not copied");
    assert_eq!(wg.run(["rev-parse", "HEAD"]).unwrap(), m.tip);
}

#[test]
fn build_is_deterministic_and_patch_ids_match_upstreamed_change() {
    let sb = Sandbox::exported();
    isolate(&sb);
    let git = Git::open(&sb.path("up")).unwrap();
    let series = Series::load(&sb.path("ds")).unwrap();
    let a = apply::build(&git, &series, &sb.path("ds")).unwrap();
    let b = apply::build(&git, &series, &sb.path("ds")).unwrap();
    assert_eq!(a, b);
    // The patch file's patch id equals the built commit's patch id (same change).
    let patch = std::fs::read(Series::patch_path(&sb.path("ds"), &series.commits[0].patches[0])).unwrap();
    assert_eq!(git.patch_id(&patch).unwrap(), git.commit_patch_id(&a[0].sha).unwrap());
    assert!(git.patch_id(&patch).unwrap().is_some());
}
