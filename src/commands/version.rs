//! `dsock version tag|list`: record the series as sent (v1, v2, …) and list the
//! recorded versions. Versions live in `patch-series/versions/v<N>.toml`
//! (see `review::versions`); they are what `dsock diff --range` and
//! `dsock pr-body` compare against.

use crate::context::CommandContext;
use crate::error::{CommandError, CommandResult};
use crate::exit::ExitStatus;
use crate::review::range_diff::range_diff;
use crate::review::versions::{self, SentVersion};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Record the working series as the next sent version (v1, v2, …).
    Tag(TagArgs),
    /// List the recorded versions with what changed between consecutive ones.
    List,
}

#[derive(Debug, clap::Args)]
pub struct TagArgs {
    /// A note stored with the version (e.g. where it was sent: "PR #27800").
    #[arg(short = 'm', long, value_name = "TEXT", default_value = "")]
    pub message: String,
    /// Tag even when the series is identical to the last recorded version.
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    match &args.action {
        Action::Tag(t) => tag(ctx, t),
        Action::List => list(ctx),
    }
}

fn tag(ctx: &mut CommandContext, args: &TagArgs) -> CommandResult {
    let cur = super::load_current(ctx)?;
    let existing = versions::list(&cur.repo_root)?;
    let next = existing.last().copied().unwrap_or(0) + 1;
    if let Some(&last) = existing.last() {
        let prev = versions::load(&cur.repo_root, last)?;
        if !args.force && prev.same_series(&cur.materialized.base, &cur.commits) {
            return Err(CommandError::usage(format!(
                "the working series is identical to {} (same base, messages and patch-ids)",
                prev.name()
            ))
            .with_hint("change the series first, or pass --force to record it again"));
        }
    }
    let v = SentVersion {
        version: next,
        base: cur.materialized.base.to_string(),
        note: args.message.clone(),
        commits: cur.commits.clone(),
    };
    let path = versions::store(&cur.repo_root, &v)?;
    let rel = path.strip_prefix(&cur.repo_root).unwrap_or(&path);
    writeln!(
        ctx.out,
        "recorded {} ({} commits on {}) in {}",
        v.name(),
        v.commits.len(),
        &v.base[..12],
        rel.display()
    )?;
    writeln!(ctx.out, "next: commit it (`git add {} && git commit`), then `dsock pr-body`", rel.display())?;
    Ok(ExitStatus::Success)
}

fn list(ctx: &mut CommandContext) -> CommandResult {
    let repo_root = ctx.repo_root()?;
    let ns = versions::list(&repo_root)?;
    if ns.is_empty() {
        writeln!(ctx.out, "no versions recorded; `dsock version tag` records v1")?;
        return Ok(ExitStatus::Success);
    }
    let mut prev: Option<SentVersion> = None;
    for n in ns {
        let v = versions::load(&repo_root, n)?;
        let mut line = format!("{:<4} base {}  {:>3} commits", v.name(), &v.base[..12], v.commits.len());
        if let Some(p) = &prev {
            let rd = range_diff(&p.commits, &v.commits, &[]);
            line.push_str(&format!("  since {}: {}", p.name(), rd.summary().line()));
        }
        if !v.note.is_empty() {
            line.push_str(&format!("  ({})", v.note));
        }
        writeln!(ctx.out, "{line}")?;
        prev = Some(v);
    }
    Ok(ExitStatus::Success)
}
