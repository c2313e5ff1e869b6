//! `dsock rebase [--onto REV] [--branch NAME] [--dry-run] [--format json]`: move the
//! series onto a new upstream base, reporting per commit.
//!
//! The series is built on its recorded base ([`super::apply::build`]), then each commit
//! is replayed onto the new base with an in-memory 3-way merge
//! (`git merge-tree --write-tree --merge-base=<old parent> <new parent> <commit>`):
//! - **already upstream**: its `git patch-id --stable` equals one of `BASE..ONTO`'s
//!   commits, or the merge leaves the new parent unchanged; it is dropped;
//! - **clean**: a new commit (same author and message, dated at ONTO's committer date);
//! - **conflict**: the conflicted files, git's messages, and the conflicting hunks
//!   (the `<<<<<<<`…`>>>>>>>` regions of the merge result). Commits after a conflict are
//!   still analysed, on top of the conflicted result, and marked `after_conflict`.
//!
//! On success the branch is updated and the series re-exported with the new base.
//! On conflict the checkout is left in an ordinary `git am -3` session on the branch
//! (the clean prefix committed, the first conflicting patch applied with conflict
//! markers), the next commands are printed, and the exit status is 3.
//! `--dry-run` only reports (exit 3 if a real run would stop). Dirty checkouts are refused.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::config;
use crate::context::CommandContext;
use crate::error::{CommandError, CommandResult, DoesNotApply};
use crate::exit::ExitStatus;
use crate::git::{Git, Ident};
use crate::series::Series;

use super::apply::{self, BuiltCommit};
use super::export::DEFAULT_BRANCH;

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

/// One conflicting region of a merged file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hunk {
    /// 1-based line of the `<<<<<<<` marker in the merged file.
    pub line: usize,
    /// The region, markers included.
    pub text: String,
}

/// One conflicted file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictFile {
    pub path: String,
    /// Index stages present: 1 base, 2 new upstream, 3 the series commit.
    pub stages: Vec<u8>,
    pub hunks: Vec<Hunk>,
    /// git's messages about this file (e.g. `CONFLICT (modify/delete): …`).
    pub messages: Vec<String>,
}

/// What happened to one series commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Outcome {
    Clean,
    Conflict { files: Vec<ConflictFile> },
    /// The change is already in the new base: `upstream_commit` is the upstream commit
    /// with the same patch id, or `None` when the merge simply changed nothing.
    AlreadyUpstream { upstream_commit: Option<String>, upstream_subject: Option<String> },
}

impl Outcome {
    pub fn is_conflict(&self) -> bool {
        matches!(self, Outcome::Conflict { .. })
    }
    pub fn conflicted_paths(&self) -> Vec<String> {
        match self {
            Outcome::Conflict { files } => files.iter().map(|f| f.path.clone()).collect(),
            _ => Vec::new(),
        }
    }
}

/// The report for one series commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitReport {
    /// 1-based position in the series.
    pub index: usize,
    pub id: String,
    pub subject: String,
    /// The commit built on the old base.
    pub old_sha: String,
    /// The commit on the new base (clean commits before any conflict only).
    pub new_sha: Option<String>,
    /// Analysed on top of an earlier conflicted result (its outcome may change once
    /// that conflict is resolved).
    pub after_conflict: bool,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The whole replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replay {
    pub base: String,
    pub onto: String,
    /// Commits in `base..onto`.
    pub upstream_commits: usize,
    pub commits: Vec<CommitReport>,
    /// The new tip when every commit is clean or already upstream.
    pub tip: Option<String>,
}

impl Replay {
    pub fn has_conflict(&self) -> bool {
        self.commits.iter().any(|c| c.outcome.is_conflict())
    }
    pub fn first_conflict(&self) -> Option<&CommitReport> {
        self.commits.iter().find(|c| c.outcome.is_conflict())
    }
}

/// Replay `built` (the series built on `base`) onto `onto`, in memory; writes only
/// objects (merged trees, new commits), never refs, index or work tree.
pub fn replay(git: &Git, _series: &Series, built: &[BuiltCommit], base: &str, onto: &str) -> CommandResult<Replay> {
    let upstream: HashMap<String, String> = git.patch_ids_in_range(base, onto)?.into_iter().collect();
    let upstream_commits = git.count(base, onto)?;
    let date = git.committer_date(onto)?;
    let mut parent_commit = Some(onto.to_string());
    let mut parent_tree = git.tree_of(onto)?;
    let mut old_parent = base.to_string();
    let mut reports = Vec::new();
    let mut conflicted = false;
    for (i, c) in built.iter().enumerate() {
        let mut report = CommitReport {
            index: i + 1,
            id: c.id.clone(),
            subject: c.subject.clone(),
            old_sha: c.sha.clone(),
            new_sha: None,
            after_conflict: conflicted,
            outcome: Outcome::Clean,
        };
        let pid = git.commit_patch_id(&c.sha)?;
        if let Some(up) = pid.as_ref().and_then(|p| upstream.get(p)) {
            let subject = git.run(["show", "-s", "--format=%s", up]).ok();
            report.outcome = Outcome::AlreadyUpstream { upstream_commit: Some(up.clone()), upstream_subject: subject };
            old_parent = c.sha.clone();
            reports.push(report);
            continue;
        }
        let merge = git.merge_tree(&old_parent, &parent_tree, &c.sha)?;
        old_parent = c.sha.clone();
        if merge.is_clean() {
            if merge.tree == parent_tree {
                report.outcome = Outcome::AlreadyUpstream { upstream_commit: None, upstream_subject: None };
            } else {
                if let Some(p) = &parent_commit {
                    let info = git.commit_info(&c.sha)?;
                    let ident = Ident::parse(&info.author, &date)?;
                    let new = git.commit_tree(&merge.tree, &[p], &info.message, &ident)?;
                    report.new_sha = Some(new.clone());
                    parent_commit = Some(new);
                }
                parent_tree = merge.tree.clone();
            }
        } else {
            let mut files = Vec::new();
            for cp in &merge.conflicts {
                let blob = git.read_blob(&merge.tree, &cp.path)?.unwrap_or_default();
                let messages = merge
                    .messages
                    .iter()
                    .filter(|m| m.contains(&cp.path) && m.starts_with("CONFLICT"))
                    .cloned()
                    .collect();
                files.push(ConflictFile {
                    path: cp.path.clone(),
                    stages: cp.stages.clone(),
                    hunks: conflict_hunks(&String::from_utf8_lossy(&blob))
                        .into_iter()
                        .map(|h| Hunk { line: h.line, text: relabel(&h.text, &parent_tree, &c.sha, &c.subject) })
                        .collect(),
                    messages,
                });
            }
            report.outcome = Outcome::Conflict { files };
            conflicted = true;
            parent_commit = None;
            parent_tree = merge.tree.clone();
        }
        reports.push(report);
    }
    let tip = if conflicted { None } else { parent_commit };
    Ok(Replay { base: base.into(), onto: onto.into(), upstream_commits, commits: reports, tip })
}

/// Replace merge-tree's object-id marker labels with words: `<<<<<<< new base` and
/// `>>>>>>> <series commit subject>` (as `git am` labels them, minus the ids).
fn relabel(text: &str, ours: &str, theirs: &str, subject: &str) -> String {
    text.lines()
        .map(|l| {
            if l == format!("<<<<<<< {ours}") {
                "<<<<<<< new base".to_string()
            } else if l == format!(">>>>>>> {theirs}") {
                format!(">>>>>>> {subject}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `<<<<<<<` … `>>>>>>>` regions of a merged file, with their 1-based start lines.
pub fn conflict_hunks(text: &str) -> Vec<Hunk> {
    let mut hunks = Vec::new();
    let mut current: Option<(usize, Vec<&str>)> = None;
    for (n, line) in text.lines().enumerate() {
        if current.is_none() && line.starts_with("<<<<<<< ") {
            current = Some((n + 1, vec![line]));
        } else if let Some((start, mut lines)) = current.take() {
            lines.push(line);
            if line.starts_with(">>>>>>> ") {
                hunks.push(Hunk { line: start, text: lines.join("\n") });
            } else {
                current = Some((start, lines));
            }
        }
    }
    hunks
}

/// The default new base: `origin/<branch>` if the checkout has it, else `<branch>`.
pub fn default_onto(git: &Git, upstream_branch: &str) -> CommandResult<(String, String)> {
    for r in [format!("refs/remotes/origin/{upstream_branch}"), format!("refs/heads/{upstream_branch}")] {
        if let Some(sha) = git.try_rev_parse(&format!("{r}^{{commit}}")) {
            let name = r.trim_start_matches("refs/remotes/").trim_start_matches("refs/heads/").to_string();
            return Ok((name, sha));
        }
    }
    Err(CommandError::usage(format!("the checkout has neither origin/{upstream_branch} nor {upstream_branch}"))
        .with_hint("pass the new base explicitly: `dsock rebase --onto REV`"))
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
    let built = match apply::build(&git, &series, &root) {
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
        apply::update_branch(&git, &series, &root, &args.branch, tip, args.force, &reason)?;
        let changed_files = export_quietly(ctx, &git, &root, &args.branch, &onto)?;
        RebaseResult::Rebased { tip: tip.clone(), changed_files }
    } else {
        stop_in_am(ctx, &checkout, &series, &root, args, &replay, &onto)?
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
            writeln!(ctx.out, "(commits before it are rebased; the old tip is kept as {})", apply::backup_ref(&args.branch))?;
            writeln!(ctx.out, "conflicted: {}", first.outcome.conflicted_paths().join(" "))?;
            writeln!(ctx.out, "next:")?;
            for n in next {
                writeln!(ctx.out, "  {n}")?;
            }
        }
    }
    Ok(status)
}

/// What `dsock rebase` did (the `result` field of `--format json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RebaseResult {
    /// `--dry-run`: nothing written.
    DryRun,
    /// Already on the new base.
    UpToDate,
    /// Every commit clean or already upstream: branch moved, series re-exported.
    Rebased { tip: String, changed_files: Vec<String> },
    /// dsock saw a conflict but `git am -3` merged it by itself; finished like `Rebased`.
    ResolvedByAm { changed_files: Vec<String> },
    /// Stopped in a `git am -3` session; `next` are the commands to run, in order.
    Stopped { commit_index: usize, subject: String, worktree: String, next: Vec<String> },
}

/// File (in `<git dir>/dsock-rebase/`) recording a rebase that stopped in `git am`.
pub const STATE_FILE: &str = "state.toml";

/// What a stopped `dsock rebase` left behind, for `status` and the next `rebase`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StoppedRebase {
    pub branch: String,
    /// The new base (full sha).
    pub onto: String,
    /// The commands printed when it stopped.
    pub next: Vec<String>,
}

impl StoppedRebase {
    /// The state of a stopped rebase in the work tree `git`, if its `git am` is still running.
    pub fn load(git: &Git) -> Option<StoppedRebase> {
        let dir = git.git_dir().ok()?;
        if !dir.join("rebase-apply").exists() {
            return None;
        }
        StoppedRebase::read(&dir.join("dsock-rebase"))
    }

    /// The state file in `state_dir` (`<git dir>/dsock-rebase`), whether or not `git am`
    /// is still running (`--continue` after a hand-run `git am --continue`).
    fn read(state_dir: &Path) -> Option<StoppedRebase> {
        let text = fs_err::read_to_string(state_dir.join(STATE_FILE)).ok()?;
        toml::from_str(&text).ok()
    }
}

/// The commands that finish (or abandon) a rebase stopped in `git am` in `wt_path`.
/// The plain-git route is spelled out too: `dsock rebase --continue` only saves typing.
fn resume_commands(wt_path: &Path, conflicted: &[String], root: &Path, checkout: &Path, branch: &str, onto: &str) -> Vec<String> {
    let dsock = format!("dsock --repo {} --emscripten {}", root.display(), checkout.display());
    vec![
        format!("cd {}", wt_path.display()),
        format!("# resolve the conflict markers in: {}", conflicted.join(" ")),
        format!("git add {}", conflicted.join(" ")),
        format!("{dsock} rebase --continue --branch {branch}      # = git am --continue, then the export below"),
        format!("#   or by hand: git am --continue (repeat for each later stop), then {dsock} export --branch {branch} --base {onto}"),
        format!("#   to give up: {dsock} rebase --abort --branch {branch}"),
    ]
}

/// `--continue` / `--abort` of a rebase that stopped in `git am`.
///
/// Errors (Usage) when no stopped rebase of `--branch` is recorded; (Environment) when
/// `--continue` finds unresolved files (hint: resolve and `git add`).
fn resume(ctx: &mut CommandContext, checkout: &config::Checkout, root: &Path, args: &Args) -> CommandResult {
    let git = &checkout.git;
    let wt_path = match git.worktree_of_branch(&args.branch)? {
        Some(p) => p,
        None => std::path::PathBuf::from(git.run(["rev-parse", "--show-toplevel"])?),
    };
    let wg = Git::open(&wt_path)?;
    let dir = wg.git_dir()?.join("dsock-rebase");
    let state = match StoppedRebase::read(&dir) {
        Some(st) => st,
        None => {
            return Err(CommandError::usage(format!(
                "no stopped `dsock rebase` of branch {} in {}",
                args.branch,
                wt_path.display()
            ))
            .with_hint("start one with `dsock rebase` (`dsock status` shows where the series stands)"))
        }
    };
    let in_am = wg.operation_in_progress()? == Some("am");
    if args.abort {
        if in_am {
            wg.run(["am", "--abort"])?;
        }
        let backup = apply::backup_ref(&state.branch);
        let restored = match git.try_rev_parse(&format!("{backup}^{{commit}}")) {
            Some(old) => {
                wg.run(["reset", "--quiet", "--keep", &old])?;
                Some(old)
            }
            None => None,
        };
        fs_err::remove_dir_all(&dir)?;
        match restored {
            Some(old) => writeln!(ctx.out, "rebase aborted: branch {} is back at {old:.12} (from {backup}); the series is unchanged", state.branch)?,
            None => writeln!(ctx.out, "rebase aborted: `git am` session ended; no backup ref to restore, branch {} left as is", state.branch)?,
        }
        return Ok(ExitStatus::Success);
    }
    if in_am {
        let unmerged = wg.run(["diff", "--name-only", "--diff-filter=U"])?;
        if !unmerged.is_empty() {
            let files: Vec<&str> = unmerged.lines().collect();
            return Err(CommandError::environment(format!(
                "{} still has unresolved conflicts: {}",
                wt_path.display(),
                files.join(" ")
            ))
            .with_hint(format!("edit them, `git -C {} add {}`, then `dsock rebase --continue` again", wt_path.display(), files.join(" "))));
        }
        // Keep committing as the session did so far.
        let am = with_committer(&wg, || {
            let who = wg.run(["log", "-1", "--format=%cn%x00%ce", "HEAD"])?;
            Ok(who.split_once('\0').map(|(n, e)| (n.to_string(), e.to_string())))
        })?;
        let out = am.output(["am", "--continue"])?;
        if !out.status.success() {
            if wg.operation_in_progress()? != Some("am") {
                return Err(wg.failure(&["am".into(), "--continue".into()], &out));
            }
            // The next patch stopped too: same way out as before.
            let conflicted: Vec<String> = wg.run(["diff", "--name-only", "--diff-filter=U"])?.lines().map(str::to_string).collect();
            let next = resume_commands(&wt_path, &conflicted, root, &checkout.path, &state.branch, &state.onto);
            let st = StoppedRebase { next: next.clone(), ..state };
            fs_err::write(dir.join(STATE_FILE), toml::to_string_pretty(&st).expect("state serializes"))?;
            writeln!(ctx.out, "{}", String::from_utf8_lossy(&out.stdout).trim_end())?;
            writeln!(ctx.out, "stopped again: conflicted: {}", conflicted.join(" "))?;
            writeln!(ctx.out, "next:")?;
            for n in &next {
                writeln!(ctx.out, "  {n}")?;
            }
            return Ok(ExitStatus::Conflict);
        }
    }
    let changed = export_quietly(ctx, git, root, &state.branch, &state.onto)?;
    fs_err::remove_dir_all(&dir)?;
    writeln!(
        ctx.out,
        "branch {} rebased onto {:.12}; series re-exported ({} file(s) changed in {})",
        state.branch,
        state.onto,
        changed.len(),
        root.display()
    )?;
    Ok(ExitStatus::Success)
}

/// Re-export `branch` with base `onto`, without printing the per-file lines.
fn export_quietly(ctx: &mut CommandContext, git: &Git, root: &Path, branch: &str, onto: &str) -> CommandResult<Vec<String>> {
    let mut sink: Box<dyn std::io::Write> = Box::new(std::io::sink());
    std::mem::swap(&mut ctx.out, &mut sink);
    let exported = super::export::export_branch(ctx, git, root, branch, Some(onto), false);
    std::mem::swap(&mut ctx.out, &mut sink);
    Ok(exported?.iter().map(|c| c.path().display().to_string()).collect())
}

/// Refuse a checkout with uncommitted tracked changes or a git operation in progress.
fn refuse_dirty(git: &Git) -> CommandResult<()> {
    if let Some(stopped) = StoppedRebase::load(git) {
        return Err(CommandError::environment(format!(
            "an earlier `dsock rebase` onto {:.12} stopped in a `git am` session in {}",
            stopped.onto,
            git.dir().display()
        ))
        .with_hint(format!("finish it first:\n  {}", stopped.next.join("\n  "))));
    }
    if let Some(op) = git.operation_in_progress()? {
        return Err(CommandError::environment(format!(
            "a `git {op}` is in progress in {}",
            git.dir().display()
        ))
        .with_hint(format!(
            "finish it (`git -C {0} am --continue` / `rebase --continue`) or abort it (`--abort`), then run `dsock rebase` again",
            git.dir().display()
        )));
    }
    let dirty = git.dirty_files()?;
    if !dirty.is_empty() {
        return Err(CommandError::environment(format!(
            "the checkout {} has uncommitted changes ({} file(s), e.g. `{}`); refusing to rebase",
            git.dir().display(),
            dirty.len(),
            dirty[0].trim()
        ))
        .with_hint(format!("commit or stash them (`git -C {} stash`), then run `dsock rebase` again", git.dir().display())));
    }
    Ok(())
}

/// `wg` itself when git has a committer identity; otherwise a copy whose commands commit
/// as `fallback()`'s `(name, email)` (when it gives one), so `git am` does not stop for
/// want of an identity on a machine that never configured one.
fn with_committer(wg: &Git, fallback: impl FnOnce() -> CommandResult<Option<(String, String)>>) -> CommandResult<Git> {
    if wg.output(["var", "GIT_COMMITTER_IDENT"]).is_ok_and(|o| o.status.success()) {
        return Ok(wg.clone());
    }
    Ok(match fallback()? {
        Some((name, email)) => wg.with_env("GIT_COMMITTER_NAME", name).with_env("GIT_COMMITTER_EMAIL", email),
        None => wg.clone(),
    })
}

/// Leave the checkout in a `git am -3` session on the branch at the first conflict.
fn stop_in_am(
    ctx: &mut CommandContext,
    checkout: &config::Checkout,
    series: &Series,
    root: &Path,
    args: &Args,
    replay: &Replay,
    onto: &str,
) -> CommandResult<RebaseResult> {
    let git = &checkout.git;
    let first = replay.first_conflict().expect("stop_in_am needs a conflict");
    let prefix_tip = replay.commits[..first.index - 1]
        .iter()
        .rev()
        .find_map(|c| c.new_sha.clone())
        .unwrap_or_else(|| onto.to_string());
    let reason = format!("dsock rebase onto {onto:.12} (stopped at a conflict)");
    let update = apply::update_branch(git, series, root, &args.branch, &prefix_tip, args.force, &reason)?;
    // Where the session runs: the work tree that has the branch, else the checkout.
    let wt_path = match &update.worktree {
        Some(w) => std::path::PathBuf::from(w),
        None => std::path::PathBuf::from(git.run(["rev-parse", "--show-toplevel"])?),
    };
    let wg = Git::open(&wt_path)?;
    let was_on = wg.current_branch();
    if was_on.as_deref() != Some(args.branch.as_str()) {
        wg.run(["checkout", "--quiet", &args.branch])?;
    }
    let dir = wg.git_dir()?.join("dsock-rebase");
    let _ = std::fs::remove_dir_all(&dir);
    fs_err::create_dir_all(&dir)?;
    let mut patches = Vec::new();
    for c in &replay.commits[first.index - 1..] {
        if matches!(c.outcome, Outcome::AlreadyUpstream { .. }) {
            continue;
        }
        let path = dir.join(format!("{:04}.patch", c.index));
        fs_err::write(&path, git.format_patch(&c.old_sha)?)?;
        patches.push(path.to_string_lossy().into_owned());
    }
    // Commit as the series author rather than fail.
    let am = with_committer(&wg, || {
        let ident = Ident::parse(&git.commit_info(&first.old_sha)?.author, "")?;
        Ok(Some((ident.name, ident.email)))
    })?;
    let mut am_args = vec!["am".to_string(), "-3".into(), "--quiet".into()];
    am_args.extend(patches.iter().cloned());
    let out = am.output(&am_args)?;
    if out.status.success() {
        // git am's own 3-way merge resolved it: finish like a clean rebase.
        let changed_files = export_quietly(ctx, git, root, &args.branch, onto)?;
        return Ok(RebaseResult::ResolvedByAm { changed_files });
    }
    let files = first.outcome.conflicted_paths();
    let mut next = resume_commands(&wt_path, &files, root, &checkout.path, &args.branch, onto);
    if let Some(b) = was_on.filter(|b| b != &args.branch) {
        next.push(format!("git -C {} checkout {b}      # back to the branch you were on", wt_path.display()));
    }
    let state = StoppedRebase { branch: args.branch.clone(), onto: onto.to_string(), next: next.clone() };
    fs_err::write(dir.join(STATE_FILE), toml::to_string_pretty(&state).expect("state serializes"))?;
    Ok(RebaseResult::Stopped {
        commit_index: first.index,
        subject: first.subject.clone(),
        worktree: wt_path.display().to_string(),
        next,
    })
}

use std::io::Write as _;

#[cfg(test)]
mod tests {
    use super::*;

    /// Without a configured identity the fallback is used; with one, it is not even asked.
    #[test]
    fn with_committer_falls_back_only_without_an_identity() {
        let dir = tempfile::tempdir().unwrap();
        assert!(std::process::Command::new("git").args(["init", "-q"]).arg(dir.path()).status().unwrap().success());
        // A machine with no identity: private HOME, no system config, and git told not to
        // guess one from the host name.
        let bare = Git::open(dir.path())
            .unwrap()
            .with_env("HOME", dir.path())
            .with_env("XDG_CONFIG_HOME", dir.path())
            .with_env("GIT_CONFIG_NOSYSTEM", "1")
            .with_env("GIT_CONFIG_COUNT", "1")
            .with_env("GIT_CONFIG_KEY_0", "user.useConfigOnly")
            .with_env("GIT_CONFIG_VALUE_0", "true")
            // An identity in this process's environment must not count: empty values make
            // git's strict ident check fail exactly as a missing identity does.
            .with_env("GIT_COMMITTER_NAME", "")
            .with_env("GIT_COMMITTER_EMAIL", "");
        assert!(!bare.output(["var", "GIT_COMMITTER_IDENT"]).unwrap().status.success(), "identity still configured");
        let am = with_committer(&bare, || Ok(Some(("Series Author".into(), "author@example.com".into())))).unwrap();
        assert!(am.run(["var", "GIT_COMMITTER_IDENT"]).unwrap().starts_with("Series Author <author@example.com>"));
        let configured = bare.with_env("GIT_COMMITTER_NAME", "Me").with_env("GIT_COMMITTER_EMAIL", "me@example.com");
        let am = with_committer(&configured, || panic!("fallback asked although an identity is configured")).unwrap();
        assert!(am.run(["var", "GIT_COMMITTER_IDENT"]).unwrap().starts_with("Me <me@example.com>"));
    }

    #[test]
    fn finds_conflict_regions_with_start_lines() {
        let text = "a\n<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\nb\n<<<<<<< ours\n=======\nz\n>>>>>>> theirs\n";
        let hunks = conflict_hunks(text);
        assert_eq!(hunks.len(), 2);
        assert_eq!(hunks[0].line, 2);
        assert_eq!(hunks[0].text, "<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs");
        assert_eq!(hunks[1].line, 8);
        assert!(conflict_hunks("no markers\n").is_empty());
    }

    #[test]
    fn relabels_object_ids_only() {
        let t = "<<<<<<< abc\nx\n=======\ny\n>>>>>>> def\n<<<<<<< other";
        assert_eq!(relabel(t, "abc", "def", "Subj"), "<<<<<<< new base\nx\n=======\ny\n>>>>>>> Subj\n<<<<<<< other");
    }
}
