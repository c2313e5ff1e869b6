//! `dsock diff`: review-ready diffs of the series, and range-diffs between versions.
//!
//! - default: diffstat, then the combined diff base..tip (`git apply` accepts it on the base);
//! - `--per-commit`: one `format-patch` mail per commit (an mbox `git am` accepts);
//! - `--commit ID`: that commit's mail (or its diffstat with `--stat`);
//! - `--stat`: diffstat only;
//! - `--word`: changed words highlighted inside changed lines (for reading);
//! - `--range v1..v2` / `--since-sent`: range-diff between sent versions or the last
//!   sent version and the working series (see `review::range_diff`).
//!
//! Colors follow the global `--color auto|always|never`.

use crate::context::CommandContext;
use crate::error::{CommandError, CommandResult};
use crate::exit::ExitStatus;
use crate::review::color::{render_diff, Style};
use crate::review::current::{self, Current};
use crate::review::materialize;
use crate::review::range_diff::range_diff;
use crate::review::versions;
use crate::config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this commit: a 1-based position, a stable id, or a unique id prefix.
    #[arg(long, value_name = "ID", conflicts_with = "per_commit")]
    pub commit: Option<String>,
    /// One `git format-patch` mail per commit (an mbox for `git am`) instead of the combined diff.
    #[arg(long)]
    pub per_commit: bool,
    /// Print only the diffstat (per commit with --per-commit).
    #[arg(long)]
    pub stat: bool,
    /// Highlight changed words inside changed lines (`[-old-]{+new+}` without color);
    /// for reading, not for `git apply`.
    #[arg(long)]
    pub word: bool,
    /// Range-diff between recorded versions: `v1..v2`, or `v1..` for v1 against the
    /// working series.
    #[arg(long, value_name = "vA..vB", conflicts_with_all = ["commit", "per_commit", "since_sent"])]
    pub range: Option<String>,
    /// Range-diff between the last sent version and the working series.
    #[arg(long, conflicts_with_all = ["commit", "per_commit"])]
    pub since_sent: bool,
    /// With --range/--since-sent: only the one-line-per-commit pairing, no inner diffs.
    #[arg(long)]
    pub headers_only: bool,
}

pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    let style = ctx.global.color.style();
    if args.range.is_some() || args.since_sent {
        return run_range(ctx, args, style);
    }
    let cur = super::load_current(ctx)?;
    let git = &cur.git;
    let text = if let Some(sel) = &args.commit {
        let i = current::select_commit(&cur.commits, sel)?;
        let sha = &cur.materialized.shas[i];
        if args.stat {
            materialize::diffstat(git, &format!("{sha}^"), sha)?
        } else {
            materialize::mbox(git, std::slice::from_ref(sha))?
        }
    } else if args.per_commit {
        if args.stat {
            let mut out = String::new();
            for (i, (c, sha)) in cur.commits.iter().zip(&cur.materialized.shas).enumerate() {
                out.push_str(&format!("{}/{} {} {}\n", i + 1, cur.commits.len(), c.short_id(), c.subject));
                out.push_str(&materialize::diffstat(git, &format!("{sha}^"), sha)?);
                out.push('\n');
            }
            out
        } else {
            materialize::mbox(git, &cur.materialized.shas)?
        }
    } else {
        combined(&cur, args.stat)?
    };
    let text = if args.stat { text } else { render_diff(&text, style, args.word) };
    ctx.out.write_all(text.as_bytes())?;
    Ok(ExitStatus::Success)
}

/// Diffstat, blank line, combined diff (or the diffstat alone).
fn combined(cur: &Current, stat_only: bool) -> CommandResult<String> {
    let git = &cur.git;
    let (base, tip) = (&cur.materialized.base, cur.materialized.tip());
    let mut out = materialize::diffstat(git, base, tip)?;
    if !stat_only {
        out.push('\n');
        out.push_str(&materialize::combined_diff(git, base, tip)?);
    }
    Ok(out)
}

fn run_range(ctx: &mut CommandContext, args: &Args, style: Style) -> CommandResult {
    let repo_root = ctx.repo_root()?;
    let (old, new_n) = match &args.range {
        Some(r) => {
            let (a, b) = current::parse_range(r)?;
            (versions::load(&repo_root, a)?, b)
        }
        None => (current::last_sent(&repo_root)?, None),
    };
    // The newer side: a recorded version, or the working series (needs the checkout).
    let (new_name, new_base, new_commits, checkout) = match new_n {
        Some(b) => {
            let v = versions::load(&repo_root, b)?;
            let checkout = config::resolve_checkout(&ctx.global).ok().map(|c| c.git);
            (v.name(), v.base, v.commits, checkout)
        }
        None => {
            let cur = super::load_current(ctx)?;
            ("working series".to_string(), cur.materialized.base.to_string(), cur.commits, Some(cur.git))
        }
    };
    if new_n == Some(old.version) {
        return Err(CommandError::usage(format!("--range compares {} with itself", old.name()))
            .with_hint("pass two different versions, e.g. `--range v1..v2`"));
    }
    let upstream = current::upstream_for(checkout.as_ref(), &old.base, &new_base);
    let rd = range_diff(&old.commits, &new_commits, &upstream);
    let mut out = format!(
        "range-diff {}..{} (base {} → {})\n",
        old.name(),
        new_name,
        &old.base[..12.min(old.base.len())],
        &new_base[..12.min(new_base.len())]
    );
    out.push_str(&if args.headers_only { rd.render_headers(style) } else { rd.render(style) });
    out.push_str(&format!("{}\n", rd.summary().line()));
    ctx.out.write_all(out.as_bytes())?;
    Ok(ExitStatus::Success)
}
