//! Which Emscripten checkout dsock works on.
//!
//! Resolution order (first wins):
//! 1. `--emscripten PATH` on the command line,
//! 2. the `DSOCK_EMSCRIPTEN` environment variable,
//! 3. `emscripten = "PATH"` in the user config file written by `dsock setup`:
//!    `$XDG_CONFIG_HOME/dsock/config.toml`, default `~/.config/dsock/config.toml`.
//!
//! (1) and (2) arrive together in [`GlobalArgs::emscripten`] (clap's `env`), so
//! [`Checkout::source`] tells them apart by looking at the environment.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{CommandError, CommandResult};
use crate::git::Git;

/// Environment variable naming the checkout.
pub const ENV_CHECKOUT: &str = "DSOCK_EMSCRIPTEN";

/// The user config file (`config.toml`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserConfig {
    /// Absolute path of the Emscripten checkout recorded by `dsock setup`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emscripten: Option<PathBuf>,
}

impl UserConfig {
    /// `$XDG_CONFIG_HOME/dsock/config.toml`, else `$HOME/.config/dsock/config.toml`;
    /// `None` when neither variable is set.
    pub fn path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("dsock").join("config.toml"))
    }

    /// Read the config file; a missing file is an empty config.
    ///
    /// Errors (Usage) on malformed TOML, naming the file.
    pub fn load() -> CommandResult<UserConfig> {
        let Some(path) = Self::path() else { return Ok(UserConfig::default()) };
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                CommandError::usage(format!("{}: {e}", path.display()))
                    .with_hint("fix the file, or run `dsock setup --emscripten PATH` to rewrite it")
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(UserConfig::default()),
            Err(e) => Err(e.into()),
        }
    }

    /// Write the config file (creating its directory); returns its path.
    pub fn save(&self) -> CommandResult<PathBuf> {
        let path = Self::path().ok_or_else(|| {
            CommandError::environment("neither XDG_CONFIG_HOME nor HOME is set; cannot write the dsock config")
                .with_hint("set HOME, or pass --emscripten PATH / DSOCK_EMSCRIPTEN on every call")
        })?;
        if let Some(dir) = path.parent() {
            fs_err::create_dir_all(dir)?;
        }
        let text = toml::to_string_pretty(self).expect("config serializes");
        fs_err::write(&path, text)?;
        Ok(path)
    }
}

/// Where the checkout path came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckoutSource {
    Flag,
    Env,
    Config,
}

impl CheckoutSource {
    pub fn describe(self) -> &'static str {
        match self {
            CheckoutSource::Flag => "--emscripten",
            CheckoutSource::Env => "DSOCK_EMSCRIPTEN",
            CheckoutSource::Config => "dsock setup (user config)",
        }
    }
}

/// A resolved Emscripten checkout.
#[derive(Debug, Clone)]
pub struct Checkout {
    pub path: PathBuf,
    pub source: CheckoutSource,
    pub git: Git,
}

/// Where the command line says the checkout is (`--emscripten PATH`, or `DSOCK_EMSCRIPTEN`
/// through clap's `env`); implemented by the CLI's global options.
pub trait CheckoutFlag {
    fn emscripten(&self) -> Option<&Path>;
}

/// The configured path, without opening it: flag/env, else user config.
pub fn checkout_path(global: &impl CheckoutFlag) -> CommandResult<Option<(PathBuf, CheckoutSource)>> {
    if let Some(p) = global.emscripten() {
        let from_env = std::env::var_os(ENV_CHECKOUT).is_some_and(|v| Path::new(&v) == p);
        let source = if from_env { CheckoutSource::Env } else { CheckoutSource::Flag };
        return Ok(Some((p.to_path_buf(), source)));
    }
    Ok(UserConfig::load()?.emscripten.map(|p| (p, CheckoutSource::Config)))
}

/// Resolve and open the Emscripten checkout.
///
/// Errors (Environment) when none is configured (hint: `dsock setup --emscripten PATH`)
/// or the path is not a git repository.
pub fn resolve_checkout(global: &impl CheckoutFlag) -> CommandResult<Checkout> {
    let (path, source) = checkout_path(global)?.ok_or_else(|| {
        CommandError::environment("no Emscripten checkout configured")
            .with_hint("run `dsock setup --emscripten PATH` (or pass --emscripten PATH / set DSOCK_EMSCRIPTEN)")
    })?;
    let git = Git::open(&path).map_err(|e| {
        CommandError::environment(format!(
            "the Emscripten checkout {} (from {}) is unusable: {}",
            path.display(),
            source.describe(),
            e.message()
        ))
        .with_hint("run `dsock setup --emscripten PATH` with a clone of https://github.com/emscripten-core/emscripten")
    })?;
    Ok(Checkout { path, source, git })
}
