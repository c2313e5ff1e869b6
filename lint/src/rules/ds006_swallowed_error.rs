use oxc_ast::ast::Expression;
use oxc_ast::AstKind;
use oxc_span::{GetSpan, Span};

use crate::diagnostic::Diagnostic;
use crate::util::{label_path, last_segment, nodes, strip};
use crate::Context;

crate::declare_rule! {
    /// ## What it does
    /// In a syscall, `sock_ops` or read/write path, finds error handling that drops the
    /// error: a `catch` block or `.catch(…)` handler that returns nothing, `null`, `0` or
    /// `false` without recording an errno (`sock.error = …`), rethrowing or returning
    /// `-errno`; and an `errno` computed from a call and never read. Cleanup-only `try`
    /// blocks (`cancel()`, `close()`, `abort()`, `releaseLock()`) are exempt.
    ///
    /// ## Why is this bad?
    /// Copilot's review of #26344: the read path turned network errors into success or
    /// EOF, and `parseSockaddr` dropped the specific errno. The C program then sees `0`
    /// bytes or a silent success and cannot tell a reset from a clean close.
    ///
    /// ## Example
    /// ```js
    /// recvmsg(sock, length) {
    ///   try { return take(sock, length); } catch (e) { return null; }
    /// }
    /// var errno = writeSockaddr(addr, family, host, port, addrlen);  // never read
    /// ```
    ///
    /// ## Fix
    /// Map the exception to an errno and keep it: set `sock.error = errnoFor(e)` and emit
    /// `error`, throw `new FS.ErrnoError(…)`, or return `-errno`. Check every returned
    /// errno (`if (errno) return -errno;`).
    pub struct SwallowedError {
        code: "DS006",
        name: "swallowed-error",
        stability: Preview,
        target: Ast,
    }
}

const META: &crate::RuleMeta = &SwallowedError::META;

const CLEANUP: &[&str] = &[
    "cancel", "close", "abort", "releaseLock", "closeStream", "removeEventListener", "removeAllListeners", "recvStop", "destroy",
    "end", "unref", "resume", "pause", "dbg", "err", "warnOnce",
];

/// Whether a node lies on a syscall / sock_ops / read-write path (by enclosing labels).
pub fn on_socket_path(cx: &Context, id: oxc_semantic::NodeId) -> bool {
    let re = crate::regex!(r"(?i)__syscall_|sock_?ops|stream_ops|recv|send|read|write|connect|accept|bind|listen|poll|sockopt|ioctl|fcntl|shutdown");
    label_path(cx, id).iter().any(|l| re.is_match(l))
}

/// Whether every call in `text` is a cleanup call.
fn cleanup_only(text: &str) -> bool {
    let re = crate::regex!(r"([A-Za-z_$][\w$]*)\s*\(");
    let mut any = false;
    for c in re.captures_iter(text) {
        let name = c.get(1).unwrap().as_str();
        if ["if", "await", "function", "catch", "try"].contains(&name) {
            continue;
        }
        any = true;
        if !CLEANUP.contains(&name) {
            return false;
        }
    }
    any
}

fn records(text: &str) -> bool {
    let re = crate::regex!(r"(?i)\bthrow\b|\berror\s*=[^=]|\berrno\b|reject\s*\(|emit\s*\(|ErrnoError|setErrNo|\berr(or)?No\b|abort\s*\(");
    re.is_match(text)
}

fn swallowing_returns(cx: &Context, body: Span) -> bool {
    // Any `return X` with X not in {nothing, null, 0, false, undefined} means the error
    // is turned into something else explicitly; leave that to review.
    let re = crate::regex!(r"\breturn\b\s*([^;\n}]*)");
    let all = re.captures_iter(cx.text(body)).all(|c| {
        let v = c.get(1).unwrap().as_str().trim();
        ["", "null", "0", "false", "undefined", "void 0"].contains(&v)
    });
    all
}

fn report(cx: &Context, out: &mut Vec<Diagnostic>, span: Span, what: &str) {
    out.push(
        META.at(cx, span.start, span.end, format!("{what} drops the error: no errno recorded, rethrown or returned"))
            .with_help("set sock.error = <errno for e> (and emit 'error'), throw new FS.ErrnoError(errno), or return -errno"),
    );
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(sem) = cx.semantic else { return };
    for node in nodes(cx) {
        match node.kind() {
            AstKind::TryStatement(t) => {
                let Some(handler) = &t.handler else { continue };
                if !on_socket_path(cx, node.id()) || cleanup_only(cx.text(t.block.span)) {
                    continue;
                }
                let body = handler.body.span;
                if !records(cx.text(body)) && swallowing_returns(cx, body) {
                    let head = Span::new(handler.span.start, handler.span.start + 5);
                    report(cx, out, head, "this catch");
                }
            }
            AstKind::CallExpression(c) => {
                let callee = cx.text(c.callee.span());
                if last_segment(callee) != "catch" || !callee.contains('.') {
                    continue;
                }
                let object = &callee[..callee.len() - ".catch".len()];
                if !on_socket_path(cx, node.id()) || cleanup_only(object) {
                    continue;
                }
                let Some(arg) = c.arguments.first().and_then(|a| a.as_expression()) else { continue };
                let body = match strip(arg) {
                    Expression::ArrowFunctionExpression(f) => f.body.span(),
                    Expression::FunctionExpression(f) => match &f.body { Some(b) => b.span, None => continue },
                    _ => continue,
                };
                if !records(cx.text(body)) && swallowing_returns(cx, body) {
                    let start = c.callee.span().end - "catch".len() as u32;
                    report(cx, out, Span::new(start, start + 5), "this .catch handler");
                }
            }
            AstKind::VariableDeclarator(d) => {
                let name = cx.text(d.id.span());
                if !matches!(name, "errno" | "err" | "rc") {
                    continue;
                }
                let Some(Expression::CallExpression(_)) = d.init.as_ref().map(strip) else { continue };
                let Some(sym) = d.id.get_binding_identifier().and_then(|b| b.symbol_id.get()) else { continue };
                let read = sem.scoping().get_resolved_references(sym).any(|r| r.is_read());
                if !read {
                    out.push(
                        META.at(cx, d.span.start, d.span.end, format!("`{name}` from {} is never read", cx.text(d.init.as_ref().unwrap().span()).split('(').next().unwrap_or("a call")))
                            .with_help(format!("if ({name}) return -{name};")),
                    );
                }
            }
            _ => {}
        }
    }
}
