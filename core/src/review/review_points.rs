//! `patch-series/review.toml`: the PR's prose and the review feedback it answers.
//!
//! ```toml
//! [pr]
//! title = "Add -sDIRECT_SOCKETS …"
//! summary = """Markdown paragraphs."""
//! usage = """Markdown (code blocks welcome)."""
//!
//! [[point]]
//! key = "fd-allocator"                 # unique, kebab-case
//! raised = "sbc100, #26344 (inline)"   # who/where, shown verbatim
//! url = "https://github.com/emscripten-core/emscripten/pull/26344"
//! point = "Share the fd allocator with FS"
//! resolution = "Sockets come from SOCKFS.createSocket → FS.createStream; no private fd map."
//! commit = "I…"                        # stable id of the resolving commit ("" = not yet)
//! rule = "DS005"                       # `dsock check` rule(s) guarding it ("" = none)
//! test = "sockets_browser.test_…"      # test(s) proving it, space/comma separated ("" = none)
//! ```
//!
//! `dsock pr-body` renders every point as a row of the "Review feedback addressed"
//! table and refuses a `commit` that is not in `series.toml`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::series::SERIES_DIR;

/// File name inside `patch-series/`.
pub const REVIEW_FILE: &str = "review.toml";

/// The PR's own prose.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrText {
    /// PR title (first line of the body, as a heading).
    pub title: String,
    /// Markdown: what the series does and why.
    #[serde(default)]
    pub summary: String,
    /// Markdown: how to use it (settings, an example build line).
    #[serde(default)]
    pub usage: String,
}

/// One piece of review feedback and how the series answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewPoint {
    /// Unique short key (kebab-case).
    pub key: String,
    /// Who raised it and where (e.g. `sbc100, #26344`).
    pub raised: String,
    /// Link to the thread (optional).
    #[serde(default)]
    pub url: String,
    /// The point, one line.
    pub point: String,
    /// How the series answers it, one or two sentences (markdown inline).
    #[serde(default)]
    pub resolution: String,
    /// Stable id of the commit that resolves it; empty while unresolved.
    #[serde(default)]
    pub commit: String,
    /// `dsock check` rule code(s) guarding it (`"DS008"`, or several separated by
    /// spaces or commas: `"DS013, DS008"`); empty when no rule applies.
    #[serde(default)]
    pub rule: String,
    /// Test that proves it (`suite.test_name`); empty when none yet.
    #[serde(default)]
    pub test: String,
}

impl ReviewPoint {
    /// The rule codes in [`ReviewPoint::rule`], in order.
    pub fn rule_codes(&self) -> Vec<&str> {
        self.rule.split([',', ' ']).map(str::trim).filter(|c| !c.is_empty()).collect()
    }
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewFile {
    pub pr: PrText,
    #[serde(default, rename = "point")]
    pub points: Vec<ReviewPoint>,
}

impl ReviewFile {
    /// `patch-series/review.toml` under a dsock repo root.
    pub fn path(repo_root: &Path) -> PathBuf {
        repo_root.join(SERIES_DIR).join(REVIEW_FILE)
    }

    /// Read and validate the file (see [`ReviewFile::parse`]).
    ///
    /// Errors (Usage) when it is missing or invalid, with a hint.
    pub fn load(repo_root: &Path) -> Result<ReviewFile> {
        let hint = "create patch-series/review.toml (see docs/review.md for its shape)";
        crate::series::load_input(&Self::path(repo_root), hint, Self::parse)
    }

    /// Parse and validate: keys unique and non-empty, every rule code a `dsock check`
    /// rule (`dsock_lint::rule`).
    pub fn parse(text: &str) -> Result<ReviewFile, String> {
        let f: ReviewFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut keys = std::collections::BTreeSet::new();
        for p in &f.points {
            if p.key.is_empty() || !keys.insert(p.key.as_str()) {
                return Err(format!("review point key {:?} is empty or appears twice", p.key));
            }
            for code in p.rule_codes() {
                if dsock_lint::rule(code).is_none() {
                    return Err(format!(
                        "review point {:?} names rule {code}, which `dsock check` does not have \
                         (`dsock explain` lists the rules)",
                        p.key
                    ));
                }
            }
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_duplicate_keys() {
        let text = r#"
[pr]
title = "T"
[[point]]
key = "a"
raised = "x"
point = "p"
[[point]]
key = "a"
raised = "y"
point = "q"
"#;
        let err = ReviewFile::parse(text).unwrap_err();
        assert!(err.contains("appears twice"), "{err}");
    }

    #[test]
    fn rule_codes_must_exist() {
        let text = |rule: &str| format!("[pr]\ntitle = \"T\"\n[[point]]\nkey = \"a\"\nraised = \"x\"\npoint = \"p\"\nrule = \"{rule}\"\n");
        let f = ReviewFile::parse(&text("DS013, ds008")).unwrap();
        assert_eq!(f.points[0].rule_codes(), vec!["DS013", "ds008"]);
        let err = ReviewFile::parse(&text("DS013 DS999")).unwrap_err();
        assert!(err.contains("names rule DS999"), "{err}");
    }
}
