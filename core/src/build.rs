//! Build the series as real commits on its base, and move a branch of the checkout to
//! them safely (what `dsock apply`, `status`, `check`, `diff` and `test --apply` build on).
//!
//! The commits are built with plumbing in a private index (`GIT_INDEX_FILE`):
//! `read-tree BASE`, then per series commit `hash-object` + `update-index` for its
//! overlay files and `apply --cached` for its patches, `write-tree`, `commit-tree`.
//! No work tree is touched and HEAD never moves; only `refs/heads/<branch>` is updated
//! (if that branch is checked out somewhere and clean, that work tree is fast-forwarded
//! with `git reset --keep`; if it is dirty, apply refuses).
//!
//! Commits are deterministic: author = the recorded author, committer = the author,
//! both dated at the committer date of the commit they are built on top of (the base,
//! or `--onto`); the message is subject + body + `Change-Id:` trailer. The same series
//! on the same base gives the same commit ids on any machine.
//!
//! [`materialize`] builds the series on a base and points a branch at it; [`build`] only
//! builds the commits (no ref moves).

use std::path::Path;

use crate::error::{ApplyFailure, DoesNotApply, Error, Result};
use crate::git::{CommitId, FileMode, Git, Ident, TempIndex};
use crate::series::{Series, OVERLAY_DIR};

/// Ref holding the last branch tip dsock wrote from, or recorded into, the series
/// (`apply`, `rebase`, `export`). A branch still at this tip loses nothing when replaced.
pub fn recorded_ref(branch: &str) -> String {
    format!("refs/dsock/recorded/{branch}")
}

/// Ref holding the branch tip before the last time dsock replaced it.
pub fn backup_ref(branch: &str) -> String {
    format!("refs/dsock/backup/{branch}")
}

/// One series commit built as a git commit object.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BuiltCommit {
    /// The series commit's stable id (`I` + 40 hex).
    pub id: String,
    pub subject: String,
    /// Full commit id in the checkout's object store.
    pub sha: CommitId,
}

/// Build every series commit on `series.upstream.base`, in memory (objects only; no ref,
/// index or work tree changes). Returns the commits oldest first.
///
/// Errors: [`DoesNotApply::ToBase`] naming the patch that failed; Usage when the base is
/// missing from the checkout (hint: fetch) or an overlay file is missing (hint: export);
/// git failures are Git errors.
pub fn build(git: &Git, series: &Series, repo_root: &Path) -> Result<Vec<BuiltCommit>> {
    let base = git.rev_parse_commit(&series.upstream.base).map_err(|_| {
        Error::usage(format!(
            "the series base {:.12} is not in the checkout {}",
            series.upstream.base,
            git.dir().display()
        ))
        .with_hint(format!("fetch it: `git -C {} fetch origin {}`", git.dir().display(), series.upstream.branch))
    })?;
    let index = TempIndex::new()?;
    let g = git.with_index(index.path());
    // Reading the base into the index is the slowest single step; the overlay versions
    // (small private indexes of their own) are computed meanwhile.
    let (read, versions, date) = std::thread::scope(|scope| {
        let read = scope.spawn(|| g.run(["read-tree", &base]));
        let versions = overlay_versions(git, series, repo_root);
        let date = git.committer_date(&base);
        (read.join().expect("read-tree thread panicked"), versions, date)
    });
    let (versions, date) = (versions?, date?);
    read?;
    let mut parent = base.clone();
    let mut built = Vec::new();
    for (i, c) in series.commits.iter().enumerate() {
        let entries: Vec<(String, String, String)> = c
            .overlay
            .iter()
            .filter_map(|f| match &versions[f] {
                (mode, Some(blob)) => Some((mode.clone(), blob.clone(), f.clone())),
                (_, None) => None,
            })
            .collect();
        g.update_index_entries(&entries)?;
        for p in &c.patches {
            let path = Series::patch_path(repo_root, p);
            let abs = path.to_string_lossy().into_owned();
            let out = g.output(["apply", "--cached", "--whitespace=nowarn", &abs])?;
            if !out.status.success() {
                let failure = ApplyFailure {
                    index: i,
                    id: c.id.clone(),
                    subject: c.subject.clone(),
                    file: format!("patch-series/{p}"),
                    detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
                };
                return Err(DoesNotApply::ToBase { base: base.clone(), failure }.into());
            }
        }
        let tree = g.run(["write-tree"])?;
        let ident = Ident::parse(&c.author, &date)?;
        let sha = git.commit_tree(&tree, &[&parent], &c.message(), &ident)?;
        built.push(BuiltCommit { id: c.id.clone(), subject: c.subject.clone(), sha: sha.clone() });
        parent = sha;
    }
    Ok(built)
}

/// For every overlay file: its mode and the blob its owning commit adds (`None` if a later
/// commit's patch re-adds it and the owner's version is empty... never in practice).
///
/// `emscripten/<path>` holds the file as of the series tip; patches of later commits that
/// touch it are reverse-applied (`git apply -R --cached --include=<path>`, last first) to
/// recover the version the owning commit adds. A file no later patch names is taken as is:
/// reversing a patch that does not touch it would be a no-op. All files are hashed in one
/// `git hash-object` process.
fn overlay_versions(
    git: &Git,
    series: &Series,
    repo_root: &Path,
) -> Result<std::collections::BTreeMap<String, (String, Option<String>)>> {
    let mut owned = Vec::new();
    for (k, c) in series.commits.iter().enumerate() {
        for f in &c.overlay {
            let path = Series::overlay_path(repo_root, f);
            if let Err(e) = std::fs::metadata(&path) {
                return Err(Error::usage(format!("overlay file {OVERLAY_DIR}/{f} of commit \"{}\": {e}", c.subject))
                    .with_hint("restore it (`git checkout -- emscripten/`), or re-export the branch with `dsock export`"));
            }
            owned.push((k, f, path));
        }
    }
    let paths: Vec<std::path::PathBuf> = owned.iter().map(|(_, _, p)| p.clone()).collect();
    let blobs = git.hash_files(&paths)?;
    // Which files each patch names, read once per patch (`None`: unreadable here).
    let mut touched = std::collections::BTreeMap::<&String, Option<Vec<String>>>::new();
    for c in &series.commits {
        for p in &c.patches {
            let text = std::fs::read_to_string(Series::patch_path(repo_root, p)).ok();
            touched.insert(p, text.as_deref().map(patch_paths));
        }
    }
    let mut out = std::collections::BTreeMap::new();
    for ((k, f, path), blob) in owned.into_iter().zip(blobs) {
        let c = &series.commits[k];
        let mode = FileMode::of_path(&path).as_str().to_string();
        // A patch whose file list cannot be read here is reversed anyway (git decides).
        let later: Vec<&String> = series.commits[k + 1..]
            .iter()
            .flat_map(|c| c.patches.iter())
            .filter(|p| touched[p].as_ref().is_none_or(|names| names.contains(f)))
            .collect();
        if later.is_empty() {
            out.insert(f.clone(), (mode, Some(blob)));
            continue;
        }
        let index = TempIndex::new()?;
        let g = git.with_index(index.path());
        g.update_index_entries(&[(mode.clone(), blob, f.clone())])?;
        for p in later.iter().rev() {
            let abs = Series::patch_path(repo_root, p).to_string_lossy().into_owned();
            let include = format!("--include={f}");
            g.run(["apply", "--cached", "-R", "--whitespace=nowarn", &include, &abs]).map_err(|e| {
                Error::usage(format!(
                    "cannot recover the version of {OVERLAY_DIR}/{f} added by \"{}\": reversing {p} failed: {}",
                    c.subject, e.message()
                ))
                .with_hint("re-export the branch with `dsock export` so emscripten/ and the patches agree")
            })?;
        }
        let staged = g.run(["ls-files", "-s", "--", f])?;
        let entry = staged.split_whitespace().collect::<Vec<_>>();
        let v = match entry.as_slice() {
            [m, b, ..] => (m.to_string(), Some(b.to_string())),
            _ => (mode, None),
        };
        out.insert(f.clone(), v);
    }
    Ok(out)
}

/// The paths a `git format-patch`/`git diff` patch names, both sides of each file.
fn patch_paths(patch: &str) -> Vec<String> {
    crate::patch::parse_diff(patch).into_iter().flat_map(|f| [f.old_path, f.path]).collect()
}

/// What happened to the branch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BranchUpdate {
    pub branch: String,
    /// Tip before (None = the branch did not exist).
    pub previous: Option<String>,
    pub new: String,
    /// Where the previous tip was saved (`refs/dsock/backup/<branch>`), if it was replaced.
    pub backup: Option<String>,
    /// The work tree that had the branch checked out and was moved along (`reset --keep`).
    pub worktree: Option<String>,
}

/// Point `refs/heads/<branch>` at `new` safely.
///
/// Refuses (Environment) when the branch is checked out in a dirty work tree, or (unless
/// `force`) when its tip holds commits the series does not record: the tip is neither
/// the last one dsock wrote/recorded (`refs/dsock/recorded/<branch>`) nor exported
/// unchanged by `dsock export` into the series at `repo_root`. A replaced tip is kept in
/// `refs/dsock/backup/<branch>`. Never touches HEAD of another branch.
pub fn update_branch(
    git: &Git,
    series: &Series,
    repo_root: &Path,
    branch: &str,
    new: &str,
    force: bool,
    reason: &str,
) -> Result<BranchUpdate> {
    update_branch_impl(git, series, repo_root, branch, new, force, reason, false)
}

#[allow(clippy::too_many_arguments)]
fn update_branch_impl(
    git: &Git,
    series: &Series,
    repo_root: &Path,
    branch: &str,
    new: &str,
    force: bool,
    reason: &str,
    dry_run: bool,
) -> Result<BranchUpdate> {
    let refname = format!("refs/heads/{branch}");
    let previous = git.try_rev_parse(&refname);
    let worktree = git.worktree_of_branch(branch)?;
    let mut update = BranchUpdate {
        branch: branch.into(),
        previous: previous.clone(),
        new: new.into(),
        backup: None,
        worktree: worktree.as_ref().map(|w| w.display().to_string()),
    };
    if let Some(wt) = &worktree {
        let wg = Git::open(wt)?;
        let dirty = wg.dirty_files()?;
        if !dirty.is_empty() || wg.operation_in_progress()?.is_some() {
            return Err(Error::environment(format!(
                "branch {branch} is checked out in {} with uncommitted changes or an operation in progress ({} file(s))",
                wt.display(),
                dirty.len()
            ))
            .with_hint(format!(
                "commit or stash them (`git -C {} stash`), finish any `git am`/`rebase`, then run the command again",
                wt.display()
            )));
        }
    }
    if previous.as_deref() == Some(new) {
        if !dry_run {
            git.update_ref(&recorded_ref(branch), new, None, reason)?;
        }
        return Ok(update);
    }
    if let Some(prev) = &previous {
        // A fast-forward loses nothing; otherwise the tip must be recorded in the series.
        if !force && !git.is_ancestor(prev, new) && !is_recorded(git, series, repo_root, branch, prev)? {
            return Err(Error::environment(format!(
                "branch {branch} (at {prev:.12}) has commits or changes the series does not record"
            ))
            .with_hint(format!(
                "record them first with `dsock export --branch {branch}`, or replace the branch with \
                 `--force` (its tip is kept as {})",
                backup_ref(branch)
            )));
        }
        update.backup = Some(backup_ref(branch));
        if dry_run {
            return Ok(update);
        }
        git.update_ref(&backup_ref(branch), prev, None, reason)?;
    }
    if dry_run {
        return Ok(update);
    }
    match &worktree {
        Some(wt) => {
            Git::open(wt)?.run(["reset", "--keep", new])?;
        }
        None => {
            let zero = "0".repeat(40);
            git.update_ref(&refname, new, Some(previous.as_deref().unwrap_or(&zero)), reason)?;
        }
    }
    git.update_ref(&recorded_ref(branch), new, None, reason)?;
    Ok(update)
}

/// `true` when replacing the branch at `tip` loses nothing: dsock wrote or exported that
/// tip, or exporting it now would change nothing in the series at `repo_root`.
fn is_recorded(git: &Git, series: &Series, repo_root: &Path, branch: &str, tip: &str) -> Result<bool> {
    if git.try_rev_parse(&recorded_ref(branch)).as_deref() == Some(tip) {
        return Ok(true);
    }
    Ok(exports_unchanged(git, series, repo_root, tip))
}

/// `true` when `tip` is based on the series base and exporting `base..tip` into
/// `repo_root` would change no file: the series records everything on that branch.
pub fn exports_unchanged(git: &Git, series: &Series, repo_root: &Path, tip: &str) -> bool {
    git.is_ancestor(&series.upstream.base, tip)
        && crate::export::plan(git, tip, &series.upstream.base, &series.upstream, Some(series), repo_root)
            .is_ok_and(|plan| plan.changes(repo_root).is_empty())
}

/// The result of [`materialize`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct Applied {
    /// The series base (full sha).
    pub base: CommitId,
    /// What the commits were built on (= base unless `onto` was given).
    pub onto: CommitId,
    /// The built commits, oldest first (already-upstream commits dropped when `onto` moved).
    pub commits: Vec<BuiltCommit>,
    /// Tip commit (= `onto` for an empty series).
    pub tip: CommitId,
    pub update: BranchUpdate,
}

/// Build the series and point `branch` of the checkout at it: the library form of
/// `dsock apply` (used by `dsock test --apply`).
///
/// - `repo_root`: the dsock repo (for `patch-series/` and `emscripten/`);
/// - `onto`: `None` = the recorded base; otherwise any rev, reached by a 3-way merge
///   per commit (in memory);
/// - `force`: replace a branch holding unrecorded commits (backup kept).
///
/// Errors: Usage when the series does not apply (to the base, or conflicts onto `onto`;
/// hint `dsock rebase --onto REV`); Environment for a dirty checked-out branch or a branch
/// with unrecorded commits; Git for git failures.
pub fn materialize(
    git: &Git,
    series: &Series,
    repo_root: &Path,
    onto: Option<&str>,
    branch: &str,
    force: bool,
) -> Result<Applied> {
    materialize_with(git, series, repo_root, onto, branch, force, false)
}

/// [`materialize`], optionally as a dry run: with `dry_run` the commits are built (objects
/// only) and every check is made, but no ref moves; `update` says what would happen.
pub fn materialize_with(
    git: &Git,
    series: &Series,
    repo_root: &Path,
    onto: Option<&str>,
    branch: &str,
    force: bool,
    dry_run: bool,
) -> Result<Applied> {
    let built = build(git, series, repo_root)?;
    let base = git.rev_parse_commit(&series.upstream.base)?;
    let (onto_sha, commits) = match onto {
        None => (base.clone(), built),
        Some(rev) => {
            let onto_sha = git.rev_parse_commit(rev)?;
            if onto_sha == base {
                (onto_sha, built)
            } else {
                let replay = crate::replay::replay(git, series, &built, &base, &onto_sha)?;
                if let Some(c) = replay.commits.iter().find(|c| c.outcome.is_conflict()) {
                    let (subject, paths) = (c.subject.clone(), c.outcome.conflicted_paths());
                    return Err(DoesNotApply::Onto { onto: rev.to_string(), subject, paths }.into());
                }
                let commits = replay
                    .commits
                    .iter()
                    .filter_map(|c| c.new_sha.clone().map(|sha| BuiltCommit { id: c.id.clone(), subject: c.subject.clone(), sha }))
                    .collect();
                (onto_sha, commits)
            }
        }
    };
    let tip = commits.last().map(|c: &BuiltCommit| c.sha.clone()).unwrap_or_else(|| onto_sha.clone());
    let reason = format!("dsock apply onto {onto_sha:.12}");
    let update = update_branch_impl(git, series, repo_root, branch, &tip, force, &reason, dry_run)?;
    Ok(Applied { base, onto: onto_sha, commits, tip, update })
}

#[cfg(test)]
mod tests {
    use super::patch_paths;

    #[test]
    fn patch_paths_lists_both_sides() {
        let patch = "From 0000 Mon Sep 17 00:00:00 2001\nSubject: x\n\n---\n\
            diff --git a/src/settings.js b/src/settings.js\nindex 1..2 100644\n--- a/src/settings.js\n+++ b/src/settings.js\n\
            @@ -1 +1 @@\n-a\n+b\n\
            diff --git a/old name.c b/new name.c\nsimilarity index 90%\nrename from old name.c\nrename to new name.c\n";
        assert_eq!(patch_paths(patch), ["src/settings.js", "src/settings.js", "old name.c", "new name.c"]);
        assert_eq!(patch_paths("diff --git \"a/t\\tab\" \"b/t\\tab\"\n"), ["t\tab", "t\tab"]);
        assert_eq!(patch_paths("no headers at all\n"), Vec::<String>::new());
    }
}
