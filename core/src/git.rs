//! The one module that runs the real `git` (via [`std::process::Command`]).
//!
//! Everything dsock does to an Emscripten checkout goes through [`Git`]: plumbing
//! (`rev-parse`, `read-tree`, `apply --cached`, `hash-object`, `write-tree`,
//! `commit-tree`, `update-ref`, `merge-tree --write-tree`) for in-memory work that
//! never touches a work tree, and a few porcelain commands (`format-patch`, `am`,
//! `patch-id`) whose output formats are stable. We never re-implement git.
//!
//! Every invocation runs with `LC_ALL=C` (parsable messages), `GIT_TERMINAL_PROMPT=0`
//! and `-c` overrides that pin the output formats dsock parses or writes
//! (no diff prefixes games, no color, full hashes where asked).

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::error::{Error, Result};

/// The `-c` overrides every git call gets, so user config cannot change what we parse or write.
const PINNED_CONFIG: &[&str] = &[
    "core.quotePath=false",
    "color.ui=false",
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "diff.relative=false",
    "format.signature=",
    "format.coverLetter=false",
    "format.numbered=auto",
    "format.thread=false",
    "format.signOff=false",
    "format.forceInBodyFrom=false",
    "format.outputDirectory=",
    "format.suffix=.patch",
    "format.useAutoBase=false",
    "commit.gpgSign=false",
    "am.threeWay=false",
    "am.keepcr=false",
    "advice.detachedHead=false",
];

/// Identity and date for a commit dsock writes (`commit-tree`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub email: String,
    /// Git internal date format: `"<unix seconds> <+hhmm>"`.
    pub date: String,
}

impl Ident {
    /// Parse `"Name <email>"` (the series' `author` field) with the given date.
    ///
    /// Errors (Usage) when the string has no `<email>` part.
    pub fn parse(author: &str, date: &str) -> Result<Ident> {
        let (name, rest) = author.rsplit_once('<').ok_or_else(|| {
            Error::usage(format!("author {author:?} is not `Name <email>`"))
        })?;
        let email = rest.strip_suffix('>').ok_or_else(|| {
            Error::usage(format!("author {author:?} is not `Name <email>`"))
        })?;
        Ok(Ident { name: name.trim().to_string(), email: email.to_string(), date: date.into() })
    }
}

/// One commit as read back from a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub sha: String,
    pub tree: String,
    pub parents: Vec<String>,
    /// `Name <email>`.
    pub author: String,
    /// The raw message (`%B`), with its trailing newline.
    pub message: String,
}

/// One conflicted path reported by `git merge-tree --write-tree`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConflictedPath {
    pub path: String,
    /// Stages present (1 = base, 2 = ours/new base, 3 = theirs/the series commit).
    pub stages: Vec<u8>,
}

/// Result of a 3-way merge computed in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeTree {
    /// The merged tree; on conflict it holds the files with conflict markers.
    pub tree: String,
    /// Empty when the merge was clean.
    pub conflicts: Vec<ConflictedPath>,
    /// git's informational messages (`CONFLICT (content): Merge conflict in …`).
    pub messages: Vec<String>,
}

impl MergeTree {
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty()
    }
}

/// A full commit id (40 hex digits, as `git rev-parse` prints it). Derefs to `&str` so it
/// passes where git arguments are expected; `{:.12}` abbreviates it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct CommitId(String);

impl CommitId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for CommitId {
    type Err = Error;
    /// A full id: 40 (SHA-1) or 64 (SHA-256) lowercase hex digits.
    fn from_str(s: &str) -> Result<CommitId> {
        if matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(CommitId(s.to_string()))
        } else {
            Err(Error::usage(format!("{s:?} is not a full commit id")))
        }
    }
}

impl std::ops::Deref for CommitId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<OsStr> for CommitId {
    fn as_ref(&self) -> &OsStr {
        OsStr::new(&self.0)
    }
}

impl std::fmt::Display for CommitId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(&self.0)
    }
}

impl PartialEq<str> for CommitId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<String> for CommitId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<CommitId> for String {
    fn eq(&self, other: &CommitId) -> bool {
        *self == other.0
    }
}

impl From<&CommitId> for CommitId {
    fn from(id: &CommitId) -> CommitId {
        id.clone()
    }
}

impl From<CommitId> for String {
    fn from(id: CommitId) -> String {
        id.0
    }
}

/// The git mode of a regular file in a tree or index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum FileMode {
    /// `100644`
    Regular,
    /// `100755`
    Executable,
}

impl FileMode {
    /// `100644` or `100755`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileMode::Regular => "100644",
            FileMode::Executable => "100755",
        }
    }

    /// `Some` for the two regular-file modes; `None` for symlinks (`120000`), trees,
    /// submodules.
    pub fn parse(mode: &str) -> Option<FileMode> {
        match mode {
            "100644" => Some(FileMode::Regular),
            "100755" => Some(FileMode::Executable),
            _ => None,
        }
    }

    /// The mode git would record for the file at `path`: executable when any execute bit
    /// is set (unix); `Regular` elsewhere or when the file cannot be read.
    pub fn of_path(path: &Path) -> FileMode {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0) {
                return FileMode::Executable;
            }
        }
        let _ = path;
        FileMode::Regular
    }
}

/// Where a checkout keeps upstream's `branch`, in the order dsock prefers them:
/// `refs/remotes/origin/<branch>`, then `refs/heads/<branch>`.
pub fn upstream_refs(branch: &str) -> [String; 2] {
    [format!("refs/remotes/origin/{branch}"), format!("refs/heads/{branch}")]
}

/// Handle on one git repository (a checkout or a bare repo), optionally with a
/// private index file (`GIT_INDEX_FILE`) for plumbing that must not touch the real index.
#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
    env: Vec<(OsString, OsString)>,
    /// `-c` settings on top of [`PINNED_CONFIG`] (see [`Git::with_index`]).
    config: Vec<&'static str>,
}

/// Settings for private index files only. Version 4 (prefix-compressed paths) and no
/// trailing checksum make each read and write of a full Emscripten index (~12k entries)
/// roughly a third cheaper; `dsock check` rewrites one several times. Git >= 2.40 reads
/// such an index; we require 2.44 anyway.
const PRIVATE_INDEX_CONFIG: &[&str] = &["index.version=4", "index.skipHash=true"];

impl Git {
    /// Open the repository at `path` (any directory inside a work tree, or a git dir).
    ///
    /// Errors (Environment) when `path` is not inside a git repository or git is missing.
    pub fn open(path: &Path) -> Result<Git> {
        if !path.exists() {
            return Err(Error::environment(format!("{} does not exist", path.display())));
        }
        check_git_version()?;
        let git = Git { dir: path.to_path_buf(), env: Vec::new(), config: Vec::new() };
        let out = git.output(["rev-parse", "--git-dir"])?;
        if !out.status.success() {
            return Err(Error::environment(format!(
                "{} is not a git repository: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(git)
    }

    /// The directory git runs in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A copy of this handle whose commands use `index` as `GIT_INDEX_FILE`, a private
    /// index (such as a [`TempIndex`]) that only dsock's own plumbing reads.
    pub fn with_index(&self, index: &Path) -> Git {
        let mut g = self.clone();
        g.env.push(("GIT_INDEX_FILE".into(), index.as_os_str().to_owned()));
        g.config.extend(PRIVATE_INDEX_CONFIG);
        g
    }

    /// A copy of this handle with one more environment variable for its commands.
    pub fn with_env(&self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Git {
        let mut g = self.clone();
        g.env.push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        g
    }

    /// A `git` command in this repository with pinned config and environment; not yet run.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new("git");
        cmd.current_dir(&self.dir);
        for c in PINNED_CONFIG.iter().chain(&self.config) {
            cmd.arg("-c").arg(c);
        }
        cmd.args(args);
        cmd.env("LC_ALL", "C").env("LANGUAGE", "C").env("GIT_TERMINAL_PROMPT", "0");
        // An external diff driver (GIT_EXTERNAL_DIFF, or diff.external in user config) would
        // replace the patches we parse; plumbing and format-patch never use one, and porcelain
        // `git diff` callers pass --no-ext-diff. Pinning `diff.external=` instead would make git
        // try to run an empty command.
        cmd.env_remove("GIT_DIR").env_remove("GIT_WORK_TREE").env_remove("GIT_EXTERNAL_DIFF");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Run and return the raw output, whatever the exit status.
    ///
    /// Errors (Environment) only when `git` cannot be started.
    pub fn output<I, S>(&self, args: I) -> Result<Output>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.output_with_stdin(args, None)
    }

    /// Like [`Git::output`], feeding `stdin` to the command.
    pub fn output_with_stdin<I, S>(&self, args: I, stdin: Option<&[u8]>) -> Result<Output>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command(args);
        cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| {
            Error::environment(format!("cannot run git: {e}"))
                .with_hint("install git (e.g. `apt-get install git`) and make sure it is on PATH")
        })?;
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().expect("piped stdin");
            let input = input.to_vec();
            // Write from a thread so a large input cannot deadlock against a full stdout pipe.
            let writer = std::thread::spawn(move || {
                let _ = pipe.write_all(&input);
            });
            let out = child.wait_with_output()?;
            let _ = writer.join();
            return Ok(out);
        }
        Ok(child.wait_with_output()?)
    }

    /// Run; succeed only on exit status 0 and return stdout bytes.
    ///
    /// Errors (Git) with the command line and git's stderr otherwise.
    pub fn run_bytes<I, S>(&self, args: I, stdin: Option<&[u8]>) -> Result<Vec<u8>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let out = self.output_with_stdin(&args, stdin)?;
        if !out.status.success() {
            return Err(self.failure(&args, &out));
        }
        Ok(out.stdout)
    }

    /// Run; succeed only on exit status 0 and return stdout as a trimmed string.
    pub fn run<I, S>(&self, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self.run_bytes(args, None)?;
        Ok(String::from_utf8_lossy(&out).trim_end().to_string())
    }

    /// The error for a failed invocation: command line + stderr, in `dir`.
    pub fn failure(&self, args: &[OsString], out: &Output) -> Error {
        let line: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
        let stderr = String::from_utf8_lossy(&out.stderr);
        Error::git(format!(
            "`git {}` failed in {} ({}): {}",
            line.join(" "),
            self.dir.display(),
            out.status,
            stderr.trim()
        ))
    }

    /// Full commit id of `rev` (`rev^{commit}`).
    ///
    /// Errors (Usage) when `rev` does not name a commit in this repository.
    pub fn rev_parse_commit(&self, rev: &str) -> Result<CommitId> {
        self.try_rev_parse(&format!("{rev}^{{commit}}")).map(CommitId).ok_or_else(|| {
            Error::usage(format!("{rev:?} is not a commit in {}", self.dir.display()))
        })
    }

    /// Full object id of `rev`, or `None` when it does not resolve.
    pub fn try_rev_parse(&self, rev: &str) -> Option<String> {
        let out = self.output(["rev-parse", "--verify", "--quiet", "--end-of-options", rev]).ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    }

    /// `true` when `ancestor` is an ancestor of (or equal to) `descendant`.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> bool {
        self.output(["merge-base", "--is-ancestor", ancestor, descendant])
            .map(|o| o.status.success())
            .unwrap_or(false)
    }

    /// The best common ancestor of `a` and `b`, if any.
    pub fn merge_base(&self, a: &str, b: &str) -> Option<String> {
        self.run(["merge-base", a, b]).ok().filter(|s| !s.is_empty())
    }

    /// Number of commits in `from..to`.
    pub fn count(&self, from: &str, to: &str) -> Result<usize> {
        let s = self.run(["rev-list", "--count", &format!("{from}..{to}")])?;
        s.parse().map_err(|_| Error::internal(format!("rev-list --count printed {s:?}")))
    }

    /// Commits in `from..to`, oldest first (`--topo-order --reverse`).
    pub fn rev_list(&self, from: &str, to: &str) -> Result<Vec<String>> {
        let s = self.run(["rev-list", "--reverse", "--topo-order", &format!("{from}..{to}")])?;
        Ok(s.lines().map(str::to_string).collect())
    }

    /// Read a commit's tree, parents, author and raw message.
    pub fn commit_info(&self, rev: &str) -> Result<CommitInfo> {
        let raw = self.run_bytes(
            ["show", "-s", "--no-show-signature", "--format=%H%x00%T%x00%P%x00%an <%ae>%x00%B", rev],
            None,
        )?;
        let text = String::from_utf8_lossy(&raw);
        let mut parts = text.splitn(5, '\0');
        let mut next = || parts.next().unwrap_or("").to_string();
        let (sha, tree, parents, author, message) = (next(), next(), next(), next(), next());
        Ok(CommitInfo {
            sha,
            tree,
            parents: parents.split_whitespace().map(str::to_string).collect(),
            author,
            // `%B` plus the newline `show` adds; normalize to exactly one trailing newline.
            message: format!("{}\n", message.trim_end()),
        })
    }

    /// Committer date of `rev` in git's internal format (`"<unix> <+hhmm>"`).
    pub fn committer_date(&self, rev: &str) -> Result<String> {
        self.run(["show", "-s", "--format=%ct %cz", rev])
    }

    /// Contents of `path` in `rev` (a commit or tree), or `None` when absent.
    pub fn read_blob(&self, rev: &str, path: &str) -> Result<Option<Vec<u8>>> {
        let spec = format!("{rev}:{path}");
        let out = self.output(["cat-file", "blob", &spec])?;
        Ok(out.status.success().then_some(out.stdout))
    }

    /// Mode (`100644`, `100755`, `120000`, `040000`…) of `path` in tree-ish `rev`, or `None`.
    pub fn path_mode(&self, rev: &str, path: &str) -> Result<Option<String>> {
        Ok(self.path_modes(rev, &[path.to_string()])?.remove(path))
    }

    /// Modes of several file paths of tree-ish `rev` in one `git ls-tree` process: only
    /// the paths present in `rev` are in the map (see [`Git::path_mode`]). For a directory
    /// given together with a path inside it, ls-tree lists the inside only, so pass files.
    pub fn path_modes(&self, rev: &str, paths: &[String]) -> Result<BTreeMap<String, String>> {
        let mut found = BTreeMap::new();
        if paths.is_empty() {
            return Ok(found);
        }
        let mut args: Vec<String> = ["ls-tree", "-z", "--full-tree", rev, "--"].map(String::from).into();
        args.extend(paths.iter().cloned());
        let out = self.run_bytes(&args, None)?;
        let text = String::from_utf8_lossy(&out);
        for entry in text.split('\0').filter(|e| !e.is_empty()) {
            if let Some((meta, p)) = entry.split_once('\t') {
                if paths.iter().any(|q| q == p) {
                    if let Some(mode) = meta.split(' ').next() {
                        found.insert(p.to_string(), mode.to_string());
                    }
                }
            }
        }
        Ok(found)
    }

    /// Files changed between two tree-ishes, without rename detection:
    /// `(status letter, path)` with status one of `A`, `M`, `D`, `T`.
    pub fn diff_name_status(&self, a: &str, b: &str) -> Result<Vec<(char, String)>> {
        let out = self.run_bytes(
            ["diff-tree", "-r", "-z", "--no-renames", "--name-status", a, b],
            None,
        )?;
        let text = String::from_utf8_lossy(&out);
        let mut fields = text.split('\0').filter(|f| !f.is_empty());
        let mut result = Vec::new();
        while let (Some(status), Some(path)) = (fields.next(), fields.next()) {
            result.push((status.chars().next().unwrap_or('?'), path.to_string()));
        }
        Ok(result)
    }

    /// Store `bytes` as a blob (exact bytes, no filters) and return its id.
    pub fn hash_object(&self, bytes: &[u8]) -> Result<String> {
        let out = self.run_bytes(["hash-object", "-w", "--no-filters", "--stdin"], Some(bytes))?;
        Ok(String::from_utf8_lossy(&out).trim().to_string())
    }

    /// Store each file (read from disk, exact bytes, no filters) as a blob, in one
    /// `git hash-object --stdin-paths` process. Returns the ids in the order of `paths`.
    ///
    /// Errors (Git) when a file cannot be read.
    pub fn hash_files(&self, paths: &[PathBuf]) -> Result<Vec<String>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let mut input = Vec::new();
        for p in paths {
            let abs = if p.is_absolute() { p.clone() } else { std::env::current_dir()?.join(p) };
            let text = abs.to_str().ok_or_else(|| {
                Error::usage(format!("{} is not valid UTF-8; git cannot read it from --stdin-paths", abs.display()))
            })?;
            if text.contains('\n') {
                return Err(Error::usage(format!("{text:?} contains a newline")));
            }
            input.extend_from_slice(text.as_bytes());
            input.push(b'\n');
        }
        let out = self.run_bytes(["hash-object", "-w", "--no-filters", "--stdin-paths"], Some(&input))?;
        let ids: Vec<String> = String::from_utf8_lossy(&out).lines().map(str::to_string).collect();
        if ids.len() != paths.len() {
            return Err(Error::git(format!("hash-object returned {} ids for {} files", ids.len(), paths.len())));
        }
        Ok(ids)
    }

    /// Add or replace index entries `(mode, blob id, path)` in one
    /// `git update-index -z --index-info` process (use on a [`Git::with_index`] handle).
    pub fn update_index_entries(&self, entries: &[(String, String, String)]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut input = Vec::new();
        for (mode, blob, path) in entries {
            input.extend_from_slice(format!("{mode} {blob}\t{path}").as_bytes());
            input.push(0);
        }
        self.run_bytes(["update-index", "-z", "--index-info"], Some(&input))?;
        Ok(())
    }

    /// Tree id of `tree` (any tree-ish) with the files `paths` removed; absent paths are
    /// ignored and directories left empty disappear, as with `git rm --cached`.
    ///
    /// Edits only the trees on the way to each path (`ls-tree` + `mktree` per directory),
    /// so the cost does not grow with the size of the repository, unlike a round trip
    /// through an index.
    pub fn tree_without(&self, tree: &str, paths: &[String]) -> Result<String> {
        let root = self.run(["rev-parse", "--verify", "--end-of-options", &format!("{tree}^{{tree}}")])?;
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        match self.tree_without_rec(&root, &paths)? {
            Some(id) => Ok(id),
            None => Ok(String::from_utf8_lossy(&self.run_bytes(["mktree", "-z"], Some(b""))?).trim().to_string()),
        }
    }

    /// `tree` (an id) without `paths` (relative to it); `None` when the result is empty.
    fn tree_without_rec(&self, tree: &str, paths: &[&str]) -> Result<Option<String>> {
        let listing = self.run_bytes(["ls-tree", "-z", tree], None)?;
        let mut entries: Vec<Vec<u8>> = Vec::new();
        let mut changed = false;
        for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
            let Some(tab) = entry.iter().position(|b| *b == b'\t') else { continue };
            let name = String::from_utf8_lossy(&entry[tab + 1..]).into_owned();
            if paths.contains(&name.as_str()) {
                changed = true;
                continue;
            }
            let prefix = format!("{name}/");
            let below: Vec<&str> = paths.iter().filter_map(|p| p.strip_prefix(&prefix)).collect();
            let meta = String::from_utf8_lossy(&entry[..tab]).into_owned();
            let mut fields = meta.split(' ');
            let (mode, kind, id) = (fields.next().unwrap_or(""), fields.next().unwrap_or(""), fields.next().unwrap_or(""));
            if below.is_empty() || kind != "tree" {
                entries.push(entry.to_vec());
                continue;
            }
            match self.tree_without_rec(id, &below)? {
                Some(sub) if sub == id => entries.push(entry.to_vec()),
                Some(sub) => {
                    changed = true;
                    let mut e = format!("{mode} tree {sub}\t").into_bytes();
                    e.extend_from_slice(&entry[tab + 1..]);
                    entries.push(e);
                }
                None => changed = true,
            }
        }
        if !changed {
            return Ok(Some(tree.to_string()));
        }
        if entries.is_empty() {
            return Ok(None);
        }
        let mut input = Vec::new();
        for e in entries {
            input.extend_from_slice(&e);
            input.push(0);
        }
        let out = self.run_bytes(["mktree", "-z"], Some(&input))?;
        Ok(Some(String::from_utf8_lossy(&out).trim().to_string()))
    }

    /// Contents of several blobs of `rev` in one `git cat-file --batch` process, in the
    /// order of `paths`; `None` for a path that is absent (or not a blob).
    pub fn read_blobs(&self, rev: &str, paths: &[String]) -> Result<Vec<Option<Vec<u8>>>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let mut input = String::new();
        for p in paths {
            if p.contains('\n') {
                return Err(Error::usage(format!("{p:?} contains a newline")));
            }
            input.push_str(&format!("{rev}:{p}\n"));
        }
        let out = self.run_bytes(["cat-file", "--batch"], Some(input.as_bytes()))?;
        let mut result = Vec::with_capacity(paths.len());
        let mut rest: &[u8] = &out;
        for _ in paths {
            let nl = rest.iter().position(|b| *b == b'\n').ok_or_else(|| Error::git("cat-file --batch: truncated output"))?;
            let header = String::from_utf8_lossy(&rest[..nl]).into_owned();
            rest = &rest[nl + 1..];
            let fields: Vec<&str> = header.split(' ').collect();
            match fields.as_slice() {
                [_, kind, size] => {
                    let size: usize = size.parse().map_err(|_| Error::git(format!("cat-file --batch: bad header {header:?}")))?;
                    if rest.len() < size + 1 {
                        return Err(Error::git("cat-file --batch: truncated output"));
                    }
                    result.push((*kind == "blob").then(|| rest[..size].to_vec()));
                    rest = &rest[size + 1..];
                }
                _ => result.push(None), // "<name> missing" / "ambiguous"
            }
        }
        Ok(result)
    }

    /// Create a commit object (no ref moves) with the given tree, parents, message and identity.
    /// The committer is the author, so the same inputs give the same commit id on any machine.
    pub fn commit_tree(
        &self,
        tree: &str,
        parents: &[&str],
        message: &str,
        ident: &Ident,
    ) -> Result<CommitId> {
        let mut args: Vec<String> = vec!["commit-tree".into(), tree.into()];
        for p in parents {
            args.push("-p".into());
            args.push((*p).into());
        }
        let g = self
            .with_env("GIT_AUTHOR_NAME", &ident.name)
            .with_env("GIT_AUTHOR_EMAIL", &ident.email)
            .with_env("GIT_AUTHOR_DATE", &ident.date)
            .with_env("GIT_COMMITTER_NAME", &ident.name)
            .with_env("GIT_COMMITTER_EMAIL", &ident.email)
            .with_env("GIT_COMMITTER_DATE", &ident.date);
        let out = g.run_bytes(&args, Some(message.as_bytes()))?;
        Ok(CommitId(String::from_utf8_lossy(&out).trim().to_string()))
    }

    /// Point `refname` at `new` with a reflog message. With `old = Some(sha)` the update
    /// happens only if the ref currently is `sha` (all zeros = must not exist yet).
    pub fn update_ref(&self, refname: &str, new: &str, old: Option<&str>, reason: &str) -> Result<()> {
        let mut args = vec!["update-ref", "-m", reason, refname, new];
        if let Some(o) = old {
            args.push(o);
        }
        self.run(args).map(|_| ())
    }

    /// `git format-patch` of one commit, Electron-style deterministic: zeroed `From` line,
    /// full blob ids, no signature, no diffstat, subject kept as is, no renames, myers diff.
    pub fn format_patch(&self, commit: &str) -> Result<Vec<u8>> {
        self.run_bytes(
            [
                "format-patch",
                "-1",
                "--stdout",
                "--zero-commit",
                "--full-index",
                "--binary",
                "--no-signature",
                "--no-stat",
                "--keep-subject",
                "--no-renames",
                "--diff-algorithm=myers",
                "--indent-heuristic",
                "--encode-email-headers",
                "--no-notes",
                commit,
            ],
            None,
        )
    }

    /// Stable patch id (`git patch-id --stable`) of a patch text; `None` for a patch with no diff.
    /// Equal ids mean the same change regardless of line numbers and whitespace.
    pub fn patch_id(&self, patch: &[u8]) -> Result<Option<String>> {
        let out = self.run_bytes(["patch-id", "--stable"], Some(patch))?;
        Ok(String::from_utf8_lossy(&out).split_whitespace().next().map(str::to_string))
    }

    /// Stable patch id of the change a commit makes relative to its first parent.
    pub fn commit_patch_id(&self, commit: &str) -> Result<Option<String>> {
        let diff = self.run_bytes(
            ["diff-tree", "-p", "--full-index", "--binary", "--no-renames", &format!("{commit}^!")],
            None,
        )?;
        self.patch_id(&diff)
    }

    /// Stable patch ids of every non-merge commit in `from..to`, as `(patch id, commit)`.
    pub fn patch_ids_in_range(&self, from: &str, to: &str) -> Result<Vec<(String, String)>> {
        let log = self.run_bytes(
            [
                "log",
                "-p",
                "--no-merges",
                "--full-index",
                "--binary",
                "--no-renames",
                "--format=commit %H",
                &format!("{from}..{to}"),
            ],
            None,
        )?;
        let out = self.run_bytes(["patch-id", "--stable"], Some(&log))?;
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect())
    }

    /// 3-way merge in memory: `git merge-tree --write-tree --merge-base=BASE OURS THEIRS`
    /// (all three may be commits or trees). Touches no index and no work tree; writes
    /// the result tree (with conflict markers on conflict) to the object store.
    pub fn merge_tree(&self, base: &str, ours: &str, theirs: &str) -> Result<MergeTree> {
        let args = [
            "merge-tree".to_string(),
            "--write-tree".into(),
            "-z".into(),
            format!("--merge-base={base}"),
            ours.into(),
            theirs.into(),
        ];
        let out = self.output(&args)?;
        let code = out.status.code();
        if code != Some(0) && code != Some(1) {
            let args: Vec<OsString> = args.iter().map(OsString::from).collect();
            return Err(self.failure(&args, &out));
        }
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        // Layout (-z): TREE NUL, then (if conflicted) "<mode> <oid> <stage>\t<path>" NUL...,
        // an empty field, then messages "<n> NUL <path>... NUL <type> NUL <message> NUL".
        let mut fields = text.split('\0');
        let tree = fields.next().unwrap_or("").trim().to_string();
        let mut conflicts: Vec<ConflictedPath> = Vec::new();
        let mut messages = Vec::new();
        if code == Some(1) {
            for f in fields.by_ref() {
                if f.is_empty() {
                    break;
                }
                let Some((meta, path)) = f.split_once('\t') else { continue };
                let stage: u8 = meta.rsplit(' ').next().and_then(|s| s.parse().ok()).unwrap_or(0);
                match conflicts.iter_mut().find(|c| c.path == path) {
                    Some(c) => c.stages.push(stage),
                    None => conflicts.push(ConflictedPath { path: path.into(), stages: vec![stage] }),
                }
            }
        }
        // Informational messages (present for clean merges too).
        let rest: Vec<&str> = fields.collect();
        let mut i = 0;
        while i < rest.len() {
            let Ok(n) = rest[i].parse::<usize>() else {
                i += 1;
                continue;
            };
            let msg_at = i + 1 + n + 1;
            if let Some(m) = rest.get(msg_at) {
                messages.push(m.trim_end().to_string());
            }
            i = msg_at + 1;
        }
        Ok(MergeTree { tree, conflicts, messages })
    }

    /// Tree id of a commit.
    pub fn tree_of(&self, commit: &str) -> Result<String> {
        self.run(["rev-parse", &format!("{commit}^{{tree}}")])
    }

    /// The branch checked out in this work tree (`None` when detached or bare).
    pub fn current_branch(&self) -> Option<String> {
        self.run(["symbolic-ref", "--quiet", "--short", "HEAD"]).ok().filter(|s| !s.is_empty())
    }

    /// The work tree (if any) where `refs/heads/<branch>` is checked out.
    pub fn worktree_of_branch(&self, branch: &str) -> Result<Option<PathBuf>> {
        let out = self.run(["worktree", "list", "--porcelain"])?;
        let want = format!("branch refs/heads/{branch}");
        let mut current: Option<PathBuf> = None;
        for line in out.lines() {
            if let Some(p) = line.strip_prefix("worktree ") {
                current = Some(PathBuf::from(p));
            } else if line == want {
                return Ok(current);
            }
        }
        Ok(None)
    }

    /// Tracked files with uncommitted changes (staged or not), as `git status --porcelain`
    /// lines; untracked files are not counted. Empty = clean.
    pub fn dirty_files(&self) -> Result<Vec<String>> {
        let out = self.run(["status", "--porcelain=v1", "--untracked-files=no", "--ignore-submodules"])?;
        Ok(out.lines().map(str::to_string).filter(|l| !l.is_empty()).collect())
    }

    /// The git dir of this repository (absolute).
    pub fn git_dir(&self) -> Result<PathBuf> {
        let d = self.run(["rev-parse", "--absolute-git-dir"])?;
        Ok(PathBuf::from(d))
    }

    /// `true` when a `git am` or `git rebase` is in progress in this work tree.
    pub fn operation_in_progress(&self) -> Result<Option<&'static str>> {
        let dir = self.git_dir()?;
        if dir.join("rebase-apply").exists() {
            return Ok(Some(if dir.join("rebase-apply").join("applying").exists() { "am" } else { "rebase" }));
        }
        if dir.join("rebase-merge").exists() {
            return Ok(Some("rebase"));
        }
        if dir.join("CHERRY_PICK_HEAD").exists() || dir.join("MERGE_HEAD").exists() {
            return Ok(Some("merge/cherry-pick"));
        }
        Ok(None)
    }

    /// Add a detached work tree of `commit` at `path` (for running tests on a materialized
    /// series), copying this checkout's sparse-checkout patterns first so blobs excluded
    /// here (e.g. a mirror lacking them) are not needed there either.
    pub fn add_worktree(&self, path: &Path, commit: &str) -> Result<Git> {
        let p = path.to_string_lossy().into_owned();
        self.run(["worktree", "add", "--detach", "--no-checkout", &p, commit])?;
        let wt = Git::open(path)?;
        let sparse = self.run(["config", "--bool", "core.sparseCheckout"]).unwrap_or_default();
        if sparse == "true" {
            let patterns = self.run(["sparse-checkout", "list"]).unwrap_or_default();
            let cone = self.run(["config", "--bool", "core.sparseCheckoutCone"]).unwrap_or_default();
            let mut args = vec!["sparse-checkout".to_string(), "set".into()];
            if cone != "true" {
                args.push("--no-cone".into());
            }
            args.extend(patterns.lines().map(str::to_string));
            wt.run(&args)?;
        }
        wt.run(["checkout", "--detach", commit])?;
        Ok(wt)
    }
}

/// Oldest git dsock works with: `merge-tree --write-tree --merge-base=<tree>` (2.44).
pub const MIN_GIT_VERSION: (u32, u32) = (2, 44);

/// Parse `git version 2.47.3` (also `2.39.2.windows.1`, `2.45.0.rc1`) into (major, minor).
pub fn parse_git_version(text: &str) -> Option<(u32, u32)> {
    let v = text.split_whitespace().find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))?;
    let mut parts = v.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Fail (Environment) once per process if `git` is missing or older than [`MIN_GIT_VERSION`].
fn check_git_version() -> Result<()> {
    static CHECKED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let result = CHECKED.get_or_init(|| {
        let out = Command::new("git").arg("--version").output().map_err(|e| format!("cannot run git: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        match parse_git_version(&text) {
            Some(v) if v >= MIN_GIT_VERSION => Ok(()),
            _ => Err(format!(
                "dsock needs git >= {}.{}, found {:?}",
                MIN_GIT_VERSION.0,
                MIN_GIT_VERSION.1,
                text.trim()
            )),
        }
    });
    result.clone().map_err(|m| {
        Error::environment(m).with_hint("install a newer git (e.g. `apt-get install git` on Debian 13) and make sure it is first on PATH")
    })
}

/// A private index file for plumbing (`GIT_INDEX_FILE`), deleted on drop.
pub struct TempIndex {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl TempIndex {
    pub fn new() -> Result<TempIndex> {
        let dir = tempfile::Builder::new().prefix("dsock-index").tempdir()?;
        let path = dir.path().join("index");
        Ok(TempIndex { _dir: dir, path })
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_git_versions() {
        assert_eq!(parse_git_version("git version 2.47.3\n"), Some((2, 47)));
        assert_eq!(parse_git_version("git version 2.39.2.windows.1"), Some((2, 39)));
        assert_eq!(parse_git_version("nonsense"), None);
        assert!(parse_git_version("git version 2.43.0").unwrap() < MIN_GIT_VERSION);
    }

    #[test]
    fn ident_parses_name_and_email() {
        let i = Ident::parse("Jane Q. Doe <jane@example.com>", "1 +0000").unwrap();
        assert_eq!((i.name.as_str(), i.email.as_str()), ("Jane Q. Doe", "jane@example.com"));
        assert!(Ident::parse("no email", "1 +0000").is_err());
    }

    /// Porcelain `git diff` through the wrapper must work (an empty pinned `diff.external`
    /// made git try to run "" as the diff driver), and a user's external diff driver must
    /// not leak into what dsock reads.
    #[test]
    fn porcelain_diff_runs_and_ignores_external_drivers() {
        let dir = tempfile::tempdir().unwrap();
        let init = |args: &[&str]| {
            let st = Command::new("git").current_dir(dir.path()).args(args).status().unwrap();
            assert!(st.success(), "git {args:?}");
        };
        init(&["init", "-q"]);
        std::fs::write(dir.path().join("f"), "a\n").unwrap();
        init(&["add", "f"]);
        init(&["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one"]);
        std::fs::write(dir.path().join("f"), "b\n").unwrap();
        let git = Git::open(dir.path()).unwrap();
        let out = git.run(["diff"]).unwrap();
        assert!(out.contains("-a\n+b"), "{out}");
        let cmd = git.command(["diff"]);
        assert!(
            cmd.get_envs().any(|(k, v)| k == "GIT_EXTERNAL_DIFF" && v.is_none()),
            "GIT_EXTERNAL_DIFF must be cleared for every git call"
        );
    }

    /// A repository with one commit holding `files` (path -> contents).
    fn repo_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Git, String) {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let st = Command::new("git").current_dir(dir.path()).args(args).status().unwrap();
            assert!(st.success(), "git {args:?}");
        };
        run(&["init", "-q"]);
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        run(&["add", "-A"]);
        run(&["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one"]);
        let git = Git::open(dir.path()).unwrap();
        let head = git.rev_parse_commit("HEAD").unwrap();
        (dir, git, head.to_string())
    }

    /// The same removal through a private index (`update-index --force-remove`), which is
    /// what `tree_without` replaces.
    fn tree_without_via_index(git: &Git, rev: &str, paths: &[String]) -> String {
        let index = TempIndex::new().unwrap();
        let g = git.with_index(index.path());
        g.run(["read-tree", rev]).unwrap();
        let mut args = vec!["update-index".to_string(), "--force-remove".into(), "--".into()];
        args.extend(paths.iter().cloned());
        g.run(&args).unwrap();
        g.run(["write-tree"]).unwrap()
    }

    #[test]
    fn tree_without_matches_an_index_round_trip() {
        let (_d, git, head) = repo_with(&[
            ("top.txt", "t\n"),
            ("src/lib/a.js", "a\n"),
            ("src/lib/b.js", "b\n"),
            ("test/sockets/only.c", "o\n"),
            ("test/other.py", "p\n"),
            ("dir with space/x y.c", "s\n"),
        ]);
        let cases: &[&[&str]] = &[
            &["src/lib/a.js"],
            &["src/lib/a.js", "src/lib/b.js"],      // a directory emptied: it disappears
            &["test/sockets/only.c", "top.txt"],    // two subtrees and the root
            &["dir with space/x y.c"],
            &["not/there.c", "src/missing.js"],     // absent paths are ignored
            &[],
        ];
        for case in cases {
            let paths: Vec<String> = case.iter().map(|s| s.to_string()).collect();
            let want = tree_without_via_index(&git, &head, &paths);
            assert_eq!(git.tree_without(&head, &paths).unwrap(), want, "{paths:?}");
        }
        // Removing every file gives the empty tree.
        let all: Vec<String> = git.run(["ls-files"]).unwrap().lines().map(str::to_string).collect();
        assert_eq!(git.tree_without(&head, &all).unwrap(), tree_without_via_index(&git, &head, &all));
        assert_eq!(git.tree_without(&head, &[]).unwrap(), git.tree_of(&head).unwrap());
    }

    #[test]
    fn batched_reads_match_single_reads() {
        let (_d, git, head) = repo_with(&[("a.txt", "alpha\n"), ("d/b.bin", "be\0ta"), ("d/e/c", "")]);
        let paths: Vec<String> = ["d/b.bin", "missing", "a.txt", "d", "d/e/c"].map(String::from).into();
        let blobs = git.read_blobs(&head, &paths).unwrap();
        assert_eq!(
            blobs,
            vec![Some(b"be\0ta".to_vec()), None, Some(b"alpha\n".to_vec()), None, Some(Vec::new())]
        );
        for (p, b) in paths.iter().zip(&blobs) {
            if p != "d" {
                assert_eq!(&git.read_blob(&head, p).unwrap(), b, "{p}");
            }
        }
        let files: Vec<String> = paths.iter().filter(|p| *p != "d").cloned().collect();
        let modes = git.path_modes(&head, &files).unwrap();
        assert_eq!(modes.keys().cloned().collect::<Vec<_>>(), ["a.txt", "d/b.bin", "d/e/c"]);
        for p in ["a.txt", "d/b.bin", "d/e/c", "missing"] {
            assert_eq!(modes.get(p).cloned(), git.path_mode(&head, p).unwrap(), "{p}");
        }
    }

    #[test]
    fn hash_files_and_index_info_build_the_expected_tree() {
        let (d, git, head) = repo_with(&[("keep.txt", "k\n")]);
        let scratch = tempfile::tempdir().unwrap();
        let (one, two) = (scratch.path().join("one"), scratch.path().join("two"));
        std::fs::write(&one, "first\n").unwrap();
        std::fs::write(&two, "second\r\n").unwrap(); // no filters: CRLF kept
        let ids = git.hash_files(&[one.clone(), two.clone()]).unwrap();
        assert_eq!(ids, vec![git.hash_object(b"first\n").unwrap(), git.hash_object(b"second\r\n").unwrap()]);
        let index = TempIndex::new().unwrap();
        let g = git.with_index(index.path());
        g.run(["read-tree", &head]).unwrap();
        g.update_index_entries(&[
            ("100644".into(), ids[0].clone(), "new/one.txt".into()),
            ("100755".into(), ids[1].clone(), "two.sh".into()),
        ])
        .unwrap();
        let tree = g.run(["write-tree"]).unwrap();
        let listing = git.run(["ls-tree", "-r", &tree]).unwrap();
        assert!(listing.contains(&format!("100644 blob {}\tnew/one.txt", ids[0])), "{listing}");
        assert!(listing.contains(&format!("100755 blob {}\ttwo.sh", ids[1])), "{listing}");
        assert!(listing.contains("keep.txt"), "{listing}");
        // The user's own index is untouched by private-index plumbing.
        let status = git.run(["status", "--porcelain"]).unwrap();
        assert_eq!(status, "", "{}", d.path().display());
    }
}
