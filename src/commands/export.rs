//! `dsock export [--branch NAME] [--base REV] [--check]`: read the branch's commits back
//! into `patch-series/` and `emscripten/` ([`dsock_core::export`] plans and writes), or
//! with `--check` show what a re-export would change.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use dsock_core::export::{export_branch, RepoChange, DEFAULT_BRANCH};

use crate::config;
use crate::context::CommandContext;
use crate::error::CommandResult;
use crate::exit::ExitStatus;
use crate::git::Git;
use crate::series::Series;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Branch of the Emscripten checkout to read.
    #[arg(long, default_value = DEFAULT_BRANCH)]
    pub branch: String,
    /// The upstream commit the branch is based on; default: the newest of the recorded
    /// base and the branch's merge-bases with `origin/main` and `main`.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Write nothing; exit 1 and show what would change if anything would (for CI).
    #[arg(long)]
    pub check: bool,
}

/// The dsock repo root for an export: `--repo`, else the nearest ancestor holding a
/// series, else (first export) the git top level of the current directory.
pub fn export_root(ctx: &CommandContext) -> CommandResult<(PathBuf, bool)> {
    match ctx.repo_root() {
        Ok(root) => {
            let exists = Series::manifest_path(&root).is_file();
            Ok((root, exists))
        }
        Err(e) => {
            let cwd = std::env::current_dir()?;
            let top = Git::open(&cwd).and_then(|g| g.run(["rev-parse", "--show-toplevel"])).map_err(|_| e)?;
            Ok((PathBuf::from(top), false))
        }
    }
}

/// A short unified diff of on-disk `have` vs exported `want` (first 60 lines).
fn print_diff(ctx: &mut CommandContext, path: &Path, have: &[u8], want: &[u8]) -> CommandResult<()> {
    let (a, b) = (String::from_utf8_lossy(have), String::from_utf8_lossy(want));
    let diff = similar::TextDiff::from_lines(a.as_ref(), b.as_ref());
    let name = path.display().to_string();
    let text = diff.unified_diff().context_radius(2).header(&format!("a/{name}"), &format!("b/{name}")).to_string();
    let lines: Vec<&str> = text.lines().collect();
    for l in lines.iter().take(60) {
        writeln!(ctx.out, "    {l}")?;
    }
    if lines.len() > 60 {
        writeln!(ctx.out, "    … ({} more diff lines)", lines.len() - 60)?;
    }
    Ok(())
}


pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    let checkout = config::resolve_checkout(&ctx.global)?;
    let (root, existed) = export_root(ctx)?;
    if !existed && !args.check {
        writeln!(ctx.out, "no series yet: creating {}", Series::manifest_path(&root).display())?;
    }
    let changes = export_and_print(ctx, &checkout.git, &root, &args.branch, args.base.as_deref(), args.check)?;
    let series = Series::load(&root).ok();
    let n = series.as_ref().map(|s| s.commits.len());
    if args.check {
        if changes.is_empty() {
            writeln!(ctx.out, "export --check: patch-series/ and emscripten/ match branch {}", args.branch)?;
            Ok(ExitStatus::Success)
        } else {
            writeln!(
                ctx.out,
                "export --check: {} file(s) would change; run `dsock export --branch {}` and commit the result",
                changes.len(),
                args.branch
            )?;
            Ok(ExitStatus::Failure)
        }
    } else {
        let base = series.as_ref().map(|s| s.upstream.base.clone()).unwrap_or_default();
        writeln!(
            ctx.out,
            "exported {} commit(s) of {} (base {:.12}): {} file(s) changed",
            n.unwrap_or(0),
            args.branch,
            base,
            changes.len()
        )?;
        Ok(ExitStatus::Success)
    }
}


/// Export `branch` (or with `check` compare) and print each changed file, with a short
/// diff of what `--check` would change; warnings go to stderr. Returns the changes.
fn export_and_print(
    ctx: &mut CommandContext,
    git: &Git,
    repo_root: &Path,
    branch: &str,
    base: Option<&str>,
    check: bool,
) -> CommandResult<Vec<RepoChange>> {
    let exported = export_branch(git, repo_root, branch, base, check)?;
    for w in &exported.warnings {
        writeln!(ctx.err, "warning: {w}")?;
    }
    for c in &exported.changes {
        writeln!(ctx.out, "{:<8} {}", c.letter(), c.path().display())?;
        if check {
            if let (RepoChange::Modify(p), Some(want)) = (c, exported.plan.files.get(c.path())) {
                let have = std::fs::read(repo_root.join(p)).unwrap_or_default();
                print_diff(ctx, p, &have, &want.bytes)?;
            }
        }
    }
    Ok(exported.changes)
}
