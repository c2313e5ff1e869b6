use oxc_ast::AstKind;
use oxc_span::GetSpan;

use crate::diagnostic::Diagnostic;
use crate::util::{enclosing_function, function_label, nodes, span_of};
use crate::Context;

crate::declare_rule! {
    /// ## What it does
    /// In a receive path (a function named `recv…` or `read…`, e.g. `recvmsg`,
    /// `__syscall_recvfrom`, `stream_ops.read`), finds `return 0`/`return null` (EOF)
    /// guarded by a "stream done" or "queue empty" test, when no test before it in that
    /// function looks at the socket's error.
    ///
    /// ## Why is this bad?
    /// The reader loop ends both on a clean close (`{done: true}`) and on a network
    /// error (the `read()` promise rejects). Returning EOF without checking the stored
    /// error reports a connection reset as an orderly shutdown (Copilot on #26344).
    ///
    /// ## Example
    /// ```js
    /// recvmsg(sock, length) {
    ///   if (sock.queue.length) return take(sock, length);
    ///   if (sock.readDone) return null;
    ///   throw new FS.ErrnoError({{{ cDefs.EAGAIN }}});
    /// }
    /// ```
    ///
    /// ## Fix
    /// Queued data first, then throw-and-clear the stored error, then EOF (as
    /// `libsockfs_node.js` does):
    /// ```js
    /// if (sock.error) { var e = sock.error; sock.error = null; throw new FS.ErrnoError(e); }
    /// if (sock.readClosed) return null;
    /// ```
    pub struct EofVsError {
        code: "DS007",
        name: "eof-without-error-check",
        stability: Preview,
        target: Ast,
    }
}

const META: &crate::RuleMeta = &EofVsError::META;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(sem) = cx.semantic else { return };
    let recv = crate::regex!(r"(?i)^(__syscall_)?(recv\w*|read)$");
    let eof_test = crate::regex!(r"(?i)done|closed|eof|ended|(queue|recv|pending)\w*\.length\s*(===?|<=)\s*0|!\s*[\w.]*(queue|recv|pending)\w*\.length\b");
    let error_test = crate::regex!(r"(?i)error|errno");
    // Every `if` whose test looks at an error, once per file.
    let error_checks: Vec<oxc_span::Span> = nodes(cx)
        .filter_map(|n| match n.kind() {
            AstKind::IfStatement(i) if error_test.is_match(cx.text(i.test.span())) => Some(i.span),
            _ => None,
        })
        .collect();
    for node in nodes(cx) {
        let AstKind::ReturnStatement(r) = node.kind() else { continue };
        let Some(arg) = &r.argument else { continue };
        if !matches!(cx.text(arg.span()).trim(), "0" | "null") {
            continue;
        }
        let Some(func) = enclosing_function(cx, node.id()) else { continue };
        if !function_label(cx, func).is_some_and(|l| recv.is_match(&l)) {
            continue;
        }
        // The guarding `if`: the nearest IfStatement ancestor inside the function.
        let guard = sem.nodes().ancestors(node.id()).take_while(|a| a.id() != func).find_map(|a| match a.kind() {
            AstKind::IfStatement(i) => Some(i),
            _ => None,
        });
        let Some(guard) = guard else { continue };
        if !eof_test.is_match(cx.text(guard.test.span())) {
            continue;
        }
        let fspan = span_of(cx, func);
        let checked = error_checks.iter().any(|i| crate::util::contains(fspan, *i) && i.start < r.span.start);
        if !checked {
            out.push(
                META.at(cx, r.span.start, r.span.end, format!("`{}` reports EOF without checking for a read error first", cx.text(r.span).trim_end_matches(';')))
                    .with_help("throw-and-clear the stored error (sock.error) before returning EOF"),
            );
        }
    }
}
