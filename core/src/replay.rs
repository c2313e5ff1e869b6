//! Replay the series onto a new upstream base, commit by commit (what `dsock rebase`
//! and `dsock status` report), and the resumable `git am -3` session on a conflict.
//!
//! The series is built on its recorded base ([`crate::build::build`]), then each commit
//! is replayed onto the new base with an in-memory 3-way merge
//! (`git merge-tree --write-tree --merge-base=<old parent> <new parent> <commit>`):
//! - **already upstream**: its `git patch-id --stable` equals one of `BASE..ONTO`'s
//!   commits, or the merge leaves the new parent unchanged; it is dropped;
//! - **clean**: a new commit (same author and message, dated at ONTO's committer date);
//! - **conflict**: the conflicted files, git's messages, and the conflicting hunks
//!   (the `<<<<<<<`…`>>>>>>>` regions of the merge result). Commits after a conflict are
//!   still analysed, on top of the conflicted result, and marked `after_conflict`.
//!
//! On conflict, [`stop_in_am`] leaves the checkout in an ordinary `git am -3` session on
//! the branch (the clean prefix committed, the first conflicting patch applied with
//! conflict markers) and returns the next commands; [`resume`] continues or aborts it.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::git::{upstream_refs, CommitId, Git, Ident};
use crate::series::Series;

use crate::build::{self, BuiltCommit};

/// One conflicting region of a merged file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictHunk {
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
    pub hunks: Vec<ConflictHunk>,
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
    pub old_sha: CommitId,
    /// The commit on the new base (clean commits before any conflict only).
    pub new_sha: Option<CommitId>,
    /// Analysed on top of an earlier conflicted result (its outcome may change once
    /// that conflict is resolved).
    pub after_conflict: bool,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The whole replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replay {
    pub base: CommitId,
    pub onto: CommitId,
    /// Commits in `base..onto`.
    pub upstream_commits: usize,
    pub commits: Vec<CommitReport>,
    /// The new tip when every commit is clean or already upstream.
    pub tip: Option<CommitId>,
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
pub fn replay(git: &Git, _series: &Series, built: &[BuiltCommit], base: &CommitId, onto: &CommitId) -> Result<Replay> {
    let upstream: HashMap<String, String> = git.patch_ids_in_range(base, onto)?.into_iter().collect();
    let upstream_commits = git.count(base, onto)?;
    let date = git.committer_date(onto)?;
    let mut parent_commit = Some(onto.clone());
    let mut parent_tree = git.tree_of(onto)?;
    let mut old_parent = base.clone();
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
                        .map(|h| ConflictHunk { line: h.line, text: relabel(&h.text, &parent_tree, &c.sha, &c.subject) })
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
    Ok(Replay { base: base.clone(), onto: onto.clone(), upstream_commits, commits: reports, tip })
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
pub fn conflict_hunks(text: &str) -> Vec<ConflictHunk> {
    let mut hunks = Vec::new();
    let mut current: Option<(usize, Vec<&str>)> = None;
    for (n, line) in text.lines().enumerate() {
        if current.is_none() && line.starts_with("<<<<<<< ") {
            current = Some((n + 1, vec![line]));
        } else if let Some((start, mut lines)) = current.take() {
            lines.push(line);
            if line.starts_with(">>>>>>> ") {
                hunks.push(ConflictHunk { line: start, text: lines.join("\n") });
            } else {
                current = Some((start, lines));
            }
        }
    }
    hunks
}

/// The default new base: `origin/<branch>` if the checkout has it, else `<branch>`.
pub fn default_onto(git: &Git, upstream_branch: &str) -> Result<(String, CommitId)> {
    for r in upstream_refs(upstream_branch) {
        if let Ok(sha) = git.rev_parse_commit(&r) {
            let name = r.trim_start_matches("refs/remotes/").trim_start_matches("refs/heads/").to_string();
            return Ok((name, sha));
        }
    }
    Err(Error::usage(format!("the checkout has neither origin/{upstream_branch} nor {upstream_branch}"))
        .with_hint("pass the new base explicitly: `dsock rebase --onto REV`"))
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

/// Re-export `branch` with base `onto` into `root`; the paths that changed.
pub fn export_paths(git: &Git, root: &Path, branch: &str, onto: &str) -> Result<Vec<String>> {
    let exported = crate::export::export_branch(git, root, branch, Some(onto), false)?;
    Ok(exported.changes.iter().map(|c| c.path().display().to_string()).collect())
}

/// How [`resume`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resumed {
    /// `--abort`: the `git am` session ended; the branch is back at `restored` (from
    /// `backup`) when a backup ref existed.
    Aborted { branch: String, backup: String, restored: Option<String> },
    /// `--continue` applied some patches and stopped at the next conflict.
    StoppedAgain { am_output: String, conflicted: Vec<String>, next: Vec<String> },
    /// Every patch is in; the series was re-exported with the new base.
    Finished { branch: String, onto: String, changed: Vec<String> },
}

/// `dsock rebase --continue` / `--abort` of a rebase that stopped in `git am` on `branch`
/// (in the work tree that has it checked out, else the checkout `git`).
///
/// Errors (Usage) when no stopped rebase of `branch` is recorded; (Environment) when
/// `--continue` finds unresolved files (hint: resolve and `git add`).
pub fn resume(git: &Git, checkout: &Path, root: &Path, branch: &str, abort: bool) -> Result<Resumed> {
    let wt_path = match git.worktree_of_branch(branch)? {
        Some(p) => p,
        None => std::path::PathBuf::from(git.run(["rev-parse", "--show-toplevel"])?),
    };
    let wg = Git::open(&wt_path)?;
    let dir = wg.git_dir()?.join("dsock-rebase");
    let Some(state) = StoppedRebase::read(&dir) else {
        return Err(Error::usage(format!("no stopped `dsock rebase` of branch {branch} in {}", wt_path.display()))
            .with_hint("start one with `dsock rebase` (`dsock status` shows where the series stands)"));
    };
    let in_am = wg.operation_in_progress()? == Some("am");
    if abort {
        if in_am {
            wg.run(["am", "--abort"])?;
        }
        let backup = build::backup_ref(&state.branch);
        let restored = match git.try_rev_parse(&format!("{backup}^{{commit}}")) {
            Some(old) => {
                wg.run(["reset", "--quiet", "--keep", &old])?;
                Some(old)
            }
            None => None,
        };
        fs_err::remove_dir_all(&dir)?;
        return Ok(Resumed::Aborted { branch: state.branch, backup, restored });
    }
    if in_am {
        let unmerged = wg.run(["diff", "--name-only", "--diff-filter=U"])?;
        if !unmerged.is_empty() {
            let files: Vec<&str> = unmerged.lines().collect();
            return Err(Error::environment(format!(
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
            let next = resume_commands(&wt_path, &conflicted, root, checkout, &state.branch, &state.onto);
            let st = StoppedRebase { next: next.clone(), ..state };
            fs_err::write(dir.join(STATE_FILE), toml::to_string_pretty(&st).expect("state serializes"))?;
            let am_output = String::from_utf8_lossy(&out.stdout).trim_end().to_string();
            return Ok(Resumed::StoppedAgain { am_output, conflicted, next });
        }
    }
    let changed = export_paths(git, root, &state.branch, &state.onto)?;
    fs_err::remove_dir_all(&dir)?;
    Ok(Resumed::Finished { branch: state.branch, onto: state.onto, changed })
}

/// Refuse a checkout with uncommitted tracked changes or a git operation in progress.
pub fn refuse_dirty(git: &Git) -> Result<()> {
    if let Some(stopped) = StoppedRebase::load(git) {
        return Err(Error::environment(format!(
            "an earlier `dsock rebase` onto {:.12} stopped in a `git am` session in {}",
            stopped.onto,
            git.dir().display()
        ))
        .with_hint(format!("finish it first:\n  {}", stopped.next.join("\n  "))));
    }
    if let Some(op) = git.operation_in_progress()? {
        return Err(Error::environment(format!(
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
        return Err(Error::environment(format!(
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
pub fn with_committer(wg: &Git, fallback: impl FnOnce() -> Result<Option<(String, String)>>) -> Result<Git> {
    if wg.output(["var", "GIT_COMMITTER_IDENT"]).is_ok_and(|o| o.status.success()) {
        return Ok(wg.clone());
    }
    Ok(match fallback()? {
        Some((name, email)) => wg.with_env("GIT_COMMITTER_NAME", name).with_env("GIT_COMMITTER_EMAIL", email),
        None => wg.clone(),
    })
}

/// Leave the checkout in a `git am -3` session on `branch` at the first conflict of
/// `replay`: the branch is moved to the clean prefix (old tip kept as the backup ref), the
/// remaining patches are fed to `git am -3`, and the state is recorded for
/// `--continue`/`--abort` ([`StoppedRebase`]). When `git am`'s own 3-way merge resolves
/// the conflict, the series is re-exported and [`RebaseResult::ResolvedByAm`] returned.
///
/// `checkout` is the checkout's path as the user named it (for the printed commands).
#[allow(clippy::too_many_arguments)]
pub fn stop_in_am(
    git: &Git,
    checkout: &Path,
    series: &Series,
    root: &Path,
    branch: &str,
    force: bool,
    replay: &Replay,
    onto: &CommitId,
) -> Result<RebaseResult> {
    let first = replay.first_conflict().expect("stop_in_am needs a conflict");
    let prefix_tip = replay.commits[..first.index - 1]
        .iter()
        .rev()
        .find_map(|c| c.new_sha.clone())
        .unwrap_or_else(|| onto.clone());
    let reason = format!("dsock rebase onto {onto:.12} (stopped at a conflict)");
    let update = build::update_branch(git, series, root, branch, &prefix_tip, force, &reason)?;
    // Where the session runs: the work tree that has the branch, else the checkout.
    let wt_path = match &update.worktree {
        Some(w) => std::path::PathBuf::from(w),
        None => std::path::PathBuf::from(git.run(["rev-parse", "--show-toplevel"])?),
    };
    let wg = Git::open(&wt_path)?;
    let was_on = wg.current_branch();
    if was_on.as_deref() != Some(branch) {
        wg.run(["checkout", "--quiet", branch])?;
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
        let changed_files = export_paths(git, root, branch, onto)?;
        return Ok(RebaseResult::ResolvedByAm { changed_files });
    }
    let files = first.outcome.conflicted_paths();
    let mut next = resume_commands(&wt_path, &files, root, checkout, branch, onto);
    if let Some(b) = was_on.filter(|b| b != branch) {
        next.push(format!("git -C {} checkout {b}      # back to the branch you were on", wt_path.display()));
    }
    let state = StoppedRebase { branch: branch.to_string(), onto: onto.to_string(), next: next.clone() };
    fs_err::write(dir.join(STATE_FILE), toml::to_string_pretty(&state).expect("state serializes"))?;
    Ok(RebaseResult::Stopped {
        commit_index: first.index,
        subject: first.subject.clone(),
        worktree: wt_path.display().to_string(),
        next,
    })
}

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
