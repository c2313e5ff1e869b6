use oxc_ast::AstKind;
use oxc_span::GetSpan;

use crate::diagnostic::Diagnostic;
use crate::util::{nodes, span_of};
use crate::Context;

crate::declare_rule! {
    /// ## What it does
    /// Finds a function that closes an fd's existing `UDPSocket` and then constructs a
    /// new one (`close-and-reopen`, typically `connect()` after `bind()`).
    ///
    /// ## Why is this bad?
    /// Closing frees the bound port (another process can take it), drops datagrams
    /// queued on the old socket, and the new socket cannot have the old local endpoint
    /// anyway, because the spec forbids local and remote endpoints together (WICG
    /// `index.html` l.951-966). It was the prior art's answer to Copilot's "UDP
    /// bind+connect leaks the bound socket" and is wrong against the spec.
    ///
    /// ## Example
    /// ```js
    /// if (sock.udpSocket) { sock.udpSocket.close(); }
    /// sock.udpSocket = new UDPSocket({ remoteAddress: host, remotePort: port });
    /// ```
    ///
    /// ## Fix
    /// Keep the bound socket: record the peer (`daddr`/`dport`), filter incoming
    /// datagrams by source, and send `{data, remoteAddress, remotePort}` — as
    /// NODERAWSOCKETS' fallback does (`libsockfs_node.js` l.79-89, 676-679).
    pub struct UdpCloseAndReopen {
        code: "DS013",
        name: "udp-close-and-reopen",
        stability: Stable,
        target: Ast,
    }
}

const META: &crate::RuleMeta = &UdpCloseAndReopen::META;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    // `<udp-ish>.close()` calls, once per file.
    let closes: Vec<(oxc_span::Span, &str)> = nodes(cx)
        .filter_map(|n| match n.kind() {
            AstKind::CallExpression(call) => {
                let callee = cx.text(call.callee.span());
                let object = callee.strip_suffix(".close")?;
                object.to_ascii_lowercase().contains("udp").then_some((call.span, callee))
            }
            _ => None,
        })
        .collect();
    for c in cx.constructions().iter().filter(|c| c.class == "UDPSocket") {
        let Some(func) = c.func else { continue };
        let scope = span_of(cx, func);
        let closed = closes
            .iter()
            .find(|(span, _)| crate::util::contains(scope, *span) && span.end <= c.span.start)
            .map(|(_, callee)| *callee);
        if let Some(callee) = closed {
            let end = c.span.start + 4 + c.class.len() as u32;
            out.push(
                META.at(cx, c.span.start, end, format!("a new UDPSocket is opened after `{callee}()` on the same fd (close-and-reopen)"))
                    .with_help("keep the bound socket and emulate connect() in JS (record the peer, filter, send with remoteAddress)"),
            );
        }
    }
}
