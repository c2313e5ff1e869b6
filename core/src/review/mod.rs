//! The review engine behind `dsock diff`, `dsock version` and `dsock pr-body`.
//!
//! Everything here except [`materialize`] works over plain data — a list of
//! [`ReviewCommit`]s (stable id, subject, body, diff text, patch-id) — so the
//! pairing, rendering and PR-body logic is tested on fixtures without an
//! Emscripten checkout. [`materialize`] is the one place that asks git to turn
//! `patch-series/` into real commits, `format-patch` mails and patch-ids.

pub mod color;
pub mod current;
pub mod materialize;
pub mod range_diff;
pub mod review_points;
pub mod versions;

use serde::{Deserialize, Serialize};

/// One commit of a series version, as review sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewCommit {
    /// Stable id (`I` + 40 hex) from `series.toml`; pairs commits across versions.
    pub id: String,
    /// First line of the commit message.
    pub subject: String,
    /// `Name <email>`.
    pub author: String,
    /// Message body after the subject (may be empty).
    #[serde(default)]
    pub body: String,
    /// The commit's sha when it was materialized (informational: it changes with the base).
    #[serde(default)]
    pub sha: String,
    /// `git patch-id --stable` of the diff (empty for an empty commit).
    #[serde(default)]
    pub patch_id: String,
    /// The commit's diff: `diff --git` sections exactly as `git format-patch` wrote them.
    pub diff: String,
}

impl ReviewCommit {
    /// Short form of the stable id for one-line listings: `I` + 7 hex.
    pub fn short_id(&self) -> &str {
        self.id.get(..8).unwrap_or(&self.id)
    }

    /// Lines added and removed by this commit's diff.
    pub fn counts(&self) -> (usize, usize) {
        crate::patch::parse_diff(&self.diff).iter().fold((0, 0), |(a, r), f| {
            let (fa, fr) = f.counts();
            (a + fa, r + fr)
        })
    }
}

/// The Direct Sockets specification (linked from the PR body and the library header).
pub const SPEC_URL: &str = "https://wicg.github.io/direct-sockets/";
