//! The central rule table: code, name, stability, what the rule looks at, its doc.
//!
//! Every rule lives in its own file under `rules/` and is declared with
//! [`declare_rule!`], whose doc comment (sections `## What it does`,
//! `## Why is this bad?`, `## Example`, `## Fix`) becomes the text `dsock explain`
//! prints and the row in `docs/lint.md`.

use crate::diagnostic::Diagnostic;
use crate::Context;

/// Whether a rule's behaviour is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stability {
    /// Findings are trusted; CI fails on them.
    Stable,
    /// New or heuristic; CI still fails on them, but expect tuning.
    Preview,
}

/// What a rule inspects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// The parsed JavaScript of a library file (oxc AST).
    Ast,
    /// Lines of a file, with regular expressions.
    Lines,
    /// The series (manifest, commits, patches); checked by `dsock check`.
    Series,
}

/// Static facts about one rule.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub stability: Stability,
    pub target: Target,
    /// The doc comment, sections in fixed order.
    pub doc: &'static str,
}

impl RuleMeta {
    /// The first paragraph of `## What it does`, on one line.
    pub fn summary(&self) -> String {
        section(self.doc, "What it does")
            .split("\n\n")
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The doc with the macro's leading space per line removed.
    pub fn doc_text(&self) -> String {
        self.doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
            + "\n"
    }

    /// A finding of this rule at `start..end` of the file `cx` lints.
    pub fn at(&self, cx: &Context, start: u32, end: u32, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(self.code, self.name, cx.path, cx.source, start, end, message)
    }
}

/// Text of section `title` (between its `## ` heading and the next).
pub fn section<'d>(doc: &'d str, title: &str) -> &'d str {
    let Some(start) = doc.find(&format!("## {title}")) else { return "" };
    let body = &doc[start..];
    let body = body.split_once('\n').map_or("", |(_, b)| b);
    match body.find("\n ## ").or_else(|| body.find("\n## ")) {
        Some(end) => body[..end].trim(),
        None => body.trim(),
    }
}

/// A file rule's check function.
pub type CheckFn = fn(&Context, &mut Vec<Diagnostic>);

/// One row of [`RULES`].
pub struct RuleEntry {
    pub meta: &'static RuleMeta,
    /// `None` for DS000 and the series rules (DS101–DS106), which `dsock_core::checks`
    /// implements, one file per rule.
    pub check: Option<CheckFn>,
}

/// Declare a rule: doc comment, a unit struct, and its `META`.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub struct $name:ident {
            code: $code:literal,
            name: $rname:literal,
            stability: $stab:ident,
            target: $target:ident $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        pub struct $name;
        impl $name {
            pub const META: $crate::registry::RuleMeta = $crate::registry::RuleMeta {
                code: $code,
                name: $rname,
                stability: $crate::registry::Stability::$stab,
                target: $crate::registry::Target::$target,
                doc: concat!($($doc, "\n"),+),
            };
        }
    };
}

use crate::rules::*;

/// Every rule, ordered by code.
pub static RULES: &[RuleEntry] = &[
    RuleEntry { meta: &ds000_parse_error::ParseError::META, check: None },
    RuleEntry { meta: &ds001_numeric_literal::NumericLiteralForConstant::META, check: Some(ds001_numeric_literal::check) },
    RuleEntry { meta: &ds002_constant_mismatch::ConstantValueMismatch::META, check: Some(ds002_constant_mismatch::check) },
    RuleEntry { meta: &ds003_unknown_cdefs::UnknownCDefsName::META, check: Some(ds003_unknown_cdefs::check) },
    RuleEntry { meta: &ds004_repeated_deps::RepeatedDeps::META, check: Some(ds004_repeated_deps::check) },
    RuleEntry { meta: &ds005_private_fd::PrivateFdAllocation::META, check: Some(ds005_private_fd::check) },
    RuleEntry { meta: &ds006_swallowed_error::SwallowedError::META, check: Some(ds006_swallowed_error::check) },
    RuleEntry { meta: &ds007_eof_vs_error::EofVsError::META, check: Some(ds007_eof_vs_error::check) },
    RuleEntry { meta: &ds008_socket_options::InvalidSocketOptions::META, check: Some(ds008_socket_options::check) },
    RuleEntry { meta: &ds009_zero_local_port::ZeroLocalPort::META, check: Some(ds009_zero_local_port::check) },
    RuleEntry { meta: &ds010_dns_query_type_bound::DnsQueryTypeInBoundMode::META, check: Some(ds010_dns_query_type_bound::check) },
    RuleEntry { meta: &ds011_close_while_locked::CloseWhileLocked::META, check: Some(ds011_close_while_locked::check) },
    RuleEntry { meta: &ds012_shared_heap_write::SharedHeapWrite::META, check: Some(ds012_shared_heap_write::check) },
    RuleEntry { meta: &ds013_udp_reopen::UdpCloseAndReopen::META, check: Some(ds013_udp_reopen::check) },
    RuleEntry { meta: &ds014_syscall_override::SyscallOverride::META, check: Some(ds014_syscall_override::check) },
    RuleEntry { meta: &ds015_settings_backticks::SettingsSingleBackticks::META, check: Some(ds015_settings_backticks::check) },
    RuleEntry { meta: &ds101_series_applies::SeriesApplies::META, check: None },
    RuleEntry { meta: &ds102_export_drift::ExportDrift::META, check: None },
    RuleEntry { meta: &ds103_commit_message::CommitMessage::META, check: None },
    RuleEntry { meta: &ds104_overlay_ownership::OverlayOwnership::META, check: None },
    RuleEntry { meta: &ds105_whitespace::AddedWhitespace::META, check: None },
    RuleEntry { meta: &ds106_struct_info_generated::StructInfoGenerated::META, check: None },
];

/// Look a rule up by code, case-insensitively (`ds003` works).
pub fn rule(code: &str) -> Option<&'static RuleMeta> {
    RULES.iter().map(|r| r.meta).find(|m| m.code.eq_ignore_ascii_case(code))
}

/// The rule table as Markdown (the table in `docs/lint.md`; a test keeps them in sync).
pub fn markdown_table() -> String {
    let mut s = String::from("| Code | Name | Stability | Checks | What it does |\n|---|---|---|---|---|\n");
    for r in RULES {
        let m = r.meta;
        let target = match m.target {
            Target::Ast => "JS AST",
            Target::Lines => "lines",
            Target::Series => "series",
        };
        let stab = match m.stability {
            Stability::Stable => "stable",
            Stability::Preview => "preview",
        };
        s.push_str(&format!("| {} | `{}` | {} | {} | {} |\n", m.code, m.name, stab, target, m.summary()));
    }
    s
}
