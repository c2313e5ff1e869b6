//! Findings and how they are printed: human (with a code frame), JSON, and GitHub
//! workflow annotations (`::error file=…,line=…,col=…::…`, see GitHub's "Workflow
//! commands" docs).

use serde::Serialize;

/// How bad a finding is. Every finding makes `dsock check` exit 1; the level only
/// changes the GitHub annotation kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A 1-based line/column position (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The source line a finding points into, for the code frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Frame {
    /// The whole line, without its newline.
    pub text: String,
    /// 1-based first and last (inclusive) character columns to underline on `text`.
    pub underline: (usize, usize),
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Rule code (`DS001`), or the external tool's code (`eslint:no-undef`, `ruff:F401`).
    pub code: String,
    /// Rule name in kebab case (`numeric-literal-for-c-constant`).
    pub name: String,
    pub severity: Severity,
    /// What is wrong, one sentence.
    pub message: String,
    /// What to do instead, if the rule knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// File as the user should open it (relative to the dsock repo where possible).
    pub path: String,
    /// Byte range in the file, when the finding has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<(u32, u32)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<Position>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<Position>,
    #[serde(skip)]
    pub frame: Option<Frame>,
}

impl Diagnostic {
    /// A finding about a whole file or the series (no position).
    pub fn file_level(code: &str, name: &str, path: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.to_string(),
            name: name.to_string(),
            severity: Severity::Error,
            message: message.into(),
            help: None,
            path: path.to_string(),
            span: None,
            start: None,
            end: None,
            frame: None,
        }
    }

    /// A finding at byte range `start..end` of `source`; computes positions and the frame.
    pub fn at(code: &str, name: &str, path: &str, source: &str, start: u32, end: u32, message: impl Into<String>) -> Self {
        let mut d = Self::file_level(code, name, path, message);
        d.set_span(source, start, end);
        d
    }

    /// A finding at a 1-based line (and optional 1-based column) of a file whose
    /// text is not at hand, e.g. one reported by eslint or ruff.
    pub fn at_line(code: &str, name: &str, path: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        let mut d = Self::file_level(code, name, path, message);
        d.start = Some(Position { line, column: column.max(1) });
        d
    }

    /// Attach a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Set span, start/end positions and the frame from `source`.
    pub fn set_span(&mut self, source: &str, start: u32, end: u32) {
        let (s, e) = (start as usize, (end as usize).max(start as usize));
        let start_pos = position(source, s);
        let end_pos = position(source, e);
        let line_start = source[..s.min(source.len())].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[s.min(source.len())..].find('\n').map_or(source.len(), |i| i + s);
        let text = source[line_start..line_end].trim_end_matches('\r').to_string();
        let last = if end_pos.line == start_pos.line {
            (end_pos.column - 1).max(start_pos.column)
        } else {
            text.chars().count().max(start_pos.column)
        };
        self.span = Some((start, end));
        self.start = Some(start_pos);
        self.end = Some(end_pos);
        self.frame = Some(Frame { text, underline: (start_pos.column, last) });
    }
}

/// 1-based line and character column of byte `offset`.
pub fn position(source: &str, offset: usize) -> Position {
    let offset = offset.min(source.len());
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position { line, column: before[line_start..].chars().count() + 1 }
}

/// Output formats of `dsock check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// `path:line:col: CODE message`, a code frame and `help:`.
    #[default]
    Human,
    /// One JSON document: `{"diagnostics": [...], "skipped": [...], "summary": {...}}`.
    Json,
    /// GitHub Actions workflow commands, one per line.
    Github,
}

/// Render one finding as human text (ends with a newline).
pub fn render_human(d: &Diagnostic) -> String {
    let mut s = String::new();
    match d.start {
        Some(p) => s.push_str(&format!("{}:{}:{}: ", d.path, p.line, p.column)),
        None => s.push_str(&format!("{}: ", d.path)),
    }
    s.push_str(&format!("{} {}\n", d.code, d.message));
    if let (Some(frame), Some(p)) = (&d.frame, d.start) {
        let num = p.line.to_string();
        let pad = " ".repeat(num.len());
        let (a, b) = frame.underline;
        let prefix: String = frame.text.chars().take(a - 1).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        s.push_str(&format!("{pad} |\n{num} | {}\n{pad} | {prefix}{}\n", frame.text, "^".repeat(b + 1 - a)));
    }
    if let Some(help) = &d.help {
        s.push_str(&format!("  = help: {help}\n"));
    }
    s
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Render one finding as a GitHub workflow command (ends with a newline).
pub fn render_github(d: &Diagnostic) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = vec![format!("file={}", escape_property(&d.path))];
    if let Some(p) = d.start {
        props.push(format!("line={}", p.line));
        props.push(format!("col={}", p.column));
    }
    if let Some(p) = d.end {
        props.push(format!("endLine={}", p.line));
        props.push(format!("endColumn={}", p.column));
    }
    props.push(format!("title={}", escape_property(&format!("{} {}", d.code, d.name))));
    let mut msg = d.message.clone();
    if let Some(help) = &d.help {
        msg.push_str(&format!("\nhelp: {help}"));
    }
    format!("::{kind} {}::{}\n", props.join(","), escape_data(&msg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_underlines_the_span() {
        let src = "a\n  if (level === 41) x();\n";
        let start = src.find("41").unwrap() as u32;
        let d = Diagnostic::at("DS001", "n", "f.js", src, start, start + 2, "msg").with_help("use it");
        assert_eq!(
            render_human(&d),
            "f.js:2:17: DS001 msg\n  |\n2 |   if (level === 41) x();\n  |                 ^^\n  = help: use it\n"
        );
    }

    #[test]
    fn github_escapes_properties_and_data() {
        let d = Diagnostic::at_line("DS101", "subject", "a,b:c", 3, 1, "50% bad\nnext");
        assert_eq!(
            render_github(&d),
            "::error file=a%2Cb%3Ac,line=3,col=1,title=DS101 subject::50%25 bad%0Anext\n"
        );
    }
}
