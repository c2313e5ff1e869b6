use crate::diagnostic::Diagnostic;
use crate::Context;

crate::declare_rule! {
    /// ## What it does
    /// Finds `UDPSocket` options in bound mode (`localAddress`/`localPort`, no remote
    /// endpoint) that can carry `dnsQueryType`, including through an options builder
    /// (`var opts = buildUDPOptions(sock)`).
    ///
    /// ## Why is this bad?
    /// `dnsQueryType` only applies to connected mode; in bound mode the constructor
    /// throws `TypeError` (`direct_socket.md` l.404-414). The prior art added it for every
    /// `AF_INET6` socket, so IPv6 `bind()` always failed.
    ///
    /// ## Example
    /// ```js
    /// var opts = buildUDPOptions(sock);   // sets dnsQueryType for AF_INET6
    /// opts.localAddress = '::';
    /// new UDPSocket(opts);
    /// ```
    ///
    /// ## Fix
    /// Set `dnsQueryType` only where `remoteAddress` is set (connected mode).
    pub struct DnsQueryTypeInBoundMode {
        code: "DS010",
        name: "dns-query-type-in-bound-mode",
        stability: Stable,
        target: Ast,
    }
}

const META: &crate::RuleMeta = &DnsQueryTypeInBoundMode::META;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for c in cx.constructions() {
        let bound = c.keys.contains_key("localAddress") || c.keys.contains_key("localPort");
        let connected = c.keys.contains_key("remoteAddress") || c.keys.contains_key("remotePort");
        if c.class == "UDPSocket" && bound && !connected && c.keys.contains_key("dnsQueryType") {
            let end = c.span.start + 4 + c.class.len() as u32;
            out.push(
                META.at(cx, c.span.start, end, "bound-mode UDPSocket options can carry dnsQueryType, which is a TypeError")
                    .with_help("set dnsQueryType only together with remoteAddress (connected mode)"),
            );
        }
    }
}
