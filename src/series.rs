//! The series model: `patch-series/series.toml`, the patches it names and the
//! overlay files under `emscripten/`.
//!
//! Shape of `series.toml`:
//!
//! ```toml
//! [upstream]
//! url = "https://github.com/emscripten-core/emscripten"
//! branch = "main"
//! base = "a04d0beef36bfa7661cee4b8dff7d3909303dabc"   # full 40-hex commit the series applies to
//!
//! [[commit]]
//! id = "I3f2a…"            # stable Change-Id-style token; survives rewording and rebases
//! subject = "Add socket constants to struct_info (NFC)"
//! author = "Jane Doe <jane@example.com>"
//! body = """Why this change…"""
//! patches = ["patches/0001-add-socket-constants.patch"]   # relative to patch-series/
//! overlay = ["src/lib/libsockfs_direct.js"]               # relative to emscripten/
//! ```
//!
//! Patches hold `git format-patch` output for files that already exist upstream;
//! overlay files are files the commit *adds*, kept whole under `emscripten/` at
//! their upstream paths. Each overlay file belongs to exactly one commit.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{CommandError, CommandResult};

/// Directory (relative to the dsock repo root) holding the manifest and patches.
pub const SERIES_DIR: &str = "patch-series";
/// Manifest file name inside [`SERIES_DIR`].
pub const MANIFEST: &str = "series.toml";
/// Directory (relative to the dsock repo root) holding the files the series adds.
pub const OVERLAY_DIR: &str = "emscripten";

/// Where the series applies: the upstream repository and the base commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    /// Clone URL of upstream Emscripten.
    pub url: String,
    /// Upstream branch the PR targets (normally `main`).
    pub branch: String,
    /// Full 40-hex commit id the series applies to.
    pub base: String,
}

/// One commit of the series, as upstream will see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesCommit {
    /// Stable id (`I` + 40 hex, Gerrit Change-Id style); pairs commits across
    /// rewording, reordering and rebases (range-diff, status).
    pub id: String,
    /// First line of the commit message (≤ 72 chars, checked by `dsock check`).
    pub subject: String,
    /// `Name <email>`.
    pub author: String,
    /// Commit message body (everything after the subject and blank line).
    #[serde(default)]
    pub body: String,
    /// Patch files (relative to `patch-series/`) applied in order with `git apply`.
    #[serde(default)]
    pub patches: Vec<String>,
    /// Files this commit adds, relative to `emscripten/` (= their upstream path).
    #[serde(default)]
    pub overlay: Vec<String>,
}

/// The whole manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Series {
    pub upstream: Upstream,
    #[serde(default, rename = "commit")]
    pub commits: Vec<SeriesCommit>,
}

impl Series {
    /// Path of the manifest in a dsock repo.
    pub fn manifest_path(repo_root: &Path) -> PathBuf {
        repo_root.join(SERIES_DIR).join(MANIFEST)
    }

    /// Read and validate `patch-series/series.toml`.
    ///
    /// Errors (Usage) on a missing file, TOML syntax errors, or a structural
    /// problem reported by [`Series::validate`].
    pub fn load(repo_root: &Path) -> CommandResult<Series> {
        let path = Self::manifest_path(repo_root);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            CommandError::usage(format!("cannot read {}: {e}", path.display()))
                .with_hint("run dsock from a dsock clone, or `dsock export` to create the series")
        })?;
        let series = Self::parse(&text)
            .map_err(|e| CommandError::usage(format!("{}: {e}", path.display())))?;
        Ok(series)
    }

    /// Parse and validate manifest text.
    pub fn parse(text: &str) -> Result<Series, String> {
        let series: Series = toml::from_str(text).map_err(|e| e.to_string())?;
        series.validate()?;
        Ok(series)
    }

    /// Serialize deterministically (field order as declared).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("series serializes")
    }

    /// Structural checks: base is a full sha, ids unique and well-formed,
    /// every overlay file belongs to exactly one commit.
    pub fn validate(&self) -> Result<(), String> {
        if !is_full_sha(&self.upstream.base) {
            return Err(format!(
                "upstream.base must be a full 40-hex commit id, got {:?}",
                self.upstream.base
            ));
        }
        let mut ids = std::collections::BTreeSet::new();
        let mut overlay = std::collections::BTreeMap::<&str, &str>::new();
        for c in &self.commits {
            if !is_change_id(&c.id) {
                return Err(format!("commit id {:?} is not `I` followed by 40 hex digits", c.id));
            }
            if !ids.insert(c.id.as_str()) {
                return Err(format!("commit id {} appears twice", c.id));
            }
            for f in &c.overlay {
                if let Some(other) = overlay.insert(f.as_str(), c.id.as_str()) {
                    return Err(format!(
                        "overlay file {f} belongs to two commits ({other} and {})",
                        c.id
                    ));
                }
            }
        }
        Ok(())
    }
}

/// `true` for a 40-digit lowercase hex string.
pub fn is_full_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `true` for a Change-Id: `I` followed by 40 lowercase hex digits.
pub fn is_change_id(s: &str) -> bool {
    s.strip_prefix('I').is_some_and(is_full_sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
[upstream]
url = "https://github.com/emscripten-core/emscripten"
branch = "main"
base = "a04d0beef36bfa7661cee4b8dff7d3909303dabc"

[[commit]]
id = "I0000000000000000000000000000000000000001"
subject = "Add socket constants"
author = "A <a@example.com>"
body = "Because."
patches = ["patches/0001-add-socket-constants.patch"]
overlay = ["src/lib/libsockfs_direct.js"]
"#;

    #[test]
    fn parses_and_round_trips() {
        let s = Series::parse(SAMPLE).unwrap();
        assert_eq!(s.commits.len(), 1);
        assert_eq!(Series::parse(&s.to_toml()).unwrap(), s);
    }

    #[test]
    fn rejects_overlay_in_two_commits() {
        let mut s = Series::parse(SAMPLE).unwrap();
        let mut c = s.commits[0].clone();
        c.id = "I0000000000000000000000000000000000000002".into();
        s.commits.push(c);
        let err = s.validate().unwrap_err();
        assert!(err.contains("belongs to two commits"), "{err}");
    }

    #[test]
    fn rejects_short_base() {
        let err = Series::parse(&SAMPLE.replace("a04d0beef36bfa7661cee4b8dff7d3909303dabc", "a04d0be"))
            .unwrap_err();
        assert!(err.contains("full 40-hex"), "{err}");
    }
}
