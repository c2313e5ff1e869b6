//! Make a fresh work tree of Emscripten usable by `emcc` and `test/runner` without network
//! access: what upstream's `bootstrap.py` does, minus the git submodules (offline).
//! Source of the steps: `bootstrap.py` and `tools/maint/create_entry_points.py` in Emscripten
//! main; measured in /work/shared/docs/toolchain.md.

use std::path::Path;
use std::process::Command;

use crate::error::{Error, Result};

/// Where the work tree's `node_modules` come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeModules<'a> {
    /// Link this directory's `node_modules` in when it has them; leave the tree without
    /// them otherwise (nothing is installed).
    LinkIfPresent(&'a Path),
    /// Link this directory's `node_modules` in, or run `npm ci` in the tree when it has none.
    LinkOrInstall(&'a Path),
}

/// Bootstrap the Emscripten work tree `tree`: `node_modules` per `node_modules`, the entry
/// points (`python tools/maint/create_entry_points.py`, which writes the `emcc`, `test/runner`
/// … launchers), and the `out/*.stamp` files `bootstrap.py` records so the launchers run.
///
/// Errors (`ErrorKind::Environment`, with the tool's stderr): `npm ci` or the entry-point
/// script cannot run or fails; a directory or stamp cannot be written.
pub fn bootstrap_worktree(tree: &Path, node_modules: NodeModules, python: &Path) -> Result<()> {
    let nm = tree.join("node_modules");
    let (from, install) = match node_modules {
        NodeModules::LinkIfPresent(from) => (from, false),
        NodeModules::LinkOrInstall(from) => (from, true),
    };
    let shared = from.join("node_modules");
    if !nm.exists() {
        if shared.is_dir() {
            std::os::unix::fs::symlink(&shared, &nm).map_err(|e| Error::environment(format!("cannot link {}: {e}", nm.display())))?;
        } else if install {
            run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(tree), "npm ci")?;
        }
    }
    run(
        Command::new(python).arg("tools/maint/create_entry_points.py").current_dir(tree),
        "tools/maint/create_entry_points.py",
    )?;
    fs_err::create_dir_all(tree.join("out"))?;
    for stamp in ["npm_packages", "create_entry_points", "git_submodules", "install_hooks"] {
        fs_err::write(tree.join("out").join(format!("{stamp}.stamp")), "")?;
    }
    Ok(())
}

fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let out = cmd.output().map_err(|e| Error::environment(format!("cannot run {what}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(Error::environment(format!(
            "{what} failed in the work tree: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}
