//! Lint rules for Emscripten JS library files (`src/lib/*.js`) and for the
//! `-sDIRECT_SOCKETS` patch series. `dsock check` and `dsock explain CODE` use it.
//!
//! A file is linted in three steps:
//! 1. [`source::mask`] blanks `{{{ … }}}` macros and `#if` lines, keeping byte offsets;
//! 2. `oxc_parser` parses the result and `oxc_semantic` builds the node tree with parents;
//! 3. every rule in [`registry::RULES`] inspects it and returns [`Diagnostic`]s.
//!
//! Rules that only need lines (DS015) also run when the file does not parse; a parse
//! failure itself is reported as DS000.

pub mod constants;
pub mod diagnostic;
pub mod options;
pub mod registry;
pub mod rules;
pub mod source;
pub mod util;

use oxc_allocator::Allocator;
use oxc_parser::Parser;
use oxc_semantic::{Semantic, SemanticBuilder};
use oxc_span::SourceType;

pub use constants::Constants;
pub use diagnostic::{Diagnostic, Format, Severity};
pub use registry::{rule, RuleMeta, RULES};

use source::{Branches, Masked};

/// Everything a rule sees about one file.
pub struct Context<'a> {
    /// Path as reported in findings.
    pub path: &'a str,
    /// The original text.
    pub source: &'a str,
    /// The masked text (same length as `source`).
    pub masked: &'a Masked,
    /// Parsed program with parent links; `None` when the file did not parse.
    pub semantic: Option<&'a Semantic<'a>>,
    pub constants: &'a Constants,
    /// Per-file facts several rules share, computed on first use.
    constructions: std::cell::OnceCell<Vec<options::Construction>>,
}

impl<'a> Context<'a> {
    /// A context for `source` (masked as `masked`, parsed into `semantic`).
    pub fn new(path: &'a str, source: &'a str, masked: &'a Masked, semantic: Option<&'a Semantic<'a>>, constants: &'a Constants) -> Self {
        Context { path, source, masked, semantic, constants, constructions: std::cell::OnceCell::new() }
    }
    /// Every `new UDPSocket/TCPSocket/TCPServerSocket(…)` with the option keys that reach it.
    pub fn constructions(&self) -> &[options::Construction] {
        self.constructions.get_or_init(|| options::compute(self))
    }
    /// Masked text of a byte range (macros read as `__m`).
    pub fn text(&self, span: oxc_span::Span) -> &'a str {
        &self.masked.text[span.start as usize..span.end as usize]
    }
    /// Original text of a byte range.
    pub fn original(&self, span: oxc_span::Span) -> &'a str {
        &self.source[span.start as usize..span.end as usize]
    }
    /// Original text of an AST span, widened to cover whole macros: in the masked text a
    /// macro is the 3-byte identifier `__m`, so an expression ending in one ends early.
    pub fn original_expanded(&self, span: oxc_span::Span) -> &'a str {
        let end = self
            .masked
            .macros
            .iter()
            .filter(|m| m.span.start >= span.start && m.span.start < span.end)
            .map(|m| m.span.end)
            .fold(span.end, u32::max);
        &self.source[span.start as usize..end as usize]
    }
    /// Whether this file is a socket backend (DS014's scope): it defines sock_ops or
    /// talks to the Direct Sockets API.
    pub fn is_socket_backend(&self) -> bool {
        let name = self.path.rsplit('/').next().unwrap_or(self.path);
        (name.starts_with("lib") && name.contains("sock") && name != "libsockfs.js")
            || ["SockOps", "sock_ops:", "new TCPSocket", "new UDPSocket"].iter().any(|s| self.source.contains(s))
    }
}

/// Options for [`lint_file`].
#[derive(Debug, Clone)]
pub struct LintOptions {
    pub constants: Constants,
    /// Only report findings that start on these 1-based lines (the lines a patch adds
    /// to an upstream file); `None` = the whole file.
    pub only_lines: Option<std::collections::BTreeSet<usize>>,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions { constants: Constants::shipped(), only_lines: None }
    }
}

/// Lint one Emscripten JS library file. `path` is only used in findings; findings
/// come back sorted by position, then code.
pub fn lint_file(path: &str, source: &str, options: &LintOptions) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let allocator = Allocator::default();
    let mut masked = source::mask(source, Branches::All);
    let mut ret = Parser::new(&allocator, &masked.text, SourceType::cjs()).parse();
    if !ret.diagnostics.is_empty() || ret.panicked {
        // Two arms of an `#if` can each be half a construct; keep only first arms.
        let first_only = source::mask(source, Branches::FirstOnly);
        // The AST borrows the text; keep the retry's copy in the allocator so it lives
        // as long as the AST does.
        let text = allocator.alloc_str(&first_only.text);
        let retry = Parser::new(&allocator, text, SourceType::cjs()).parse();
        if retry.diagnostics.is_empty() && !retry.panicked {
            masked = first_only;
            ret = retry;
        }
    }
    let parsed = ret.diagnostics.is_empty() && !ret.panicked;
    if !parsed {
        let meta = &rules::ds000_parse_error::ParseError::META;
        let first = ret.diagnostics.first();
        let (start, end, msg) = match first.and_then(|d| d.labels.first()) {
            Some(label) => (label.offset(), label.offset() + label.len(), first.unwrap().message.to_string()),
            None => (0, 0, first.map_or("parser gave up".to_string(), |d| d.message.to_string())),
        };
        out.push(
            Diagnostic::at(meta.code, meta.name, path, source, start, end.max(start), format!("does not parse after masking macros and #if lines: {msg}"))
                .with_help("AST rules were skipped for this file; fix the syntax or report a masking bug"),
        );
    }
    let semantic_ret = SemanticBuilder::new().with_build_nodes(true).build(&ret.program);
    let cx = Context::new(path, source, &masked, parsed.then_some(&semantic_ret.semantic), &options.constants);
    for rule in RULES {
        let Some(check) = rule.check else { continue };
        if rule.meta.target == registry::Target::Ast && cx.semantic.is_none() {
            continue;
        }
        check(&cx, &mut out);
    }
    if let Some(lines) = &options.only_lines {
        out.retain(|d| d.start.is_some_and(|p| lines.contains(&p.line)));
    }
    sort(&mut out);
    out.dedup_by(|a, b| a.code == b.code && a.span == b.span && a.message == b.message);
    out
}

/// Sort findings by path, position, code.
pub fn sort(d: &mut [Diagnostic]) {
    d.sort_by(|a, b| {
        (&a.path, a.span.map(|s| s.0), &a.code).cmp(&(&b.path, b.span.map(|s| s.0), &b.code))
    });
}
