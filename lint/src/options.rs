//! Which option keys reach a Direct Sockets constructor (`new UDPSocket(opts)`,
//! `new TCPSocket(host, port, opts)`, `new TCPServerSocket(addr, opts)`).
//!
//! Keys are collected from the object literal, from `opts.KEY = …` assignments in the
//! same function, and from "builder" functions in the same file whose returned
//! variable gets those keys (`var opts = buildUDPOptions(sock)`). Conditional
//! assignments count: the rules report what *can* reach the constructor.
//!
//! Computed once per file in one pass over the nodes ([`Context::constructions`]).

use std::collections::BTreeMap;

use oxc_ast::ast::Expression;
use oxc_ast::AstKind;
use oxc_semantic::NodeId;
use oxc_span::{GetSpan, Span};

use crate::util::{contains, enclosing_function, function_label, last_segment, nodes, object_keys, span_of, strip};
use crate::Context;

/// Option keys and where each is set.
pub type Keys = BTreeMap<String, Span>;

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
    pub keys: Keys,
}

const CLASSES: &[(&str, usize)] = &[("UDPSocket", 0), ("TCPSocket", 2), ("TCPServerSocket", 1)];

/// What a value contributes: literal keys, or the keys of a builder it calls.
#[derive(Debug, Clone, Default)]
struct Source {
    keys: Keys,
    call: Option<String>,
}

/// `var NAME = value` or `NAME = value` or `NAME.KEY = …`.
#[derive(Debug)]
struct Write {
    span: Span,
    var: String,
    /// `Some(key)` for `var.key = …`; `None` when the whole variable is (re)assigned.
    key: Option<(String, Span)>,
    value: Source,
}

fn source(cx: &Context, e: &Expression) -> Source {
    match strip(e) {
        Expression::ObjectExpression(_) => Source { keys: object_keys(e).into_iter().collect(), call: None },
        Expression::CallExpression(c) => Source { keys: Keys::new(), call: Some(last_segment(cx.text(c.callee.span())).to_string()) },
        _ => Source::default(),
    }
}

fn keys_for_var(writes: &[Write], scope: Span, var: &str, builders: &BTreeMap<String, Keys>) -> Keys {
    let mut keys = Keys::new();
    for w in writes.iter().filter(|w| w.var == var && contains(scope, w.span)) {
        match &w.key {
            Some((k, span)) => {
                keys.insert(k.clone(), *span);
            }
            None => {
                keys.extend(w.value.keys.clone());
                if let Some(b) = w.value.call.as_ref().and_then(|c| builders.get(c)) {
                    keys.extend(b.clone());
                }
            }
        }
    }
    keys
}

/// Every Direct Sockets constructor call in the file (uncached; use
/// [`Context::constructions`]).
pub fn compute(cx: &Context) -> Vec<Construction> {
    let mut writes = Vec::new();
    let mut returns = Vec::new();
    let mut news = Vec::new();
    for n in nodes(cx) {
        match n.kind() {
            AstKind::VariableDeclarator(d) => {
                if let Some(init) = &d.init {
                    writes.push(Write { span: d.span, var: cx.text(d.id.span()).to_string(), key: None, value: source(cx, init) });
                }
            }
            AstKind::AssignmentExpression(a) => {
                let left = cx.text(a.left.span());
                match left.rsplit_once('.') {
                    Some((var, key)) if !var.contains(['.', '[', '(']) => {
                        writes.push(Write { span: a.span, var: var.to_string(), key: Some((key.to_string(), a.left.span())), value: Source::default() })
                    }
                    Some(_) => {}
                    None => writes.push(Write { span: a.span, var: left.to_string(), key: None, value: source(cx, &a.right) }),
                }
            }
            AstKind::ReturnStatement(r) => {
                if let Some(Expression::Identifier(id)) = r.argument.as_ref().map(strip) {
                    returns.push((n.id(), id.name.to_string()));
                }
            }
            AstKind::NewExpression(ne) => {
                let callee = last_segment(cx.text(ne.callee.span()));
                if let Some(&(class, index)) = CLASSES.iter().find(|(c, _)| *c == callee) {
                    news.push((n.id(), class, index));
                }
            }
            _ => {}
        }
    }
    let none = BTreeMap::new();
    let mut builders: BTreeMap<String, Keys> = BTreeMap::new();
    for (id, var) in &returns {
        let Some(func) = enclosing_function(cx, *id) else { continue };
        let Some(label) = function_label(cx, func) else { continue };
        let keys = keys_for_var(&writes, span_of(cx, func), var, &none);
        if !keys.is_empty() {
            builders.entry(label).or_default().extend(keys);
        }
    }
    let mut out = Vec::new();
    for (id, class, index) in news {
        let AstKind::NewExpression(ne) = cx.semantic.expect("nodes came from it").nodes().kind(id) else { continue };
        let func = enclosing_function(cx, id);
        let scope = func.map_or(Span::new(0, cx.source.len() as u32), |f| span_of(cx, f));
        let mut var = None;
        let keys = match ne.arguments.get(index).and_then(|a| a.as_expression()) {
            None => Keys::new(),
            Some(arg) => match strip(arg) {
                Expression::Identifier(i) => {
                    var = Some(i.name.to_string());
                    keys_for_var(&writes, scope, i.name.as_str(), &builders)
                }
                other => {
                    let s = source(cx, other);
                    let mut k = s.keys;
                    if let Some(b) = s.call.as_ref().and_then(|c| builders.get(c)) {
                        k.extend(b.clone());
                    }
                    k
                }
            },
        };
        out.push(Construction { class, span: ne.span, func, var, keys });
    }
    out
}
