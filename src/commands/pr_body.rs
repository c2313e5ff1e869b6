//! `dsock pr-body`: the pull-request description as markdown, from the series,
//! `patch-series/review.toml`, the recorded versions and the latest test results.
//! Deterministic: the same inputs give the same bytes.

use std::path::PathBuf;

use crate::context::CommandContext;
use crate::error::{CommandError, CommandResult};
use crate::exit::ExitStatus;
use crate::review::current;
use crate::review::materialize;
use crate::review::pr_body::{render, PrBodyInput, SinceSent};
use crate::review::range_diff::range_diff;
use crate::review::review_points::ReviewFile;
use crate::review::test_results;
use crate::review::versions::{self, SentVersion};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The `dsock test` results to show, dsock JSON or JUnit XML (default:
    /// target/dsock/test-results.json in the dsock repo; the section is left out
    /// when that file does not exist).
    #[arg(long, value_name = "PATH")]
    pub test_results: Option<PathBuf>,
    /// Write the markdown to this file instead of stdout.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    let cur = super::load_current(ctx)?;
    let review = ReviewFile::load(&cur.repo_root)?;
    let results_path =
        args.test_results.clone().unwrap_or_else(|| cur.repo_root.join(test_results::DEFAULT_PATH));
    let tests = test_results::load(&results_path)?;
    if args.test_results.is_some() && tests.is_none() {
        return Err(CommandError::usage(format!("{} does not exist", results_path.display()))
            .with_hint("run `dsock test` first, or drop --test-results"));
    }
    let git = &cur.git;
    let diffstat = materialize::diffstat(git, &cur.materialized.base, cur.materialized.tip())?;

    // Which two versions "changes since the last version" compares: the last sent
    // version against the working series, or — when the working series *is* the last
    // sent version — the one before it against it.
    let ns = versions::list(&cur.repo_root)?;
    let mut older: Option<SentVersion> = None;
    let mut newer: Option<SentVersion> = None;
    if let Some(&last) = ns.last() {
        let last_v = versions::load(&cur.repo_root, last)?;
        if last_v.same_series(&cur.materialized.base, &cur.commits) {
            if ns.len() >= 2 {
                older = Some(versions::load(&cur.repo_root, ns[ns.len() - 2])?);
                newer = Some(last_v);
            }
        } else {
            older = Some(last_v);
        }
    }
    let (new_name, new_base, new_commits) = match &newer {
        Some(v) => (v.name(), v.base.clone(), v.commits.as_slice()),
        None => ("this version".to_string(), cur.materialized.base.to_string(), cur.commits.as_slice()),
    };
    let upstream = match &older {
        Some(o) => current::upstream_for(Some(&cur.git), &o.base, &new_base),
        None => Vec::new(),
    };
    let since_sent = older.as_ref().map(|o| SinceSent {
        from: o.name(),
        to: new_name.clone(),
        range_diff: range_diff(&o.commits, new_commits, &upstream),
    });

    let input = PrBodyInput {
        review: &review,
        upstream_url: &cur.series.upstream.url,
        upstream_branch: &cur.series.upstream.branch,
        base: &cur.materialized.base,
        commits: &cur.commits,
        tests: tests.as_ref(),
        since_sent,
        diffstat: &diffstat,
    };
    let md = render(&input).map_err(|e| {
        CommandError::usage(format!("{}: {e}", ReviewFile::path(&cur.repo_root).display()))
            .with_hint("fix the point's `commit` (stable ids are in patch-series/series.toml)")
    })?;
    match &args.output {
        Some(path) => {
            fs_err::write(path, &md)?;
            writeln!(ctx.err, "wrote {}", path.display())?;
        }
        None => ctx.out.write_all(md.as_bytes())?,
    }
    Ok(ExitStatus::Success)
}
