use oxc_span::Span;

use crate::diagnostic::Diagnostic;
use crate::Context;

crate::declare_rule! {
    /// ## What it does
    /// Finds `cDefs.NAME` inside a `{{{ … }}}` macro where `NAME` is not a define in
    /// `struct_info` (the checkout's `src/struct_info_generated.json` plus what the
    /// series adds to it; without a checkout, the table dsock ships).
    ///
    /// ## Why is this bad?
    /// The build fails only when the library is preprocessed, deep inside `emcc`, with
    /// a JavaScript `TypeError` instead of a message naming the missing constant; and
    /// a misspelt name in an `#if` arm that the tests never build is not caught at all.
    ///
    /// ## Example
    /// ```js
    /// if (optname === {{{ cDefs.IPV6_MULTICAST_HOP }}}) { … }
    /// ```
    ///
    /// ## Fix
    /// Correct the spelling, or add the define to `src/struct_info.json` in the series'
    /// NFC struct_info commit and regenerate `src/struct_info_generated*.json` with
    /// `./tools/gen_struct_info.py`.
    pub struct UnknownCDefsName {
        code: "DS003",
        name: "unknown-cdefs-name",
        stability: Stable,
        target: Lines,
    }
}

const META: &crate::RuleMeta = &UnknownCDefsName::META;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let re = crate::regex!(r"\bcDefs\.([A-Za-z_][A-Za-z0-9_]*)");
    for m in &cx.masked.macros {
        let text = cx.original(m.span);
        for c in re.captures_iter(text) {
            let name = c.get(1).unwrap();
            if cx.constants.get(name.as_str()).is_some() || !cx.constants.is_authoritative_for(name.as_str()) {
                continue;
            }
            let start = m.span.start + name.start() as u32;
            let span = Span::new(start, start + name.len() as u32);
            let source = match &cx.constants.source {
                crate::constants::ConstantsSource::Shipped => "dsock's shipped struct_info table".to_string(),
                crate::constants::ConstantsSource::StructInfo(p) => p.clone(),
            };
            out.push(
                META.at(cx, span.start, span.end, format!("cDefs.{} is not defined in {source}", name.as_str()))
                    .with_help("add it to src/struct_info.json and run ./tools/gen_struct_info.py, or fix the spelling"),
            );
        }
    }
}
