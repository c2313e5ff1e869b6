//! dsock-core: the engine that maintains Emscripten's `-sDIRECT_SOCKETS` patch series.
//! No command line, no printing: every function takes explicit inputs (the dsock repo
//! root, a loaded [`series::Series`], a [`git::Git`] handle on the checkout) and returns
//! data or an [`error::Error`]. The `dsock` crate resolves arguments, calls in here and
//! renders the result.
//!
//! | module | what happens there |
//! |---|---|
//! | [`git`] | the one way to run git: pinned config, private indexes, plumbing helpers |
//! | [`series`] | `patch-series/series.toml`: the manifest model, commit messages |
//! | [`patch`] | the one reader of `diff --git` text (files, hunks, added lines) |
//! | [`build`] | build the series as commits on its base (`apply`), move a branch safely |
//! | [`export`] | read a branch back into `patch-series/` + `emscripten/` (`export`) |
//! | [`replay`] | replay onto a new base, conflict report, `git am -3` stop/continue/abort (`rebase`) |
//! | [`status`] | where the series stands (`status`) |
//! | [`checks`] | series validation DS101–DS106 and the lint of the series' files (`check`) |
//! | [`review`] | materialized review data, range-diff, sent versions, review points (`diff`, `version`, `pr-body`) |
//! | [`error`] | the error type: class, message, hint, typed cause |

pub mod bootstrap;
pub mod build;
pub mod checks;
pub mod error;
pub mod export;
pub mod git;
pub mod patch;
pub mod replay;
pub mod review;
pub mod series;
pub mod status;
