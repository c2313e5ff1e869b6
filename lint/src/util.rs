//! Small AST helpers shared by the rules. They work on `oxc_semantic`'s node tree
//! (every node knows its parent) and on the masked text of spans.

use oxc_ast::ast::{Expression, UnaryOperator};
use oxc_ast::AstKind;
use oxc_semantic::{AstNode, NodeId};
use oxc_span::{GetSpan, Span};

use crate::Context;

/// All nodes of the file, in source order of their start (pre-order).
pub fn nodes<'a>(cx: &'a Context<'a>) -> impl Iterator<Item = &'a AstNode<'a>> + 'a {
    cx.semantic.into_iter().flat_map(|s| s.nodes().iter())
}

/// The nearest enclosing function (declaration, expression, method or arrow) of a node.
pub fn enclosing_function(cx: &Context, id: NodeId) -> Option<NodeId> {
    let nodes = cx.semantic?.nodes();
    nodes
        .ancestors(id)
        .find(|n| matches!(n.kind(), AstKind::Function(_) | AstKind::ArrowFunctionExpression(_)))
        .map(|n| n.id())
}

/// Span of a node.
pub fn span_of(cx: &Context, id: NodeId) -> Span {
    cx.semantic.map_or(Span::default(), |s| s.nodes().kind(id).span())
}

/// The name a function goes by: its own name, the object key or variable it is
/// assigned to (`recvmsg(sock, len) {…}`, `__syscall_recvfrom: async (…) => …`,
/// `var read = function…`).
pub fn function_label(cx: &Context, func: NodeId) -> Option<String> {
    let nodes = cx.semantic?.nodes();
    if let AstKind::Function(f) = nodes.kind(func) {
        if let Some(id) = &f.id {
            return Some(id.name.to_string());
        }
    }
    for anc in nodes.ancestors(func) {
        match anc.kind() {
            AstKind::ObjectProperty(p) => return p.key.static_name().map(|n| n.to_string()),
            AstKind::MethodDefinition(m) => return m.key.static_name().map(|n| n.to_string()),
            AstKind::VariableDeclarator(d) => return Some(cx.text(d.id.span()).to_string()),
            AstKind::AssignmentExpression(a) => {
                return Some(cx.text(a.left.span()).rsplit('.').next().unwrap_or("").to_string())
            }
            AstKind::ParenthesizedExpression(_) | AstKind::CallExpression(_) => continue,
            _ => return None,
        }
    }
    None
}

/// Labels of every enclosing function and object key, innermost first
/// (`["onData", "readFromSocket", "$DIRECT_SOCKETS"]`).
pub fn label_path(cx: &Context, id: NodeId) -> Vec<String> {
    let Some(sem) = cx.semantic else { return vec![] };
    let mut out = Vec::new();
    for anc in sem.nodes().ancestors(id) {
        match anc.kind() {
            AstKind::ObjectProperty(p) => {
                if let Some(n) = p.key.static_name() {
                    out.push(n.to_string());
                }
            }
            AstKind::Function(f) => {
                if let Some(n) = &f.id {
                    out.push(n.name.to_string());
                }
            }
            AstKind::VariableDeclarator(d) => out.push(cx.text(d.id.span()).to_string()),
            _ => {}
        }
    }
    out
}

/// `e` without parentheses.
pub fn strip<'b, 'a>(e: &'b Expression<'a>) -> &'b Expression<'a> {
    e.without_parentheses()
}

/// An integer literal (`41`, `0x29`) and its span.
pub fn int_literal(e: &Expression) -> Option<(i64, Span)> {
    match strip(e) {
        Expression::NumericLiteral(n) if n.value.fract() == 0.0 && n.value.abs() < 1e15 => {
            Some((n.value as i64, n.span))
        }
        _ => None,
    }
}

/// `-N` for an integer literal `N`; returns `N` and the span of the whole `-N`.
pub fn negated_int_literal(e: &Expression) -> Option<(i64, Span)> {
    match strip(e) {
        Expression::UnaryExpression(u) if u.operator == UnaryOperator::UnaryNegation => {
            int_literal(&u.argument).map(|(v, _)| (v, u.span))
        }
        _ => None,
    }
}

/// The last name segment of an identifier or member chain: `level` for `level`,
/// `optname` for `args.optname`, `error` for `sock.error`; `None` otherwise.
pub fn last_name<'a>(e: &Expression<'a>) -> Option<&'a str> {
    match strip(e) {
        Expression::Identifier(i) => Some(i.name.as_str()),
        Expression::StaticMemberExpression(m) => Some(m.property.name.as_str()),
        _ => None,
    }
}

/// The last segment of a dotted callee/member text: `UDPSocket` for `globalThis.UDPSocket`.
pub fn last_segment(text: &str) -> &str {
    text.rsplit('.').next().unwrap_or(text).trim()
}

/// Whether `inner` lies within `outer`.
pub fn contains(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// Statically known object keys of an object literal.
pub fn object_keys(e: &Expression) -> Vec<(String, Span)> {
    let Expression::ObjectExpression(o) = strip(e) else { return vec![] };
    o.properties
        .iter()
        .filter_map(|p| match p {
            oxc_ast::ast::ObjectPropertyKind::ObjectProperty(p) => {
                p.key.static_name().map(|n| (n.to_string(), p.key.span()))
            }
            _ => None,
        })
        .collect()
}

/// A `&'static Regex` compiled once per call site.
#[macro_export]
macro_rules! regex {
    ($re:literal $(,)?) => {{
        static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        #[allow(clippy::regex_creation_in_loops)] // compiled once: OnceLock
        let re = RE.get_or_init(|| regex::Regex::new($re).expect("valid regex"));
        re
    }};
}
