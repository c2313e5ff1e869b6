/**
 * @license
 * Copyright 2026 The Emscripten Authors
 * SPDX-License-Identifier: MIT
 */

// TCP and UDP over the Direct Sockets API (-sDIRECT_SOCKETS): TCPSocket,
// UDPSocket, TCPServerSocket and MulticastController, which Chromium offers to
// Isolated Web Apps.
//
//   Spec:      https://wicg.github.io/direct-sockets/
//   Explainer: https://github.com/WICG/direct-sockets/blob/main/docs/explainer.md
//
// This is a SOCKFS sock_ops backend, a sibling of -sNODERAWSOCKETS
// (libsockfs_node.js): sockets are ordinary FS streams (the fd comes from the
// shared FS allocator), readiness is reported through SOCKFS.emit so poll,
// select and epoll work unchanged, and errors are thrown as FS.ErrnoError.
// directSockHelpers holds the browser plumbing (option building, errno mapping,
// stream pumps); directSockOps is the sock_ops interface and only delegates to
// the helpers.
//
// The API is promise-based while sock_ops are synchronous, so:
//  - Sockets are created by the first operation that needs one: connect() for
//    TCP and connected UDP, bind() (or an unbound sendto) for bound UDP, and
//    listen() for TCPServerSocket (which has no bind-only primitive, so bind()
//    on a stream socket only records the address).
//  - Options can only be passed to the constructors, so setsockopt() before
//    that point is stored and applied at construction; later changes are
//    stored and reported by getsockopt() but cannot take effect.
//  - The local port of a bound UDPSocket or a TCPServerSocket is only known
//    once `opened` settles. When the syscall was proxied from a pthread
//    (PROXY_TO_PTHREAD) the caller can wait, so bind(), listen() and connect()
//    on UDP return a Promise that libsyscall hands back to it, and
//    getsockname() right after them reports the real port. Elsewhere they
//    return at once and the port reads as 0 until the socket opens; a bound
//    UDP socket turns writable (POLLOUT) when it has.
//  - Data is pumped between the streams and the SOCKFS queues in the
//    background; recvmsg/sendmsg never wait, they throw EAGAIN instead.
//
// The API only exists in Isolated Web Apps (and needs the direct-sockets
// permissions policy), so the backend checks for it when a socket is created
// and fails with EAFNOSUPPORT where it is missing; nothing happens at startup,
// so the same build still runs on a page without the API.

{{{
// sock.state lifecycle, substituted as numbers at build time (as in
// libsockfs_node.js). A fresh socket has an undefined state.
const SOCK_STATE_CONNECTING = 1;
const SOCK_STATE_CONNECTED = 2;
const SOCK_STATE_BOUND = 3;
const SOCK_STATE_LISTEN = 4;
const SOCK_STATE_CLOSED = 5;
// Stop reading from a stream once this many received bytes wait in
// recv_queue, and resume when recvmsg drains it (pull-based backpressure,
// the same bound libsockfs_node.js uses).
const RECV_HIGH_WATER = 262144;
// Default SO_SNDBUF: how many bytes sendmsg queues ahead of the stream before a
// non-blocking send reports EAGAIN.
const SEND_BUFFER_DEFAULT = 262144;
// Largest single write() handed to a TCP stream when queued sends are
// coalesced.
const WRITE_CHUNK = 65536;
// Most write()s a UDP socket keeps in flight at once (see pumpWrite).
const UDP_WRITES_IN_FLIGHT = 32;
// A UDP socket stops reading while this many of its writes are in flight
// (see pumpRead).
const UDP_READ_GATE = 16;
null;
}}}

var DirectSockFSLibrary = {
  $directSockHelpers__deps: ['$SOCKFS', '$FS', '$inetNtop4', '$inetNtop6'],
  $directSockHelpers: {
    // Feature detection, done per socket() call rather than at startup so the
    // same binary can run where the API is missing (a page that is not an
    // Isolated Web App, a browser without the API, or node).
    checkSupport(type) {
      var ctor = type == {{{ cDefs.SOCK_STREAM }}} ? 'TCPSocket' : 'UDPSocket';
      if (typeof globalThis[ctor] == 'function') return;
#if ASSERTIONS
      warnOnce(`DIRECT_SOCKETS: ${ctor} is not available here, so socket() fails with EAFNOSUPPORT. Direct Sockets needs a Chromium Isolated Web App whose permissions policy allows direct-sockets (https://wicg.github.io/direct-sockets/)`);
#endif
      throw new FS.ErrnoError({{{ cDefs.EAFNOSUPPORT }}});
    },

    // Map an exception from the API to an errno. NetworkError (and anything
    // unexpected) carries no detail, so the caller passes the errno that fits
    // the phase it came from: ECONNREFUSED for a TCP connect, EADDRINUSE for a
    // bind or listen, ECONNRESET for a read, and so on.
    toErrno(e, fallback) {
      switch (e?.name) {
        // The permissions policy, the loopback/local-network permission, a
        // private address or a privileged port was refused.
        case 'NotAllowedError':
        case 'SecurityError':
        case 'InvalidAccessError':
          return {{{ cDefs.EACCES }}};
        // Arguments are validated before the constructors run, so a TypeError
        // means a value the API rejects that POSIX allows.
        case 'TypeError':
          return {{{ cDefs.EINVAL }}};
      }
      return fallback;
    },

    // Record an asynchronous failure where SO_ERROR, poll (POLLERR) and the
    // next recv can see it.
    setError(sock, errno, e) {
      if (sock.state === {{{ SOCK_STATE_CLOSED }}}) return;
      sock.error = errno;
      SOCKFS.emit('error', [sock.stream.fd, errno, e?.message ?? 'socket error']);
    },

    // Whether the calling syscall may return a Promise for its caller to wait
    // on: only when it was proxied from a pthread (PROXY_TO_PTHREAD), where
    // the caller thread awaits the result (libsyscall.js marks bind, listen
    // and connect __async for that). JSPI cannot do this: a suspending import
    // traps when called from a stack not entered through a promising export
    // (such as a main loop callback), whether or not it returns a Promise.
    canWait() {
#if PTHREADS && !ASYNCIFY
      return !!PThread.currentProxiedOperationCallerThread;
#else
      return false;
#endif
    },

    // The Promise a waiting bind()/listen()/connect() returns: 0 once the
    // socket opened, or -errno (taken from sock.error) if it failed. Returns
    // undefined when the caller cannot wait.
    waitOpened(sock) {
      if (!directSockHelpers.canWait()) return;
      return sock.opening.then(() => {
        var errno = sock.error;
        if (!errno) return 0;
        sock.error = null;
        return -errno;
      });
    },

    // Bound and listening sockets need an IP literal: the API does not resolve
    // local addresses. A name (or one of emscripten's fake DNS addresses,
    // which getSocketAddress maps back to the name) cannot be bound.
    isIPLiteral(addr) {
      return addr.includes(':') || /^[0-9.]+$/.test(addr);
    },
    isWildcard(addr) {
      return addr === '0.0.0.0' || addr === '::';
    },

    // Copy outgoing bytes out of wasm memory. TypedArray.prototype.slice
    // always returns a non-shared copy, which the writable streams require
    // (their BufferSource is not [AllowShared]); buffer.buffer.slice() would
    // return a SharedArrayBuffer under -pthread.
    copyOut(buffer, offset, length) {
      return new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length).slice();
    },
    // A received chunk or UDPMessage.data as a Uint8Array view.
    asBytes(data) {
      return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    },

    // Constructor options from the values setsockopt stored. Only options the
    // caller set are passed, so the API defaults apply otherwise (several
    // options also need extra permissions policies just for being present).
    tcpOptions(sock, addr) {
      var o = sock.opts ?? {};
      var opts = {};
      if (o.noDelay) opts.noDelay = true;
      if (o.keepAlive) {
        // keepAliveDelay is in milliseconds and at least one second;
        // TCP_KEEPIDLE is in seconds, and Linux idles for two hours by default.
        opts.keepAliveDelay = Math.max(1, o.keepAliveIdle || 7200) * 1000;
      }
      if (o.sendBuf) opts.sendBufferSize = o.sendBuf;
      if (o.recvBuf) opts.receiveBufferSize = o.recvBuf;
      // A host name (from emscripten's fake-IP DNS) resolves to the socket's
      // family.
      if (!directSockHelpers.isIPLiteral(addr)) {
        opts.dnsQueryType = sock.family === {{{ cDefs.AF_INET6 }}} ? 'ipv6' : 'ipv4';
      }
      return opts;
    },
    udpOptions(sock) {
      var o = sock.opts ?? {};
      var opts = {};
      if (o.sendBuf) opts.sendBufferSize = o.sendBuf;
      if (o.recvBuf) opts.receiveBufferSize = o.recvBuf;
      return opts;
    },
    // Bound mode: localAddress plus, only when non-zero, localPort (0 is a
    // TypeError; omitting it picks an ephemeral port). dnsQueryType is a
    // TypeError in bound mode, so it is never passed here.
    udpBoundOptions(sock, addr, port) {
      var o = sock.opts ?? {};
      var opts = directSockHelpers.udpOptions(sock);
      opts.localAddress = addr;
      if (port) opts.localPort = port;
      if (addr === '::' && o.ipv6Only !== undefined) opts.ipv6Only = o.ipv6Only;
      // The multicast options need the direct-sockets-multicast policy just to
      // be present, so they are passed only when the program set one.
      if (o.multicastTtl !== undefined) opts.multicastTimeToLive = o.multicastTtl;
      if (o.multicastLoop !== undefined) opts.multicastLoopback = o.multicastLoop;
      // SO_REUSEADDR/SO_REUSEPORT on UDP map to address sharing, which the API
      // only offers for multicast; apply it when the program also configured
      // multicast, and otherwise keep it as a recorded no-op.
      if ((o.multicastTtl !== undefined || o.multicastLoop !== undefined) && (o.reuseAddr || o.reusePort)) {
        opts.multicastAllowAddressSharing = true;
      }
      return opts;
    },

    // Take the reader/writer of an opened socket and start the receive pump.
    // `deliver(value)` turns one chunk (or UDPMessage) into recv_queue entries.
    attachStreams(sock, info, deliver) {
      sock.reader = info.readable.getReader();
      sock.writer = info.writable.getWriter();
      sock.deliver = deliver;
      directSockHelpers.pumpRead(sock);
      directSockHelpers.pumpWrite(sock);
    },

    // Receive pump: one read() at a time, paused while RECV_HIGH_WATER bytes
    // are queued (recvmsg resumes it), so a fast peer cannot grow the heap
    // without bound. End of stream is EOF; a rejected read is a pending error
    // that recvmsg reports once before EOF.
    //
    // A UDP socket also pauses while UDP_READ_GATE of its writes are in
    // flight (startWrite resumes it). Chromium delivers each datagram in a
    // task of its own and a write completes in a later task, so a socket that
    // echoes what it reads and never stops reading lets the deliveries crowd
    // out the completions: in Chromium 156 the send queue then fills and most
    // replies fail with EAGAIN (a plain-JS echo server managed 441 echoes/s
    // that way and 3,809 with such a gate). Datagrams meanwhile wait in the
    // socket's receive buffer.
    pumpRead(sock) {
      if (sock.reading || !sock.reader || sock.readClosed) return;
      if ((sock.recv_bytes || 0) >= {{{ RECV_HIGH_WATER }}}) return;
      if (sock.type === {{{ cDefs.SOCK_DGRAM }}} && sock.writes >= {{{ UDP_READ_GATE }}}) return;
      sock.reading = true;
      sock.reader.read().then(({ value, done }) => {
        sock.reading = false;
        if (sock.state === {{{ SOCK_STATE_CLOSED }}}) return;
        if (done) {
          sock.readClosed = true;
          SOCKFS.emit('message', sock.stream.fd);
          return;
        }
        sock.deliver(value);
        directSockHelpers.pumpRead(sock);
      }, (e) => {
        sock.reading = false;
        if (sock.state === {{{ SOCK_STATE_CLOSED }}} || sock.readClosed) return;
        sock.readClosed = true;
        directSockHelpers.setError(sock, directSockHelpers.toErrno(e,
          sock.type === {{{ cDefs.SOCK_STREAM }}} ? {{{ cDefs.ECONNRESET }}} : {{{ cDefs.EIO }}}), e);
      });
    },
    queueRecv(sock, addr, port, data) {
      sock.recv_queue.push({ addr, port, data });
      sock.recv_bytes = (sock.recv_bytes || 0) + data.length;
      SOCKFS.emit('message', sock.stream.fd);
    },

    // Send pump: sendmsg only queues (sock.send_queue, sock.send_bytes) and
    // this hands the queue to the writer. send_bytes counts what sendmsg
    // accepted and no write() has settled yet, so SO_SNDBUF bounds what the
    // program can have outstanding; when it falls below SO_SNDBUF the socket
    // turns writable again ('open' -> POLLOUT).
    //
    // Every write() settles only after an IPC round trip to the browser's
    // network service. TCP keeps one write in flight, waiting on writer.ready
    // before it, and coalesces queued chunks up to WRITE_CHUNK bytes so that
    // large sends need few round trips. A datagram cannot be coalesced, so UDP
    // queues up to UDP_WRITES_IN_FLIGHT writes on the stream instead. The
    // stream still hands the browser one write at a time, so the round trip
    // per datagram remains the limit, but it starts the next write as soon as
    // the previous one settles rather than after a turn through this pump.
    // They do not wait on writer.ready: in Chromium 156 that serialised them
    // again. The bound is modest because with hundreds of writes in flight
    // Chromium 156 dropped about 1% of datagrams on loopback (none with 64).
    //
    // Known browser bug: Chromium 156 can drop whole TCP writes that follow
    // each other closely, even though each write() resolved and the next one
    // waited for it. Serialising writes as done here does not prevent it, and
    // timed pacing only makes it rarer, so none is done; see the Direct
    // Sockets section of docs/porting/networking.rst. It is also why TCP does
    // not get more than one write in flight.
    pumpWrite(sock) {
      if (!sock.writer) return;
      var queue = sock.send_queue ?? [];
      var maxWrites = sock.type === {{{ cDefs.SOCK_DGRAM }}} ? {{{ UDP_WRITES_IN_FLIGHT }}} : 1;
      sock.writes ??= 0;
      while (queue.length && sock.writes < maxWrites) {
        directSockHelpers.startWrite(sock, directSockHelpers.nextWrite(sock, queue));
      }
      // A shutdown(SHUT_WR) or close() waits for queued data; the FIN (or the
      // close) goes out after the last write settled.
      if (!queue.length && !sock.writes && sock.writeShutdown && !sock.writerClosed) {
        sock.writerClosed = true;
        sock.writer.close().catch(() => {});
      }
    },
    // Take the next write off the send queue: a UDPMessage as queued, or TCP
    // chunks merged up to WRITE_CHUNK bytes.
    nextWrite(sock, queue) {
      var msg = queue.shift();
      if (sock.type !== {{{ cDefs.SOCK_STREAM }}}) return msg;
      if (!queue.length || msg.length >= {{{ WRITE_CHUNK }}}) return msg;
      var total = msg.length;
      var n = 0;
      while (n < queue.length && total + queue[n].length <= {{{ WRITE_CHUNK }}}) total += queue[n++].length;
      if (!n) return msg;
      var merged = new Uint8Array(total);
      merged.set(msg);
      var pos = msg.length;
      for (var part of queue.splice(0, n)) {
        merged.set(part, pos);
        pos += part.length;
      }
      return merged;
    },
    // Issue one write and account for it when it settles. Only the first
    // failure is reported: the writable stream is errored from then on, so
    // the writes still in flight reject as well, and they must neither report
    // again nor release bytes that the failure already dropped.
    startWrite(sock, msg) {
      var isStream = sock.type === {{{ cDefs.SOCK_STREAM }}};
      var size = isStream ? msg.length : msg.data.length;
      var writer = sock.writer;
      sock.writes++;
      var written = isStream ? writer.ready.then(() => writer.write(msg)) : writer.write(msg);
      written.then(() => {
        sock.writes--;
        if (!isStream) directSockHelpers.pumpRead(sock);
        if (sock.writeFailed) return;
        if (sock.state === {{{ SOCK_STATE_CLOSED }}} && !sock.writeShutdown) return;
        var wasFull = sock.send_bytes >= directSockHelpers.sendLimit(sock);
        sock.send_bytes -= size;
        if (wasFull && sock.state !== {{{ SOCK_STATE_CLOSED }}}) SOCKFS.emit('open', sock.stream.fd);
        directSockHelpers.pumpWrite(sock);
      }, (e) => {
        sock.writes--;
        if (!isStream) directSockHelpers.pumpRead(sock);
        if (sock.writeFailed) return;
        sock.send_queue = [];
        sock.send_bytes = 0;
        // Later sends fail with EPIPE; the cause is reported once through
        // SO_ERROR/POLLERR.
        sock.writeFailed = true;
        directSockHelpers.setError(sock, directSockHelpers.toErrno(e,
          isStream ? {{{ cDefs.ECONNRESET }}} : {{{ cDefs.EIO }}}), e);
      });
    },
    sendLimit(sock) {
      return sock.opts?.sendBuf || {{{ SEND_BUFFER_DEFAULT }}};
    },
    // Queue bytes (TCP) or a UDPMessage (UDP) for the send pump. A
    // non-blocking socket accepts at most the room left under SO_SNDBUF and
    // reports EAGAIN when there is none (a short write is allowed for TCP);
    // a blocking one cannot block here and queues everything.
    queueSend(sock, buffer, offset, length, makeMsg) {
      var limit = directSockHelpers.sendLimit(sock);
      if (sock.stream.flags & {{{ cDefs.O_NONBLOCK }}}) {
        var room = limit - sock.send_bytes;
        if (room <= 0) throw new FS.ErrnoError({{{ cDefs.EAGAIN }}});
        if (sock.type === {{{ cDefs.SOCK_STREAM }}} && length > room) length = room;
      }
      var data = directSockHelpers.copyOut(buffer, offset, length);
      sock.send_queue.push(makeMsg ? makeMsg(data) : data);
      sock.send_bytes += length;
      directSockHelpers.pumpWrite(sock);
      return length;
    },

    // TCP: wire an opened TCPSocket (ours from connect(), or one accepted by a
    // listener) to sock.
    attachTcp(sock, info) {
      sock.state = {{{ SOCK_STATE_CONNECTED }}};
      directSockHelpers.attachStreams(sock, info, (value) => {
        directSockHelpers.queueRecv(sock, sock.daddr, sock.dport, directSockHelpers.asBytes(value));
      });
      SOCKFS.emit('open', sock.stream.fd);
    },

    // UDP: open the UDPSocket in bound mode (addr:port) or connected mode
    // (remote), then wire it up. The spec forbids local and remote endpoints
    // on one UDPSocket, so a bound socket that connect()s keeps its bound
    // UDPSocket and emulates the connection (see directSockOps.connect).
    openUdp(sock, opts, bound) {
      var udp;
      try {
        udp = new UDPSocket(opts);
      } catch (e) {
        throw new FS.ErrnoError(directSockHelpers.toErrno(e, {{{ cDefs.EINVAL }}}));
      }
      sock.udp = udp;
      sock.udpBound = bound;
      sock.opening = udp.opened.then((info) => {
        if (sock.state === {{{ SOCK_STATE_CLOSED }}}) {
          // close() ran while opening and could not reach the streams; they
          // are not locked yet, so the socket itself can be closed.
          udp.close().catch(() => {});
          return;
        }
        sock.saddr = info.localAddress;
        sock.sport = info.localPort;
        sock.multicast = info.multicastController;
        directSockHelpers.attachStreams(sock, info, (msg) => {
          var addr = msg.remoteAddress ?? sock.daddr;
          var port = msg.remotePort ?? sock.dport;
          // An emulated connect() on a bound socket only sees its peer, as the
          // kernel filter of a real connect() would.
          if (sock.peerFilter && (addr !== sock.daddr || port !== sock.dport)) return;
          directSockHelpers.queueRecv(sock, addr, port, directSockHelpers.asBytes(msg.data));
        });
        SOCKFS.emit('open', sock.stream.fd);
      }, (e) => {
        if (sock.state === {{{ SOCK_STATE_CLOSED }}}) return;
        // The socket never opened: forget it so a later bind()/connect() can
        // try again, and report why.
        sock.udp = null;
        sock.saddr = sock.sport = undefined;
        if (!bound) sock.daddr = sock.dport = undefined;
        sock.send_queue = [];
        sock.send_bytes = 0;
        directSockHelpers.setError(sock, directSockHelpers.toErrno(e,
          bound ? {{{ cDefs.EADDRINUSE }}} : {{{ cDefs.EHOSTUNREACH }}}), e);
      });
    },

    // Multicast membership through the MulticastController of a bound
    // UDPSocket (IP_ADD_MEMBERSHIP/IPV6_JOIN_GROUP and the drop/leave
    // counterparts). The interface in the request is ignored: the API always
    // uses the default one. joinGroup() is asynchronous, so a failure is
    // reported later through SO_ERROR/POLLERR.
    membership(sock, group, join) {
      if (sock.type !== {{{ cDefs.SOCK_DGRAM }}}) return -{{{ cDefs.ENOPROTOOPT }}};
      sock.groups ??= new Set();
      if (join === sock.groups.has(group)) return -(join ? {{{ cDefs.EADDRINUSE }}} : {{{ cDefs.EADDRNOTAVAIL }}});
      var ctl = sock.multicast;
      if (!ctl) {
        // Only a bound socket has a controller, and only when the
        // direct-sockets-multicast policy allows it.
        return -(sock.udpBound ? {{{ cDefs.EACCES }}} : {{{ cDefs.EINVAL }}});
      }
      if (join) sock.groups.add(group);
      else sock.groups.delete(group);
      (join ? ctl.joinGroup(group) : ctl.leaveGroup(group)).catch((e) => {
        if (join) sock.groups.delete(group);
        directSockHelpers.setError(sock, directSockHelpers.toErrno(e, {{{ cDefs.EADDRNOTAVAIL }}}), e);
      });
      return 0;
    },

    // IP_MULTICAST_TTL/IPV6_MULTICAST_HOPS and the two *_MULTICAST_LOOP
    // options share one value each, as they share one constructor option
    // (multicastTimeToLive, multicastLoopback).
    setMulticastTtl(sock, val) {
      // multicastTimeToLive is an octet.
      if (val < 0 || val > 255) return -{{{ cDefs.EINVAL }}};
      sock.opts.multicastTtl = val;
      directSockHelpers.warnLateOption(sock, 'IP_MULTICAST_TTL');
      return 0;
    },
    setMulticastLoop(sock, val) {
      sock.opts.multicastLoop = !!val;
      directSockHelpers.warnLateOption(sock, 'IP_MULTICAST_LOOP');
      return 0;
    },

    // Options that only the constructors take cannot change on a socket that
    // exists already; the value is still stored for getsockopt.
    warnLateOption(sock, name) {
#if ASSERTIONS
      if (sock.tcp || sock.udp || sock.server) {
        warnOnce(`DIRECT_SOCKETS: ${name} set after the socket was opened is recorded but has no effect; Direct Sockets only takes options at construction`);
      }
#endif
    },
  },

  $directSockOps__deps: ['$directSockHelpers', '$SOCKFS', '$FS', '$inetNtop4', '$inetNtop6'],
  $directSockOps: {
    poll(sock) {
      // A listener is readable when a connection is waiting to be accepted.
      if (sock.server) {
        var lmask = sock.pending.length ? ({{{ cDefs.POLLRDNORM }}} | {{{ cDefs.POLLIN }}}) : 0;
        if (sock.error) lmask |= {{{ cDefs.POLLERR }}};
        return lmask;
      }
      var full = sock.send_bytes >= directSockHelpers.sendLimit(sock);
      if (sock.type === {{{ cDefs.SOCK_DGRAM }}}) {
        // Writable once open (or while unbound: sendto binds it), so poll can
        // wait for a bind() that could not wait itself.
        var dmask = full || (sock.udp && !sock.writer) ? 0 : {{{ cDefs.POLLOUT }}};
        if (sock.recv_queue.length || sock.error) dmask |= ({{{ cDefs.POLLRDNORM }}} | {{{ cDefs.POLLIN }}});
        if (sock.error) dmask |= {{{ cDefs.POLLERR }}};
        return dmask;
      }
      var mask = 0;
      if (sock.recv_queue.length || sock.readClosed || sock.error) {
        mask |= ({{{ cDefs.POLLRDNORM }}} | {{{ cDefs.POLLIN }}});
      }
      if (sock.error) {
        // A pending error (a refused connect, a reset) is Linux's
        // POLLERR|POLLHUP, plus writable so the program goes on to read
        // SO_ERROR.
        mask |= {{{ cDefs.POLLOUT }}} | {{{ cDefs.POLLERR }}} | {{{ cDefs.POLLHUP }}};
      } else if (sock.state === {{{ SOCK_STATE_CONNECTED }}} && !sock.writeShutdown && !full) {
        mask |= {{{ cDefs.POLLOUT }}};
      }
      if (sock.readClosed) mask |= {{{ cDefs.POLLRDHUP }}};
      if (sock.readClosed && (sock.writeShutdown || sock.writeFailed)) mask |= {{{ cDefs.POLLHUP }}};
      return mask;
    },
    ioctl(sock, request, arg) {
      switch (request) {
        case {{{ cDefs.FIONREAD }}}: {
          // Bytes ready to read: the whole stream backlog for TCP, the next
          // datagram for UDP (as Linux reports them).
          var bytes = 0;
          if (sock.type === {{{ cDefs.SOCK_DGRAM }}}) bytes = sock.recv_queue[0]?.data.length ?? 0;
          else for (var q of sock.recv_queue) bytes += q.data.length;
          {{{ makeSetValue('arg', '0', 'bytes', 'i32') }}};
          return 0;
        }
        case {{{ cDefs.FIONBIO }}}:
          if ({{{ makeGetValue('arg', '0', 'i32') }}}) sock.stream.flags |= {{{ cDefs.O_NONBLOCK }}};
          else sock.stream.flags &= ~{{{ cDefs.O_NONBLOCK }}};
          return 0;
        default:
          return {{{ cDefs.EINVAL }}};
      }
    },
    // close() is synchronous: FS.close has already woken waiters with POLLNVAL
    // and the fd may be reused at once, so everything here is fire and forget,
    // and the pumps check sock.state before touching the fd again. The
    // streams are locked by our reader/writer, so socket.close() would reject
    // with InvalidStateError; closing both streams instead makes the browser
    // close the socket.
    close(sock) {
      sock.state = {{{ SOCK_STATE_CLOSED }}};
      var ignore = () => {};
      sock.reader?.cancel().catch(ignore);
      if (sock.writer) {
        var linger = sock.opts?.linger;
        if (linger?.onoff && !linger.linger) {
          // SO_LINGER {1, 0}: abortive close, discarding unsent data.
          sock.writer.abort().catch(ignore);
        } else {
          // Flush what send() already accepted, then close (see pumpWrite).
          sock.writeShutdown = true;
          directSockHelpers.pumpWrite(sock);
        }
      }
      // A socket that is still opening has no streams yet: its opened handler
      // sees SOCK_STATE_CLOSED and closes it then.
      if (sock.server) {
        sock.acceptReader?.cancel().catch(ignore);
        // Connections accepted by the browser but not by the program have
        // fds of their own; release them too.
        for (var pending of sock.pending) FS.close(pending.stream);
        sock.pending = [];
      }
      return 0;
    },
    shutdown(sock, how) {
      if (sock.type !== {{{ cDefs.SOCK_STREAM }}} || sock.state !== {{{ SOCK_STATE_CONNECTED }}}) {
        return -{{{ cDefs.ENOTCONN }}};
      }
      if (how === {{{ cDefs.SHUT_RD }}} || how === {{{ cDefs.SHUT_RDWR }}}) {
        // Later reads see EOF; cancelling the readable stops the receive side.
        sock.readClosed = true;
        sock.recv_queue = [];
        sock.recv_bytes = 0;
        sock.reader.cancel().catch(() => {});
      }
      if (how === {{{ cDefs.SHUT_WR }}} || how === {{{ cDefs.SHUT_RDWR }}}) {
        // Half-close: closing the writable sends FIN after the queued data.
        sock.writeShutdown = true;
        directSockHelpers.pumpWrite(sock);
      }
      SOCKFS.emit('message', sock.stream.fd);
      return 0;
    },
    bind(sock, addr, port) {
      if (sock.saddr !== undefined || sock.tcp || sock.udp || sock.server) {
        throw new FS.ErrnoError({{{ cDefs.EINVAL }}}); // already bound
      }
      if (!directSockHelpers.isIPLiteral(addr)) throw new FS.ErrnoError({{{ cDefs.EADDRNOTAVAIL }}});
      if (sock.type === {{{ cDefs.SOCK_STREAM }}}) {
        // TCPServerSocket binds and listens in one step, and TCPSocket has no
        // local endpoint at all, so bind() only records the address: listen()
        // uses it, and a conflict surfaces there as EADDRINUSE. getsockname()
        // reports the requested port until then.
        sock.saddr = addr;
        sock.sport = port;
        sock.state = {{{ SOCK_STATE_BOUND }}};
        return;
      }
      directSockHelpers.openUdp(sock, directSockHelpers.udpBoundOptions(sock, addr, port), true);
      // getsockname() reports the requested address until `opened` gives the
      // real one.
      sock.state = {{{ SOCK_STATE_BOUND }}};
      sock.saddr = addr;
      sock.sport = port;
      return directSockHelpers.waitOpened(sock);
    },
    connect(sock, addr, port) {
      if (sock.type === {{{ cDefs.SOCK_DGRAM }}}) {
        if (sock.udp && !sock.udpBound) throw new FS.ErrnoError({{{ cDefs.EISCONN }}});
        sock.daddr = addr;
        sock.dport = port;
        if (sock.udp) {
          // Bound already: the spec does not allow a local and a remote
          // endpoint on one UDPSocket, and closing and reopening would give up
          // the bound port. Keep the bound socket and emulate the connection:
          // default destination, peer filter, EISCONN for sendto.
          sock.peerFilter = true;
          return;
        }
        var opts = directSockHelpers.udpOptions(sock);
        opts.remoteAddress = addr;
        opts.remotePort = port;
        if (!directSockHelpers.isIPLiteral(addr)) {
          opts.dnsQueryType = sock.family === {{{ cDefs.AF_INET6 }}} ? 'ipv6' : 'ipv4';
        }
        sock.state = {{{ SOCK_STATE_CONNECTED }}};
        directSockHelpers.openUdp(sock, opts, false);
        return directSockHelpers.waitOpened(sock);
      }
      if (sock.server) throw new FS.ErrnoError({{{ cDefs.EISCONN }}});
      if (sock.tcp) {
        throw new FS.ErrnoError(sock.state === {{{ SOCK_STATE_CONNECTING }}} ? {{{ cDefs.EALREADY }}} : {{{ cDefs.EISCONN }}});
      }
      // TCPSocket takes no local endpoint, so a bind() to a specific address
      // or port cannot be honoured. Fail rather than silently use another
      // source; a wildcard bind to port 0 asks for nothing and is fine.
      if (sock.saddr !== undefined && (!directSockHelpers.isWildcard(sock.saddr) || sock.sport)) {
        throw new FS.ErrnoError({{{ cDefs.EADDRNOTAVAIL }}});
      }
      var tcp;
      try {
        tcp = new TCPSocket(addr, port, directSockHelpers.tcpOptions(sock, addr));
      } catch (e) {
        throw new FS.ErrnoError(directSockHelpers.toErrno(e, {{{ cDefs.EINVAL }}}));
      }
      sock.tcp = tcp;
      sock.daddr = addr;
      sock.dport = port;
      sock.state = {{{ SOCK_STATE_CONNECTING }}};
      // connect() returns while the handshake runs (POLLOUT reports
      // completion, SO_ERROR the result), as the other backends do.
      tcp.opened.then((info) => {
        if (sock.state === {{{ SOCK_STATE_CLOSED }}}) {
          tcp.close().catch(() => {});
          return;
        }
        sock.saddr = info.localAddress;
        sock.sport = info.localPort;
        directSockHelpers.attachTcp(sock, info);
      }, (e) => {
        // NetworkError cannot tell a refusal from a timeout or an unreachable
        // host; ECONNREFUSED is what programs expect from a failed connect.
        directSockHelpers.setError(sock, directSockHelpers.toErrno(e, {{{ cDefs.ECONNREFUSED }}}), e);
      });
    },
    listen(sock, backlog) {
      if (sock.type !== {{{ cDefs.SOCK_STREAM }}}) throw new FS.ErrnoError({{{ cDefs.EOPNOTSUPP }}});
      if (sock.server || sock.tcp) throw new FS.ErrnoError({{{ cDefs.EINVAL }}});
      if (typeof TCPServerSocket != 'function') {
#if ASSERTIONS
        warnOnce('DIRECT_SOCKETS: TCPServerSocket is not available here, so listen() fails with EOPNOTSUPP');
#endif
        throw new FS.ErrnoError({{{ cDefs.EOPNOTSUPP }}});
      }
      // Without a bind(), listen() binds the wildcard address on an ephemeral
      // port (POSIX autobind).
      var addr = sock.saddr ?? (sock.family === {{{ cDefs.AF_INET6 }}} ? '::' : '0.0.0.0');
      var opts = {};
      // localPort 0 and backlog 0 are TypeErrors: omit them for the defaults
      // (an ephemeral port, the platform backlog).
      if (sock.sport) opts.localPort = sock.sport;
      if (backlog > 0) opts.backlog = backlog;
      if (addr === '::' && sock.opts?.ipv6Only !== undefined) opts.ipv6Only = sock.opts.ipv6Only;
      var server;
      try {
        server = new TCPServerSocket(addr, opts);
      } catch (e) {
        throw new FS.ErrnoError(directSockHelpers.toErrno(e, {{{ cDefs.EINVAL }}}));
      }
      sock.server = server;
      sock.saddr = addr;
      sock.sport = sock.sport || 0;
      sock.state = {{{ SOCK_STATE_LISTEN }}};
      sock.opening = server.opened.then((info) => {
        if (sock.state === {{{ SOCK_STATE_CLOSED }}}) {
          server.close().catch(() => {});
          return;
        }
        sock.saddr = info.localAddress;
        sock.sport = info.localPort;
        var reader = sock.acceptReader = info.readable.getReader();
        // Accept loop: each incoming TCPSocket becomes a SOCKFS socket (with
        // its own fd, as the other backends do) queued for accept().
        var next = () => reader.read().then(({ value, done }) => {
          if (done || sock.state === {{{ SOCK_STATE_CLOSED }}}) {
            value?.close().catch(() => {});
            return;
          }
          value.opened.then((cinfo) => {
            if (sock.state === {{{ SOCK_STATE_CLOSED }}}) {
              value.close().catch(() => {});
              return;
            }
            var newsock = SOCKFS.createSocket(sock.family, sock.type, sock.protocol);
            newsock.tcp = value;
            // The accepted socket's open info has no local endpoint; it is the
            // listener's.
            newsock.saddr = cinfo.localAddress ?? sock.saddr;
            newsock.sport = cinfo.localPort ?? sock.sport;
            newsock.daddr = cinfo.remoteAddress;
            newsock.dport = cinfo.remotePort;
            directSockHelpers.attachTcp(newsock, cinfo);
            sock.pending.push(newsock);
            SOCKFS.emit('connection', newsock.stream.fd);
            // A queued connection makes the listener readable.
            sock.stream.node.notifyListeners({{{ cDefs.POLLRDNORM }}} | {{{ cDefs.POLLIN }}});
          }, () => {}); // a connection that failed to open is dropped
          next();
        }, (e) => {
          directSockHelpers.setError(sock, directSockHelpers.toErrno(e, {{{ cDefs.ECONNABORTED }}}), e);
        });
        next();
      }, (e) => {
        if (sock.state === {{{ SOCK_STATE_CLOSED }}}) return;
        sock.server = null;
        sock.state = {{{ SOCK_STATE_BOUND }}};
        directSockHelpers.setError(sock, directSockHelpers.toErrno(e, {{{ cDefs.EADDRINUSE }}}), e);
      });
      return directSockHelpers.waitOpened(sock);
    },
    accept(listensock) {
      if (!listensock.server) throw new FS.ErrnoError({{{ cDefs.EINVAL }}});
      if (listensock.error) {
        var e = listensock.error;
        listensock.error = null;
        throw new FS.ErrnoError(e);
      }
      if (!listensock.pending.length) throw new FS.ErrnoError({{{ cDefs.EAGAIN }}});
      var newsock = listensock.pending.shift();
      newsock.stream.flags = listensock.stream.flags;
      return newsock;
    },
    sendmsg(sock, buffer, offset, length, addr, port) {
      sock.send_queue ??= [];
      sock.send_bytes ??= 0;
      if (sock.type === {{{ cDefs.SOCK_DGRAM }}}) {
        // A failed write leaves the writable stream errored for good.
        if (sock.writeFailed) throw new FS.ErrnoError({{{ cDefs.EPIPE }}});
        if (sock.daddr !== undefined && addr !== undefined) throw new FS.ErrnoError({{{ cDefs.EISCONN }}});
        if (addr === undefined) {
          if (sock.daddr === undefined) throw new FS.ErrnoError({{{ cDefs.EDESTADDRREQ }}});
          addr = sock.daddr;
          port = sock.dport;
        }
        if (!sock.udp) {
          // sendto() on an unbound socket binds it to an ephemeral port first,
          // as the kernel does, so replies can come back.
          var any = sock.family === {{{ cDefs.AF_INET6 }}} ? '::' : '0.0.0.0';
          sock.state = {{{ SOCK_STATE_BOUND }}};
          directSockHelpers.openUdp(sock, directSockHelpers.udpBoundOptions(sock, any, 0), true);
        }
        // Connected mode sends to its peer; bound mode names the destination
        // in each message.
        var bound = sock.udpBound;
        return directSockHelpers.queueSend(sock, buffer, offset, length,
          (data) => bound ? { data, remoteAddress: addr, remotePort: port } : { data });
      }
      if (sock.writeShutdown || sock.writeFailed) throw new FS.ErrnoError({{{ cDefs.EPIPE }}});
      if (!sock.tcp || sock.state === {{{ SOCK_STATE_CLOSED }}}) throw new FS.ErrnoError({{{ cDefs.ENOTCONN }}});
      if (sock.error) {
        // A pending error (say, a refused connect) is what send() reports.
        var err = sock.error;
        sock.error = null;
        throw new FS.ErrnoError(err);
      }
      // While connecting the data waits in the queue and goes out once the
      // socket opens.
      return directSockHelpers.queueSend(sock, buffer, offset, length);
    },
    recvmsg(sock, length, flags) {
      var peek = flags & {{{ cDefs.MSG_PEEK }}};
      var queued = sock.recv_queue[0];
      if (!queued) {
        // Queued data first, then a pending error (once), then EOF.
        if (sock.error) {
          var err = sock.error;
          sock.error = null;
          throw new FS.ErrnoError(err);
        }
        if (sock.type === {{{ cDefs.SOCK_STREAM }}}) {
          if (sock.readClosed) return null;
          if (!sock.tcp) throw new FS.ErrnoError({{{ cDefs.ENOTCONN }}});
        }
        throw new FS.ErrnoError({{{ cDefs.EAGAIN }}});
      }
      var data = queued.data;
      var res;
      if (sock.type === {{{ cDefs.SOCK_DGRAM }}}) {
        // A datagram is atomic: return up to length bytes, drop the rest.
        res = { buffer: data.subarray(0, Math.min(length, data.length)), addr: queued.addr, port: queued.port };
        if (peek) return res;
        sock.recv_queue.shift();
        sock.recv_bytes -= data.length;
      } else {
        var n = Math.min(length, data.length);
        res = { buffer: data.subarray(0, n), addr: queued.addr, port: queued.port };
        if (peek) return res;
        if (n < data.length) queued.data = data.subarray(n);
        else sock.recv_queue.shift();
        sock.recv_bytes -= n;
      }
      directSockHelpers.pumpRead(sock);
      return res;
    },
    setsockopt(sock, level, optname, optval, optlen) {
      var o = sock.opts ??= {};
      var val = {{{ makeGetValue('optval', 0, 'i32') }}};
      var isStream = sock.type === {{{ cDefs.SOCK_STREAM }}};
      if (level === {{{ cDefs.SOL_SOCKET }}}) {
        switch (optname) {
          case {{{ cDefs.SO_REUSEADDR }}}:
            // TCP: Chromium's server sockets reuse addresses already. UDP: see
            // udpBoundOptions.
            o.reuseAddr = !!val;
            return 0;
          case {{{ cDefs.SO_REUSEPORT }}}:
            o.reusePort = !!val;
            return 0;
          case {{{ cDefs.SO_KEEPALIVE }}}:
            o.keepAlive = !!val;
            directSockHelpers.warnLateOption(sock, 'SO_KEEPALIVE');
            return 0;
          case {{{ cDefs.SO_SNDBUF }}}:
          case {{{ cDefs.SO_RCVBUF }}}:
            // Passed as sendBufferSize/receiveBufferSize, which must be
            // positive. SO_SNDBUF also bounds the send queue (see queueSend).
            if (val <= 0) return -{{{ cDefs.EINVAL }}};
            if (optname === {{{ cDefs.SO_SNDBUF }}}) o.sendBuf = val;
            else o.recvBuf = val;
            directSockHelpers.warnLateOption(sock, optname === {{{ cDefs.SO_SNDBUF }}} ? 'SO_SNDBUF' : 'SO_RCVBUF');
            return 0;
          case {{{ cDefs.SO_BROADCAST }}}:
            // The API has no broadcast switch; record it for getsockopt.
            o.broadcast = !!val;
            return 0;
          case {{{ cDefs.SO_LINGER }}}:
            if (optlen < {{{ C_STRUCTS.linger.__size__ }}}) return -{{{ cDefs.EINVAL }}};
            o.linger = {
              onoff: {{{ makeGetValue('optval', C_STRUCTS.linger.l_onoff, 'i32') }}},
              linger: {{{ makeGetValue('optval', C_STRUCTS.linger.l_linger, 'i32') }}},
            };
            return 0;
        }
      } else if (level === {{{ cDefs.IPPROTO_IP }}}) {
        switch (optname) {
          case {{{ cDefs.IP_TTL }}}:
            // The API has no unicast TTL; recorded for getsockopt.
            if (val < 1 || val > 255) return -{{{ cDefs.EINVAL }}};
            o.ttl = val;
            return 0;
          case {{{ cDefs.IP_MULTICAST_TTL }}}:
            return directSockHelpers.setMulticastTtl(sock, val);
          case {{{ cDefs.IP_MULTICAST_LOOP }}}:
            return directSockHelpers.setMulticastLoop(sock, val);
          case {{{ cDefs.IP_MULTICAST_IF }}}:
            // The API always uses the default interface.
            return 0;
          case {{{ cDefs.IP_ADD_MEMBERSHIP }}}:
          case {{{ cDefs.IP_DROP_MEMBERSHIP }}}: {
            if (optlen < {{{ C_STRUCTS.ip_mreq.__size__ }}}) return -{{{ cDefs.EINVAL }}};
            var group = inetNtop4({{{ makeGetValue('optval', C_STRUCTS.ip_mreq.imr_multiaddr, 'i32') }}});
            return directSockHelpers.membership(sock, group, optname === {{{ cDefs.IP_ADD_MEMBERSHIP }}});
          }
        }
      } else if (level === {{{ cDefs.IPPROTO_IPV6 }}}) {
        switch (optname) {
          case {{{ cDefs.IPV6_V6ONLY }}}:
            // Bind-time only (ipv6Only is a constructor option).
            if (sock.state) return -{{{ cDefs.EINVAL }}};
            o.ipv6Only = !!val;
            return 0;
          case {{{ cDefs.IPV6_MULTICAST_HOPS }}}:
            return directSockHelpers.setMulticastTtl(sock, val);
          case {{{ cDefs.IPV6_MULTICAST_LOOP }}}:
            return directSockHelpers.setMulticastLoop(sock, val);
          case {{{ cDefs.IPV6_JOIN_GROUP }}}:
          case {{{ cDefs.IPV6_LEAVE_GROUP }}}: {
            if (optlen < {{{ C_STRUCTS.ipv6_mreq.__size__ }}}) return -{{{ cDefs.EINVAL }}};
            var addr6 = optval + {{{ C_STRUCTS.ipv6_mreq.ipv6mr_multiaddr }}};
            var group6 = inetNtop6([
              {{{ makeGetValue('addr6', 0, 'i32') }}},
              {{{ makeGetValue('addr6', 4, 'i32') }}},
              {{{ makeGetValue('addr6', 8, 'i32') }}},
              {{{ makeGetValue('addr6', 12, 'i32') }}},
            ]);
            return directSockHelpers.membership(sock, group6, optname === {{{ cDefs.IPV6_JOIN_GROUP }}});
          }
        }
      } else if (level === {{{ cDefs.IPPROTO_TCP }}} && isStream) {
        switch (optname) {
          case {{{ cDefs.TCP_NODELAY }}}:
            o.noDelay = !!val;
            directSockHelpers.warnLateOption(sock, 'TCP_NODELAY');
            return 0;
          case {{{ cDefs.TCP_KEEPIDLE }}}:
            if (val < 1) return -{{{ cDefs.EINVAL }}};
            o.keepAliveIdle = val;
            directSockHelpers.warnLateOption(sock, 'TCP_KEEPIDLE');
            return 0;
          case {{{ cDefs.TCP_KEEPINTVL }}}:
          case {{{ cDefs.TCP_KEEPCNT }}}:
            // Not configurable through the API; recorded for getsockopt.
            if (val < 1) return -{{{ cDefs.EINVAL }}};
            if (optname === {{{ cDefs.TCP_KEEPINTVL }}}) o.keepAliveIntvl = val;
            else o.keepAliveCnt = val;
            return 0;
        }
      }
      return -{{{ cDefs.ENOPROTOOPT }}};
    },
    getsockopt(sock, level, optname, optval, optlen) {
      var o = sock.opts ??= {};
      var val;
      if (level === {{{ cDefs.SOL_SOCKET }}}) {
        switch (optname) {
          case {{{ cDefs.SO_ERROR }}}:
            // Reading SO_ERROR clears it.
            val = sock.error || 0;
            sock.error = null;
            break;
          case {{{ cDefs.SO_TYPE }}}: val = sock.type; break;
          case {{{ cDefs.SO_REUSEADDR }}}: val = o.reuseAddr ? 1 : 0; break;
          case {{{ cDefs.SO_REUSEPORT }}}: val = o.reusePort ? 1 : 0; break;
          case {{{ cDefs.SO_KEEPALIVE }}}: val = o.keepAlive ? 1 : 0; break;
          case {{{ cDefs.SO_SNDBUF }}}: val = directSockHelpers.sendLimit(sock); break;
          case {{{ cDefs.SO_RCVBUF }}}: val = o.recvBuf || {{{ RECV_HIGH_WATER }}}; break;
          case {{{ cDefs.SO_BROADCAST }}}: val = o.broadcast ? 1 : 0; break;
          case {{{ cDefs.SO_LINGER }}}: {
            var linger = o.linger || { onoff: 0, linger: 0 };
            {{{ makeSetValue('optval', C_STRUCTS.linger.l_onoff, 'linger.onoff', 'i32') }}};
            {{{ makeSetValue('optval', C_STRUCTS.linger.l_linger, 'linger.linger', 'i32') }}};
            {{{ makeSetValue('optlen', 0, C_STRUCTS.linger.__size__, 'i32') }}};
            return 0;
          }
          default: return -{{{ cDefs.ENOPROTOOPT }}};
        }
      } else if (level === {{{ cDefs.IPPROTO_IP }}}) {
        switch (optname) {
          case {{{ cDefs.IP_TTL }}}: val = o.ttl || 64; break;
          case {{{ cDefs.IP_MULTICAST_TTL }}}: val = o.multicastTtl ?? 1; break;
          case {{{ cDefs.IP_MULTICAST_LOOP }}}: val = (o.multicastLoop ?? true) ? 1 : 0; break;
          default: return -{{{ cDefs.ENOPROTOOPT }}};
        }
      } else if (level === {{{ cDefs.IPPROTO_IPV6 }}}) {
        switch (optname) {
          case {{{ cDefs.IPV6_V6ONLY }}}: val = o.ipv6Only ? 1 : 0; break;
          case {{{ cDefs.IPV6_MULTICAST_HOPS }}}: val = o.multicastTtl ?? 1; break;
          case {{{ cDefs.IPV6_MULTICAST_LOOP }}}: val = (o.multicastLoop ?? true) ? 1 : 0; break;
          default: return -{{{ cDefs.ENOPROTOOPT }}};
        }
      } else if (level === {{{ cDefs.IPPROTO_TCP }}} && sock.type === {{{ cDefs.SOCK_STREAM }}}) {
        switch (optname) {
          case {{{ cDefs.TCP_NODELAY }}}: val = o.noDelay ? 1 : 0; break;
          // The API exposes no MSS: report RFC 879's default before the
          // handshake and the loopback value once connected, as
          // libsockfs_node.js does.
          case {{{ cDefs.TCP_MAXSEG }}}: val = sock.state === {{{ SOCK_STATE_CONNECTED }}} ? 65483 : 536; break;
          case {{{ cDefs.TCP_KEEPIDLE }}}: val = o.keepAliveIdle || 7200; break;
          case {{{ cDefs.TCP_KEEPINTVL }}}: val = o.keepAliveIntvl || 75; break;
          case {{{ cDefs.TCP_KEEPCNT }}}: val = o.keepAliveCnt || 9; break;
          default: return -{{{ cDefs.ENOPROTOOPT }}};
        }
      } else {
        return -{{{ cDefs.ENOPROTOOPT }}};
      }
      {{{ makeSetValue('optval', 0, 'val', 'i32') }}};
      {{{ makeSetValue('optlen', 0, 4, 'i32') }}};
      return 0;
    },
  },
};

addToLibrary(DirectSockFSLibrary);
