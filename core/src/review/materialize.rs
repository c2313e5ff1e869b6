//! Turning `patch-series/` into what review works on, with the real git (through
//! [`crate::git::Git`]): commit objects on top of the base (no ref, no work tree
//! touched), their `format-patch` mails, patch-ids, the combined diff and diffstat,
//! and the upstream commits between two bases.

use std::path::Path;

use crate::patch::diff_part;
use super::range_diff::UpstreamCommit;
use super::ReviewCommit;
use crate::error::Result;
use crate::git::{CommitId, Git};
use crate::series::Series;

/// The series as commit objects in a checkout's object database.
#[derive(Debug, Clone)]
pub struct Materialized {
    /// Full sha of `upstream.base`.
    pub base: CommitId,
    /// One sha per series commit, in order (parent chain from `base`).
    pub shas: Vec<CommitId>,
}

impl Materialized {
    /// The last commit (the base for an empty series).
    pub fn tip(&self) -> &str {
        self.shas.last().unwrap_or(&self.base)
    }
}

/// Build the series' commits on top of `upstream.base` in `git`'s object database with
/// `dsock apply`'s builder ([`crate::build::build`]): a private index, no ref
/// moves, the work tree and real index untouched; same series and base → same shas.
///
/// Errors: Usage when the base is missing from the checkout (hint: fetch it);
/// [`crate::error::DoesNotApply`] when the series does not apply to its base.
pub fn build_commits(git: &Git, repo_root: &Path, series: &Series) -> Result<Materialized> {
    let built = crate::build::build(git, series, repo_root)?;
    Ok(Materialized { base: git.rev_parse_commit(&series.upstream.base)?, shas: built.into_iter().map(|b| b.sha).collect() })
}

/// The series' commits as review data: message parts from `series.toml`, diff and
/// patch-id from git's `format-patch` of each materialized commit.
pub fn review_commits(git: &Git, series: &Series, m: &Materialized) -> Result<Vec<ReviewCommit>> {
    series
        .commits
        .iter()
        .zip(&m.shas)
        .map(|(c, sha)| {
            let mail = git.format_patch(sha)?;
            let patch_id = git.patch_id(&mail)?.unwrap_or_default();
            let mail = String::from_utf8_lossy(&mail);
            Ok(ReviewCommit {
                id: c.id.clone(),
                subject: c.subject.clone(),
                author: c.author.clone(),
                body: c.body.trim().to_string(),
                sha: sha.to_string(),
                patch_id,
                diff: diff_part(&mail).to_string(),
            })
        })
        .collect()
}

/// One `git format-patch` mail per commit, concatenated (an mbox `git am` accepts).
pub fn mbox(git: &Git, shas: &[CommitId]) -> Result<String> {
    let mut out = String::new();
    for sha in shas {
        out.push_str(&String::from_utf8_lossy(&git.format_patch(sha)?));
    }
    Ok(out)
}

/// `git diff` from `a` to `b` in the same form as the per-commit patches (full
/// index, binary, no renames, myers) — `git apply` accepts it on `a`.
pub fn combined_diff(git: &Git, a: &str, b: &str) -> Result<String> {
    let out = git.run_bytes(
        ["diff", "--no-ext-diff", "--full-index", "--binary", "--no-renames", "--diff-algorithm=myers", "--indent-heuristic", a, b],
        None,
    )?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// `git diff --stat` (fixed width 80, so output does not depend on the terminal) plus
/// `--summary` (created/deleted files).
pub fn diffstat(git: &Git, a: &str, b: &str) -> Result<String> {
    let out = git.run_bytes(
        ["diff", "--no-ext-diff", "--stat=80", "--stat-graph-width=20", "--summary", "--no-renames", a, b],
        None,
    )?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Upstream commits in `old_base..new_base` with their subjects and patch-ids, to
/// recognize series commits that landed upstream. Empty when the bases are equal.
pub fn upstream_between(git: &Git, old_base: &str, new_base: &str) -> Result<Vec<UpstreamCommit>> {
    if old_base == new_base {
        return Ok(Vec::new());
    }
    let ids = git.patch_ids_in_range(old_base, new_base)?;
    let log = git.run(["log", "--no-merges", "--format=%H %s", &format!("{old_base}..{new_base}")])?;
    let mut out = Vec::new();
    for line in log.lines() {
        let (sha, subject) = line.split_once(' ').unwrap_or((line, ""));
        let patch_id = ids.iter().find(|(_, c)| c == sha).map(|(p, _)| p.clone()).unwrap_or_default();
        out.push(UpstreamCommit { sha: sha.to_string(), subject: subject.to_string(), patch_id });
    }
    Ok(out)
}

/// Review data for the commits of `base..tip` on any branch (e.g. one made by
/// `dsock apply`, or an older series kept on a branch): message parts and stable id
/// from the commit message (`Change-Id:` trailer; empty when absent), diff and
/// patch-id from `format-patch`.
pub fn review_commits_in_range(git: &Git, base: &str, tip: &str) -> Result<Vec<ReviewCommit>> {
    git.rev_list(base, tip)?
        .into_iter()
        .map(|sha| {
            let info = git.commit_info(&sha)?;
            let (subject, body, id) = crate::series::parse_message(&info.message);
            let mail = git.format_patch(&sha)?;
            let patch_id = git.patch_id(&mail)?.unwrap_or_default();
            let mail = String::from_utf8_lossy(&mail);
            Ok(ReviewCommit {
                id: id.unwrap_or_default(),
                subject,
                author: info.author,
                body,
                sha,
                patch_id,
                diff: diff_part(&mail).to_string(),
            })
        })
        .collect()
}
