//! Where the series stands (`dsock status`). [`compute`] reports, computing everything in memory (plumbing and `merge-tree`; no work tree,
//! index or ref is touched):
//! - the base commit, and how many commits upstream (`origin/main`, else `main`) is ahead;
//! - whether the series applies to its base, and (per commit) to current upstream:
//!   clean / conflicted files / already upstream (patch-id);
//! - the PR branch in the checkout: missing, matching the series, or holding changes
//!   the series does not record; where it is checked out, and any `git am` in progress.

use std::path::Path;

use serde::Serialize;

use crate::error::{ApplyFailure, DoesNotApply, Result};
use crate::series::Series;

use crate::build as apply;
use crate::git::{CommitId, Git};
use crate::replay::{self as rebase, Replay};

/// State of the PR branch in the checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BranchState {
    /// No such branch: `dsock apply` creates it.
    Missing,
    /// Exactly what `dsock apply` would build (same commit).
    Applied,
    /// Different commits, but exporting it changes nothing in the series.
    Recorded,
    /// Holds changes the series does not record (`dsock export` would change files).
    Diverged,
}

/// The whole status report (also the `--format json` shape).
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub checkout: String,
    pub base: CommitId,
    pub base_subject: Option<String>,
    pub commits: usize,
    /// `origin/main` or `main`, as found in the checkout.
    pub upstream_ref: Option<String>,
    pub upstream_sha: Option<CommitId>,
    /// Commits in `base..upstream`.
    pub upstream_ahead: Option<usize>,
    /// `None` when the series applies to its base.
    pub apply_failure: Option<ApplyFailure>,
    /// The series replayed onto current upstream (absent if it does not apply to base).
    pub upstream_replay: Option<Replay>,
    pub branch: String,
    pub branch_state: BranchState,
    pub branch_tip: Option<String>,
    /// Commits on the branch since the series base (if the base is an ancestor).
    pub branch_commits: Option<usize>,
    pub branch_worktree: Option<String>,
    /// `am`/`rebase` in progress in the branch's work tree.
    pub operation_in_progress: Option<String>,
    /// A `dsock rebase` that stopped there, with the commands it printed.
    pub stopped_rebase: Option<rebase::StoppedRebase>,
}

/// Compute the status report.
///
/// `checkout` is the checkout's path as the user named it (reported as is).
pub fn compute(root: &Path, series: &Series, git: &Git, checkout: &Path, branch: &str) -> Result<Status> {
    let root = root.to_path_buf();
    let series = series.clone();
    let built = match apply::build(git, &series, &root) {
        Ok(commits) => Ok(commits),
        Err(e) => match e.does_not_apply() {
            Some(DoesNotApply::ToBase { failure, .. }) => Err(failure.clone()),
            _ => return Err(e),
        },
    };
    let base = git.rev_parse_commit(&series.upstream.base)?;
    let upstream = rebase::default_onto(git, &series.upstream.branch).ok();
    let (upstream_ref, upstream_sha) = match &upstream {
        Some((n, s)) => (Some(n.clone()), Some(s.clone())),
        None => (None, None),
    };
    let upstream_ahead = match &upstream_sha {
        Some(s) => Some(git.count(&base, s)?),
        None => None,
    };
    let (apply_failure, upstream_replay, applied_tip) = match &built {
        Err(f) => (Some(f.clone()), None, None),
        Ok(commits) => {
            let tip = commits.last().map(|c| c.sha.clone()).unwrap_or_else(|| base.clone());
            let replay = match &upstream_sha {
                Some(u) if *u != base => Some(rebase::replay(git, &series, commits, &base, u)?),
                _ => None,
            };
            (None, replay, Some(tip))
        }
    };
    let branch_tip = git.try_rev_parse(&format!("refs/heads/{branch}^{{commit}}"));
    let branch_state = match &branch_tip {
        None => BranchState::Missing,
        Some(t) if applied_tip.as_ref().is_some_and(|a| a == t) => BranchState::Applied,
        Some(t) => {
            if apply::exports_unchanged(git, &series, &root, t) {
                BranchState::Recorded
            } else {
                BranchState::Diverged
            }
        }
    };
    let branch_commits = match &branch_tip {
        Some(t) if git.is_ancestor(&base, t) => Some(git.count(&base, t)?),
        _ => None,
    };
    let worktree = git.worktree_of_branch(branch)?;
    let (operation_in_progress, stopped_rebase) = match &worktree {
        Some(w) => {
            let wg = Git::open(w)?;
            (wg.operation_in_progress()?.map(str::to_string), rebase::StoppedRebase::load(&wg))
        }
        None => (None, None),
    };
    let base_subject = git.run(["show", "-s", "--format=%s", &base]).ok();
    Ok(Status {
        checkout: checkout.display().to_string(),
        base,
        base_subject,
        commits: series.commits.len(),
        upstream_ref,
        upstream_sha,
        upstream_ahead,
        apply_failure,
        upstream_replay,
        branch: branch.to_string(),
        branch_state,
        branch_tip,
        branch_commits,
        branch_worktree: worktree.map(|w| w.display().to_string()),
        operation_in_progress,
        stopped_rebase,
    })
}

