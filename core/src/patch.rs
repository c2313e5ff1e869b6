//! Reading `git diff` / `git format-patch` text: split a mail into its message and
//! its diff, and a diff into files and hunks.
//!
//! This is not a patch *applier* (git does that); it only gives the review engine
//! enough structure to normalize hunk headers for range-diff, to highlight words
//! inside changed lines, and to count added/removed lines.

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
}

/// One `diff --git a/… b/…` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePatch {
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

/// Split diff text (as from [`diff_part`]) into file sections. Text before the first
/// `diff --git` is ignored.
pub fn parse_diff(text: &str) -> Vec<FilePatch> {
    let mut files: Vec<FilePatch> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("diff --git ") {
            files.push(FilePatch {
                path: git_path_from_header(rest),
                change: FileChange::Modified,
                header: Vec::new(),
                hunks: Vec::new(),
            });
            continue;
        }
        let Some(file) = files.last_mut() else { continue };
        if line.starts_with("@@ ") {
            let section = line
                .get(2..)
                .and_then(|s| s.find("@@").map(|i| s[i + 2..].trim_start().to_string()))
                .unwrap_or_default();
            file.hunks.push(Hunk { header: line.to_string(), section, lines: Vec::new() });
            continue;
        }
        if let Some(hunk) = file.hunks.last_mut() {
            hunk.lines.push(line.to_string());
            continue;
        }
        if line.starts_with("new file mode ") {
            file.change = FileChange::New;
        } else if line.starts_with("deleted file mode ") {
            file.change = FileChange::Deleted;
        } else if let Some(from) =
            line.strip_prefix("rename from ").or_else(|| line.strip_prefix("copy from "))
        {
            file.change = FileChange::Renamed(from.to_string());
        } else if let Some(to) =
            line.strip_prefix("rename to ").or_else(|| line.strip_prefix("copy to "))
        {
            file.path = to.to_string();
        } else if let Some(p) = line.strip_prefix("+++ b/") {
            file.path = p.to_string();
        } else if let Some(p) = line.strip_prefix("--- a/") {
            if file.change == FileChange::Deleted {
                file.path = p.to_string();
            }
        }
        file.header.push(line.to_string());
    }
    files
}

/// `a/x b/x` → `x` (the b side; unquoted paths only, which is all the series uses).
fn git_path_from_header(rest: &str) -> String {
    if let Some(b) = rest.rfind(" b/") {
        return rest[b + 3..].to_string();
    }
    rest.to_string()
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
}
