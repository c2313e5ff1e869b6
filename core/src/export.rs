//! Read a branch's commits back into `patch-series/` and `emscripten/` (`dsock export`,
//! and `rebase` after it moved the branch).
//!
//! Each branch commit (oldest first, `BASE..BRANCH`, no merges) becomes one
//! [`SeriesCommit`]:
//! - files it **adds** that do not exist in the base are *overlay files*, owned by
//!   that commit and written whole to `emscripten/<path>` with their content at the
//!   branch tip (so `emscripten/` always shows the series' final files);
//! - every other change (to upstream files, and later changes to overlay files) goes
//!   into one deterministic patch, `patch-series/patches/NNNN-<slug>.patch`.
//!
//! Determinism: the patch is `git format-patch` (zeroed `From`, full index, no
//! signature, no stat, kept subject, no renames, myers) of a *normalized* commit whose
//! author date is the base commit's committer date and whose message is
//! subject + body + `Change-Id` trailer, so re-exporting an unchanged branch, or a
//! branch made by `dsock apply`, changes no byte. See docs/series.md.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::git::{FileMode, Git, Ident};
use crate::series::{
    compose_message, parse_message, Series, SeriesCommit, Upstream, OVERLAY_DIR, PATCHES_DIR,
    SERIES_DIR, UPSTREAM_URL,
};

/// Default name of the PR branch in the checkout.
pub const DEFAULT_BRANCH: &str = "direct-sockets";

/// Content of one file the export writes, relative to the dsock repo root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub bytes: Vec<u8>,
    pub executable: bool,
}

/// Everything an export would write: the manifest, patches and overlay files, and the
/// stale generated files it would delete.
#[derive(Debug, Clone)]
pub struct ExportPlan {
    pub series: Series,
    /// Repo-relative path → content (includes `patch-series/series.toml`).
    pub files: BTreeMap<PathBuf, PlannedFile>,
    /// Repo-relative paths of generated files from the previous export to remove.
    pub stale: Vec<PathBuf>,
}

/// One difference between a plan and the files on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoChange {
    Add(PathBuf),
    Modify(PathBuf),
    Mode(PathBuf),
    Remove(PathBuf),
}

impl RepoChange {
    pub fn path(&self) -> &Path {
        match self {
            RepoChange::Add(p) | RepoChange::Modify(p) | RepoChange::Mode(p) | RepoChange::Remove(p) => p,
        }
    }
    /// The status letter `export` prints (`A`, `M`, `D`, …).
    pub fn letter(&self) -> &'static str {
        match self {
            RepoChange::Add(_) => "A",
            RepoChange::Modify(_) => "M",
            RepoChange::Mode(_) => "M (mode)",
            RepoChange::Remove(_) => "D",
        }
    }
}

/// The base export uses when `--base` is not given: among the recorded base (if it is an
/// ancestor of the tip) and the tip's merge-bases with `origin/<branch>` and `<branch>`,
/// the newest one (the one all others are ancestors of).
///
/// Errors (Usage) when there is no candidate or they are unordered; hint: `--base REV`.
pub fn detect_base(git: &Git, tip: &str, recorded: Option<&str>, upstream_branch: &str) -> Result<String> {
    let mut candidates: Vec<String> = Vec::new();
    if let Some(b) = recorded {
        if git.try_rev_parse(&format!("{b}^{{commit}}")).is_some() && git.is_ancestor(b, tip) {
            candidates.push(b.to_string());
        }
    }
    for r in crate::git::upstream_refs(upstream_branch) {
        if git.try_rev_parse(&r).is_some() {
            if let Some(mb) = git.merge_base(tip, &r) {
                candidates.push(mb);
            }
        }
    }
    candidates.sort();
    candidates.dedup();
    let newest = candidates
        .iter()
        .find(|c| candidates.iter().all(|o| git.is_ancestor(o, c)))
        .cloned();
    newest.ok_or_else(|| {
        Error::usage(if candidates.is_empty() {
            format!("cannot tell which upstream commit {tip:.12} is based on")
        } else {
            format!("ambiguous base for {tip:.12}: candidates {}", candidates.join(", "))
        })
        .with_hint("pass the upstream commit explicitly: `dsock export --base REV`")
    })
}

/// Plan an export of `base..tip` of `git` (see the module docs for the rules).
///
/// `previous` is the series currently on disk (for ids of commits without a `Change-Id`
/// trailer, matched by subject, and to find stale files). Writes only git objects
/// (normalized commits for format-patch), never refs or the work tree.
///
/// Errors (Usage) for merge commits, an overlay file deleted by a later commit, symlinks,
/// or a base that is not an ancestor of the tip.
pub fn plan(
    git: &Git,
    tip: &str,
    base: &str,
    upstream: &Upstream,
    previous: Option<&Series>,
    repo_root: &Path,
) -> Result<ExportPlan> {
    if !git.is_ancestor(base, tip) {
        return Err(Error::usage(format!("base {base:.12} is not an ancestor of {tip:.12}"))
            .with_hint("pass the upstream commit the branch starts from: `dsock export --base REV`"));
    }
    let date = git.committer_date(base)?;
    let shas = git.rev_list(base, tip)?;
    let mut files = BTreeMap::new();
    let mut commits: Vec<SeriesCommit> = Vec::new();
    let mut used_ids = BTreeSet::new();
    let mut seeds = BTreeMap::<String, usize>::new();
    let mut all_overlay = BTreeMap::<String, String>::new();
    let mut patch_jobs: Vec<PatchJob> = Vec::new();

    for (index, sha) in shas.iter().enumerate() {
        let info = git.commit_info(sha)?;
        if info.parents.len() != 1 {
            return Err(Error::usage(format!(
                "commit {:.12} on the branch is a merge; a series is a straight line of commits",
                info.sha
            ))
            .with_hint("rebase the branch linearly (`git rebase BASE`), then run `dsock export` again"));
        }
        let parent = &info.parents[0];
        let (subject, body, trailer_id) = parse_message(&info.message);
        let id = match trailer_id.filter(|i| !used_ids.contains(i)) {
            Some(i) => i,
            None => match previous.and_then(|p| {
                p.commits.iter().find(|c| c.subject == subject && !used_ids.contains(&c.id))
            }) {
                Some(c) => c.id.clone(),
                None => {
                    let n = seeds.entry(format!("{}\n{subject}", info.author)).or_default();
                    *n += 1;
                    fresh_change_id(git, &info.author, &subject, *n)?
                }
            },
        };
        used_ids.insert(id.clone());

        // Split the commit's changes: files new to the base are overlay files of this commit.
        let mut owned = Vec::new();
        let mut other_changes = false;
        let changes = git.diff_name_status(parent, sha)?;
        let added: Vec<String> = changes.iter().filter(|(s, _)| *s == 'A').map(|(_, p)| p.clone()).collect();
        let in_base = git.path_modes(base, &added)?;
        for (status, path) in changes {
            let new_to_base = status == 'A' && !in_base.contains_key(&path);
            if new_to_base && !all_overlay.contains_key(&path) {
                owned.push(path);
            } else {
                other_changes = true;
            }
        }
        let tip_modes = git.path_modes(tip, &owned)?;
        let regular: Vec<String> =
            owned.iter().filter(|p| tip_modes.get(*p).and_then(|m| FileMode::parse(m)).is_some()).cloned().collect();
        let mut contents: BTreeMap<String, Option<Vec<u8>>> = regular.iter().cloned().zip(git.read_blobs(tip, &regular)?).collect();
        for path in &owned {
            let mode = tip_modes.get(path).cloned();
            let bytes = match (mode.as_deref(), contents.remove(path).flatten()) {
                (Some(m), Some(b)) if FileMode::parse(m).is_some() => b,
                (Some(m), _) => {
                    return Err(Error::usage(format!(
                        "{path} (added by {:.12} \"{subject}\") has mode {m} at the branch tip; \
                         only regular files can be overlay files",
                        info.sha
                    )))
                }
                (None, _) => {
                    return Err(Error::usage(format!(
                        "{path} is added by {:.12} \"{subject}\" but deleted or renamed by a later commit",
                        info.sha
                    ))
                    .with_hint("squash the deletion/rename into the commit that adds the file (`git rebase -i`), then export again"))
                }
            };
            all_overlay.insert(path.clone(), id.clone());
            files.insert(
                Path::new(OVERLAY_DIR).join(path),
                PlannedFile { bytes, executable: mode.as_deref().and_then(FileMode::parse) == Some(FileMode::Executable) },
            );
        }

        let mut patches = Vec::new();
        if other_changes {
            let rel = format!("{PATCHES_DIR}/{:04}-{}.patch", index + 1, slug(&subject));
            patch_jobs.push(PatchJob {
                rel: rel.clone(),
                commit: sha.clone(),
                parent: parent.clone(),
                tree: info.tree.clone(),
                drop: owned.clone(),
                message: compose_message(&subject, &body, &id),
                ident: Ident::parse(&info.author, &date)?,
            });
            patches.push(rel);
        }
        owned.sort();
        commits.push(SeriesCommit { id, subject, author: info.author.clone(), body, patches, overlay: owned });
    }

    for (rel, patch) in write_patches(git, patch_jobs)? {
        files.insert(Path::new(SERIES_DIR).join(&rel), PlannedFile { bytes: patch, executable: false });
    }

    let upstream = Upstream { url: upstream.url.clone(), branch: upstream.branch.clone(), base: git.rev_parse_commit(base)?.into() };
    let series = Series { upstream, commits };
    series.validate().map_err(|e| Error::internal(format!("export produced an invalid series: {e}")))?;
    files.insert(
        Path::new(SERIES_DIR).join(crate::series::MANIFEST),
        PlannedFile { bytes: series.to_toml().into_bytes(), executable: false },
    );

    // Stale generated files: patches no longer produced, overlay files the previous series listed.
    let mut stale = BTreeSet::new();
    let patches_dir = repo_root.join(SERIES_DIR).join(PATCHES_DIR);
    if let Ok(entries) = std::fs::read_dir(&patches_dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".patch") {
                stale.insert(Path::new(SERIES_DIR).join(PATCHES_DIR).join(name));
            }
        }
    }
    if let Some(prev) = previous {
        for c in &prev.commits {
            for p in &c.patches {
                stale.insert(Path::new(SERIES_DIR).join(p));
            }
            for f in &c.overlay {
                stale.insert(Path::new(OVERLAY_DIR).join(f));
            }
        }
    }
    let stale = stale
        .into_iter()
        .filter(|p| !files.contains_key(p) && repo_root.join(p).exists())
        .collect();
    Ok(ExportPlan { series, files, stale })
}

/// One patch of the export: `commit` without its overlay files (`drop`), re-committed on
/// `parent` with the normalized `message`, then formatted.
struct PatchJob {
    /// Path under `patch-series/`.
    rel: String,
    commit: String,
    parent: String,
    tree: String,
    drop: Vec<String>,
    message: String,
    ident: Ident,
}

/// Run the patch jobs, on up to `available_parallelism` threads: each is a few git
/// processes that do not depend on the others. Returns `(rel, patch bytes)` in job order.
fn write_patches(git: &Git, jobs: Vec<PatchJob>) -> Result<Vec<(String, Vec<u8>)>> {
    let run = |job: &PatchJob| -> Result<Vec<u8>> {
        let tree = if job.drop.is_empty() { job.tree.clone() } else { git.tree_without(&job.commit, &job.drop)? };
        let normalized = git.commit_tree(&tree, &[&job.parent], &job.message, &job.ident)?;
        git.format_patch(&normalized)
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(jobs.len()).max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, Result<Vec<u8>>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else { break };
                        done.push((i, run(job)));
                    }
                    done
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("export worker panicked")).collect()
    });
    results.sort_by_key(|(i, _)| *i); // the first failing job in series order is reported
    let patches = results.into_iter().map(|(_, r)| r).collect::<Result<Vec<_>>>()?;
    Ok(jobs.into_iter().map(|job| job.rel).zip(patches).collect())
}

/// A deterministic fresh id for a commit that has no `Change-Id` trailer yet:
/// `I` + SHA-1 (git blob hash) of the author, subject and an occurrence counter.
pub fn fresh_change_id(git: &Git, author: &str, subject: &str, n: usize) -> Result<String> {
    let seed = format!("dsock change-id\nauthor {author}\nsubject {subject}\nn {n}\n");
    let out = git.run_bytes(["hash-object", "--stdin"], Some(seed.as_bytes()))?;
    let hex = String::from_utf8_lossy(&out).trim().to_string();
    Ok(format!("I{}", &hex[..40.min(hex.len())]))
}

/// File-name slug of a subject, as `format-patch` would make it: runs of characters other
/// than ASCII letters, digits, `.` and `_` become `-`; at most 52 characters.
pub fn slug(subject: &str) -> String {
    let mut s = String::new();
    for c in subject.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            s.push(c);
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches(|c| c == '-' || c == '.');
    let mut s: String = s.chars().take(52).collect();
    while s.ends_with('-') || s.ends_with('.') {
        s.pop();
    }
    if s.is_empty() {
        "patch".into()
    } else {
        s
    }
}

impl ExportPlan {
    /// Differences between this plan and the files under `repo_root`.
    pub fn changes(&self, repo_root: &Path) -> Vec<RepoChange> {
        let mut out = Vec::new();
        for (rel, want) in &self.files {
            let path = repo_root.join(rel);
            match std::fs::read(&path) {
                Err(_) => out.push(RepoChange::Add(rel.clone())),
                Ok(have) if have != want.bytes => out.push(RepoChange::Modify(rel.clone())),
                Ok(_) if (FileMode::of_path(&path) == FileMode::Executable) != want.executable => out.push(RepoChange::Mode(rel.clone())),
                Ok(_) => {}
            }
        }
        out.extend(self.stale.iter().cloned().map(RepoChange::Remove));
        out
    }

    /// Write the plan under `repo_root`: changed files, modes, and removal of stale files
    /// (and directories under `emscripten/` they leave empty).
    pub fn write(&self, repo_root: &Path) -> Result<Vec<RepoChange>> {
        let changes = self.changes(repo_root);
        for change in &changes {
            let path = repo_root.join(change.path());
            match change {
                RepoChange::Remove(_) => {
                    fs_err::remove_file(&path)?;
                    let stop = repo_root.join(OVERLAY_DIR);
                    let mut dir = path.parent();
                    while let Some(d) = dir {
                        if !d.starts_with(&stop) || d == stop || std::fs::remove_dir(d).is_err() {
                            break;
                        }
                        dir = d.parent();
                    }
                }
                _ => {
                    let want = &self.files[change.path()];
                    if let Some(dir) = path.parent() {
                        fs_err::create_dir_all(dir)?;
                    }
                    fs_err::write(&path, &want.bytes)?;
                    set_executable(&path, want.executable)?;
                }
            }
        }
        Ok(changes)
    }
}

#[cfg(unix)]
fn set_executable(path: &Path, exec: bool) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut perm = fs_err::metadata(path)?.permissions();
    let mode = perm.mode();
    let new = if exec { mode | ((mode & 0o444) >> 2) } else { mode & !0o111 };
    if new != mode {
        perm.set_mode(new);
        fs_err::set_permissions(path, perm)?;
    }
    Ok(())
}
#[cfg(not(unix))]
fn set_executable(_: &Path, _: bool) -> Result<()> {
    Ok(())
}

/// What [`export_branch`] did.
#[derive(Debug)]
pub struct Exported {
    /// Notes for the user: work-tree changes or a `git am` in progress that are not exported.
    pub warnings: Vec<String>,
    /// The files that changed (or, with `check`, would change).
    pub changes: Vec<RepoChange>,
    /// The plan, with the wanted bytes of every file (for showing the drift).
    pub plan: ExportPlan,
}

/// Shared by `export` and `rebase`: plan the export of `branch` from `base` (default:
/// detected, [`detect_base`]) and write it into `repo_root`, or with `check` only compare.
/// Writing also records the tip in [`crate::build::recorded_ref`].
///
/// Errors: Usage when the branch does not exist; git and I/O errors.
pub fn export_branch(git: &Git, repo_root: &Path, branch: &str, base: Option<&str>, check: bool) -> Result<Exported> {
    let previous = if Series::manifest_path(repo_root).is_file() { Some(Series::load(repo_root)?) } else { None };
    let tip = git.try_rev_parse(&format!("refs/heads/{branch}^{{commit}}")).ok_or_else(|| {
        Error::usage(format!("branch {branch:?} does not exist in {}", git.dir().display()))
            .with_hint(format!("create it with `dsock apply --branch {branch}`, or pass --branch NAME"))
    })?;
    let mut warnings = Vec::new();
    if let Some(wt) = git.worktree_of_branch(branch)? {
        let wg = Git::open(&wt)?;
        let dirty = wg.dirty_files()?.len();
        if let Some(op) = wg.operation_in_progress()? {
            warnings.push(format!("a `git {op}` is in progress in {}; exporting the commits made so far", wt.display()));
        } else if dirty > 0 {
            warnings.push(format!(
                "{dirty} uncommitted change(s) in {} are not exported (export reads commits only)",
                wt.display()
            ));
        }
    }
    let upstream = previous.as_ref().map(|p| p.upstream.clone()).unwrap_or_else(|| Upstream {
        url: UPSTREAM_URL.into(),
        branch: "main".into(),
        base: String::new(),
    });
    let base = match base {
        Some(b) => git.rev_parse_commit(b)?.into(),
        None => detect_base(git, &tip, previous.as_ref().map(|p| p.upstream.base.as_str()), &upstream.branch)?,
    };
    let plan = plan(git, &tip, &base, &upstream, previous.as_ref(), repo_root)?;
    let changes = if check { plan.changes(repo_root) } else { plan.write(repo_root)? };
    if !check {
        // Record that this tip is captured by the series: `dsock apply` may replace it.
        git.update_ref(&crate::build::recorded_ref(branch), &tip, None, "dsock export")?;
    }
    Ok(Exported { warnings, changes, plan })
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slug_is_format_patch_like_and_bounded() {
        assert_eq!(slug("Add -sDIRECT_SOCKETS: a SOCKFS backend"), "Add-sDIRECT_SOCKETS-a-SOCKFS-backend");
        assert_eq!(slug("libsockfs_direct.js: UDP"), "libsockfs_direct.js-UDP");
        assert_eq!(slug("!!!"), "patch");
        assert!(slug(&"x ".repeat(100)).len() <= 52);
        assert!(!slug("Trailing dots... ").ends_with('.'));
    }
}
