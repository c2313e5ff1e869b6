//! `dsock test --apply`: the series materialized on a temporary detached work tree of the
//! user's checkout, bootstrapped, and removed again (the user's tree and branches are untouched;
//! only objects are added to its object store).

use std::path::{Path, PathBuf};

use dsock_core::bootstrap::{bootstrap_worktree, NodeModules};
use dsock_core::build as apply;
use crate::error::CommandResult;
use crate::git::Git;
use crate::series::Series;

/// A temporary work tree; `git worktree remove --force` + directory removal on drop.
pub struct TempTree {
    pub path: PathBuf,
    /// The commit checked out (the series tip).
    pub commit: String,
    checkout: Git,
    _dir: tempfile::TempDir,
}

impl TempTree {
    /// A detached work tree of `checkout` at `commit`, in a new temporary directory named
    /// `<prefix>…/emscripten`. Errors: the directory cannot be made, or `git worktree add` fails.
    pub fn add(checkout: &Git, commit: &str, prefix: &str) -> CommandResult<TempTree> {
        let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
        let path = dir.path().join("emscripten");
        checkout.add_worktree(&path, commit)?;
        Ok(TempTree { path, commit: commit.into(), checkout: checkout.clone(), _dir: dir })
    }
}

impl Drop for TempTree {
    fn drop(&mut self) {
        let p = self.path.to_string_lossy().into_owned();
        let _ = self.checkout.run(["worktree", "remove", "--force", &p]);
        let _ = self.checkout.run(["worktree", "prune"]);
    }
}

/// Build the series in memory and check its tip out in a temporary work tree, then
/// bootstrap it like `bootstrap.py` would (node_modules shared from `checkout_dir` when it has
/// them, else `npm ci`; entry points; stamp files).
///
/// Errors: [`crate::error::DoesNotApply`] when the series does not apply; Git/Io otherwise.
pub fn materialize(checkout: &Git, checkout_dir: &Path, series: &Series, repo_root: &Path, python: &Path) -> CommandResult<TempTree> {
    let built = apply::build(checkout, series, repo_root)?;
    let commit = match built.last() {
        Some(c) => c.sha.clone(),
        None => checkout.rev_parse_commit(&series.upstream.base)?,
    };
    let tree = TempTree::add(checkout, &commit, "dsock-test-")?;
    bootstrap(&tree.path, checkout_dir, python)?;
    Ok(tree)
}

/// Make `tree` usable by emcc and test/runner without network access (see
/// [`dsock_core::bootstrap::bootstrap_worktree`]): `node_modules` linked from
/// `share_node_modules_from`, or `npm ci` when it has none.
pub fn bootstrap(tree: &Path, share_node_modules_from: &Path, python: &Path) -> CommandResult<()> {
    Ok(bootstrap_worktree(tree, NodeModules::LinkOrInstall(share_node_modules_from), python)?)
}

