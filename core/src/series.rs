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

use crate::error::{Error, Result};

/// Directory (relative to the dsock repo root) holding the manifest and patches.
pub const SERIES_DIR: &str = "patch-series";
/// Manifest file name inside [`SERIES_DIR`].
pub const MANIFEST: &str = "series.toml";
/// Directory (relative to the dsock repo root) holding the files the series adds.
pub const OVERLAY_DIR: &str = "emscripten";
/// Directory (relative to [`SERIES_DIR`]) holding the patch files.
pub const PATCHES_DIR: &str = "patches";
/// Upstream Emscripten, the default `upstream.url`.
pub const UPSTREAM_URL: &str = "https://github.com/emscripten-core/emscripten";
/// The trailer that carries a commit's stable id on branch commits.
pub const CHANGE_ID_TRAILER: &str = "Change-Id";

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
    pub fn load(repo_root: &Path) -> Result<Series> {
        let hint = "run dsock from a dsock clone, or `dsock export` to create the series";
        load_input(&Self::manifest_path(repo_root), hint, Self::parse)
    }

    /// Parse and validate manifest text.
    pub fn parse(text: &str) -> Result<Series, String> {
        let series: Series = toml::from_str(text).map_err(|e| e.to_string())?;
        series.validate()?;
        Ok(series)
    }

    /// Serialize deterministically (field order as declared), with a header comment.
    pub fn to_toml(&self) -> String {
        format!(
            "# The -sDIRECT_SOCKETS patch series. Written by `dsock export`; see docs/series.md.\n\n{}",
            toml::to_string_pretty(self).expect("series serializes")
        )
    }

    /// Write `patch-series/series.toml` (creating the directory).
    pub fn save(&self, repo_root: &Path) -> Result<()> {
        let path = Self::manifest_path(repo_root);
        if let Some(dir) = path.parent() {
            fs_err::create_dir_all(dir)?;
        }
        fs_err::write(&path, self.to_toml())?;
        Ok(())
    }

    /// Absolute path of a patch named in [`SeriesCommit::patches`].
    pub fn patch_path(repo_root: &Path, rel: &str) -> PathBuf {
        repo_root.join(SERIES_DIR).join(rel)
    }

    /// Absolute path of an overlay file named in [`SeriesCommit::overlay`].
    pub fn overlay_path(repo_root: &Path, rel: &str) -> PathBuf {
        repo_root.join(OVERLAY_DIR).join(rel)
    }

    /// The commit with this stable id.
    pub fn commit(&self, id: &str) -> Option<&SeriesCommit> {
        self.commits.iter().find(|c| c.id == id)
    }

    /// The commit that adds overlay file `path` (relative to `emscripten/`).
    pub fn overlay_owner(&self, path: &str) -> Option<&SeriesCommit> {
        self.commits.iter().find(|c| c.overlay.iter().any(|f| f == path))
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
            for p in c.patches.iter().chain(&c.overlay) {
                if !is_safe_relative_path(p) {
                    return Err(format!(
                        "commit {}: path {p:?} must be relative, with no `..`, `.` or empty parts",
                        c.id
                    ));
                }
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

/// Read and parse an input file of the dsock repo (`series.toml`, `review.toml`).
///
/// Errors (Usage): an unreadable file names its path, with `hint`; a parse error is
/// prefixed with the path.
pub fn load_input<T>(path: &Path, hint: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())).with_hint(hint))?;
    parse(&text).map_err(|e| Error::usage(format!("{}: {e}", path.display())))
}

impl SeriesCommit {
    /// The full commit message `dsock apply` writes: subject, blank line, body, and the
    /// `Change-Id: <id>` trailer (joined to the body's trailer block if it ends with one).
    pub fn message(&self) -> String {
        compose_message(&self.subject, &self.body, &self.id)
    }
}

/// Build a commit message from its parts (see [`SeriesCommit::message`]).
pub fn compose_message(subject: &str, body: &str, id: &str) -> String {
    let body = body.trim();
    let trailer = format!("{CHANGE_ID_TRAILER}: {id}");
    if body.is_empty() {
        return format!("{subject}\n\n{trailer}\n");
    }
    let last_para = body.rsplit("\n\n").next().unwrap_or("");
    let sep = if is_trailer_block(last_para) { "\n" } else { "\n\n" };
    format!("{subject}\n\n{body}{sep}{trailer}\n")
}

/// Split a raw commit message into `(subject, body, change id)`. The `Change-Id:`
/// trailer (if any, in the last paragraph) is removed from the body; the body is
/// trimmed. The subject is the first line.
pub fn parse_message(raw: &str) -> (String, String, Option<String>) {
    let raw = raw.replace("\r\n", "\n");
    let raw = raw.trim();
    let (subject, rest) = raw.split_once('\n').unwrap_or((raw, ""));
    let rest = rest.trim();
    let mut id = None;
    let mut body = rest.to_string();
    // Only the last paragraph can hold trailers.
    let (head, last) = match rest.rfind("\n\n") {
        Some(i) => (&rest[..i], &rest[i + 2..]),
        None => ("", rest),
    };
    if is_trailer_block(last) {
        let prefix = format!("{CHANGE_ID_TRAILER}: ");
        let mut kept = Vec::new();
        for line in last.lines() {
            match line.strip_prefix(&prefix).map(str::trim) {
                Some(v) if is_change_id(v) && id.is_none() => id = Some(v.to_string()),
                _ => kept.push(line),
            }
        }
        let kept = kept.join("\n");
        body = match (head.is_empty(), kept.is_empty()) {
            (true, _) => kept,
            (false, true) => head.to_string(),
            (false, false) => format!("{head}\n\n{kept}"),
        };
    }
    (subject.trim().to_string(), body.trim().to_string(), id)
}

/// `true` when every line of `para` looks like a git trailer (`Token: value`).
fn is_trailer_block(para: &str) -> bool {
    let para = para.trim();
    !para.is_empty()
        && para.lines().all(|l| {
            let Some((token, value)) = l.split_once(": ") else { return false };
            !value.trim().is_empty()
                && token.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// `true` for a relative `/`-separated path with no empty, `.` or `..` components
/// (what `patches` and `overlay` entries must be, so they cannot escape their directory).
pub fn is_safe_relative_path(p: &str) -> bool {
    !p.is_empty() && !p.starts_with('/') && !p.contains('\\') && p.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
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
    fn message_round_trips_through_trailer() {
        let id = "I0000000000000000000000000000000000000001";
        for body in ["", "Because.", "Because.\n\nSigned-off-by: A <a@example.com>", "Para 1\n\nPara 2"] {
            let msg = compose_message("Subject", body, id);
            assert!(msg.ends_with(&format!("Change-Id: {id}\n")), "{msg}");
            let (subject, parsed_body, parsed_id) = parse_message(&msg);
            assert_eq!(subject, "Subject");
            assert_eq!(parsed_body, body);
            assert_eq!(parsed_id.as_deref(), Some(id));
        }
        let msg = compose_message("S", "Text\n\nSigned-off-by: A <a@example.com>", id);
        assert!(msg.contains("a@example.com>\nChange-Id:"), "trailer joins the block: {msg}");
    }

    #[test]
    fn message_without_trailer_has_no_id() {
        let (s, b, id) = parse_message("Subject\n\nBody text: not a trailer line\nsecond line\n");
        assert_eq!((s.as_str(), id), ("Subject", None));
        assert_eq!(b, "Body text: not a trailer line\nsecond line");
    }

    #[test]
    fn rejects_paths_escaping_their_directory() {
        for bad in ["../x.patch", "/etc/passwd", "a//b", "a/./b", ""] {
            let mut s = Series::parse(SAMPLE).unwrap();
            s.commits[0].overlay = vec![bad.to_string()];
            assert!(s.validate().unwrap_err().contains("must be relative"), "{bad:?}");
        }
    }

    #[test]
    fn rejects_short_base() {
        let err = Series::parse(&SAMPLE.replace("a04d0beef36bfa7661cee4b8dff7d3909303dabc", "a04d0be"))
            .unwrap_err();
        assert!(err.contains("full 40-hex"), "{err}");
    }
}
