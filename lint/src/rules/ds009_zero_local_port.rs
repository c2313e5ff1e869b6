use oxc_ast::AstKind;
use oxc_span::GetSpan;

use crate::diagnostic::Diagnostic;
use crate::util::{contains, int_literal, last_segment, nodes};
use crate::Context;

crate::declare_rule! {
    /// ## What it does
    /// Finds `localPort` options for `UDPSocket`/`TCPServerSocket` that can be `0`: a
    /// literal `localPort: 0`, or a port copied from `bind()`'s sockaddr without a test
    /// that skips zero.
    ///
    /// ## Why is this bad?
    /// In Direct Sockets `localPort: 0` is a `TypeError`; an ephemeral port is asked for
    /// by omitting the key (WICG `index.html` l.1845-1925; `direct_socket.md`
    /// l.404-414). The prior art passed `bind(:0)`'s port through, so every ephemeral
    /// bind failed with `EADDRINUSE`.
    ///
    /// ## Example
    /// ```js
    /// opts.localAddress = addr.addr;
    /// opts.localPort = addr.port;        // 0 for bind(…:0)
    /// new UDPSocket(opts);
    /// ```
    ///
    /// ## Fix
    /// ```js
    /// if (addr.port) opts.localPort = addr.port;
    /// ```
    pub struct ZeroLocalPort {
        code: "DS009",
        name: "zero-local-port",
        stability: Stable,
        target: Ast,
    }
}

const META: &crate::RuleMeta = &ZeroLocalPort::META;

fn guarded(cx: &Context, id: oxc_semantic::NodeId, func: Option<oxc_semantic::NodeId>, value: &str) -> bool {
    let Some(sem) = cx.semantic else { return false };
    let seg = last_segment(value).to_ascii_lowercase();
    for anc in sem.nodes().ancestors(id) {
        if Some(anc.id()) == func {
            break;
        }
        let test = match anc.kind() {
            AstKind::IfStatement(i) => i.test.span(),
            AstKind::ConditionalExpression(c) => c.test.span(),
            AstKind::LogicalExpression(l) => l.left.span(),
            _ => continue,
        };
        let t = cx.text(test).to_ascii_lowercase();
        if t.contains(&seg) || t.contains("port") {
            return true;
        }
    }
    false
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let ctors: Vec<_> = cx.constructions().iter().filter(|c| c.class != "TCPSocket").collect();
    for node in nodes(cx) {
        let (span, value_text, literal_zero, var_text) = match node.kind() {
            AstKind::ObjectProperty(p) if p.key.static_name().as_deref() == Some("localPort") => {
                let zero = int_literal(&p.value).is_some_and(|(v, _)| v == 0);
                (p.span, cx.text(p.value.span()), zero, None)
            }
            AstKind::AssignmentExpression(a) => {
                let left = cx.text(a.left.span());
                let Some(var) = left.strip_suffix(".localPort") else { continue };
                let zero = int_literal(&a.right).is_some_and(|(v, _)| v == 0);
                (a.span, cx.text(a.right.span()), zero, Some(var))
            }
            _ => continue,
        };
        if literal_zero {
            out.push(
                META.at(cx, span.start, span.end, "localPort: 0 is a TypeError in Direct Sockets")
                    .with_help("omit localPort to get an ephemeral port"),
            );
            continue;
        }
        if int_literal_text(value_text) {
            continue;
        }
        // Only options that reach a UDPSocket/TCPServerSocket in the same function.
        let func = crate::util::enclosing_function(cx, node.id());
        let reaches = ctors.iter().any(|c| {
            c.func == func
                && match var_text {
                    Some(v) => c.var.as_deref() == Some(v),
                    None => contains(c.span, span) || c.var.is_some(),
                }
        });
        if !reaches || guarded(cx, node.id(), func, value_text) {
            continue;
        }
        out.push(
            META.at(cx, span.start, span.end, format!("localPort = {value_text} can be 0 (bind to an ephemeral port), which is a TypeError"))
                .with_help(format!("only set it when non-zero: if ({value_text}) …localPort = {value_text};")),
        );
    }
}

fn int_literal_text(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}
