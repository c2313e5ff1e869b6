//! DS105 `added-whitespace`: no added line ends in whitespace, and none holds a tab in a
//! file type where upstream forbids tabs. Doc: `dsock explain DS105`
//! (`dsock_lint::rules::ds105_whitespace`).

use dsock_lint::diagnostic::Diagnostic;
use dsock_lint::rules::ds105_whitespace::AddedWhitespace;

/// Extensions in which upstream forbids tabs.
const NO_TABS: &[&str] = &["js", "mjs", "py", "c", "h", "cpp", "cc", "rst", "md", "json", "toml", "txt"];

/// Upstream trees that keep their own tab-indented style: musl's sources (and emscripten's
/// `#ifdef __EMSCRIPTEN__` additions to them) are indented with tabs.
const TABS_ALLOWED_UNDER: &[&str] = &["system/lib/libc/musl/"];

/// Whether an added line of `path` may not contain a tab: its type forbids tabs and it is
/// not under a tab-indented upstream tree.
pub fn tabs_forbidden(path: &str) -> bool {
    NO_TABS.contains(&super::ext(path)) && !TABS_ALLOWED_UNDER.iter().any(|dir| path.starts_with(dir))
}

/// Findings for the lines (1-based) of `text` selected by `line_of`, reported at their
/// position in `text` under the name `display`.
pub fn check(display: &str, text: &str, line_of: impl Fn(usize) -> bool, tabs_forbidden: bool, out: &mut Vec<Diagnostic>) {
    let m = &AddedWhitespace::META;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        if !line_of(i + 1) {
            continue;
        }
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_end_matches([' ', '\t']);
        if trimmed.len() != body.len() {
            let s = (start + trimmed.len()) as u32;
            out.push(
                Diagnostic::at(m.code, m.name, display, text, s, (start + body.len()) as u32, "added line ends in whitespace")
                    .with_help("strip trailing whitespace, then `dsock export`"),
            );
        } else if tabs_forbidden {
            if let Some(t) = body.find('\t') {
                let s = (start + t) as u32;
                out.push(
                    Diagnostic::at(m.code, m.name, display, text, s, s + 1, "added line contains a tab")
                        .with_help("indent with spaces as upstream does"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tabs_forbidden;

    #[test]
    fn tabs_are_allowed_in_musl_sources_only() {
        assert!(!tabs_forbidden("system/lib/libc/musl/src/network/bind.c"));
        assert!(tabs_forbidden("system/lib/libc/emscripten_internal.h"));
        assert!(tabs_forbidden("src/lib/libsyscall.js"));
        assert!(!tabs_forbidden("Makefile"));
    }
}
