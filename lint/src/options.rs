//! Which option keys reach a Direct Sockets constructor (`new UDPSocket(opts)`,
//! `new TCPSocket(host, port, opts)`, `new TCPServerSocket(addr, opts)`).
//!
//! Keys are collected from the object literal, from `opts.KEY = …` assignments in the
//! same function, and from "builder" functions in the same file whose returned
//! variable gets those keys (`var opts = buildUDPOptions(sock)`). Conditional
//! assignments count: the rule reports what *can* reach the constructor.

use std::collections::BTreeMap;

use oxc_ast::ast::Expression;
use oxc_ast::AstKind;
use oxc_semantic::NodeId;
use oxc_span::{GetSpan, Span};

use crate::util::{enclosing_function, function_label, last_segment, nodes, object_keys, span_of, strip};
use crate::Context;

/// One `new XSocket(…)`.
#[derive(Debug, Clone)]
pub struct Construction {
    /// `UDPSocket`, `TCPSocket` or `TCPServerSocket`.
    pub class: &'static str,
    /// Span of the whole `new` expression.
    pub span: Span,
    /// The enclosing function, if any.
    pub func: Option<NodeId>,
    /// Name of the options variable when it is one (`opts`).
    pub var: Option<String>,
    /// Keys that can reach the constructor, with where each is set.
    pub keys: BTreeMap<String, Span>,
}

const CLASSES: &[(&str, usize)] = &[("UDPSocket", 0), ("TCPSocket", 2), ("TCPServerSocket", 1)];

/// Keys given to variable `var` inside `scope` (declarator init and `var.KEY =`).
pub fn keys_for_var(cx: &Context, scope: Span, var: &str, builders: &BTreeMap<String, BTreeMap<String, Span>>) -> BTreeMap<String, Span> {
    let mut keys = BTreeMap::new();
    for n in nodes(cx) {
        if !crate::util::contains(scope, n.kind().span()) {
            continue;
        }
        match n.kind() {
            AstKind::VariableDeclarator(d) if cx.text(d.id.span()) == var => {
                if let Some(init) = &d.init {
                    keys.extend(expression_keys(cx, init, builders));
                }
            }
            AstKind::AssignmentExpression(a) => {
                let left = cx.text(a.left.span());
                if let Some(key) = left.strip_prefix(var).and_then(|r| r.strip_prefix('.')) {
                    if !key.contains('.') {
                        keys.insert(key.to_string(), a.left.span());
                    }
                } else if left == var {
                    keys.extend(expression_keys(cx, &a.right, builders));
                }
            }
            _ => {}
        }
    }
    keys
}

fn expression_keys(cx: &Context, e: &Expression, builders: &BTreeMap<String, BTreeMap<String, Span>>) -> BTreeMap<String, Span> {
    match strip(e) {
        Expression::ObjectExpression(_) => object_keys(e).into_iter().collect(),
        Expression::CallExpression(c) => {
            let callee = last_segment(cx.text(c.callee.span()));
            builders.get(callee).cloned().unwrap_or_default()
        }
        _ => BTreeMap::new(),
    }
}

/// Functions that return an options object: label → keys of the returned variable.
pub fn builders(cx: &Context) -> BTreeMap<String, BTreeMap<String, Span>> {
    let empty = BTreeMap::new();
    let mut out: BTreeMap<String, BTreeMap<String, Span>> = BTreeMap::new();
    for n in nodes(cx) {
        let AstKind::ReturnStatement(r) = n.kind() else { continue };
        let Some(arg) = &r.argument else { continue };
        let Expression::Identifier(id) = strip(arg) else { continue };
        let Some(func) = enclosing_function(cx, n.id()) else { continue };
        let Some(label) = function_label(cx, func) else { continue };
        let keys = keys_for_var(cx, span_of(cx, func), id.name.as_str(), &empty);
        if !keys.is_empty() {
            out.entry(label).or_default().extend(keys);
        }
    }
    out
}

/// Every Direct Sockets constructor call in the file.
pub fn constructions(cx: &Context) -> Vec<Construction> {
    let builders = builders(cx);
    let mut out = Vec::new();
    for n in nodes(cx) {
        let AstKind::NewExpression(ne) = n.kind() else { continue };
        let callee = last_segment(cx.text(ne.callee.span()));
        let Some(&(class, index)) = CLASSES.iter().find(|(c, _)| *c == callee) else { continue };
        let func = enclosing_function(cx, n.id());
        let scope = func.map_or(Span::new(0, cx.source.len() as u32), |f| span_of(cx, f));
        let mut var = None;
        let keys = match ne.arguments.get(index).and_then(|a| a.as_expression()) {
            None => BTreeMap::new(),
            Some(arg) => match strip(arg) {
                Expression::Identifier(id) => {
                    var = Some(id.name.to_string());
                    keys_for_var(cx, scope, id.name.as_str(), &builders)
                }
                other => expression_keys(cx, other, &builders),
            },
        };
        out.push(Construction { class, span: ne.span, func, var, keys });
    }
    out
}
