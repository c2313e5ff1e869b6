//! ANSI styling for review output, and word-level highlighting inside changed
//! lines (`dsock diff --word`) using `similar`'s inline (word) diff.
//!
//! With color off, `paint` returns the text unchanged, so uncolored output of a
//! plain diff stays byte-identical to what git wrote (and `git apply` accepts it).

use similar::{ChangeTag, TextDiff};

/// What a span of output is, for coloring (git's default diff colors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `diff --git`, `index`, `---`/`+++` lines, section titles.
    Meta,
    /// `@@ … @@` hunk headers.
    Frag,
    Old,
    New,
    /// A changed word inside a removed line (`--word`).
    OldWord,
    /// A changed word inside an added line (`--word`).
    NewWord,
    /// Range-diff: pair header of a changed pair.
    Changed,
    /// Commit ids and numbers in listings.
    Dim,
}

/// Whether to emit ANSI escapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub const PLAIN: Style = Style { color: false };

    /// `text` wrapped in the escape for `kind` (unchanged when color is off).
    pub fn paint(&self, kind: Kind, text: &str) -> String {
        if !self.color || text.is_empty() {
            return text.to_string();
        }
        let code = match kind {
            Kind::Meta => "1",
            Kind::Frag => "36",
            Kind::Old => "31",
            Kind::New => "32",
            Kind::OldWord => "1;7;31",
            Kind::NewWord => "1;7;32",
            Kind::Changed => "33",
            Kind::Dim => "2",
        };
        format!("\x1b[{code}m{text}\x1b[m")
    }
}

/// Render diff text (from git) for a reader: colors per line kind and, with `word`,
/// the changed words inside each run of `-` lines followed by `+` lines emphasized.
///
/// Without color, emphasized words are written `[-old-]` / `{+new+}` (git's
/// `--word-diff=plain` markers); such output is for reading, not for `git apply`.
/// With neither color nor `word` the text is returned unchanged.
pub fn render_diff(text: &str, style: Style, word: bool) -> String {
    if !style.color && !word {
        return text.to_string();
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut in_hunk = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("diff --git ") {
            in_hunk = false;
        }
        if line.starts_with("@@ ") {
            in_hunk = true;
            out.push_str(&paint_line(style, Kind::Frag, line));
            i += 1;
            continue;
        }
        if in_hunk && line.starts_with('-') {
            // A run of removed lines, maybe followed by a run of added lines.
            let old_end = run_end(&lines, i, '-');
            let new_end = run_end(&lines, old_end, '+');
            if word && new_end > old_end {
                out.push_str(&word_runs(&lines[i..old_end], &lines[old_end..new_end], style));
            } else {
                for l in &lines[i..new_end] {
                    let kind = if l.starts_with('-') { Kind::Old } else { Kind::New };
                    out.push_str(&paint_line(style, kind, l));
                }
            }
            i = new_end;
            continue;
        }
        let kind = if !in_hunk {
            if line.starts_with("diff --git ")
                || line.starts_with("index ")
                || line.starts_with("--- ")
                || line.starts_with("+++ ")
                || line.starts_with("new file mode")
                || line.starts_with("deleted file mode")
            {
                Some(Kind::Meta)
            } else {
                None
            }
        } else if line.starts_with('+') {
            Some(Kind::New)
        } else {
            None
        };
        match kind {
            Some(k) => out.push_str(&paint_line(style, k, line)),
            None => out.push_str(line),
        }
        i += 1;
    }
    out
}

fn run_end(lines: &[&str], from: usize, sign: char) -> usize {
    let mut j = from;
    while j < lines.len() && lines[j].starts_with(sign) {
        j += 1;
    }
    j
}

/// Paint a line but keep its newline outside the escape.
fn paint_line(style: Style, kind: Kind, line: &str) -> String {
    let (body, nl) = match line.strip_suffix('\n') {
        Some(b) => (b, "\n"),
        None => (line, ""),
    };
    format!("{}{nl}", style.paint(kind, body))
}

/// Word-highlight one `-` run against the following `+` run.
fn word_runs(old: &[&str], new: &[&str], style: Style) -> String {
    let old_text: String = old.iter().map(|l| strip_sign(l)).collect();
    let new_text: String = new.iter().map(|l| strip_sign(l)).collect();
    let diff = TextDiff::from_lines(old_text.as_str(), new_text.as_str());
    let mut removed = String::new();
    let mut added = String::new();
    for op in diff.ops() {
        for change in diff.iter_inline_changes(op) {
            let (buf, sign, base, emph, open, close) = match change.tag() {
                ChangeTag::Delete => (&mut removed, "-", Kind::Old, Kind::OldWord, "[-", "-]"),
                ChangeTag::Insert => (&mut added, "+", Kind::New, Kind::NewWord, "{+", "+}"),
                // Equal lines cannot occur inside a -/+ run of a git hunk, but a
                // line diff may still pair them; show them on both sides as context.
                ChangeTag::Equal => {
                    let text: String = change.iter_strings_lossy().map(|(_, s)| s).collect();
                    let text = text.strip_suffix('\n').unwrap_or(&text).to_string();
                    removed.push_str(&format!("{}\n", style.paint(Kind::Old, &format!("-{text}"))));
                    added.push_str(&format!("{}\n", style.paint(Kind::New, &format!("+{text}"))));
                    continue;
                }
            };
            let mut line = String::new();
            line.push_str(&style.paint(base, sign));
            for (emphasized, s) in change.iter_strings_lossy() {
                let s = s.strip_suffix('\n').unwrap_or(&s);
                if s.is_empty() {
                    continue;
                }
                if emphasized {
                    if style.color {
                        line.push_str(&style.paint(emph, s));
                    } else {
                        line.push_str(&format!("{open}{s}{close}"));
                    }
                } else {
                    line.push_str(&style.paint(base, s));
                }
            }
            buf.push_str(&line);
            buf.push('\n');
        }
    }
    removed + &added
}

fn strip_sign(line: &str) -> &str {
    &line[1..]
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIFF: &str = "diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1,2 +1,2 @@\n int x;\n-return EIO;\n+return ECONNRESET;\n";

    #[test]
    fn plain_is_identity() {
        assert_eq!(render_diff(DIFF, Style::PLAIN, false), DIFF);
    }

    #[test]
    fn word_markers_without_color() {
        let out = render_diff(DIFF, Style::PLAIN, true);
        assert!(out.contains("-return [-EIO;-]\n"), "{out}");
        assert!(out.contains("+return {+ECONNRESET;+}\n"), "{out}");
        assert!(out.contains("@@ -1,2 +1,2 @@\n int x;\n"), "{out}");
    }

    #[test]
    fn color_wraps_lines_but_not_newlines() {
        let out = render_diff(DIFF, Style { color: true }, false);
        assert!(out.contains("\x1b[31m-return EIO;\x1b[m\n"), "{out:?}");
        assert!(out.contains("\x1b[36m@@ -1,2 +1,2 @@\x1b[m\n"), "{out:?}");
    }
}
