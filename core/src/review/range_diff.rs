//! Range-diff between two versions of the series (b4/`git range-diff` style).
//!
//! Pairing (in this order, each step only over commits still unpaired):
//! 1. the stable id (`series.toml` `id`) — survives rewording, reordering, rebases;
//! 2. the patch-id (`git patch-id --stable`) — same change under a new id;
//! 3. the exact subject.
//!
//! Unpaired old commits are *dropped* (and, when the upstream commits between the
//! two bases are given, marked *landed upstream* if one of them has the same
//! patch-id or subject); unpaired new commits are *added*. Paired commits whose
//! relative order changed (not on the longest increasing run of old positions)
//! are marked *moved*.
//!
//! Each changed pair shows the diff of the two commits' normalized texts
//! ([`normalized_text`]): commit message plus per-file hunks whose `@@ -a,b +c,d @@`
//! line numbers are dropped, so a hunk that merely shifted is not noise. The
//! layout follows `git range-diff` (`N:  id = M:  id subject`, 4-space indented
//! inner diff, `@@ <section>` outer hunk headers), computed with `similar`.

use std::fmt::Write as _;

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use super::color::{Kind, Style};
use crate::patch::{parse_diff, FileChange};
use super::ReviewCommit;

/// How a pair was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PairedBy {
    Id,
    PatchId,
    Subject,
}

/// A commit that is in the new base but not in the old one (`git log old_base..new_base`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamCommit {
    pub sha: String,
    pub subject: String,
    pub patch_id: String,
}

/// One line of the range-diff, in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Entry {
    /// `old` (0-based in the old version) corresponds to `new`.
    Pair { old: usize, new: usize, by: PairedBy, identical: bool, moved: bool },
    /// Only in the old version; `landed` names the upstream commit that carries it.
    Dropped { old: usize, landed: Option<String> },
    /// Only in the new version.
    Added { new: usize },
}

/// Counts for one-line summaries (PR body, `version list`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub old_commits: usize,
    pub new_commits: usize,
    pub unchanged: usize,
    pub changed: usize,
    pub added: usize,
    pub dropped: usize,
    pub landed_upstream: usize,
    pub moved: usize,
}

impl Summary {
    /// `8 → 9 commits: 5 unchanged, 2 changed, 1 added, 1 dropped (1 landed upstream), 1 moved`.
    pub fn line(&self) -> String {
        let mut s = format!(
            "{} → {} commits: {} unchanged, {} changed, {} added, {} dropped",
            self.old_commits, self.new_commits, self.unchanged, self.changed, self.added, self.dropped
        );
        if self.landed_upstream > 0 {
            let _ = write!(s, " ({} landed upstream)", self.landed_upstream);
        }
        let _ = write!(s, ", {} moved", self.moved);
        s
    }
}

/// A computed range-diff over two borrowed versions.
#[derive(Debug)]
pub struct RangeDiff<'a> {
    pub old: &'a [ReviewCommit],
    pub new: &'a [ReviewCommit],
    pub entries: Vec<Entry>,
}

/// Pair `old` with `new` (see the module docs); `upstream` lists the commits between
/// the two bases and is only used to explain dropped commits (may be empty).
pub fn range_diff<'a>(
    old: &'a [ReviewCommit],
    new: &'a [ReviewCommit],
    upstream: &[UpstreamCommit],
) -> RangeDiff<'a> {
    let (old_match, by) = pair(old, new);
    let mut new_match: Vec<Option<usize>> = vec![None; new.len()];
    for (i, m) in old_match.iter().enumerate() {
        if let Some(j) = m {
            new_match[*j] = Some(i);
        }
    }
    let moved = moved_set(&new_match);

    // Display order: git range-diff's `output()`: follow the new version; show a
    // dropped old commit once all old commits before it have been shown.
    let mut entries = Vec::new();
    let mut shown = vec![false; old.len()];
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        while i < old.len() && shown[i] {
            i += 1;
        }
        if i < old.len() && old_match[i].is_none() {
            let landed = landed_upstream(&old[i], upstream);
            entries.push(Entry::Dropped { old: i, landed });
            shown[i] = true;
            i += 1;
            continue;
        }
        while j < new.len() && new_match[j].is_none() {
            entries.push(Entry::Added { new: j });
            j += 1;
        }
        if j < new.len() {
            let o = new_match[j].expect("paired");
            entries.push(Entry::Pair {
                old: o,
                new: j,
                by: by[o].expect("paired"),
                identical: normalized_text(&old[o]) == normalized_text(&new[j]),
                moved: moved[j],
            });
            shown[o] = true;
            j += 1;
        }
    }
    RangeDiff { old, new, entries }
}

/// For each old commit, the new commit it pairs with and how.
pub fn pair(
    old: &[ReviewCommit],
    new: &[ReviewCommit],
) -> (Vec<Option<usize>>, Vec<Option<PairedBy>>) {
    let mut old_match: Vec<Option<usize>> = vec![None; old.len()];
    let mut by: Vec<Option<PairedBy>> = vec![None; old.len()];
    let mut taken = vec![false; new.len()];
    type Key = fn(&ReviewCommit) -> &str;
    let keys: [(PairedBy, Key); 3] = [
        (PairedBy::Id, |c| c.id.as_str()),
        (PairedBy::PatchId, |c| c.patch_id.as_str()),
        (PairedBy::Subject, |c| c.subject.as_str()),
    ];
    for (how, key) in keys {
        for (i, o) in old.iter().enumerate() {
            if old_match[i].is_some() || key(o).is_empty() {
                continue;
            }
            if let Some(j) = (0..new.len()).find(|&j| !taken[j] && key(&new[j]) == key(o)) {
                old_match[i] = Some(j);
                by[i] = Some(how);
                taken[j] = true;
            }
        }
    }
    (old_match, by)
}

/// `moved[j]`: the pair at new position `j` is off the longest increasing run of
/// old positions (ties broken toward the smaller old position, so output is stable).
fn moved_set(new_match: &[Option<usize>]) -> Vec<bool> {
    let paired: Vec<(usize, usize)> =
        new_match.iter().enumerate().filter_map(|(j, m)| m.map(|o| (j, o))).collect();
    let n = paired.len();
    let mut len = vec![1usize; n];
    let mut prev: Vec<Option<usize>> = vec![None; n];
    for k in 0..n {
        for p in 0..k {
            if paired[p].1 < paired[k].1 && len[p] + 1 > len[k] {
                len[k] = len[p] + 1;
                prev[k] = Some(p);
            }
        }
    }
    let mut moved = vec![false; new_match.len()];
    let Some(best) = (0..n).max_by(|&a, &b| len[a].cmp(&len[b]).then(paired[b].1.cmp(&paired[a].1)))
    else {
        return moved;
    };
    let mut on_run = vec![false; n];
    let mut k = Some(best);
    while let Some(x) = k {
        on_run[x] = true;
        k = prev[x];
    }
    for (k, &(j, _)) in paired.iter().enumerate() {
        moved[j] = !on_run[k];
    }
    moved
}

fn landed_upstream(c: &ReviewCommit, upstream: &[UpstreamCommit]) -> Option<String> {
    upstream
        .iter()
        .find(|u| !c.patch_id.is_empty() && u.patch_id == c.patch_id)
        .or_else(|| upstream.iter().find(|u| u.subject == c.subject))
        .map(|u| u.sha.clone())
}

/// The text two paired commits are compared by: author, message, and per file the
/// hunks with line numbers removed from `@@` headers (`@@ path: section`, or a bare
/// `@@` when git printed no section), as `git range-diff` normalizes them.
/// `index` lines and `---`/`+++` lines are dropped (they change with every base).
pub fn normalized_text(c: &ReviewCommit) -> String {
    let mut t = String::new();
    // Section titles start with a space, exactly as git range-diff writes them.
    let _ = writeln!(t, " ## Metadata ##\nAuthor: {}\n", c.author);
    let _ = writeln!(t, " ## Commit message ##");
    // The message as committed: with the `Change-Id` trailer `dsock apply` adds.
    let message = if c.id.is_empty() {
        format!("{}\n\n{}", c.subject, c.body.trim())
    } else {
        crate::series::compose_message(&c.subject, &c.body, &c.id)
    };
    for line in message.trim_end().lines() {
        if line.is_empty() {
            t.push('\n');
        } else {
            let _ = writeln!(t, "    {line}");
        }
    }
    for f in parse_diff(&c.diff) {
        let what = match &f.change {
            FileChange::Modified => String::new(),
            FileChange::New => " (new)".into(),
            FileChange::Deleted => " (deleted)".into(),
            FileChange::Renamed(from) => format!(" ({from} =>)"),
        };
        let _ = writeln!(t, "\n ## {}{what} ##", f.path);
        for h in &f.header {
            let keep = !(h.starts_with("index ")
                || h.starts_with("--- ")
                || h.starts_with("+++ ")
                || h.starts_with("new file mode ")
                || h.starts_with("deleted file mode ")
                || h.starts_with("similarity index ")
                || h.starts_with("rename ")
                || h.starts_with("copy "));
            if keep {
                let _ = writeln!(t, "{h}");
            }
        }
        for h in &f.hunks {
            if h.section.is_empty() {
                // As git range-diff: a bare `@@`, so outer hunk headers fall back
                // to the `## path ##` title.
                let _ = writeln!(t, "@@");
            } else {
                let _ = writeln!(t, "@@ {}: {}", f.path, h.section);
            }
            for l in &h.lines {
                let _ = writeln!(t, "{l}");
            }
        }
    }
    t
}

impl RangeDiff<'_> {
    pub fn summary(&self) -> Summary {
        let mut s = Summary { old_commits: self.old.len(), new_commits: self.new.len(), ..Default::default() };
        for e in &self.entries {
            match e {
                Entry::Pair { identical, moved, .. } => {
                    if *identical {
                        s.unchanged += 1;
                    } else {
                        s.changed += 1;
                    }
                    if *moved {
                        s.moved += 1;
                    }
                }
                Entry::Dropped { landed, .. } => {
                    s.dropped += 1;
                    if landed.is_some() {
                        s.landed_upstream += 1;
                    }
                }
                Entry::Added { .. } => s.added += 1,
            }
        }
        s
    }

    /// `(old position, new position)` per entry, 1-based like `git range-diff`'s
    /// numbers (`None` for `-`): the pairing to compare against git's.
    pub fn pairing(&self) -> Vec<(Option<usize>, Option<usize>)> {
        self.entries
            .iter()
            .map(|e| match e {
                Entry::Pair { old, new, .. } => (Some(old + 1), Some(new + 1)),
                Entry::Dropped { old, .. } => (Some(old + 1), None),
                Entry::Added { new } => (None, Some(new + 1)),
            })
            .collect()
    }

    /// The header lines only (no inner diffs): `1:  Iabc1234 = 1:  Iabc1234 Subject`.
    pub fn render_headers(&self, style: Style) -> String {
        self.render_inner(style, false)
    }

    /// Full output: header lines, and under each changed pair the diff of the diffs.
    pub fn render(&self, style: Style) -> String {
        self.render_inner(style, true)
    }

    fn render_inner(&self, style: Style, diffs: bool) -> String {
        let width = self.old.len().max(self.new.len()).max(1).to_string().len();
        let dash_num = format!("{:>width$}", "-");
        let dash_id = "-".repeat(8);
        let mut out = String::new();
        for e in &self.entries {
            let (l_num, l_id, mark, r_num, r_id, subject, note, kind) = match e {
                Entry::Pair { old, new, identical, moved, .. } => (
                    format!("{:>width$}", old + 1),
                    self.old[*old].short_id().to_string(),
                    if *identical { '=' } else { '!' },
                    format!("{:>width$}", new + 1),
                    self.new[*new].short_id().to_string(),
                    self.new[*new].subject.as_str(),
                    if *moved { "  [moved]".to_string() } else { String::new() },
                    if *identical { Kind::Dim } else { Kind::Changed },
                ),
                Entry::Dropped { old, landed } => (
                    format!("{:>width$}", old + 1),
                    self.old[*old].short_id().to_string(),
                    '<',
                    dash_num.clone(),
                    dash_id.clone(),
                    self.old[*old].subject.as_str(),
                    match landed {
                        Some(sha) => format!("  [landed upstream as {}]", &sha[..sha.len().min(12)]),
                        None => String::new(),
                    },
                    Kind::Old,
                ),
                Entry::Added { new } => (
                    dash_num.clone(),
                    dash_id.clone(),
                    '>',
                    format!("{:>width$}", new + 1),
                    self.new[*new].short_id().to_string(),
                    self.new[*new].subject.as_str(),
                    String::new(),
                    Kind::New,
                ),
            };
            let head = format!("{l_num}:  {l_id} {mark} {r_num}:  {r_id}");
            let _ = writeln!(out, "{} {subject}{note}", style.paint(kind, &head));
            if diffs {
                if let Entry::Pair { old, new, identical: false, .. } = e {
                    out.push_str(&diff_of_diffs(&self.old[*old], &self.new[*new], style));
                }
            }
        }
        out
    }
}

/// The outer diff of two commits' [`normalized_text`]s, indented by 4 like git's.
pub fn diff_of_diffs(old: &ReviewCommit, new: &ReviewCommit, style: Style) -> String {
    let a = normalized_text(old);
    let b = normalized_text(new);
    let diff = TextDiff::from_lines(a.as_str(), b.as_str());
    let old_lines: Vec<&str> = a.lines().collect();
    let mut out = String::new();
    for group in diff.grouped_ops(3) {
        let first = group[0].old_range().start;
        // Like git range-diff's outer hunk headers: the nearest section title
        // (`## path ##`) or inner hunk header (`@@ path: ctx`) above the hunk.
        let section = old_lines[..first.min(old_lines.len())]
            .iter()
            .rev()
            .find_map(|l| {
                l.strip_prefix(" ## ")
                    .and_then(|s| s.strip_suffix(" ##"))
                    .or_else(|| l.strip_prefix("@@ "))
            })
            .unwrap_or("Metadata");
        // git keeps at most 80 bytes of a hunk's function context.
        let mut cut = section.len().min(80);
        while !section.is_char_boundary(cut) {
            cut -= 1;
        }
        let section = &section[..cut];
        let _ = writeln!(out, "    {}", style.paint(Kind::Frag, &format!("@@ {section}")));
        for op in &group {
            for change in diff.iter_changes(op) {
                let text = change.value().strip_suffix('\n').unwrap_or(change.value());
                let (sign, kind) = match change.tag() {
                    ChangeTag::Equal => (' ', None),
                    ChangeTag::Delete => ('-', Some(Kind::Old)),
                    ChangeTag::Insert => ('+', Some(Kind::New)),
                };
                let line = format!("{sign}{text}");
                match kind {
                    Some(k) => {
                        let _ = writeln!(out, "    {}", style.paint(k, &line));
                    }
                    // A blank context line: no trailing whitespace in the output.
                    None if text.is_empty() => out.push('\n'),
                    None => {
                        let _ = writeln!(out, "    {line}");
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, subject: &str, patch_id: &str) -> ReviewCommit {
        ReviewCommit {
            id: id.into(),
            subject: subject.into(),
            author: "A <a@example.com>".into(),
            body: String::new(),
            sha: String::new(),
            patch_id: patch_id.into(),
            diff: String::new(),
        }
    }

    #[test]
    fn id_beats_patch_id_beats_subject() {
        // Old 0 and new 1 share an id even though new 0 has old 0's patch-id and subject.
        let old = [c("Ia", "one", "p1"), c("", "two", "p2"), c("", "three", "p3")];
        let new = [c("", "one", "p1"), c("Ia", "one (reworded)", "p9"), c("", "three", "p8"), c("", "2", "p2")];
        let (m, by) = pair(&old, &new);
        assert_eq!(m, vec![Some(1), Some(3), Some(2)]);
        assert_eq!(by, vec![Some(PairedBy::Id), Some(PairedBy::PatchId), Some(PairedBy::Subject)]);
    }

    #[test]
    fn empty_keys_never_pair() {
        let old = [c("", "", "")];
        let new = [c("", "", "")];
        assert_eq!(pair(&old, &new).0, vec![None]);
    }

    #[test]
    fn moved_marks_commits_off_the_longest_run() {
        // new order of old positions: 3 0 1 2 → only the commit moved to the front is marked.
        assert_eq!(moved_set(&[Some(3), Some(0), Some(1), Some(2)]), vec![true, false, false, false]);
        assert_eq!(moved_set(&[Some(0), None, Some(1)]), vec![false, false, false]);
    }

    #[test]
    fn landed_upstream_prefers_patch_id_then_subject() {
        let up = [
            UpstreamCommit { sha: "s1".into(), subject: "one".into(), patch_id: "px".into() },
            UpstreamCommit { sha: "s2".into(), subject: "other".into(), patch_id: "p1".into() },
        ];
        assert_eq!(landed_upstream(&c("I", "one", "p1"), &up).as_deref(), Some("s2"));
        assert_eq!(landed_upstream(&c("I", "one", "p7"), &up).as_deref(), Some("s1"));
        assert_eq!(landed_upstream(&c("I", "none", "p7"), &up), None);
    }

    #[test]
    fn shifted_hunk_is_identical_after_normalization() {
        let mut a = c("I", "s", "");
        a.diff = "diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n@@ -10,3 +10,4 @@ fn x()\n a\n+b\n c\n".into();
        let mut b = a.clone();
        b.diff = b.diff.replace("index 1..2", "index 3..4").replace("@@ -10,3 +10,4 @@", "@@ -15,3 +15,4 @@");
        assert_eq!(normalized_text(&a), normalized_text(&b));
        assert!(normalized_text(&a).contains("@@ f: fn x()\n"));
    }
}
