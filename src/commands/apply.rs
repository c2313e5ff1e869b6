//! `dsock apply [--onto REV] [--branch NAME] [--force] [--dry-run]`: build the series as
//! commits on a branch of the Emscripten checkout ([`dsock_core::build`] does the work:
//! private index, deterministic commits, safe branch update).

use std::io::Write as _;

use dsock_core::build::materialize_with;
use dsock_core::export::DEFAULT_BRANCH;

use crate::config;
use crate::context::CommandContext;
use crate::error::{CommandResult, DoesNotApply};
use crate::exit::ExitStatus;
use crate::series::Series;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Build the series on this commit instead of the recorded base (3-way merge per commit;
    /// on conflict nothing is written, run `dsock rebase --onto REV`).
    #[arg(long, value_name = "REV")]
    pub onto: Option<String>,
    /// Branch of the checkout to (re)write.
    #[arg(long, default_value = DEFAULT_BRANCH)]
    pub branch: String,
    /// Replace the branch even if it has commits the series does not record
    /// (the old tip is kept as `refs/dsock/backup/<branch>`).
    #[arg(long)]
    pub force: bool,
    /// Build the commits and run every check, print what would happen, move nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    let root = ctx.repo_root()?;
    let series = Series::load(&root)?;
    let checkout = config::resolve_checkout(&ctx.global)?;
    let git = &checkout.git;
    // A broken series is a finding (exit 1), reported on stdout with what was (not) written.
    let m = match materialize_with(git, &series, &root, args.onto.as_deref(), &args.branch, args.force, args.dry_run) {
        Ok(m) => m,
        Err(e) => match e.does_not_apply() {
            Some(DoesNotApply::ToBase { base, failure }) => {
                writeln!(ctx.out, "the series does not apply to its base {base:.12}:")?;
                writeln!(ctx.out, "  {failure}")?;
                writeln!(ctx.out, "nothing was written; fix the patch or re-export with `dsock export`")?;
                return Ok(ExitStatus::Failure);
            }
            Some(onto) => {
                writeln!(ctx.out, "{onto}")?;
                writeln!(ctx.out, "hint: {}", onto.hint())?;
                writeln!(ctx.out, "nothing was written")?;
                return Ok(ExitStatus::Failure);
            }
            None => return Err(e),
        },
    };
    for (i, c) in m.commits.iter().enumerate() {
        writeln!(ctx.out, "  {:>2}. {:.12} {}", i + 1, c.sha, c.subject)?;
    }
    let u = &m.update;
    let (create, mv) = if args.dry_run { ("would create", "would move") } else { ("created", "moved") };
    let what = match (&u.previous, u.previous.as_deref() == Some(u.new.as_str())) {
        (_, true) => format!("branch {} already at {:.12}; nothing to do", u.branch, u.new),
        (None, _) => format!("{create} branch {} at {:.12}", u.branch, u.new),
        (Some(p), _) => format!("{mv} branch {} from {:.12} to {:.12}", u.branch, p, u.new),
    };
    writeln!(
        ctx.out,
        "{what} ({} commit(s) on {:.12}) in {}",
        m.commits.len(),
        m.onto,
        checkout.path.display()
    )?;
    let moved = u.previous.as_deref() != Some(u.new.as_str());
    if let Some(b) = &u.backup {
        let keep = if args.dry_run { "would be kept" } else { "kept" };
        writeln!(ctx.out, "previous tip {keep} as {b}")?;
    }
    if let (Some(w), true) = (&u.worktree, moved) {
        let verb = if args.dry_run { "would update (git reset --keep)" } else { "updated" };
        writeln!(ctx.out, "{verb} the work tree {w} (it has {} checked out)", u.branch)?;
    }
    if args.dry_run {
        writeln!(ctx.out, "dry run: no ref or work tree changed")?;
    }
    Ok(ExitStatus::Success)
}

