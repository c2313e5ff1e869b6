use oxc_ast::AstKind;
use oxc_span::GetSpan;

use crate::diagnostic::Diagnostic;
use crate::util::{last_segment, nodes};
use crate::Context;

crate::declare_rule! {
    /// ## What it does
    /// Finds private file-descriptor bookkeeping: fd counters (`nextFd++`), and maps
    /// keyed by fd (`sockets[sock.fd] = sock`, `fds.set(fd, …)`) other than
    /// `FS.streams`.
    ///
    /// ## Why is this bad?
    /// sbc100's first review point on #26344: fds must come from the FS allocator, or
    /// they collide with files, and `dup`, `fstat`, `poll`/`epoll`, `read`/`write` and
    /// `close` stop working on sockets. A side map keyed by fd goes stale on
    /// `dup2`/`close` (the prior art kept `DIRECT_SOCKETS.sockets[fd]` beside
    /// `FS.streams`).
    ///
    /// ## Example
    /// ```js
    /// var fd = DIRECT_SOCKETS.nextFd++;
    /// DIRECT_SOCKETS.sockets[fd] = sock;
    /// ```
    ///
    /// ## Fix
    /// Create sockets with `SOCKFS.createSocket(family, type, protocol)` (which calls
    /// `FS.createStream`) and find them with `getSocketFromFD(fd)`; keep state on the
    /// socket object, not in a map.
    pub struct PrivateFdAllocation {
        code: "DS005",
        name: "private-fd-allocation",
        stability: Stable,
        target: Ast,
    }
}

const META: &crate::RuleMeta = &PrivateFdAllocation::META;

fn is_counter_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('_', "");
    ["nextfd", "lastfd", "freefd", "fdcounter", "fdnext", "nextsocketfd", "nextsockfd", "fdseq"].contains(&n.as_str())
}

fn is_fd_key(text: &str) -> bool {
    let t = text.trim();
    t == "fd" || t.ends_with(".fd") || t == "sockfd" || t == "newfd"
}

fn is_fs_streams(object: &str) -> bool {
    let o = object.trim();
    o == "FS.streams" || o.ends_with(".streams")
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for node in nodes(cx) {
        match node.kind() {
            AstKind::UpdateExpression(u) => {
                let target = cx.text(u.argument.span());
                if is_counter_name(last_segment(target)) {
                    out.push(
                        META.at(cx, u.span.start, u.span.end, format!("`{target}` allocates fds outside the FS allocator"))
                            .with_help("get the fd from SOCKFS.createSocket (FS.createStream)"),
                    );
                }
            }
            AstKind::ObjectProperty(p) => {
                if let Some(key) = p.key.static_name() {
                    if is_counter_name(&key) && crate::util::int_literal(&p.value).is_some() {
                        out.push(
                            META.at(cx, p.span.start, p.span.end, format!("`{key}` is a private fd counter"))
                                .with_help("get the fd from SOCKFS.createSocket (FS.createStream)"),
                        );
                    }
                }
            }
            AstKind::AssignmentExpression(a) => {
                let left = cx.text(a.left.span());
                let Some(open) = left.rfind('[') else { continue };
                if !left.ends_with(']') {
                    continue;
                }
                let (object, key) = (&left[..open], &left[open + 1..left.len() - 1]);
                if is_fd_key(key) && !is_fs_streams(object) {
                    out.push(
                        META.at(cx, a.left.span().start, a.left.span().end, format!("`{object}` is a map keyed by fd beside FS.streams"))
                            .with_help("keep socket state on the stream (stream.node.sock) and look it up with getSocketFromFD(fd)"),
                    );
                }
            }
            AstKind::CallExpression(c) => {
                let callee = cx.text(c.callee.span());
                let Some(object) = callee.strip_suffix(".set") else { continue };
                let Some(first) = c.arguments.first() else { continue };
                if c.arguments.len() == 2 && is_fd_key(cx.text(first.span())) && !is_fs_streams(object) {
                    out.push(
                        META.at(cx, c.span.start, c.span.end, format!("`{object}` is a map keyed by fd beside FS.streams"))
                            .with_help("keep socket state on the stream (stream.node.sock) and look it up with getSocketFromFD(fd)"),
                    );
                }
            }
            _ => {}
        }
    }
}
