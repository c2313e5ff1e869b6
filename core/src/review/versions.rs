//! Sent versions of the series: `patch-series/versions/v<N>.toml`.
//!
//! Each file is a self-contained record of what was sent as version N: the
//! upstream base, and per commit its stable id, subject, author, body, sha,
//! patch-id and the full diff text. Keeping the diffs (not just ids) means a
//! later `dsock diff --range v1..v3` needs neither the old base nor the old
//! checkout: the range-diff is computed from these files alone.
//!
//! Files are written once (`dsock version tag`) and never rewritten; the
//! highest N is "the last sent version" (`dsock diff --since-sent`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ReviewCommit;
use crate::error::{Error, Result};
use crate::series::SERIES_DIR;

/// Directory (inside `patch-series/`) holding `v1.toml`, `v2.toml`, ….
pub const VERSIONS_DIR: &str = "versions";

/// One sent version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentVersion {
    /// N of `vN` (1-based).
    pub version: u32,
    /// Upstream commit (40 hex) the series was based on.
    pub base: String,
    /// Free text recorded with the version (`dsock version tag -m`), e.g. where it was sent.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The commits, in series order.
    #[serde(default, rename = "commit")]
    pub commits: Vec<ReviewCommit>,
}

impl SentVersion {
    /// `v<N>`.
    pub fn name(&self) -> String {
        format!("v{}", self.version)
    }

    /// Deterministic TOML (field order as declared).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("version serializes")
    }

    /// True when `commits` say the same as `other` (same base, ids, messages and patch-ids).
    pub fn same_series(&self, base: &str, commits: &[ReviewCommit]) -> bool {
        self.base == base
            && self.commits.len() == commits.len()
            && self.commits.iter().zip(commits).all(|(a, b)| {
                a.id == b.id
                    && a.subject == b.subject
                    && a.body == b.body
                    && a.author == b.author
                    && a.patch_id == b.patch_id
            })
    }
}

/// `patch-series/versions` under a dsock repo root.
pub fn versions_dir(repo_root: &Path) -> PathBuf {
    repo_root.join(SERIES_DIR).join(VERSIONS_DIR)
}

/// `"v3"` → 3. Accepts `V3` too; rejects `v0` and anything else.
pub fn parse_name(name: &str) -> Option<u32> {
    let n: u32 = name.strip_prefix(['v', 'V'])?.parse().ok()?;
    (n > 0).then_some(n)
}

/// Version numbers present, ascending.
pub fn list(repo_root: &Path) -> Result<Vec<u32>> {
    let dir = versions_dir(repo_root);
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(Error::from(e)),
    };
    for entry in entries {
        let name = entry?.file_name().to_string_lossy().to_string();
        if let Some(n) = name.strip_suffix(".toml").and_then(parse_name) {
            out.push(n);
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// Read `vN.toml`.
///
/// Errors (Usage) when the file is missing (hint: `dsock version list`) or malformed.
pub fn load(repo_root: &Path, n: u32) -> Result<SentVersion> {
    let path = versions_dir(repo_root).join(format!("v{n}.toml"));
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::usage(format!("no sent version v{n} ({}: {e})", path.display()))
            .with_hint("run `dsock version list` to see the recorded versions")
    })?;
    let v: SentVersion = toml::from_str(&text)
        .map_err(|e| Error::usage(format!("{}: {e}", path.display())))?;
    if v.version != n {
        return Err(Error::usage(format!(
            "{} says version = {}, expected {n}",
            path.display(),
            v.version
        )));
    }
    Ok(v)
}

/// Write `vN.toml`; refuses to overwrite an existing version (sent versions are history).
pub fn store(repo_root: &Path, v: &SentVersion) -> Result<PathBuf> {
    let dir = versions_dir(repo_root);
    fs_err::create_dir_all(&dir)?;
    let path = dir.join(format!("{}.toml", v.name()));
    if path.exists() {
        return Err(Error::usage(format!("{} already exists", path.display()))
            .with_hint("sent versions are never rewritten; tag the next version instead"));
    }
    fs_err::write(&path, v.to_toml())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SentVersion {
        SentVersion {
            version: 1,
            base: "a04d0beef36bfa7661cee4b8dff7d3909303dabc".into(),
            note: String::new(),
            commits: vec![ReviewCommit {
                id: "I0000000000000000000000000000000000000001".into(),
                subject: "Add it".into(),
                author: "A <a@example.com>".into(),
                body: "Why.\n\nMore ''' quotes \"\"\" and\ttabs.".into(),
                sha: "0".repeat(40),
                patch_id: "1".repeat(40),
                diff: "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a \n+b\t'''\n\\ No newline at end of file\n".into(),
            }],
        }
    }

    #[test]
    fn round_trips_through_toml_byte_exact() {
        let v = sample();
        let back: SentVersion = toml::from_str(&v.to_toml()).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn store_list_load_and_refuse_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        assert!(list(dir.path()).unwrap().is_empty());
        store(dir.path(), &sample()).unwrap();
        let mut v2 = sample();
        v2.version = 2;
        store(dir.path(), &v2).unwrap();
        assert_eq!(list(dir.path()).unwrap(), vec![1, 2]);
        assert_eq!(load(dir.path(), 2).unwrap(), v2);
        let err = store(dir.path(), &v2).unwrap_err();
        assert!(err.message.contains("already exists"), "{err}");
        let err = load(dir.path(), 7).unwrap_err();
        assert_eq!(err.hint.as_deref(), Some("run `dsock version list` to see the recorded versions"));
    }

    #[test]
    fn names() {
        assert_eq!(parse_name("v12"), Some(12));
        assert_eq!(parse_name("v0"), None);
        assert_eq!(parse_name("12"), None);
    }
}
