//! Turning an Emscripten JS library file into plain JavaScript a real parser accepts.
//!
//! Library files (upstream `src/lib/*.js`) are run through Emscripten's own
//! preprocessor (`tools/preprocessor.mjs`) before they are JavaScript: `{{{ … }}}`
//! macros are evaluated at build time and `#if`/`#else`/`#endif` lines select code.
//! [`mask`] replaces both with same-length filler so every byte offset in the masked
//! text is the offset in the original file, and diagnostics point at the real source.

use oxc_span::Span;

/// One `{{{ … }}}` macro of the original file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Macro {
    /// Byte range of the whole macro, braces included.
    pub span: Span,
    /// The text between the braces, trimmed (e.g. `cDefs.EAGAIN`).
    pub body: String,
}

/// Which variant of preprocessor handling produced the masked text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Branches {
    /// Every branch of every `#if` kept (only the directive lines blanked).
    All,
    /// Only the first branch of each `#if` kept; `#else`/`#elif` arms blanked.
    /// Used as a fallback when keeping all arms does not parse.
    FirstOnly,
}

/// The masked file.
#[derive(Debug, Clone)]
pub struct Masked {
    /// Same length as the original; macros became an identifier ([`MACRO_IDENT`])
    /// padded with spaces, preprocessor lines became spaces. Newlines are kept.
    pub text: String,
    /// Every macro, in source order.
    pub macros: Vec<Macro>,
}

/// The identifier a macro is replaced with. Rules look the macro up by the
/// identifier's start offset ([`Masked::macro_at`]).
pub const MACRO_IDENT: &str = "__m";

const DIRECTIVES: &[&str] =
    &["if", "ifdef", "ifndef", "elif", "else", "endif", "include", "error", "warning", "define", "undef"];

impl Masked {
    /// The macro whose replacement identifier starts at `offset`.
    pub fn macro_at(&self, offset: u32) -> Option<&Macro> {
        self.macros
            .binary_search_by_key(&offset, |m| m.span.start)
            .ok()
            .map(|i| &self.macros[i])
    }
}

/// If `line` (without its newline) is a preprocessor directive, return its name.
pub fn directive(line: &str) -> Option<&'static str> {
    let rest = line.trim_start().strip_prefix('#')?;
    let word: String = rest.trim_start().chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    DIRECTIVES.iter().copied().find(|d| *d == word)
}

fn blank(bytes: &mut [u8], start: usize, end: usize) {
    for b in &mut bytes[start..end] {
        if *b != b'\n' && *b != b'\r' {
            *b = b' ';
        }
    }
}

/// Mask `source` (see module docs). An unterminated `{{{` is left as is, so the
/// parser reports it at its real position.
pub fn mask(source: &str, branches: Branches) -> Masked {
    let mut bytes = source.as_bytes().to_vec();
    let mut macros = Vec::new();
    let mut pos = 0;
    while let Some(open) = source[pos..].find("{{{").map(|i| i + pos) {
        let Some(close) = source[open + 3..].find("}}}").map(|i| i + open + 3) else { break };
        let end = close + 3;
        macros.push(Macro {
            span: Span::new(open as u32, end as u32),
            body: source[open + 3..close].trim().to_string(),
        });
        blank(&mut bytes, open, end);
        bytes[open..open + MACRO_IDENT.len()].copy_from_slice(MACRO_IDENT.as_bytes());
        pos = end;
    }
    // Preprocessor lines; with FirstOnly also the lines of later arms.
    let mut offset = 0;
    // Stack of "currently skipping because we are in a non-first arm" flags.
    let mut stack: Vec<bool> = Vec::new();
    for line in source.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let skipping = stack.iter().any(|s| *s);
        match directive(line) {
            Some("if" | "ifdef" | "ifndef") => stack.push(false),
            Some("elif" | "else") => {
                if let Some(top) = stack.last_mut() {
                    *top = branches == Branches::FirstOnly;
                }
            }
            Some("endif") => {
                stack.pop();
            }
            Some(_) => {}
            None => {
                if skipping {
                    blank(&mut bytes, start, offset);
                }
                continue;
            }
        }
        blank(&mut bytes, start, offset);
    }
    Masked { text: String::from_utf8(bytes).expect("masking only writes ASCII over whole characters"), macros }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_offsets_and_records_macros() {
        let src = "var x = {{{ cDefs.EAGAIN }}};\n#if ASSERTIONS\nfoo();\n#endif\n";
        let m = mask(src, Branches::All);
        assert_eq!(m.text.len(), src.len());
        assert_eq!(m.text, "var x = __m                 ;\n              \nfoo();\n      \n");
        assert_eq!(m.macros[0].body, "cDefs.EAGAIN");
        assert_eq!(m.macro_at(8).unwrap().span, Span::new(8, 28));
    }

    #[test]
    fn first_only_drops_else_arms() {
        let src = "#if A\na(\n#else\nb(\n#endif\n);\n";
        let m = mask(src, Branches::FirstOnly);
        assert_eq!(m.text, "     \na(\n     \n  \n      \n);\n");
    }

    #[test]
    fn multiline_macro_keeps_newlines() {
        let m = mask("{{{ makeGetValue('p',\n 0, 'i32') }}}", Branches::All);
        assert_eq!(m.text.matches('\n').count(), 1);
        assert!(m.text.starts_with("__m "));
    }
}
