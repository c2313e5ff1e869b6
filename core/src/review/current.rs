//! The working series as review data: build the commits of a loaded `series.toml` in
//! the Emscripten checkout ([`super::materialize`]) and read back diffs and patch-ids.
//! Shared by `dsock diff`, `dsock version tag` and `dsock pr-body`.

use std::path::PathBuf;

use super::materialize::{self, Materialized};
use super::range_diff::UpstreamCommit;
use super::versions::{self, SentVersion};
use super::ReviewCommit;
use crate::git::Git;
use crate::error::{Error, Result};
use crate::series::Series;

/// The working series, materialized.
pub struct Current {
    pub repo_root: PathBuf,
    pub series: Series,
    /// The checkout the commits were built in.
    pub git: Git,
    pub materialized: Materialized,
    pub commits: Vec<ReviewCommit>,
}

/// Materialize the working series `series` of `repo_root` in the checkout `git`.
///
/// Errors: [`crate::error::DoesNotApply`] when the series does not apply to its base;
/// git errors.
pub fn load(repo_root: PathBuf, series: Series, git: Git) -> Result<Current> {
    let materialized = materialize::build_commits(&git, &repo_root, &series)?;
    let commits = materialize::review_commits(&git, &series, &materialized)?;
    Ok(Current { repo_root, series, git, materialized, commits })
}

/// Find a commit by selector: a full stable id, a unique prefix of one (`I3f2a`),
/// or a 1-based position (`3`). Returns the 0-based index.
///
/// Errors (Usage) for no match or an ambiguous prefix, listing the commits in the hint.
pub fn select_commit(commits: &[ReviewCommit], selector: &str) -> Result<usize> {
    if let Ok(n) = selector.parse::<usize>() {
        if (1..=commits.len()).contains(&n) {
            return Ok(n - 1);
        }
    }
    let matches: Vec<usize> = (0..commits.len())
        .filter(|&i| commits[i].id.starts_with(selector) && selector.len() >= 2)
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        _ => {
            let what = if matches.is_empty() { "matches no commit" } else { "is ambiguous" };
            let list: Vec<String> = commits
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{} {} {}", i + 1, c.short_id(), c.subject))
                .collect();
            Err(Error::usage(format!("--commit {selector:?} {what} of the series"))
                .with_hint(format!(
                    "pass a position, a stable id or a unique id prefix; the series is:\n  {}",
                    list.join("\n  ")
                )))
        }
    }
}

/// Parse `--range` text: `v1..v2`, `v1..` / `v1..current` (against the working
/// series), or `v1` (same as `v1..`).
///
/// Errors (Usage) for anything else, with a hint to `dsock version list`.
pub fn parse_range(text: &str) -> Result<(u32, Option<u32>)> {
    let bad = || {
        Error::usage(format!("--range {text:?} is not `vA..vB`, `vA..` or `vA`"))
            .with_hint("run `dsock version list` to see the recorded versions")
    };
    let (a, b) = text.split_once("..").unwrap_or((text, ""));
    let a = versions::parse_name(a).ok_or_else(bad)?;
    let b = match b {
        "" | "current" | "HEAD" => None,
        v => Some(versions::parse_name(v).ok_or_else(bad)?),
    };
    Ok((a, b))
}

/// The newest sent version.
///
/// Errors (Usage) when none was recorded (hint: `dsock version tag`).
pub fn last_sent(repo_root: &std::path::Path) -> Result<SentVersion> {
    let n = versions::list(repo_root)?.pop().ok_or_else(|| {
        Error::usage("no version of the series has been recorded as sent")
            .with_hint("run `dsock version tag` when you send the series (it records v1)")
    })?;
    versions::load(repo_root, n)
}

/// Upstream commits between two bases, when a checkout is at hand; otherwise empty
/// (range-diff then cannot say which dropped commits landed upstream).
pub fn upstream_for(git: Option<&Git>, old_base: &str, new_base: &str) -> Vec<UpstreamCommit> {
    match git {
        Some(g) if old_base != new_base => materialize::upstream_between(g, old_base, new_base).unwrap_or_default(),
        _ => Vec::new(),
    }
}
