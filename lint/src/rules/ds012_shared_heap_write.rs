use oxc_ast::ast::Expression;
use oxc_ast::AstKind;
use oxc_span::{GetSpan, Span};

use crate::diagnostic::Diagnostic;
use crate::util::{enclosing_function, last_segment, nodes, span_of, strip};
use crate::Context;

crate::declare_rule! {
    /// ## What it does
    /// Finds data written to a Direct Sockets writer (`writer.write(x)` or
    /// `writer.write({data: x, …})`) that is a view of the Wasm heap
    /// (`HEAPU8.subarray(…)`, `new Uint8Array(HEAPU8.buffer, …)`) or a
    /// `buffer.slice()` of it, directly or through a local variable.
    ///
    /// ## Why is this bad?
    /// Under `-pthread` the heap is a `SharedArrayBuffer`. The writable stream takes a
    /// `BufferSource` without `[AllowShared]` (WICG `index.html` l.485-488), so it
    /// rejects with `TypeError`; `ArrayBuffer.prototype.slice` on a shared buffer returns
    /// another `SharedArrayBuffer`. Without threads, a view also races with the program
    /// reusing its buffer before the write completes.
    ///
    /// ## Example
    /// ```js
    /// sock.writer.write(HEAPU8.subarray(buf, buf + len));
    /// ```
    ///
    /// ## Fix
    /// Copy with `TypedArray.prototype.slice`, which returns a non-shared buffer:
    /// ```js
    /// sock.writer.write(HEAPU8.slice(buf, buf + len));
    /// ```
    pub struct SharedHeapWrite {
        code: "DS012",
        name: "shared-heap-write",
        stability: Preview,
        target: Ast,
    }
}

const META: &crate::RuleMeta = &SharedHeapWrite::META;

fn problem(text: &str) -> Option<&'static str> {
    let t: String = text.split_whitespace().collect();
    let view = crate::regex!(r"^(HEAP\w*|\w*[Hh]eap\w*|buffer)\.subarray\(");
    let ctor = crate::regex!(r"^newUint8Array\([\w.]*(HEAP\w*\.buffer|\.buffer)\b");
    let buf_slice = crate::regex!(r"\.buffer\.slice\(");
    if (view.is_match(&t) || ctor.is_match(&t)) && !t.ends_with(".slice()") {
        Some("is a view of the (possibly shared) Wasm heap")
    } else if buf_slice.is_match(&t) {
        Some("is ArrayBuffer.slice() of the heap, a SharedArrayBuffer under -pthread")
    } else {
        None
    }
}

/// `(declarator span, name, initializer text)` of every initialized variable.
fn declarators<'a>(cx: &'a Context<'a>) -> Vec<(Span, &'a str, &'a str)> {
    nodes(cx)
        .filter_map(|n| match n.kind() {
            AstKind::VariableDeclarator(d) => d.init.as_ref().map(|i| (d.span, cx.text(d.id.span()), cx.text(i.span()))),
            _ => None,
        })
        .collect()
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut decls = None;
    for node in nodes(cx) {
        let AstKind::CallExpression(c) = node.kind() else { continue };
        let callee = cx.text(c.callee.span());
        if last_segment(callee) != "write" || !callee.to_ascii_lowercase().contains("writer") {
            continue;
        }
        let Some(arg) = c.arguments.first().and_then(|a| a.as_expression()) else { continue };
        let value: Span = match strip(arg) {
            Expression::ObjectExpression(o) => {
                let Some(p) = o.properties.iter().find_map(|p| match p {
                    oxc_ast::ast::ObjectPropertyKind::ObjectProperty(p) if p.key.static_name().as_deref() == Some("data") => Some(p),
                    _ => None,
                }) else { continue };
                p.value.span()
            }
            other => other.span(),
        };
        let mut text = cx.text(value);
        if let Some(func) = enclosing_function(cx, node.id()) {
            if text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$') {
                let scope = span_of(cx, func);
                let decls = decls.get_or_insert_with(|| declarators(cx));
                if let Some((_, _, init)) = decls.iter().find(|(s, n, _)| crate::util::contains(scope, *s) && *n == text) {
                    text = init;
                }
            }
        }
        if let Some(why) = problem(text) {
            out.push(
                META.at(cx, value.start, value.end, format!("data written to the socket {why}"))
                    .with_help("copy with TypedArray.prototype.slice: HEAPU8.slice(ptr, ptr + len)"),
            );
        }
    }
}
