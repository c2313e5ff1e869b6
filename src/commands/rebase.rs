//! `dsock rebase [--onto REV] [--dry-run] [--format json] [--continue | --abort]`: move
//! the series onto a new upstream base. [`dsock_core::replay`] replays it commit by commit
//! in memory, stops in a resumable `git am -3` session on a conflict, and finishes or
//! abandons that session; this module prints the report.

use std::io::Write as _;
use std::path::Path;

use dsock_core::build;
use dsock_core::export::DEFAULT_BRANCH;
use dsock_core::replay::{
    default_onto, export_paths, refuse_dirty, replay, stop_in_am, Outcome, RebaseResult, Replay, Resumed,
};

use crate::cli::OutputFormat;
use crate::config;
use crate::context::CommandContext;
use crate::error::{CommandResult, DoesNotApply};
use crate::exit::ExitStatus;
use crate::series::Series;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The new base; default: the checkout's `origin/main`, else `main`.
    #[arg(long, value_name = "REV")]
    pub onto: Option<String>,
    /// Branch of the checkout to rewrite (and leave the `git am` session on).
    #[arg(long, default_value = DEFAULT_BRANCH)]
    pub branch: String,
    /// Report only: write no ref, no file, no checkout state (exit 3 if it would conflict).
    #[arg(long)]
    pub dry_run: bool,
    /// Replace the branch even if it has commits the series does not record (backup kept).
    #[arg(long)]
    pub force: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Resume a rebase that stopped at a conflict: after resolving and `git add`, run
    /// `git am --continue` for you and, once every patch is in, re-export the series
    /// with the new base.
    #[arg(long = "continue", conflicts_with_all = ["onto", "dry_run", "abort"])]
    pub continue_: bool,
    /// Give up a rebase that stopped at a conflict: `git am --abort`, then put the branch
    /// back where it was before `dsock rebase` (its backup ref). The series is untouched.
    #[arg(long, conflicts_with_all = ["onto", "dry_run"])]
    pub abort: bool,
}

/// Print the human report.
pub fn print_report(out: &mut dyn std::io::Write, replay: &Replay, onto_name: &str) -> CommandResult<()> {
    writeln!(
        out,
        "rebase {} commit(s) from base {:.12} onto {:.12} ({onto_name}; {} upstream commit(s) newer)",
        replay.commits.len(),
        replay.base,
        replay.onto,
        replay.upstream_commits
    )?;
    for c in &replay.commits {
        let state = match &c.outcome {
            Outcome::Clean => "clean".to_string(),
            Outcome::AlreadyUpstream { upstream_commit: Some(u), upstream_subject } => format!(
                "already upstream as {:.12} \"{}\" (dropped)",
                u,
                upstream_subject.as_deref().unwrap_or("")
            ),
            Outcome::AlreadyUpstream { upstream_commit: None, .. } => {
                "already upstream (applying it changes nothing; dropped)".to_string()
            }
            Outcome::Conflict { files } => format!(
                "CONFLICT in {}",
                files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>().join(", ")
            ),
        };
        let note = if c.after_conflict { " [after an earlier conflict]" } else { "" };
        writeln!(out, "  {:>2}. {:.13} {}: {state}{note}", c.index, c.id, c.subject)?;
        if let Outcome::Conflict { files } = &c.outcome {
            for f in files {
                for m in &f.messages {
                    writeln!(out, "        {m}")?;
                }
                for h in &f.hunks {
                    writeln!(out, "        {}:{}", f.path, h.line)?;
                    let lines: Vec<&str> = h.text.lines().collect();
                    for l in lines.iter().take(30) {
                        writeln!(out, "          {l}")?;
                    }
                    if lines.len() > 30 {
                        writeln!(out, "          … ({} more lines)", lines.len() - 30)?;
                    }
                }
            }
        }
    }
    Ok(())
}

pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    let root = ctx.repo_root()?;
    let series = Series::load(&root)?;
    let checkout = config::resolve_checkout(&ctx.global)?;
    let git = checkout.git.clone();
    if args.continue_ || args.abort {
        return resume(ctx, &checkout, &root, args);
    }
    let (onto_name, onto) = match &args.onto {
        Some(r) => (r.clone(), git.rev_parse_commit(r)?),
        None => default_onto(&git, &series.upstream.branch)?,
    };
    if !args.dry_run {
        refuse_dirty(&git)?;
    }
    let built = match build::build(&git, &series, &root) {
        Ok(b) => b,
        Err(e) => match e.does_not_apply() {
            Some(DoesNotApply::ToBase { base, failure }) => {
                writeln!(ctx.out, "the series does not apply to its recorded base {base:.12}:\n  {failure}")?;
                writeln!(ctx.out, "nothing was written; fix the patch or re-export with `dsock export`")?;
                return Ok(ExitStatus::Failure);
            }
            _ => return Err(e),
        },
    };
    let base = git.rev_parse_commit(&series.upstream.base)?;
    let replay = replay(&git, &series, &built, &base, &onto)?;
    let human = args.format == OutputFormat::Human;
    if human {
        print_report(&mut *ctx.out, &replay, &onto_name)?;
    }
    let result = if args.dry_run {
        RebaseResult::DryRun
    } else if base == onto && !replay.has_conflict() {
        RebaseResult::UpToDate
    } else if let Some(tip) = &replay.tip {
        let reason = format!("dsock rebase onto {onto:.12}");
        build::update_branch(&git, &series, &root, &args.branch, tip, args.force, &reason)?;
        let changed_files = export_paths(&git, &root, &args.branch, &onto)?;
        RebaseResult::Rebased { tip: tip.to_string(), changed_files }
    } else {
        stop_in_am(&git, &checkout.path, &series, &root, &args.branch, args.force, &replay, &onto)?
    };
    let status = match &result {
        RebaseResult::DryRun if replay.has_conflict() => ExitStatus::Conflict,
        RebaseResult::Stopped { .. } => ExitStatus::Conflict,
        _ => ExitStatus::Success,
    };
    if !human {
        let v = serde_json::json!({
            "dry_run": args.dry_run,
            "onto_name": onto_name,
            "branch": args.branch,
            "result": result,
            "replay": replay,
        });
        writeln!(ctx.out, "{}", serde_json::to_string_pretty(&v).expect("report serializes"))?;
        return Ok(status);
    }
    match &result {
        RebaseResult::DryRun => writeln!(ctx.out, "dry run: nothing written")?,
        RebaseResult::UpToDate => {
            writeln!(ctx.out, "the series is already based on {onto_name} ({onto:.12}); nothing to do")?
        }
        RebaseResult::Rebased { tip, changed_files } => {
            writeln!(ctx.out, "branch {} now at {tip:.12}; series base updated to {onto:.12}", args.branch)?;
            writeln!(ctx.out, "re-exported: {} file(s) changed in {}", changed_files.len(), root.display())?;
        }
        RebaseResult::ResolvedByAm { changed_files } => writeln!(
            ctx.out,
            "git am -3 resolved the conflicts itself; branch {} rebased, series re-exported ({} file(s) changed)",
            args.branch,
            changed_files.len()
        )?,
        RebaseResult::Stopped { commit_index, subject, worktree, next } => {
            let first = &replay.commits[commit_index - 1];
            writeln!(ctx.out)?;
            writeln!(
                ctx.out,
                "stopped at commit {commit_index} \"{subject}\": {worktree} is now in a `git am -3` session on branch {}",
                args.branch
            )?;
            writeln!(ctx.out, "(commits before it are rebased; the old tip is kept as {})", build::backup_ref(&args.branch))?;
            writeln!(ctx.out, "conflicted: {}", first.outcome.conflicted_paths().join(" "))?;
            writeln!(ctx.out, "next:")?;
            for n in next {
                writeln!(ctx.out, "  {n}")?;
            }
        }
    }
    Ok(status)
}

/// `--continue` / `--abort`: finish or abandon a rebase stopped in `git am`.
fn resume(ctx: &mut CommandContext, checkout: &config::Checkout, root: &Path, args: &Args) -> CommandResult {
    match dsock_core::replay::resume(&checkout.git, &checkout.path, root, &args.branch, args.abort)? {
        Resumed::Aborted { branch, backup, restored: Some(old) } => writeln!(
            ctx.out,
            "rebase aborted: branch {branch} is back at {old:.12} (from {backup}); the series is unchanged"
        )?,
        Resumed::Aborted { branch, restored: None, .. } => writeln!(
            ctx.out,
            "rebase aborted: `git am` session ended; no backup ref to restore, branch {branch} left as is"
        )?,
        Resumed::StoppedAgain { am_output, conflicted, next } => {
            writeln!(ctx.out, "{am_output}")?;
            writeln!(ctx.out, "stopped again: conflicted: {}", conflicted.join(" "))?;
            writeln!(ctx.out, "next:")?;
            for n in &next {
                writeln!(ctx.out, "  {n}")?;
            }
            return Ok(ExitStatus::Conflict);
        }
        Resumed::Finished { branch, onto, changed } => writeln!(
            ctx.out,
            "branch {branch} rebased onto {onto:.12}; series re-exported ({} file(s) changed in {})",
            changed.len(),
            root.display()
        )?,
    }
    Ok(ExitStatus::Success)
}
