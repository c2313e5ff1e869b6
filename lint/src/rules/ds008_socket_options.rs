use crate::diagnostic::Diagnostic;
use crate::Context;

crate::declare_rule! {
    /// ## What it does
    /// Finds Direct Sockets constructor options the spec rejects or ignores:
    /// `UDPSocket` options that can hold both `localAddress`/`localPort` (bound mode) and
    /// `remoteAddress`/`remotePort` (connected mode), and `TCPSocket` options with a
    /// local endpoint, which `TCPSocketOptions` does not have.
    ///
    /// ## Why is this bad?
    /// The spec (WICG `index.html` l.951-966; explainer: "cannot be specified together")
    /// makes mixed UDP options a `TypeError`, so bind-then-connect fails at runtime.
    /// `TCPSocket` silently ignores `localAddress`/`localPort` (`index.html` l.221-232):
    /// the prior art "honoured" `bind()` before `connect()` this way and nothing
    /// happened.
    ///
    /// ## Example
    /// ```js
    /// var opts = { remoteAddress: host, remotePort: port };
    /// if (sock.localPort) opts.localPort = sock.localPort;
    /// new UDPSocket(opts);
    /// ```
    ///
    /// ## Fix
    /// UDP: if the socket is already bound, emulate `connect` in JS on the bound socket
    /// (record the peer, filter incoming datagrams, send `{data, remoteAddress,
    /// remotePort}`); only an unbound socket opens a connected-mode `UDPSocket`.
    /// TCP: make `bind()` record only, and fail `connect()` after a specific bind with
    /// `EADDRNOTAVAIL`.
    pub struct InvalidSocketOptions {
        code: "DS008",
        name: "invalid-socket-options",
        stability: Stable,
        target: Ast,
    }
}

const META: &crate::RuleMeta = &InvalidSocketOptions::META;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for c in cx.constructions() {
        let local: Vec<&str> = ["localAddress", "localPort"].into_iter().filter(|k| c.keys.contains_key(*k)).collect();
        let remote: Vec<&str> = ["remoteAddress", "remotePort"].into_iter().filter(|k| c.keys.contains_key(*k)).collect();
        let end = c.span.start + 3 + 1 + c.class.len() as u32;
        match c.class {
            "UDPSocket" if !local.is_empty() && !remote.is_empty() => out.push(
                META.at(cx, c.span.start, end, format!("UDPSocket options can mix {} (bound mode) with {} (connected mode)", local.join("/"), remote.join("/")))
                    .with_help("if already bound, emulate connect on the bound socket; open connected mode only when unbound"),
            ),
            "TCPSocket" if !local.is_empty() => out.push(
                META.at(cx, c.span.start, end, format!("TCPSocketOptions has no {}; the browser ignores it", local.join("/")))
                    .with_help("bind() records only; connect() after a specific bind fails with EADDRNOTAVAIL"),
            ),
            _ => {}
        }
    }
}
