use oxc_ast::AstKind;

use crate::diagnostic::Diagnostic;
use crate::util::nodes;
use crate::Context;

crate::declare_rule! {
    /// ## What it does
    /// In a socket backend library file (one that defines `sock_ops` or uses
    /// `TCPSocket`/`UDPSocket`), finds definitions of `__syscall_*`, `fd_close` or
    /// `_emscripten_lookup_name`.
    ///
    /// ## Why is this bad?
    /// Since #27080 a socket backend is a SOCKFS `sock_ops` object; `libsyscall.js`
    /// already routes every socket syscall to it. Overriding syscalls duplicates that
    /// layer, and the prior art's `fcntl64`/`ioctl`/`poll` overrides returned `EBADF` for
    /// files and ttys. This is why #26374 stalled.
    ///
    /// ## Example
    /// ```js
    /// __syscall_connect: async (fd, addr, addrlen) => { … },
    /// fd_close: (fd) => { … },
    /// ```
    ///
    /// ## Fix
    /// Implement `connect`, `sendmsg`, `recvmsg`, `close`, … on `$directSockOps` and let
    /// `libsyscall.js` call them; gate upstream code with `#if NODERAWSOCKETS ||
    /// DIRECT_SOCKETS` where needed.
    pub struct SyscallOverride {
        code: "DS014",
        name: "syscall-override-in-backend",
        stability: Stable,
        target: Ast,
    }
}

const META: &crate::RuleMeta = &SyscallOverride::META;

const MODIFIERS: &[&str] = &["__deps", "__async", "__sig", "__proxy", "__i53abi", "__nothrow", "__postset", "__docs", "__noleakcheck", "__internal"];

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    if !cx.is_socket_backend() {
        return;
    }
    for node in nodes(cx) {
        let AstKind::ObjectProperty(p) = node.kind() else { continue };
        let Some(key) = p.key.static_name() else { continue };
        let overrides = (key.starts_with("__syscall_") && !MODIFIERS.iter().any(|m| key[2..].contains(m)))
            || key == "fd_close"
            || key == "_emscripten_lookup_name";
        if overrides {
            let k = oxc_span::GetSpan::span(&p.key);
            out.push(
                META.at(cx, k.start, k.end, format!("socket backend overrides `{key}`"))
                    .with_help("implement the operation on the backend's sock_ops; libsyscall.js routes socket syscalls to it"),
            );
        }
    }
}
