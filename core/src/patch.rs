//! The one reader of `git diff` / `git format-patch` text: split a mail into its message
//! and its diff, and a diff into files and hunks. Every `diff --git` consumer goes
//! through [`parse_diff`]: the review engine (range-diff, word highlighting, counts),
//! the series build (which paths a patch touches), and the series checks (added lines,
//! in the patch file and in the patched file).
//!
//! This is not a patch *applier* (git does that). Paths are read the way git writes them
//! (`git diff` "diff --git" headers, `---`/`+++` lines, `rename from/to`), including
//! C-quoted paths (`"a/t\tab"`). A hunk ends when its `@@ -a,b +c,d @@` line counts are
//! used up, so text after the last hunk (a mail signature) is never credited to a file.

use std::collections::BTreeSet;

/// How a file changes in one diff section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileChange {
    Modified,
    New,
    Deleted,
    /// Renamed or copied from the given old path.
    Renamed(String),
}

/// One `@@ -a,b +c,d @@ section` hunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// The full `@@` line as git wrote it.
    pub header: String,
    /// The function/section context git prints after the second `@@` (may be empty).
    pub section: String,
    /// Body lines (` `, `-`, `+` or `\ No newline…`), without trailing newlines.
    pub lines: Vec<String>,
    /// First line of the hunk in the new file (1-based; 0 for an empty new side).
    pub new_start: usize,
    /// Index (0-based) in the parsed text of the first body line.
    pub first_line: usize,
}

impl Hunk {
    /// Line numbers (1-based, in the new file) of the lines this hunk adds.
    pub fn added_new_lines(&self) -> impl Iterator<Item = usize> + '_ {
        let mut new = self.new_start;
        self.lines.iter().filter_map(move |l| match l.as_bytes().first() {
            Some(b'+') => {
                new += 1;
                Some(new - 1)
            }
            Some(b' ') => {
                new += 1;
                None
            }
            _ => None,
        })
    }
}

/// One `diff --git a/… b/…` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePatch {
    /// Path before the change (the `a/` side; equal to `path` unless renamed or copied).
    pub old_path: String,
    /// Path after the change (for a deletion, the deleted path).
    pub path: String,
    pub change: FileChange,
    /// Header lines after `diff --git` and before the first hunk (index, mode, ---/+++,
    /// `Binary files … differ`, `GIT binary patch` data …).
    pub header: Vec<String>,
    pub hunks: Vec<Hunk>,
}

impl FilePatch {
    /// Lines added and removed in this file (`+`/`-` hunk lines).
    pub fn counts(&self) -> (usize, usize) {
        let mut added = 0;
        let mut removed = 0;
        for h in &self.hunks {
            for l in &h.lines {
                if l.starts_with('+') {
                    added += 1;
                } else if l.starts_with('-') {
                    removed += 1;
                }
            }
        }
        (added, removed)
    }

    /// Line numbers (1-based, in the new file) of the lines this patch adds.
    pub fn added_new_lines(&self) -> BTreeSet<usize> {
        self.hunks.iter().flat_map(Hunk::added_new_lines).collect()
    }

    /// Line numbers (1-based) of the `+` lines in the text that was parsed (e.g. positions
    /// in a `.patch` file).
    pub fn added_text_lines(&self) -> BTreeSet<usize> {
        self.hunks
            .iter()
            .flat_map(|h| h.lines.iter().enumerate().filter(|(_, l)| l.starts_with('+')).map(move |(i, _)| h.first_line + i + 1))
            .collect()
    }

    /// The `+` lines' text, one per line (what `dsock_lint::Constants::extend_from_patch` reads).
    pub fn added_text(&self) -> String {
        let mut out = String::new();
        for l in self.hunks.iter().flat_map(|h| &h.lines).filter(|l| l.starts_with('+')) {
            out.push_str(l);
            out.push('\n');
        }
        out
    }
}

/// The diff part of a patch: everything from the first `diff --git` line, with a
/// `format-patch` signature (`-- ` line and what follows) cut off.
pub fn diff_part(text: &str) -> &str {
    let start = if text.starts_with("diff --git ") {
        0
    } else {
        match text.find("\ndiff --git ") {
            Some(i) => i + 1,
            None => return "",
        }
    };
    let rest = &text[start..];
    let end = rest.find("\n-- \n").map(|i| i + 1).unwrap_or(rest.len());
    &rest[..end]
}

/// `@@ -a[,b] +c[,d] @@`: (b, c, d), counts defaulting to 1.
fn hunk_range(line: &str) -> Option<(usize, usize, usize)> {
    let rest = line.strip_prefix("@@ -")?;
    let (old, rest) = rest.split_once(" +")?;
    let (new, _) = rest.split_once(" @@")?;
    let count = |r: &str| -> Option<(usize, usize)> {
        match r.split_once(',') {
            Some((s, n)) => Some((s.parse().ok()?, n.parse().ok()?)),
            None => Some((r.parse().ok()?, 1)),
        }
    };
    let ((_, old_n), (new_start, new_n)) = (count(old)?, count(new)?);
    Some((old_n, new_start, new_n))
}

/// Split diff text into file sections. Text before the first `diff --git` line, and
/// after a hunk's line counts are used up, is not part of any file.
pub fn parse_diff(text: &str) -> Vec<FilePatch> {
    let mut files: Vec<FilePatch> = Vec::new();
    // Lines the current hunk still expects on its old and new side.
    let (mut old_left, mut new_left) = (0usize, 0usize);
    let mut in_hunk = false;
    for (i, line) in text.lines().enumerate() {
        if let Some(rest) = line.strip_prefix("diff --git ") {
            let (a, b) = header_paths(rest);
            files.push(FilePatch { old_path: a, path: b, change: FileChange::Modified, header: Vec::new(), hunks: Vec::new() });
            in_hunk = false;
            continue;
        }
        let Some(file) = files.last_mut() else { continue };
        if in_hunk {
            let hunk = file.hunks.last_mut().expect("in a hunk");
            match line.as_bytes().first() {
                Some(b'\\') => hunk.lines.push(line.to_string()),
                _ if old_left == 0 && new_left == 0 => in_hunk = false,
                Some(b'+') => {
                    new_left = new_left.saturating_sub(1);
                    hunk.lines.push(line.to_string());
                }
                Some(b'-') => {
                    old_left = old_left.saturating_sub(1);
                    hunk.lines.push(line.to_string());
                }
                // Context; an empty line is context whose leading space was stripped.
                _ => {
                    old_left = old_left.saturating_sub(1);
                    new_left = new_left.saturating_sub(1);
                    hunk.lines.push(line.to_string());
                }
            }
            if in_hunk {
                continue;
            }
        }
        if line.starts_with("@@ ") {
            let (old_n, new_start, new_n) = hunk_range(line).unwrap_or((0, 0, 0));
            let section = line
                .get(2..)
                .and_then(|s| s.find("@@").map(|i| s[i + 2..].trim_start().to_string()))
                .unwrap_or_default();
            file.hunks.push(Hunk { header: line.to_string(), section, lines: Vec::new(), new_start, first_line: i + 1 });
            (old_left, new_left, in_hunk) = (old_n, new_n, true);
            continue;
        }
        if !file.hunks.is_empty() {
            // After the last hunk of a file: not part of it (e.g. a mail signature).
            continue;
        }
        if line.starts_with("new file mode ") {
            file.change = FileChange::New;
        } else if line.starts_with("deleted file mode ") {
            file.change = FileChange::Deleted;
        } else if let Some(from) = line.strip_prefix("rename from ").or_else(|| line.strip_prefix("copy from ")) {
            file.old_path = unquote(from);
            file.change = FileChange::Renamed(file.old_path.clone());
        } else if let Some(to) = line.strip_prefix("rename to ").or_else(|| line.strip_prefix("copy to ")) {
            file.path = unquote(to);
        } else if let Some(p) = line.strip_prefix("+++ ").and_then(|p| side(p, "b/")) {
            file.path = p;
        } else if let Some(p) = line.strip_prefix("--- ").and_then(|p| side(p, "a/")) {
            file.old_path = p.clone();
            if file.change == FileChange::Deleted {
                file.path = p;
            }
        }
        file.header.push(line.to_string());
    }
    files
}

/// `a/x` or `"a/x"` of a `---`/`+++` line with the given prefix; `None` for `/dev/null`.
fn side(text: &str, prefix: &str) -> Option<String> {
    unquote(text.trim_end_matches('\t')).strip_prefix(prefix).map(str::to_string)
}

/// The two paths of a `diff --git` header (without `a/`, `b/`). Unquoted paths that
/// contain " b/" are split where both sides are equal (git only leaves such a header
/// ambiguous when the path did not change); the `---`/`+++` lines refine them anyway.
fn header_paths(rest: &str) -> (String, String) {
    let strip = |p: String, pre: &str| p.strip_prefix(pre).map(str::to_string).unwrap_or(p);
    if rest.starts_with('"') {
        let (a, tail) = split_quoted(rest);
        return (strip(a, "a/"), strip(unquote(tail.trim_start()), "b/"));
    }
    if let Some(i) = rest.find(" \"b/") {
        return (strip(rest[..i].to_string(), "a/"), strip(unquote(&rest[i + 1..]), "b/"));
    }
    // Same path on both sides: "a/P b/P".
    let n = rest.len();
    if n % 2 == 1 {
        let (a, b) = (&rest[..n / 2], &rest[n / 2 + 1..]);
        if a.strip_prefix("a/").is_some_and(|x| Some(x) == b.strip_prefix("b/")) {
            return (a[2..].to_string(), b[2..].to_string());
        }
    }
    match rest.split_once(" b/") {
        Some((a, b)) => (strip(a.to_string(), "a/"), b.to_string()),
        None => (rest.to_string(), rest.to_string()),
    }
}

/// A C-quoted string at the start of `text` (git's `core.quotePath` quoting) and the rest.
fn split_quoted(text: &str) -> (String, &str) {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return (String::from_utf8_lossy(&out).into_owned(), &text[i + 1..]),
            b'\\' if i + 1 < bytes.len() => {
                i += 1;
                match bytes[i] {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'a' => out.push(7),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'v' => out.push(11),
                    d @ b'0'..=b'7' => {
                        let mut v = u32::from(d - b'0');
                        for _ in 0..2 {
                            if i + 1 < bytes.len() && (b'0'..=b'7').contains(&bytes[i + 1]) {
                                i += 1;
                                v = v * 8 + u32::from(bytes[i] - b'0');
                            }
                        }
                        out.push(v as u8);
                    }
                    c => out.push(c),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    (String::from_utf8_lossy(&out).into_owned(), "")
}

/// `text` unquoted if git quoted it, else as is.
fn unquote(text: &str) -> String {
    if text.starts_with('"') {
        split_quoted(text).0
    } else {
        text.to_string()
    }
}

/// A `format-patch` mail split into what review needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// `From <sha> Mon Sep 17 00:00:00 2001` → the sha.
    pub sha: Option<String>,
    pub author: String,
    /// Subject with the `[PATCH …]` prefix removed and folded header lines joined.
    pub subject: String,
    /// Message body (between the headers and the `---` line), trimmed.
    pub body: String,
    /// The diff part ([`diff_part`]).
    pub diff: String,
}

/// Split `git format-patch --stdout` output (one or more mails) into [`Mail`]s.
pub fn parse_mbox(text: &str) -> Vec<Mail> {
    let mut mails = Vec::new();
    let mut chunks: Vec<&str> = Vec::new();
    let mut start = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("From ") && line.trim_end().ends_with(" 2001") {
            if let Some(s) = start {
                chunks.push(&text[s..offset]);
            }
            start = Some(offset);
        }
        offset += line.len();
    }
    if let Some(s) = start {
        chunks.push(&text[s..]);
    }
    for chunk in chunks {
        mails.push(parse_mail(chunk));
    }
    mails
}

fn parse_mail(text: &str) -> Mail {
    let mut lines = text.lines().peekable();
    let mut sha = None;
    let mut author = String::new();
    let mut subject = String::new();
    let mut in_subject = false;
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        if let Some(rest) = line.strip_prefix("From ") {
            if sha.is_none() && rest.len() >= 40 {
                sha = Some(rest[..40].to_string());
            }
            in_subject = false;
        } else if let Some(rest) = line.strip_prefix("From: ") {
            author = rest.to_string();
            in_subject = false;
        } else if let Some(rest) = line.strip_prefix("Subject: ") {
            subject = rest.to_string();
            in_subject = true;
        } else if in_subject && line.starts_with(' ') {
            subject.push_str(line);
        } else {
            in_subject = false;
        }
    }
    let subject = strip_patch_prefix(&subject).to_string();
    let mut body = Vec::new();
    for line in lines {
        if line == "---" {
            break;
        }
        body.push(line);
    }
    Mail {
        sha,
        author,
        subject,
        body: body.join("\n").trim().to_string(),
        diff: diff_part(text).to_string(),
    }
}

fn strip_patch_prefix(subject: &str) -> &str {
    if subject.starts_with('[') {
        if let Some(end) = subject.find("] ") {
            return &subject[end + 2..];
        }
    }
    subject
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIL: &str = "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001
From: A U Thor <a@example.com>
Date: Sat, 1 Jan 2000 00:00:00 +0000
Subject: [PATCH 1/2] Add a rather long subject line that git folds onto a
 second header line

Body line.
---
 a.txt | 3 ++-
 1 file changed, 2 insertions(+), 1 deletion(-)

diff --git a/a.txt b/a.txt
index 1111111..2222222 100644
--- a/a.txt
+++ b/a.txt
@@ -1,2 +1,3 @@ fn main()
 one
-two
+TWO
+three
diff --git a/new.txt b/new.txt
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/new.txt
@@ -0,0 +1 @@
+hello
-- 
2.47.3

";

    #[test]
    fn splits_mail() {
        let mails = parse_mbox(MAIL);
        assert_eq!(mails.len(), 1);
        let m = &mails[0];
        assert_eq!(m.sha.as_deref(), Some("0123456789abcdef0123456789abcdef01234567"));
        assert_eq!(m.author, "A U Thor <a@example.com>");
        assert_eq!(
            m.subject,
            "Add a rather long subject line that git folds onto a second header line"
        );
        assert_eq!(m.body, "Body line.");
        assert!(m.diff.starts_with("diff --git a/a.txt"));
        assert!(m.diff.ends_with("+hello\n"), "{:?}", m.diff);
    }

    #[test]
    fn parses_files_and_hunks() {
        let files = parse_diff(diff_part(MAIL));
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].path, "a.txt");
        assert_eq!(files[0].change, FileChange::Modified);
        assert_eq!(files[0].hunks[0].section, "fn main()");
        assert_eq!(files[0].counts(), (2, 1));
        assert_eq!(files[1].path, "new.txt");
        assert_eq!(files[1].change, FileChange::New);
        assert_eq!(files[1].hunks[0].section, "");
    }

    #[test]
    fn reads_quoted_renamed_and_ambiguous_paths() {
        let text = "diff --git \"a/t\\tab\" \"b/t\\tab\"\nindex 1..2 100644\n--- \"a/t\\tab\"\n+++ \"b/t\\tab\"\n@@ -1 +1 @@\n-a\n+b\n\
            diff --git a/old name.c b/new name.c\nsimilarity index 90%\nrename from old name.c\nrename to new name.c\n\
            diff --git a/x b/y b/x b/y\nindex 1..2 100644\n--- a/x b/y\n+++ b/x b/y\n@@ -1,2 +1,3 @@\n ctx\n+added\n+more\n ctx\n";
        let files = parse_diff(text);
        let paths: Vec<(&str, &str)> = files.iter().map(|f| (f.old_path.as_str(), f.path.as_str())).collect();
        assert_eq!(paths, [("t\tab", "t\tab"), ("old name.c", "new name.c"), ("x b/y", "x b/y")]);
        // The quoted file's lines are its own (an unquoted-only reader credited them to
        // the file before it).
        assert_eq!(files[0].counts(), (1, 1));
        assert_eq!(files[1].change, FileChange::Renamed("old name.c".into()));
        assert_eq!(files[2].added_new_lines().into_iter().collect::<Vec<_>>(), [2, 3]);
        assert_eq!(files[2].added_text_lines().into_iter().collect::<Vec<_>>(), [18, 19]);
    }

    #[test]
    fn a_hunk_ends_with_its_counts() {
        // -U0 hunks as `git diff-tree -p -U0` writes them, and a trailing signature.
        let text = "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -3,0 +4,2 @@ s\n+x\n+y\n@@ -9 +11 @@\n-old\n+new\n\\ No newline at end of file\n-- \n2.47.3\n";
        let f = &parse_diff(text)[0];
        assert_eq!(f.hunks.len(), 2);
        assert_eq!(f.hunks[1].lines, ["-old", "+new", "\\ No newline at end of file"]);
        assert_eq!(f.added_new_lines().into_iter().collect::<Vec<_>>(), [4, 5, 11]);
        assert_eq!(f.added_text(), "+x\n+y\n+new\n");
    }
}
