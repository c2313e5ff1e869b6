use std::collections::BTreeMap;

use oxc_ast::ast::{ArrayExpressionElement, Expression};
use oxc_ast::AstKind;
use oxc_span::Span;

use crate::diagnostic::Diagnostic;
use crate::util::{nodes, strip};
use crate::Context;

crate::declare_rule! {
    /// ## What it does
    /// Finds a `$dep` listed in three or more `foo__deps` arrays of one library file.
    ///
    /// ## Why is this bad?
    /// sbc100 asked for `autoAddDeps` instead of the same `__deps` on every syscall
    /// (#26344). Repeated lists drift apart, and each new function must remember them.
    ///
    /// ## Example
    /// ```js
    /// __syscall_recvfrom__deps: ['$writeSockaddr', '$DNS'],
    /// __syscall_getsockname__deps: ['$writeSockaddr', '$DNS'],
    /// __syscall_getpeername__deps: ['$writeSockaddr', '$DNS'],
    /// ```
    ///
    /// ## Fix
    /// Put the helpers behind one object with one `__deps` (as `$nodeSockOps` does in
    /// `libsockfs_node.js`), or call `autoAddDeps(lib, '$helpers')` once:
    /// ```js
    /// $directSockOps__deps: ['$directSockHelpers', '$SOCKFS', '$FS'],
    /// ```
    pub struct RepeatedDeps {
        code: "DS004",
        name: "repeated-deps",
        stability: Stable,
        target: Ast,
    }
}

const META: &crate::RuleMeta = &RepeatedDeps::META;

/// A dep in at least this many `__deps` arrays is reported.
pub const THRESHOLD: usize = 3;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    // dep -> [(owner key, span of the string)]
    let mut seen: BTreeMap<String, Vec<(String, Span)>> = BTreeMap::new();
    for node in nodes(cx) {
        let AstKind::ObjectProperty(p) = node.kind() else { continue };
        let Some(key) = p.key.static_name() else { continue };
        let Some(owner) = key.strip_suffix("__deps") else { continue };
        let Expression::ArrayExpression(arr) = strip(&p.value) else { continue };
        for el in &arr.elements {
            if let ArrayExpressionElement::StringLiteral(s) = el {
                let entry = seen.entry(s.value.to_string()).or_default();
                if !entry.iter().any(|(o, _)| o == owner) {
                    entry.push((owner.to_string(), s.span));
                }
            }
        }
    }
    for (dep, owners) in seen {
        if owners.len() < THRESHOLD {
            continue;
        }
        let span = owners[0].1;
        let names = owners.iter().map(|(o, _)| o.as_str()).collect::<Vec<_>>().join(", ");
        out.push(
            META.at(cx, span.start, span.end, format!("'{dep}' is repeated in {} __deps arrays ({names})", owners.len()))
                .with_help(format!("list it once: one helper object's __deps, or autoAddDeps(lib, '{dep}')")),
        );
    }
}
