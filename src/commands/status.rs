//! `dsock status [--branch NAME] [--format json]`: where the series stands.
//!
//! Reports, computing everything in memory (plumbing and `merge-tree`; no work tree,
//! index or ref is touched):
//! - the base commit, and how many commits upstream (`origin/main`, else `main`) is ahead;
//! - whether the series applies to its base, and (per commit) to current upstream:
//!   clean / conflicted files / already upstream (patch-id);
//! - the PR branch in the checkout: missing, matching the series, or holding changes
//!   the series does not record; where it is checked out, and any `git am` in progress.
//!
//! Exit status: 0, or 1 when the series does not apply to its own base.

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::config;
use crate::context::CommandContext;
use crate::error::{ApplyFailure, CommandResult, DoesNotApply};
use crate::exit::ExitStatus;
use crate::series::Series;

use super::apply;
use super::export::DEFAULT_BRANCH;
use super::rebase::{self, Outcome, Replay};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The PR branch of the checkout to describe.
    #[arg(long, default_value = DEFAULT_BRANCH)]
    pub branch: String,
    /// Report format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

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
    pub base: String,
    pub base_subject: Option<String>,
    pub commits: usize,
    /// `origin/main` or `main`, as found in the checkout.
    pub upstream_ref: Option<String>,
    pub upstream_sha: Option<String>,
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
pub fn compute(ctx: &CommandContext, branch: &str) -> CommandResult<Status> {
    let root = ctx.repo_root()?;
    let series = Series::load(&root)?;
    let checkout = config::resolve_checkout(&ctx.global)?;
    let git = &checkout.git;
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
        Some(t) if Some(t) == applied_tip.as_ref() => BranchState::Applied,
        Some(t) => {
            let recorded = git.is_ancestor(&base, t)
                && super::export::plan(git, t, &base, &series.upstream, Some(&series), &root)
                    .map(|p| p.changes(&root).is_empty())
                    .unwrap_or(false);
            if recorded {
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
            let wg = crate::git::Git::open(w)?;
            (wg.operation_in_progress()?.map(str::to_string), rebase::StoppedRebase::load(&wg))
        }
        None => (None, None),
    };
    let base_subject = git.run(["show", "-s", "--format=%s", &base]).ok();
    Ok(Status {
        checkout: checkout.path.display().to_string(),
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

pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    let s = compute(ctx, &args.branch)?;
    let status = if s.apply_failure.is_some() { ExitStatus::Failure } else { ExitStatus::Success };
    if args.format == OutputFormat::Json {
        writeln!(ctx.out, "{}", serde_json::to_string_pretty(&s).expect("status serializes"))?;
        return Ok(status);
    }
    let out = &mut ctx.out;
    writeln!(out, "checkout: {}", s.checkout)?;
    writeln!(out, "series:   {} commit(s) on base {:.12} \"{}\"", s.commits, s.base, s.base_subject.as_deref().unwrap_or("?"))?;
    match (&s.upstream_ref, &s.upstream_sha, s.upstream_ahead) {
        (Some(r), Some(sha), Some(n)) => writeln!(out, "upstream: {r} at {sha:.12}, {n} commit(s) ahead of the base")?,
        _ => writeln!(out, "upstream: no origin/main or main in the checkout")?,
    }
    match &s.apply_failure {
        Some(f) => writeln!(out, "applies to base: NO: {f}")?,
        None => writeln!(out, "applies to base: yes")?,
    }
    match (&s.upstream_replay, &s.upstream_ref) {
        (Some(r), Some(name)) => {
            let conflicts: Vec<_> = r.commits.iter().filter(|c| c.outcome.is_conflict()).collect();
            let upstreamed: Vec<_> =
                r.commits.iter().filter(|c| matches!(c.outcome, Outcome::AlreadyUpstream { .. })).collect();
            if conflicts.is_empty() {
                writeln!(out, "applies to {name}: yes (3-way, in memory)")?;
            } else {
                writeln!(out, "applies to {name}: NO, {} commit(s) conflict:", conflicts.len())?;
                for c in conflicts {
                    writeln!(out, "  {:>2}. {}: {}", c.index, c.subject, c.outcome.conflicted_paths().join(", "))?;
                }
                writeln!(out, "  see the hunks with `dsock rebase --onto {name} --dry-run`")?;
            }
            for c in upstreamed {
                match &c.outcome {
                    Outcome::AlreadyUpstream { upstream_commit: Some(u), upstream_subject } => writeln!(
                        out,
                        "already upstream: {:>2}. {} (as {:.12} \"{}\")",
                        c.index,
                        c.subject,
                        u,
                        upstream_subject.as_deref().unwrap_or("")
                    )?,
                    _ => writeln!(out, "already upstream: {:>2}. {} (its change is already there)", c.index, c.subject)?,
                }
            }
        }
        (None, Some(name)) if s.apply_failure.is_none() => writeln!(out, "applies to {name}: yes (it is the base)")?,
        _ => {}
    }
    let state = match s.branch_state {
        BranchState::Missing => format!("does not exist (create it with `dsock apply --branch {}`)", s.branch),
        BranchState::Applied => "matches the series (as built by `dsock apply`)".into(),
        BranchState::Recorded => "recorded in the series (exporting it changes nothing)".into(),
        BranchState::Diverged => format!(
            "has changes the series does not record: `dsock export --branch {0}` records them, `dsock apply --branch {0} --force` discards them",
            s.branch
        ),
    };
    writeln!(out, "branch {}: {state}", s.branch)?;
    if let Some(t) = &s.branch_tip {
        let n = s.branch_commits.map(|n| format!("{n} commit(s) on the base")).unwrap_or_else(|| "not based on the series base".into());
        writeln!(out, "  at {t:.12}, {n}")?;
    }
    if let Some(w) = &s.branch_worktree {
        writeln!(out, "  checked out in {w}")?;
    }
    match (&s.stopped_rebase, &s.operation_in_progress) {
        (Some(st), _) => {
            writeln!(out, "  a `dsock rebase` onto {:.12} stopped there in `git am`; next:", st.onto)?;
            for n in &st.next {
                writeln!(out, "    {n}")?;
            }
        }
        (None, Some(op)) => {
            writeln!(out, "  a `git {op}` is in progress there (finish with `git {op} --continue`, then `dsock export`)")?
        }
        (None, None) => {}
    }
    Ok(status)
}

use std::io::Write as _;
