//! What every command receives: the global options, the output stream, and
//! lazily resolved locations (the dsock repo, the Emscripten checkout).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::GlobalArgs;
use crate::error::{CommandError, CommandResult};

/// Passed to every `commands::*::run`. Output goes through `out` so tests can capture it.
pub struct CommandContext {
    pub global: GlobalArgs,
    pub out: Box<dyn Write>,
    pub err: Box<dyn Write>,
}

impl CommandContext {
    /// `--repo` and `--emscripten` are made absolute here, once: commands run git in the
    /// checkout and hand it paths inside the dsock repo, so a relative path (`--repo .`)
    /// would otherwise be resolved against the wrong directory.
    pub fn new(mut global: GlobalArgs) -> Self {
        for path in [&mut global.repo, &mut global.emscripten].into_iter().flatten() {
            if let Ok(abs) = std::path::absolute(&*path) {
                *path = abs;
            }
        }
        Self {
            global,
            out: Box::new(std::io::stdout()),
            err: Box::new(std::io::stderr()),
        }
    }

    /// The dsock repository root: `--repo`/`DSOCK_REPO`, else the nearest ancestor of the
    /// current directory holding `patch-series/series.toml`.
    ///
    /// Errors (Environment) when none is found, with a hint to `cd` into a dsock clone.
    pub fn repo_root(&self) -> CommandResult<PathBuf> {
        if let Some(repo) = &self.global.repo {
            return Ok(repo.clone());
        }
        let cwd = std::env::current_dir()?;
        find_repo_root(&cwd).ok_or_else(|| {
            CommandError::environment(format!(
                "no dsock repository (patch-series/series.toml) in {} or any parent",
                cwd.display()
            ))
            .with_hint("run dsock from inside a dsock clone, or pass --repo PATH")
        })
    }
}

/// Walk up from `start` to the first directory containing `patch-series/series.toml`.
pub fn find_repo_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join("patch-series").join("series.toml").is_file())
        .map(Path::to_path_buf)
}
