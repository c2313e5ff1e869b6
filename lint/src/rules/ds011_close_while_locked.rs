use oxc_ast::AstKind;
use oxc_span::GetSpan;

use crate::diagnostic::Diagnostic;
use crate::util::{enclosing_function, last_segment, nodes, span_of};
use crate::Context;

crate::declare_rule! {
    /// ## What it does
    /// Finds `socket.close()` on a `TCPSocket`/`UDPSocket`/`TCPServerSocket`-like value
    /// in a file that locks socket streams (`getReader()`/`getWriter()`), unless the
    /// function releases the locks first (`releaseLock()`) or only locks them after the
    /// `close()` (an `opened` handler closing a socket nobody wants any more).
    ///
    /// ## Why is this bad?
    /// Once `getReader()`/`getWriter()` locked the streams, `close()` rejects with
    /// `InvalidStateError` (WICG `index.html` l.803-835), so the socket stays open and
    /// the rejection is usually swallowed.
    ///
    /// ## Example
    /// ```js
    /// close(sock) {
    ///   sock.udpSocket.close();
    /// }
    /// ```
    ///
    /// ## Fix
    /// Close the streams instead; closing both makes the browser close the socket
    /// (l.420-440). Keep `close` synchronous and fire and forget:
    /// ```js
    /// sock.reader?.cancel().catch(() => {});
    /// sock.writer?.close().catch(() => {});
    /// ```
    pub struct CloseWhileLocked {
        code: "DS011",
        name: "close-while-locked",
        stability: Preview,
        target: Ast,
    }
}

const META: &crate::RuleMeta = &CloseWhileLocked::META;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let socketish = crate::regex!(r"(?i)(tcp|udp)socket|server$|^socket$");
    for node in nodes(cx) {
        let AstKind::CallExpression(c) = node.kind() else { continue };
        let callee = cx.text(c.callee.span());
        let Some(object) = callee.strip_suffix(".close") else { continue };
        let obj_name = last_segment(object);
        if !socketish.is_match(obj_name) || obj_name.to_ascii_lowercase().contains("stream") {
            continue;
        }
        let scope = enclosing_function(cx, node.id()).map_or(oxc_span::Span::new(0, c.span.start), |f| span_of(cx, f));
        let before = &cx.masked.text[scope.start as usize..c.span.start as usize];
        let after = &cx.masked.text[c.span.end as usize..scope.end.max(c.span.end) as usize];
        // Streams are locked by getReader()/getWriter(); a close() that comes before
        // them in its function (e.g. in an `opened` handler) runs before locking.
        let locks_later = after.contains("getReader(") || after.contains("getWriter(");
        let file_locks = cx.masked.text.contains("getReader(") || cx.masked.text.contains("getWriter(");
        if file_locks && !locks_later && !before.contains("releaseLock(") {
            out.push(
                META.at(cx, c.span.start, c.span.end, format!("`{callee}()` while its streams may be locked rejects with InvalidStateError"))
                    .with_help("cancel the reader and close the writer instead (fire and forget)"),
            );
        }
    }
}
