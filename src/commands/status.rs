//! `dsock status [--branch NAME] [--format json]`: where the series stands
//! ([`dsock_core::status::compute`]: base, upstream drift, whether it applies to the base and
//! to upstream, the PR branch, a stopped rebase).
//!
//! Exit status: 0, or 1 when the series does not apply to its own base.

use std::io::Write as _;

use dsock_core::export::DEFAULT_BRANCH;
use dsock_core::replay::Outcome;
use dsock_core::status::{compute, BranchState};

use crate::cli::OutputFormat;
use crate::config;
use crate::context::CommandContext;
use crate::error::CommandResult;
use crate::exit::ExitStatus;
use crate::series::Series;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The PR branch of the checkout to describe.
    #[arg(long, default_value = DEFAULT_BRANCH)]
    pub branch: String,
    /// Report format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    let root = ctx.repo_root()?;
    let series = Series::load(&root)?;
    let checkout = config::resolve_checkout(&ctx.global)?;
    let s = compute(&root, &series, &checkout.git, &checkout.path, &args.branch)?;
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

