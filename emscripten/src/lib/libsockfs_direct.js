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
// A UDP socket stops reading once this many received bytes wait in
// recv_queue, and resumes when recvmsg drains it (pull-based backpressure,
// the same bound libsockfs_node.js uses).
const RECV_HIGH_WATER = 262144;
// A TCP socket reads on until this many received bytes wait for the program
// (as much as Linux lets a connection's receive buffer grow to: tcp_rmem's
// default maximum), then resumes below TCP_RECV_LOW_WATER (see pumpRead).
const TCP_RECV_HIGH_WATER = 33554432;
const TCP_RECV_LOW_WATER = TCP_RECV_HIGH_WATER / 2;
// Default SO_SNDBUF: how many bytes sendmsg queues ahead of the stream before a
// non-blocking send reports EAGAIN.
const SEND_BUFFER_DEFAULT = 262144;
// Most write()s a UDP socket keeps in flight at once (see pumpWrite).
const UDP_WRITES_IN_FLIGHT = 32;
// What bind(), listen() and connect() return when the caller waits for the
// result in _emscripten_sock_wait; EM_SOCK_WAIT in emscripten_internal.h.
const EM_SOCK_WAIT = 1;
// Largest UDP payload: 65535 minus the IP and UDP headers (IPv6 has no
// header checksum field in the payload length, so 8 bytes of UDP header
// only).
const UDP_MAX_PAYLOAD_4 = 65507;
const UDP_MAX_PAYLOAD_6 = 65527;
// Third 32-bit word of an IPv4-mapped IPv6 address (::ffff:a.b.c.d) as
// inetPton6 returns it (network byte order read as a little-endian word).
const V4_MAPPED_PREFIX = 0xffff0000;
// How long (ms) a JSPI/ASYNCIFY program may poll() without giving the browser
// a turn of its event loop (see yieldAfterPoll). Measured in Chromium 156 with
// a poll() loop that always finds a socket writable while 200 datagrams wait
// to be received: with no turn none arrive in 2 s (about 1000 polls/ms); a
// turn costs about 50 us and delivers about one datagram; a turn after every
// poll receives all 200 in 40-60 ms (20 polls/ms), one per ms in 300 ms (700
// polls/ms). One per ms keeps the cost near 5% of a busy loop.
const POLL_YIELD_MS = 1;
// Linux's default net.core.somaxconn: the largest listen() backlog.
const SOMAXCONN = 4096;
// TCP writes. Chromium's TCPWritableStreamWrapper (checked in 156.0.8078.108
// and .114) reports a write() that starts while the Mojo data pipe to the
// network service is completely full as fully written: the whole chunk is
// dropped, and its promise settles within the microtask checkpoint of the task
// that called write(). The pipe holds TCP_PIPE_CAPACITY bytes (measured: the
// largest first write that settles in the same task; SO_SNDBUF does not change
// it). A write larger than that can only settle in a later task (through the
// pipe's writable watcher) unless it was dropped, which is what the send pump
// builds on (see tcpSendPiece).
const TCP_PIPE_CAPACITY = 65536;
// Size of the pieces a TCP send is cut into when enough is queued: larger
// than the pipe, and not a multiple of it, which made full-pipe drops rarer
// in the measurements than 128 KiB pieces (both lost nothing).
const TCP_PIECE = 200000;
// How many microtask hops a write is watched for after write(). A dropped
// write settles after one; a delivered piece cannot settle before the next
// task however long we watch, so the bound only limits the work.
const TCP_SETTLE_HOPS = 64;
// Re-sending a dropped piece: the first TCP_RETRY_YIELDS retries wait one task
// turn, later ones 1, 2, 4 ... up to TCP_RETRY_MAX_DELAY_MS milliseconds
// (the pipe is full, so the network service has to drain it first).
const TCP_RETRY_YIELDS = 2;
const TCP_RETRY_MAX_DELAY_MS = 8;
// The least a TCP socket queues before send() reports EAGAIN, whatever
// SO_SNDBUF says (Linux too keeps more than asked: it doubles the value): more
// than the largest bound a connection's check can prove (see tcpSendPiece), so
// that a program streaming with a small SO_SNDBUF still fills checked pieces.
// Otherwise every send() would be a write that cannot be checked.
const TCP_SEND_QUEUE_MIN = 2 * TCP_PIPE_CAPACITY + 2;
// A write of at most TCP_PIPE_CAPACITY bytes that cannot be checked assumes
// that what was written this long before has left the pipe (see tcpPipeWait),
// or TCP_FULL_WAIT_FACTOR times as long as the pipe was last seen to stay full
// after a write settled, if that is longer, but at most
// TCP_SMALL_WRITE_MAX_WAIT_MS (see tcpSmallWriteWait). On the 2-core VM of the
// measurements the pipe stayed full for up to 4.3 ms after a write while two
// busy loops at a higher priority than Chromium's competed for the CPUs.
const TCP_SMALL_WRITE_WAIT_MS = 10;
const TCP_FULL_WAIT_FACTOR = 4;
const TCP_SMALL_WRITE_MAX_WAIT_MS = 250;
// A UDP socket stops reading while this many of its writes are in flight
// (see pumpRead).
const UDP_READ_GATE = 16;
// How long the main thread busy-waits for a program's answer to data it
// received (see ringAwaitReply).
const REPLY_WAIT_MS = 0.1;
// A socket whose program did not answer in time skips the next
// 2**misses pushes, up to 2**REPLY_MAX_MISSES.
const REPLY_MAX_MISSES = 10;
// Status bits of a socket's ring in libc's fast path (SOCK_RING_* in
// emscripten_sock_ring.c, see ringSync): send()/sendto() may queue while
// SEND_OK is set, and without an address only while CONNECTED is (sendto()
// with one then takes the syscall, which reports EISCONN).
const SOCK_RING_SEND_OK = 1;
const SOCK_RING_CONNECTED = 2;
// Set while recvmsg would report EAGAIN once the ring is empty, so that libc
// can report it without a round trip.
const SOCK_RING_RECV_EMPTY = 4;
// A listener with no connection waiting and no error, which poll() in libc
// can report as not ready without a round trip.
const SOCK_RING_LISTEN_IDLE = 8;
null;
}}}

var DirectSockFSLibrary = {
  $directSockHelpers__deps: ['$SOCKFS', '$FS', '$DNS', '$inetNtop4', '$inetNtop6', '$inetPton4', '$inetPton6',
#if PTHREADS
    '$readSockaddr', '$writeSockaddr', '$getSocketAddress', 'free',
    '_emscripten_sock_ring_create', '_emscripten_sock_ring_destroy', '_emscripten_sock_ring_sync',
    '_emscripten_sock_ring_set_js_send_bytes', '_emscripten_sock_ring_rec_alloc',
    '_emscripten_sock_ring_rec_len', '_emscripten_sock_ring_rec_off', '_emscripten_sock_ring_rec_data', '_emscripten_sock_ring_rec_addr',
    '_emscripten_sock_ring_rec_addrlen', '_emscripten_sock_ring_push_recv', '_emscripten_sock_ring_pop_recv',
    '_emscripten_sock_ring_unpop_recv', '_emscripten_sock_ring_clear_recv', '_emscripten_sock_ring_recv_count',
    '_emscripten_sock_ring_recv_bytes',
    '_emscripten_sock_ring_recv_next_len', '_emscripten_sock_ring_pop_send', '_emscripten_sock_ring_send_bytes',
    '_emscripten_sock_ring_await_send',
#endif
  ],
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
#if PTHREADS
      directSockHelpers.ringSync(sock);
#endif
      SOCKFS.emit('error', [sock.stream.fd, errno, e?.message ?? 'socket error']);
    },

    // Whether the caller of the running syscall can wait for a result that
    // the browser only delivers later: a pthread that proxied the syscall
    // (PROXY_TO_PTHREAD) can block, and under JSPI a stack entered through a
    // promising export (main()) can suspend. A main loop callback cannot: a
    // suspending import traps there even when it would not have suspended,
    // which is why bind/listen/connect stay plain imports and the wait is a
    // separate import that libc only calls when told to (EM_SOCK_WAIT).
    canWait() {
#if PTHREADS
      if (PThread.currentProxiedOperationCallerThread) return true;
#endif
#if ASYNCIFY == 2
      return Asyncify.canSuspend;
#else
      return false;
#endif
    },

    // Under JSPI (and ASYNCIFY) a poll() that finds an fd ready resumes the
    // program from a microtask, without a turn of the event loop. A loop of
    // such polls (one socket always writable, say) would starve the browser:
    // received data, opened sockets and settled writes are tasks, and would
    // never run. So once the program has polled for POLL_YIELD_MS without a
    // turn, the next poll() result waits for one task (a MessageChannel
    // message: unlike setTimeout it is not clamped to 4 ms when nested).
    yieldAfterPoll(count) {
      var now = performance.now();
      var self = directSockHelpers;
      if (now - (self.lastYield ?? 0) < {{{ POLL_YIELD_MS }}}) return count;
      if (!self.yieldChannel) {
        self.yieldChannel = new MessageChannel();
        self.yieldWaiters = [];
        self.yieldChannel.port1.onmessage = () => {
          self.lastYield = performance.now();
          for (var w of self.yieldWaiters.splice(0)) w();
        };
      }
      return new Promise((resolve) => {
        self.yieldWaiters.push(() => resolve(count));
        self.yieldChannel.port2.postMessage(0);
      });
    },

    // Let the caller wait for `result` (a Promise of 0 or -errno) when it can:
    // the syscall returns EM_SOCK_WAIT and libc takes the result from
    // _emscripten_sock_wait. Otherwise returns undefined: the syscall returns
    // 0 and the operation completes in the background.
    waitFor(sock, result) {
      if (!directSockHelpers.canWait()) return;
      sock.pendingResult = result;
      return {{{ EM_SOCK_WAIT }}};
    },
    // Wait for a bound UDP socket, a listener or a connected UDP socket to
    // open: 0, or -errno (taken from sock.error) if it failed.
    waitOpened(sock) {
      return directSockHelpers.waitFor(sock, sock.opening.then(() => {
        var errno = sock.error;
        if (!errno) return 0;
        sock.error = null;
        return -errno;
      }));
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
    // The address to give the API for one a program passed: an IPv4-mapped
    // IPv6 address becomes dotted IPv4 (the API takes the family from the
    // address), which also lets one of emscripten's fake DNS addresses in that
    // form (getaddrinfo() with AF_INET6 hints on a host name) map back to its
    // name.
    apiAddr(addr) {
      var v6 = addr.includes(':') ? inetPton6(addr) : null;
      if (v6 && !v6[0] && !v6[1] && (v6[2] >>> 0) === {{{ V4_MAPPED_PREFIX }}}) {
        var v4 = inetNtop4(v6[3]);
        return DNS.lookup_addr(v4) || v4;
      }
      return addr;
    },
    // A local address for bind()/listen(): the API does not resolve names,
    // but 'localhost' is the loopback address of the socket's family.
    localAddr(sock, addr) {
      if (addr === 'localhost') return sock.family === {{{ cDefs.AF_INET6 }}} ? '::1' : '127.0.0.1';
      return directSockHelpers.apiAddr(addr);
    },
    // An address the browser reports, in the socket's family: an AF_INET6
    // socket sees IPv4 endpoints as IPv4-mapped IPv6 addresses, as on Linux.
    sockAddr(sock, addr) {
      if (!addr) return addr;
      if (sock.family === {{{ cDefs.AF_INET6 }}}) {
        if (inetPton4(addr) !== null) return '::ffff:' + addr;
      } else {
        // An AF_INET socket may be told of an IPv4-mapped address.
        addr = directSockHelpers.apiAddr(addr);
      }
      return addr;
    },
    // A canonical form for comparing peers: parsed IPs, IPv4-mapped IPv6 as
    // IPv4, 'localhost' as the loopback address. null for a name that cannot
    // be resolved here.
    canonicalAddr(addr) {
      if (addr === 'localhost') return '127.0.0.1';
      addr = directSockHelpers.apiAddr(addr);
      var v4 = inetPton4(addr);
      if (v4 !== null) return inetNtop4(v4);
      var v6 = inetPton6(addr);
      if (v6 === null) return null;
      addr = inetNtop6(v6);
      return addr === '::1' ? '127.0.0.1' : addr;
    },
    // Whether a datagram from addr:port comes from the peer an emulated UDP
    // connect() named. A peer given as a host name other than localhost
    // cannot be resolved here, so only its port is compared.
    isPeer(sock, addr, port) {
      if (port !== sock.dport) return false;
      var peer = directSockHelpers.canonicalAddr(sock.daddr);
      return peer === null || peer === directSockHelpers.canonicalAddr(addr);
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
#if PTHREADS
      directSockHelpers.ringOpen(sock);
#endif
      directSockHelpers.pumpRead(sock);
      directSockHelpers.pumpWrite(sock);
    },

    // Receive pump: one read() at a time, paused while RECV_HIGH_WATER bytes
    // are queued (recvmsg resumes it), so a fast peer cannot grow the heap
    // without bound. End of stream is EOF; a rejected read is a pending error
    // that recvmsg reports once before EOF.
    //
    // A TCP socket keeps a read pending for as long as it can instead: up to
    // TCP_RECV_HIGH_WATER, and after a pause once the program is back below
    // TCP_RECV_LOW_WATER. Chromium 156 ends a TCPSocket's readable stream as
    // soon as the peer's FIN reaches it and drops whatever the 64 KiB pipe
    // behind the stream still holds (TCPReadableStreamWrapper::OnHandleReset);
    // only a read already pending when the network service writes the last
    // bytes gets them. So a socket that paused whenever its program fell
    // behind lost the tail of every stream a faster peer closed (a reader
    // taking 64 KiB per millisecond lost it every time). Now only the read
    // that reaches the high-water mark can be the one before the last bytes:
    // about one transfer in TCP_RECV_LOW_WATER / 64 KiB that ends while the
    // program is that far behind.
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
      var queued = sock.recv_bytes || 0;
      if (sock.type === {{{ cDefs.SOCK_STREAM }}}) {
        if (queued >= {{{ TCP_RECV_HIGH_WATER }}}) sock.recvFull = true;
        else if (queued < {{{ TCP_RECV_LOW_WATER }}}) sock.recvFull = false;
        if (sock.recvFull) return;
      } else {
        if (queued >= {{{ RECV_HIGH_WATER }}}) return;
#if PTHREADS
        // The ring was full, so data waits in recv_queue: read on once the
        // program made room (_emscripten_sock_ring_kick).
        if (sock.ring && sock.recv_queue.length) return;
#endif
        if (sock.writes >= {{{ UDP_READ_GATE }}}) return;
      }
      sock.reading = true;
      sock.reader.read().then(({ value, done }) => {
        sock.reading = false;
        // Data reaches the stream in a task of the browser's, so the event
        // loop has just turned and the next poll() need not force a turn
        // (yieldAfterPoll). Reads of chunks the stream already held complete
        // without one, but those run out: the starvation bound still holds.
        directSockHelpers.lastYield = performance.now();
        if (sock.state === {{{ SOCK_STATE_CLOSED }}}) return;
        if (done) {
          sock.readClosed = true;
#if PTHREADS
          directSockHelpers.ringSync(sock);
#endif
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
#if PTHREADS
      // The ring holds the oldest data and recv_queue what came after it, so
      // data goes to the ring only while recv_queue is empty.
      if (sock.ring && !sock.recv_queue.length && directSockHelpers.ringPushRecv(sock, addr, port, data)) {
        SOCKFS.emit('message', sock.stream.fd);
        directSockHelpers.ringAwaitReply(sock);
        return;
      }
#endif
      sock.recv_queue.push({ addr, port, data });
#if PTHREADS
      // recvfrom() must now ask us when the ring is empty.
      if (sock.ring && sock.recv_queue.length == 1) directSockHelpers.ringSync(sock);
#endif
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
    // network service. A datagram cannot be coalesced, so UDP queues up to
    // UDP_WRITES_IN_FLIGHT writes on the stream. The stream still hands the
    // browser one write at a time, so the round trip per datagram remains the
    // limit, but it starts the next write as soon as the previous one settles
    // rather than after a turn through this pump. They do not wait on
    // writer.ready: in Chromium 156 that serialised them again. The bound is
    // modest because with hundreds of writes in flight Chromium 156 dropped
    // about 1% of datagrams on loopback (none with 64).
    //
    // TCP keeps one write in flight, so that each write starts with a known
    // history of the Mojo pipe behind the stream: tcpSendPiece chooses what
    // goes out next and tcpWrite writes it, checks whether Chromium dropped
    // it (see TCP_PIPE_CAPACITY) and writes the same bytes again if so.
    pumpWrite(sock) {
      if (!sock.writer) return;
      var queue = sock.send_queue ?? [];
      sock.writes ??= 0;
      if (sock.type === {{{ cDefs.SOCK_DGRAM }}}) {
        while (queue.length && sock.writes < {{{ UDP_WRITES_IN_FLIGHT }}}) {
          directSockHelpers.startWrite(sock, queue.shift());
        }
      } else if (queue.length && !sock.writes) {
        var piece = directSockHelpers.tcpSendPiece(sock);
        if (piece) directSockHelpers.tcpWrite(sock, piece);
      }
      // A shutdown(SHUT_WR) or close() waits for queued data; the FIN (or the
      // close) goes out after the last write settled.
      if (!queue.length && !sock.writes && sock.writeShutdown && !sock.writerClosed) {
        sock.writerClosed = true;
        sock.writer.close().catch(() => {});
      }
    },
    // Issue one UDP write and account for it when it settles (which also
    // resumes a read paused by UDP_READ_GATE, see pumpRead). Only the first
    // failure is reported: the writable stream is errored from then on, so
    // the writes still in flight reject as well, and they must neither report
    // again nor release bytes that the failure already dropped.
    startWrite(sock, msg) {
      var size = msg.data.length;
      sock.writes++;
      sock.writer.write(msg).then(() => {
        sock.writes--;
        directSockHelpers.pumpRead(sock);
        directSockHelpers.writeDone(sock, size);
      }, (e) => {
        sock.writes--;
        directSockHelpers.pumpRead(sock);
        directSockHelpers.writeFailed(sock, e);
      });
    },
    // Account for bytes a settled write took off the send queue.
    writeDone(sock, size) {
      if (sock.writeFailed) return;
      if (sock.state === {{{ SOCK_STATE_CLOSED }}} && !sock.writeShutdown) return;
      var wasFull = sock.send_bytes >= directSockHelpers.sendLimit(sock);
      sock.send_bytes -= size;
#if PTHREADS
      directSockHelpers.ringSendBytes(sock);
#endif
      if (wasFull && sock.state !== {{{ SOCK_STATE_CLOSED }}}) SOCKFS.emit('open', sock.stream.fd);
      directSockHelpers.pumpWrite(sock);
    },
    writeFailed(sock, e) {
      if (sock.writeFailed) return;
      sock.send_queue = [];
      sock.send_bytes = 0;
      // Later sends fail with EPIPE; the cause is reported once through
      // SO_ERROR/POLLERR.
      sock.writeFailed = true;
#if PTHREADS
      directSockHelpers.ringSync(sock);
#endif
      directSockHelpers.setError(sock, directSockHelpers.toErrno(e,
        sock.type === {{{ cDefs.SOCK_STREAM }}} ? {{{ cDefs.ECONNRESET }}} : {{{ cDefs.EIO }}}), e);
    },

    // Counters of the TCP send pump, for every socket together
    // (directSockHelpers.tcpSendStats) and per socket (sock.sendStats), which
    // tests and benchmarks read from a --pre-js/--post-js. All are counts of
    // write()s unless named otherwise:
    //   verified   pieces larger than the pipe, checked for a drop
    //   safe       pieces of at most the pipe's size written while the pipe
    //              cannot be full (the connection has written less than it)
    //   unverified pieces of at most the pipe's size that could not be checked
    //   plain      pieces written without a check (the browser failed the
    //              check below, so a drop cannot be told from a delivery)
    //   drops      verified pieces that settled in the calling task: dropped
    //   retries    re-sends of dropped pieces (same bytes)
    //   checksAsync, checksInTask  outcomes of the per-connection check
    //   unchecked  connections that could not make the check (plain writes)
    tcpNewStats() {
      return { verified: 0, safe: 0, unverified: 0, plain: 0, drops: 0, retries: 0,
               checksAsync: 0, checksInTask: 0, unchecked: 0 };
    },
    tcpCount(sock, name) {
      directSockHelpers.tcpSendStats ??= directSockHelpers.tcpNewStats();
      sock.sendStats ??= directSockHelpers.tcpNewStats();
      directSockHelpers.tcpSendStats[name]++;
      sock.sendStats[name]++;
    },

    // Choose the next TCP write, or return null to wait (a timer or the next
    // sendmsg runs the pump again). Called with no write in flight, so
    // send_bytes is exactly what is queued. Returns {data, kind, bound}.
    //
    // The rule: Chromium drops a write only when the pipe is completely full
    // as it starts, and then settles it within the task that called write();
    // a write larger than the pipe that is not dropped can only settle in a
    // later task. So a piece larger than the pipe is checked (tcpWrite) and
    // written again when it was dropped: nothing is lost and, since only
    // dropped pieces settle in the task, nothing is written twice.
    //
    // That holds only while the browser cannot take a whole piece at once. So
    // each connection first checks what a piece of TCP_PIPE_CAPACITY + 1
    // bytes does while the pipe is known not to be full (kind 'check'):
    //  - it settles in a later task: the pipe holds fewer than `bound` bytes,
    //    where bound = TCP_PIPE_CAPACITY + 1 plus whatever the connection had
    //    written before (at most that much can still sit in the pipe). Pieces
    //    of at least `bound` bytes are checked from then on ('detect').
    //  - it settles in the task: this browser accepts writes larger than the
    //    pipe we know synchronously (a larger pipe, or another design), so a
    //    settle in the task would not mean a drop. The connection falls back
    //    to plain writes and never writes anything twice ('plain'). A fixed
    //    Chromium with the same pipe passes the check; it then never settles a
    //    piece in the task, so nothing is re-sent there either.
    // The check is made on the first write when it is large. A connection
    // that starts with small writes sends fewer than TCP_PIPE_CAPACITY bytes
    // that way (so the bound stays below twice the pipe) until it has enough
    // queued for the check, or takes the verdict of an earlier connection
    // (the pipe is the browser's, not the connection's). The write that would
    // take it past that first waits as an unverified write does, but until
    // all its writes are TCP_SMALL_WRITE_WAIT_MS old, so that a program
    // sending 64 KiB per send() has queued enough for the check by then. One
    // that has passed the pipe's size in small writes before its first large
    // send and has no verdict to take writes plain pieces ('unchecked'):
    // lossy on a browser with the bug.
    //
    // Writes of at most the pipe's size (the tail of a transfer, request and
    // response traffic, a trickle after a stall) cannot be checked: one that
    // fitted settles in the task just like one that was dropped. Queued data
    // is merged, so a small write goes out alone only when less than a piece
    // is queued and no write is in flight. Then:
    //  - provably safe ('safe'): the connection has written fewer than
    //    TCP_PIPE_CAPACITY bytes in total, so the pipe cannot be full.
    //  - otherwise not provable ('unverified'). It goes out once the writes
    //    that settled in the last TCP_SMALL_WRITE_WAIT_MS add up to less than
    //    the pipe (tcpPipeWait), and waits for older ones to age out before
    //    that (data queued meanwhile is merged and may make a checked piece).
    //    That assumes the network service drains a write within that time:
    //    0 of 372 small writes were lost 10 ms after a large write to a slow
    //    reader, against 6-28 of 124 one task turn after it. A loaded machine
    //    drains more slowly, so the wait grows with the longest time a
    //    dropped piece found the pipe still full (tcpSmallWriteWait).
    //    Request/response traffic sending less than the pipe's size per
    //    tcpSmallWriteWait(sock) (TCP_SMALL_WRITE_WAIT_MS until a late drop)
    //    never waits.
    //    Data from the peer is no evidence that the pipe drained: an echo
    //    peer answers data written long before, and 64 KiB writes let out as
    //    soon as the peer had sent something lost a whole write in about 1
    //    of 8 runs of a streaming echo (test_tcp_bulk.c with SO_SNDBUF 64
    //    KiB). A write is still lost when the pipe stays full for longer than
    //    the wait (a starved network service); the real fix is in Chromium.
    tcpSendPiece(sock) {
      var queued = sock.send_bytes;
      var sent = sock.sentBytes ?? 0;
      var C = {{{ TCP_PIPE_CAPACITY }}};
      if (sock.sendMode === undefined && queued > C) {
        var verdict = directSockHelpers.tcpVerdict;
        if (sent && verdict) {
          sock.sendMode = verdict.mode;
          sock.sendBound = verdict.bound;
        } else if (sent < C) {
          return { data: directSockHelpers.takeBytes(sock, C + 1), kind: 'check', bound: C + 1 + sent };
        } else {
          sock.sendMode = 'plain';
          directSockHelpers.tcpCount(sock, 'unchecked');
        }
      }
      if (sock.sendMode === 'plain') {
        return { data: directSockHelpers.takeBytes(sock, Math.min(queued, {{{ TCP_PIECE }}})), kind: 'plain' };
      }
      if (sock.sendMode === 'detect' && queued >= sock.sendBound) {
        // A rest smaller than a checked piece goes with this one.
        var len = Math.min(queued, {{{ TCP_PIECE }}});
        if (queued - len < sock.sendBound) len = queued;
        return { data: directSockHelpers.takeBytes(sock, len), kind: 'verified' };
      }
      var unchecked = sock.sendMode === undefined && sent < C;
      if (sent < C) {
        // While unchecked, keep the connection able to make the check: it
        // stays under TCP_PIPE_CAPACITY bytes written this way.
        var room = unchecked ? C - 1 - sent : queued;
        if (room > 0) return { data: directSockHelpers.takeBytes(sock, Math.min(queued, room)), kind: 'safe' };
      }
      var wait = directSockHelpers.tcpPipeWait(sock, unchecked ? 1 : C);
      if (wait > 0) {
        sock.sendTimer ??= setTimeout(() => {
          sock.sendTimer = null;
          directSockHelpers.pumpWrite(sock);
        }, wait);
        return null;
      }
      return { data: directSockHelpers.takeBytes(sock, queued), kind: 'unverified' };
    },
    // Milliseconds until an unverified write may start (0: now): until the
    // writes that settled within TCP_SMALL_WRITE_WAIT_MS, which may still sit
    // in the pipe, add up to less than `limit` bytes (TCP_PIPE_CAPACITY: so
    // that the pipe cannot be full; 1: until there are none).
    // sock.recentWrites lists them as {at, len} (settle time from
    // performance.now(), bytes), oldest first; tcpWrite adds to it.
    tcpPipeWait(sock, limit) {
      var recent = directSockHelpers.tcpRecentWrites(sock);
      var bytes = sock.recentBytes;
      var i = 0;
      while (bytes >= limit) bytes -= recent[i++].len;
      return i ? recent[i - 1].at + directSockHelpers.tcpSmallWriteWait(sock) - performance.now() : 0;
    },
    // How long (ms) after a write settled an unverified write assumes that the
    // write has left the pipe: TCP_SMALL_WRITE_WAIT_MS, or longer once one of
    // the connection's pieces was dropped that long after its previous write
    // settled. Nothing else writes into the pipe, so it was full all that time
    // (sock.longestFullMs: the longest such time; a loaded machine or a peer
    // that stopped reading).
    tcpSmallWriteWait(sock) {
      var full = sock.longestFullMs ?? 0;
      return Math.min({{{ TCP_SMALL_WRITE_MAX_WAIT_MS }}}, Math.max({{{ TCP_SMALL_WRITE_WAIT_MS }}}, {{{ TCP_FULL_WAIT_FACTOR }}} * full));
    },
    // sock.recentWrites without the writes that settled longer than
    // tcpSmallWriteWait(sock) ago (sock.recentBytes: their total).
    tcpRecentWrites(sock) {
      var recent = sock.recentWrites ??= [];
      sock.recentBytes ??= 0;
      var since = performance.now() - directSockHelpers.tcpSmallWriteWait(sock);
      while (recent.length && recent[0].at <= since) sock.recentBytes -= recent.shift().len;
      return recent;
    },
    // Take `len` bytes off the front of the TCP send queue as one array.
    takeBytes(sock, len) {
      var queue = sock.send_queue;
      if (queue[0].length === len) return queue.shift();
      var out = new Uint8Array(len);
      for (var pos = 0; pos < len;) {
        var part = queue[0];
        var n = Math.min(part.length, len - pos);
        out.set(n < part.length ? part.subarray(0, n) : part, pos);
        if (n < part.length) queue[0] = part.subarray(n);
        else queue.shift();
        pos += n;
      }
      return out;
    },
    // Resolves true when writer.write(data) settled within the microtask
    // checkpoint of the task that called it, false when it settled later; it
    // rejects as the write does. The hops are queued right after write(), so
    // they all run in this task's checkpoint.
    settledInTask(writer, data) {
      var watching = true;
      var written = writer.write(data).then(() => watching);
      var hop = (n) => {
        if (n) queueMicrotask(() => hop(n - 1));
        else watching = false;
      };
      hop({{{ TCP_SETTLE_HOPS }}});
      return written;
    },
    // Write one TCP piece (see tcpSendPiece), re-sending a dropped verified
    // piece after a task turn and then a growing delay (the pipe was full, so
    // an immediate retry would be dropped again). It is the only write in
    // flight until it was delivered or the stream failed.
    tcpWrite(sock, piece) {
      var data = piece.data;
      var attempt = 0;
      sock.writes = 1;
      // A write that was waiting (tcpSendPiece) goes out with this one.
      clearTimeout(sock.sendTimer);
      sock.sendTimer = null;
      var fail = (e) => {
        sock.writes = 0;
        directSockHelpers.writeFailed(sock, e);
      };
      var tryWrite = () => {
        // An abortive close (SO_LINGER {1, 0}) discards what is queued.
        if (sock.writeFailed || (sock.state === {{{ SOCK_STATE_CLOSED }}} && !sock.writeShutdown)) {
          sock.writes = 0;
          return;
        }
        var writer = sock.writer;
        var startedAt = performance.now();
        // Only a check and a verified piece need to know whether the write
        // settled in this task. The others skip the TCP_SETTLE_HOPS
        // microtasks: in a request/response server (10,000 round trips of
        // 64 B, Chromium 156) they took about a fifth of the page's busy
        // time.
        var written = piece.kind === 'check' || piece.kind === 'verified'
          ? writer.ready.then(() => directSockHelpers.settledInTask(writer, data))
          : writer.write(data).then(() => false);
        written.then((inTask) => {
          if (piece.kind === 'verified' && inTask) {
            directSockHelpers.tcpCount(sock, 'drops');
            if (sock.lastSettleAt !== undefined) {
              var full = startedAt - sock.lastSettleAt;
              sock.longestFullMs = Math.max(sock.longestFullMs ?? 0, full);
            }
            var delay = attempt < {{{ TCP_RETRY_YIELDS }}} ? 0 : Math.min({{{ TCP_RETRY_MAX_DELAY_MS }}}, 2 ** (attempt - {{{ TCP_RETRY_YIELDS }}}));
            attempt++;
            setTimeout(() => {
              directSockHelpers.tcpCount(sock, 'retries');
              tryWrite();
            }, delay);
            return;
          }
          if (piece.kind === 'check') {
            sock.sendMode = inTask ? 'plain' : 'detect';
            sock.sendBound = piece.bound;
            directSockHelpers.tcpCount(sock, inTask ? 'checksInTask' : 'checksAsync');
            // The pipe is the browser's: later connections that wrote small
            // pieces first take the lowest bound found, and a check that
            // settled in the task turns them to plain writes.
            var verdict = directSockHelpers.tcpVerdict;
            if (inTask || !verdict || (verdict.mode === 'detect' && piece.bound < verdict.bound)) {
              directSockHelpers.tcpVerdict = { mode: sock.sendMode, bound: piece.bound };
            }
          } else {
            directSockHelpers.tcpCount(sock, piece.kind);
          }
          sock.writes = 0;
          sock.sentBytes = (sock.sentBytes ?? 0) + data.length;
          sock.lastSettleAt = performance.now();
          directSockHelpers.tcpRecentWrites(sock).push({ at: sock.lastSettleAt, len: data.length });
          sock.recentBytes += data.length;
          directSockHelpers.writeDone(sock, data.length);
        }, fail);
      };
      tryWrite();
    },
    // SO_SNDBUF: how many bytes sendmsg queues before a non-blocking send
    // reports EAGAIN (what getsockopt reports too). A TCP socket queues at
    // least TCP_SEND_QUEUE_MIN, whatever was set.
    sendLimit(sock) {
      var limit = sock.opts?.sendBuf || {{{ SEND_BUFFER_DEFAULT }}};
      return sock.type === {{{ cDefs.SOCK_STREAM }}} ? Math.max(limit, {{{ TCP_SEND_QUEUE_MIN }}}) : limit;
    },
    // Queue bytes (TCP) or a UDPMessage (UDP) for the send pump. A
    // non-blocking socket accepts at most the room left under SO_SNDBUF and
    // reports EAGAIN when there is none (a short write is allowed for TCP);
    // a blocking one cannot block here and queues everything. `accepted`
    // data was taken already (by libc's send ring) and is queued whole.
    queueSend(sock, buffer, offset, length, makeMsg, accepted) {
      var limit = directSockHelpers.sendLimit(sock);
      if ((sock.stream.flags & {{{ cDefs.O_NONBLOCK }}}) && !accepted) {
        var room = limit - sock.send_bytes;
        if (room <= 0) throw new FS.ErrnoError({{{ cDefs.EAGAIN }}});
        if (sock.type === {{{ cDefs.SOCK_STREAM }}} && length > room) length = room;
      }
      var data = directSockHelpers.copyOut(buffer, offset, length);
      sock.send_queue.push(makeMsg ? makeMsg(data) : data);
      sock.send_bytes += length;
#if PTHREADS
      directSockHelpers.ringSendBytes(sock);
#endif
      directSockHelpers.pumpWrite(sock);
      return length;
    },

    // Accept loop of a listener: take connections from the TCPServerSocket
    // while fewer than the backlog wait for accept() (accept() resumes it), so
    // the backlog bounds what is queued here as it does in the kernel.
    pumpAccept(sock) {
      if (sock.accepting || !sock.acceptReader || sock.state === {{{ SOCK_STATE_CLOSED }}}) return;
      if (sock.pending.length >= sock.backlog) return;
      sock.accepting = true;
      sock.acceptReader.read().then(({ value, done }) => {
        sock.accepting = false;
        if (done || sock.state === {{{ SOCK_STATE_CLOSED }}}) {
          value?.close().catch(() => {});
          return;
        }
        value.opened.then((info) => {
          if (sock.state === {{{ SOCK_STATE_CLOSED }}}) {
            value.close().catch(() => {});
            return;
          }
          sock.pending.push({ tcp: value, info });
#if PTHREADS
          directSockHelpers.ringSync(sock);
#endif
          // Makes the listener readable (POLLIN).
          SOCKFS.emit('connection', sock.stream.fd);
        }, () => {}); // a connection that failed to open is dropped
        directSockHelpers.pumpAccept(sock);
      }, (e) => {
        sock.accepting = false;
        directSockHelpers.setError(sock, directSockHelpers.toErrno(e, {{{ cDefs.ECONNABORTED }}}), e);
      });
    },
    isLoopback(addr) {
      addr = directSockHelpers.canonicalAddr(addr ?? '');
      return addr !== null && (addr.startsWith('127.') || addr === '::1');
    },

    // A bound-mode datagram to addr:port.
    udpMessage(sock, data, addr, port) {
      return { data, remoteAddress: directSockHelpers.apiAddr(addr), remotePort: port };
    },
    // sendto() a host name on a bound UDP socket. The API would resolve the
    // name itself, but one that does not resolve fails the write, which
    // errors the writable stream and so every later send (Chromium 156). So
    // names are resolved first, once, to the socket's family (resolves()),
    // and datagrams go to the address. The first datagram to a name waits
    // for that, and is dropped if the name does not resolve; the next send to
    // it then fails with EHOSTUNREACH, and the one after asks again.
    sendToName(sock, buffer, offset, length, name, port, accepted) {
      var names = directSockHelpers.names ??= new Map();
      var key = `${sock.family} ${name}`;
      var entry = names.get(key);
      if (entry?.addr) {
        return directSockHelpers.queueSend(sock, buffer, offset, length,
          (data) => directSockHelpers.udpMessage(sock, data, entry.addr, port), accepted);
      }
      if (entry?.failed) {
        names.delete(key);
        throw new FS.ErrnoError({{{ cDefs.EHOSTUNREACH }}});
      }
      if (!entry) {
        entry = {};
        entry.resolving = directSockHelpers.resolve(sock, name, port).then((addr) => {
          entry.resolving = null;
          if (addr) entry.addr = addr;
          else entry.failed = true;
        });
        names.set(key, entry);
      }
      var data = directSockHelpers.copyOut(buffer, offset, length);
      entry.resolving.then(() => {
        if (!entry.addr || sock.state === {{{ SOCK_STATE_CLOSED }}} || sock.writeFailed) return;
        // A non-blocking socket whose send queue filled up meanwhile drops the
        // datagram, as UDP may (queueSend would throw EAGAIN).
        var full = sock.send_bytes >= directSockHelpers.sendLimit(sock);
        if (full && (sock.stream.flags & {{{ cDefs.O_NONBLOCK }}})) return;
        directSockHelpers.queueSend(sock, data, 0, length, (d) => directSockHelpers.udpMessage(sock, d, entry.addr, port));
      });
      return length;
    },

    // sendmsg() on a UDP socket; `accepted` as for queueSend.
    sendDatagram(sock, buffer, offset, length, addr, port, accepted) {
      sock.send_queue ??= [];
      sock.send_bytes ??= 0;
      // A failed write leaves the writable stream errored for good.
      if (sock.writeFailed) throw new FS.ErrnoError({{{ cDefs.EPIPE }}});
      // A datagram larger than IP can carry is EMSGSIZE, as on Linux (the
      // API would fail the write and with it the socket).
      var dest = directSockHelpers.apiAddr(addr ?? sock.daddr ?? '');
      var ipv6 = sock.family === {{{ cDefs.AF_INET6 }}} && inetPton4(dest) === null;
      if (length > (ipv6 ? {{{ UDP_MAX_PAYLOAD_6 }}} : {{{ UDP_MAX_PAYLOAD_4 }}})) {
        throw new FS.ErrnoError({{{ cDefs.EMSGSIZE }}});
      }
      // Linux sends an empty datagram; the API refuses one (TypeError),
      // which would error the writable stream and so the socket.
      if (!length) throw new FS.ErrnoError({{{ cDefs.EINVAL }}});
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
      if (bound && !directSockHelpers.isIPLiteral(directSockHelpers.apiAddr(addr))) {
        return directSockHelpers.sendToName(sock, buffer, offset, length, directSockHelpers.apiAddr(addr), port, accepted);
      }
      return directSockHelpers.queueSend(sock, buffer, offset, length,
        (data) => bound ? directSockHelpers.udpMessage(sock, data, addr, port) : { data }, accepted);
    },

    // Forget a failed connection attempt once connect() reported it: the
    // socket is unconnected again and may connect() anew.
    resetConnect(sock) {
      sock.tcp = null;
      sock.connectFailed = sock.connectReported = false;
      sock.error = null;
      sock.state = sock.saddr !== undefined ? {{{ SOCK_STATE_BOUND }}} : undefined;
      sock.daddr = sock.dport = undefined;
    },
    // Whether a host name resolves (a Promise of a boolean). The API reports
    // a name that does not resolve just like a refused connection (a bare
    // NetworkError), so after a connect() to a name failed this asks again
    // through a connected-mode UDPSocket: opening one resolves the name and
    // sends nothing.
    resolves(sock, name, port) {
      return directSockHelpers.resolve(sock, name, port).then((addr) => addr !== null);
    },
    // Resolve a host name to an address of the socket's family: a Promise of
    // the address, of null if it does not resolve, or of undefined if that
    // cannot be told (no UDPSocket for the probe).
    resolve(sock, name, port) {
      var probe;
      try {
        probe = new UDPSocket({ remoteAddress: name, remotePort: port,
          dnsQueryType: sock.family === {{{ cDefs.AF_INET6 }}} ? 'ipv6' : 'ipv4' });
      } catch (e) {
        return Promise.resolve(undefined);
      }
      return probe.opened.then((info) => {
        probe.close().catch(() => {});
        return info.remoteAddress;
      }, () => null);
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
        sock.saddr = directSockHelpers.sockAddr(sock, info.localAddress);
        sock.sport = info.localPort;
        sock.multicast = info.multicastController;
        directSockHelpers.attachStreams(sock, info, (msg) => {
          var addr = msg.remoteAddress === undefined ? sock.daddr : directSockHelpers.sockAddr(sock, msg.remoteAddress);
          var port = msg.remotePort ?? sock.dport;
          // An emulated connect() on a bound socket only sees its peer, as the
          // kernel filter of a real connect() would.
          if (sock.peerFilter && !directSockHelpers.isPeer(sock, addr, port)) return;
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

#if PTHREADS
    // The shared-memory fast path of pthread builds (emscripten_sock_ring.c).
    // Under PROXY_TO_PTHREAD every socket syscall is a synchronous round trip
    // from the program's thread to this one (about 100 us in Chromium 156,
    // whatever the call does), and a server pays several per message.
    // So an open socket gets a ring in libc: received datagrams (TCP: chunks)
    // are pushed there as records that recv()/recvfrom() read without a
    // syscall, and send()/sendto() queue records there that ringDrainSend
    // hands to the send pump. The ring holds the oldest received data and
    // recv_queue what came after it (recv_queue only fills while the ring is
    // full), and queued sends are older than any sendmsg() here, so every
    // syscall that reads or sends consumes the ring first and order is kept.
    // fds beyond libc's table get no ring (0) and use the syscalls only.
    // poll() reads the rings and their status too, and waits on a futex that
    // the changes below wake when they can end its wait; a listener's ring
    // only has the status.
    ringOpen(sock) {
      if (sock.ring) return;
      // ringDrainSend queues without going through sendmsg.
      sock.send_queue ??= [];
      sock.send_bytes ??= 0;
      sock.ring = __emscripten_sock_ring_create(sock.stream.fd, sock.type, sock.family, {{{ RECV_HIGH_WATER }}});
      directSockHelpers.ringSync(sock);
    },
    // Tell libc what the fast path may do: send only while the socket is
    // open and healthy (TCP: connected, no error pending, not shut down),
    // send() without an address only when connected, and no more than
    // SO_SNDBUF counting what JS holds; report EAGAIN for an empty ring only
    // when recvmsg would (nothing in recv_queue, no error, TCP: no EOF).
    ringSync(sock) {
      if (!sock.ring) return;
      var status = 0;
      if (sock.server) {
        if (!sock.pending.length && !sock.error) status = {{{ SOCK_RING_LISTEN_IDLE }}};
        __emscripten_sock_ring_sync(sock.ring, status, 0, 0);
        return;
      }
      var open = sock.writer && !sock.writeFailed && sock.state !== {{{ SOCK_STATE_CLOSED }}};
      var readable = !sock.recv_queue.length && !sock.error;
      if (sock.type === {{{ cDefs.SOCK_STREAM }}}) {
        open &&= sock.state === {{{ SOCK_STATE_CONNECTED }}} && !sock.writeShutdown && !sock.error && !sock.connectFailed;
        readable &&= !sock.readClosed;
      }
      if (open) status |= {{{ SOCK_RING_SEND_OK }}};
      if (sock.daddr !== undefined) status |= {{{ SOCK_RING_CONNECTED }}};
      if (readable) status |= {{{ SOCK_RING_RECV_EMPTY }}};
      __emscripten_sock_ring_sync(sock.ring, status, directSockHelpers.sendLimit(sock), sock.send_bytes ?? 0);
    },
    ringSendBytes(sock) {
      if (sock.ring) __emscripten_sock_ring_set_js_send_bytes(sock.ring, sock.send_bytes);
    },
    // Push a received datagram, with its source formatted as recvfrom()
    // returns it; false when the ring is full (libc then kicks us once the
    // program made room).
    ringPushRecv(sock, addr, port, data) {
      var rec = __emscripten_sock_ring_rec_alloc(data.length);
      if (!rec) return false;
      // recv() on TCP reports no address.
      if (sock.type === {{{ cDefs.SOCK_DGRAM }}}) {
        writeSockaddr(__emscripten_sock_ring_rec_addr(rec), sock.family, addr, port, __emscripten_sock_ring_rec_addrlen(rec));
      }
      HEAPU8.set(data, __emscripten_sock_ring_rec_data(rec));
      if (__emscripten_sock_ring_push_recv(sock.ring, rec)) return true;
      _free(rec);
      return false;
    },
    // Move what waits in recv_queue into the ring while it has room.
    ringFill(sock) {
      var queue = sock.recv_queue;
      var moved = queue.length;
      while (queue.length && directSockHelpers.ringPushRecv(sock, queue[0].addr, queue[0].port, queue[0].data)) {
        sock.recv_bytes -= queue.shift().data.length;
      }
      if (moved && !queue.length) directSockHelpers.ringSync(sock);
    },
    // The oldest datagram of the ring (TCP: up to `length` bytes of the
    // oldest chunk) as a recv_queue entry, or null; with `peek` it stays in
    // the ring.
    ringRecv(sock, length, peek) {
      var rec = __emscripten_sock_ring_pop_recv(sock.ring);
      if (!rec) return null;
      var off = __emscripten_sock_ring_rec_off(rec);
      var left = __emscripten_sock_ring_rec_len(rec) - off;
      var n = sock.type === {{{ cDefs.SOCK_DGRAM }}} ? left : Math.min(length, left);
      var ptr = __emscripten_sock_ring_rec_data(rec) + off;
      // A copy: the record is freed (or may be, by the program, once back).
      var data = HEAPU8.slice(ptr, ptr + n);
      var addr = sock.daddr, port = sock.dport;
      if (sock.type === {{{ cDefs.SOCK_DGRAM }}}) {
        var from = readSockaddr(__emscripten_sock_ring_rec_addr(rec), {{{ makeGetValue('__emscripten_sock_ring_rec_addrlen(rec)', 0, 'i32') }}});
        addr = from.addr;
        port = from.port;
      }
      if (peek || n < left) {
        __emscripten_sock_ring_unpop_recv(sock.ring, rec, peek ? 0 : n);
      } else {
        _free(rec);
        directSockHelpers.ringFill(sock);
      }
      return { data, addr, port };
    },
    // Hand what send()/sendto() queued in the ring to the send pump, in
    // order. libc checked what the syscall would reject (see
    // __sock_ring_send) and reported the data as sent, so a failure here
    // drops it: a datagram, as UDP may, or TCP data on a connection that
    // failed after the send, as when the kernel had taken it. shutdown() and
    // close() drain the ring before they end the stream.
    ringDrainSend(sock) {
      var rec;
      while ((rec = __emscripten_sock_ring_pop_send(sock.ring))) {
        try {
          var len = __emscripten_sock_ring_rec_len(rec);
          if (sock.type === {{{ cDefs.SOCK_STREAM }}}) {
            if (!sock.writeFailed && !sock.writeShutdown && sock.state !== {{{ SOCK_STATE_CLOSED }}}) {
              directSockHelpers.queueSend(sock, HEAP8, __emscripten_sock_ring_rec_data(rec), len, undefined, true);
            }
            continue;
          }
          var addrlen = {{{ makeGetValue('__emscripten_sock_ring_rec_addrlen(rec)', 0, 'i32') }}};
          var dest = addrlen ? getSocketAddress(__emscripten_sock_ring_rec_addr(rec), addrlen) : undefined;
          directSockHelpers.sendDatagram(sock, HEAP8, __emscripten_sock_ring_rec_data(rec), len, dest?.addr, dest?.port, true);
        } catch (e) {
          if (!(e instanceof FS.ErrnoError)) throw e;
        } finally {
          _free(rec);
        }
      }
    },
    // Called after data was pushed into the receive ring. A program that
    // waited for it in poll() (libc's, woken by the push) usually answers at
    // once: a request/response server, an echo. Otherwise its send() asks
    // for a drain, which reaches this thread only in a task of its own after
    // a cross-thread wake (in Chromium 156 on 2 cores, tcp-rr under -pthread
    // ran at 0.59-0.66x of plain JS that way, and at 0.68-0.77x with this).
    // So busy-wait up to REPLY_WAIT_MS for the answer in the send ring and
    // write it in this task. A program that does not answer that fast (a
    // sink, or one that computes first) makes its socket back off, so it
    // costs the main thread little.
    ringAwaitReply(sock) {
      if (sock.replySkip) {
        sock.replySkip--;
        return;
      }
      var answered = __emscripten_sock_ring_await_send(sock.ring, {{{ REPLY_WAIT_MS }}});
      // -1: no poll() waits, or the program sent before this data came and
      // asked for a drain.
      if (answered < 0) return;
      if (answered) {
        sock.replyMisses = 0;
        directSockHelpers.ringDrainSend(sock);
      } else {
        sock.replyMisses = Math.min((sock.replyMisses ?? 0) + 1, {{{ REPLY_MAX_MISSES }}});
        sock.replySkip = 2 ** sock.replyMisses;
      }
    },
    // Send-ring bytes libc holds, for POLLOUT.
    ringSendQueued(sock) {
      return sock.ring ? __emscripten_sock_ring_send_bytes(sock.ring) : 0;
    },
#endif

    // Multicast membership through the MulticastController of a bound
    // UDPSocket (IP_ADD_MEMBERSHIP/IPV6_JOIN_GROUP and the drop/leave
    // counterparts). The interface in the request is ignored: the API always
    // uses the default one. joinGroup() is asynchronous, so a failure is
    // reported later through SO_ERROR/POLLERR.
    membership(sock, group, join) {
      if (sock.type !== {{{ cDefs.SOCK_DGRAM }}}) return -{{{ cDefs.ENOPROTOOPT }}};
      sock.groups ??= new Set();
      if (join === sock.groups.has(group)) return -(join ? {{{ cDefs.EADDRINUSE }}} : {{{ cDefs.EADDRNOTAVAIL }}});
      var opening = sock.udp && sock.udpBound && !sock.reader;
      if (!sock.multicast && !opening) {
        // Only a bound socket has a controller, and only when the
        // direct-sockets-multicast policy allows it.
        return -(sock.udpBound ? {{{ cDefs.EACCES }}} : {{{ cDefs.EINVAL }}});
      }
      if (join) sock.groups.add(group);
      else sock.groups.delete(group);
      // `e` (the DOMException, for the message) is optional: Closure checks
      // the arity of calls.
      var fail = (errno, e = null) => {
        if (join) sock.groups.delete(group);
        directSockHelpers.setError(sock, errno, e);
      };
      var apply = () => {
        var ctl = sock.multicast;
        if (!ctl) return fail({{{ cDefs.EACCES }}});
        (join ? ctl.joinGroup(group) : ctl.leaveGroup(group)).catch((e) =>
          fail(directSockHelpers.toErrno(e, {{{ cDefs.EADDRNOTAVAIL }}}), e));
      };
      // A bind() that could not wait leaves the socket opening: join once it
      // has opened (a failure is reported through SO_ERROR, as for the join
      // itself, which is asynchronous too).
      if (opening) sock.opening.then(() => sock.udp && apply());
      else apply();
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

    // An int option value as Linux's setsockopt reads it: IPPROTO_IP options
    // also take a single byte (an unsigned char), every other level needs a
    // whole int. null when optlen is too short (EINVAL).
    readOptInt(level, optval, optlen) {
      if (optlen >= {{{ getNativeTypeSize('i32') }}}) return {{{ makeGetValue('optval', 0, 'i32') }}};
      if (level === {{{ cDefs.IPPROTO_IP }}} && optlen >= 1) return {{{ makeGetValue('optval', 0, 'u8') }}};
      return null;
    },
    // Store an int option as Linux's getsockopt does: no more than *optlen
    // bytes (the low ones; wasm is little-endian) and *optlen updated. With
    // less room than an int, IPPROTO_IP gives a single byte when the value
    // fits one.
    writeOptInt(level, optval, optlen, val) {
      var len = {{{ makeGetValue('optlen', 0, 'i32') }}};
      if (len < 0) return -{{{ cDefs.EINVAL }}};
      if (len >= {{{ getNativeTypeSize('i32') }}}) {
        len = {{{ getNativeTypeSize('i32') }}};
        {{{ makeSetValue('optval', 0, 'val', 'i32') }}};
      } else {
        if (level === {{{ cDefs.IPPROTO_IP }}} && len && val >= 0 && val <= 255) len = 1;
        for (var i = 0; i < len; i++) {{{ makeSetValue('optval', 'i', 'val >> (8 * i)', 'i8') }}};
      }
      {{{ makeSetValue('optlen', 0, 'len', 'i32') }}};
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

  // Imports of libc's ring fast path (emscripten_sock_ring.c), proxied to the
  // main thread without waiting: the caller has already queued its data.
#if PTHREADS
  // sendto() queued datagrams in the send ring of fd.
  _emscripten_sock_ring_drain__proxy: 'async',
  _emscripten_sock_ring_drain: (fd) => {
    // The fd may have been closed (close() drained the ring) or reused.
    var sock = SOCKFS.getSocket(fd);
    if (sock?.ring) directSockHelpers.ringDrainSend(sock);
  },
  // recvfrom() made room in the receive ring of fd after we found it full.
  _emscripten_sock_ring_kick__proxy: 'async',
  _emscripten_sock_ring_kick: (fd) => {
    var sock = SOCKFS.getSocket(fd);
    if (!sock?.ring) return;
    directSockHelpers.ringFill(sock);
    directSockHelpers.pumpRead(sock);
  },
#else
  // Only pthread builds have rings.
  _emscripten_sock_ring_drain: (fd) => {},
  _emscripten_sock_ring_kick: (fd) => {},
#endif

  $directSockOps__deps: ['$SOCKFS', '$FS', '$inetNtop4', '$inetNtop6', '$inetPton4'],
  $directSockOps: {
    poll(sock) {
      // A listener is readable when a connection is waiting to be accepted.
      if (sock.server) {
        var lmask = sock.pending.length ? ({{{ cDefs.POLLRDNORM }}} | {{{ cDefs.POLLIN }}}) : 0;
        if (sock.error) lmask |= {{{ cDefs.POLLERR }}};
        return lmask;
      }
      var queued = sock.send_bytes;
      var received = sock.recv_queue.length;
#if PTHREADS
      // Data in libc's rings counts as received or being sent.
      if (sock.ring) {
        queued += directSockHelpers.ringSendQueued(sock);
        received ||= __emscripten_sock_ring_recv_count(sock.ring);
      }
#endif
      var full = queued >= directSockHelpers.sendLimit(sock);
      if (sock.type === {{{ cDefs.SOCK_DGRAM }}}) {
        // Writable once open (or while unbound: sendto binds it), so poll can
        // wait for a bind() that could not wait itself.
        var dmask = full || (sock.udp && !sock.writer) ? 0 : {{{ cDefs.POLLOUT }}};
        if (received || sock.error) dmask |= ({{{ cDefs.POLLRDNORM }}} | {{{ cDefs.POLLIN }}});
        if (sock.error) dmask |= {{{ cDefs.POLLERR }}};
        return dmask;
      }
      if (sock.connectFailed) {
        // Linux's tcp_poll() on a socket whose connection attempt failed: a
        // closed socket reads EOF-like and writes fail at once.
        return {{{ cDefs.POLLIN }}} | {{{ cDefs.POLLRDNORM }}} | {{{ cDefs.POLLRDHUP }}} | {{{ cDefs.POLLOUT }}} |
               {{{ cDefs.POLLHUP }}} | (sock.error ? {{{ cDefs.POLLERR }}} : 0);
      }
      var mask = 0;
      if (received || sock.readClosed || sock.error) {
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
          if (sock.type === {{{ cDefs.SOCK_DGRAM }}}) {
            bytes = sock.recv_queue[0]?.data.length ?? 0;
#if PTHREADS
            // The ring holds the oldest datagrams.
            var next = sock.ring ? __emscripten_sock_ring_recv_next_len(sock.ring) : -1;
            if (next >= 0) bytes = next;
#endif
          }
          else {
            for (var q of sock.recv_queue) bytes += q.data.length;
#if PTHREADS
            if (sock.ring) bytes += __emscripten_sock_ring_recv_bytes(sock.ring);
#endif
          }
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
#if PTHREADS
      if (sock.ring) {
        // What sendto() queued was sent as far as the program knows: flush
        // it to the send pump like the rest. Then take the fd out of libc's
        // table, so the fast path misses, before the ring is freed.
        directSockHelpers.ringDrainSend(sock);
        __emscripten_sock_ring_destroy(sock.ring);
        sock.ring = 0;
      }
#endif
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
        // Connections the program did not accept yet.
        for (var pending of sock.pending) pending.tcp.close().catch(ignore);
        sock.pending = [];
      }
      return 0;
    },
    shutdown(sock, how) {
      if (sock.type !== {{{ cDefs.SOCK_STREAM }}} || sock.state !== {{{ SOCK_STATE_CONNECTED }}}) {
        return -{{{ cDefs.ENOTCONN }}};
      }
#if PTHREADS
      // What send() queued in libc's ring goes before the FIN.
      if (sock.ring) directSockHelpers.ringDrainSend(sock);
#endif
      if (how === {{{ cDefs.SHUT_RD }}} || how === {{{ cDefs.SHUT_RDWR }}}) {
        // Later reads see EOF; cancelling the readable stops the receive side.
        sock.readClosed = true;
        sock.recv_queue = [];
        sock.recv_bytes = 0;
#if PTHREADS
        if (sock.ring) __emscripten_sock_ring_clear_recv(sock.ring);
#endif
        sock.reader.cancel().catch(() => {});
      }
      if (how === {{{ cDefs.SHUT_WR }}} || how === {{{ cDefs.SHUT_RDWR }}}) {
        // Half-close: closing the writable sends FIN after the queued data.
        sock.writeShutdown = true;
        directSockHelpers.pumpWrite(sock);
      }
#if PTHREADS
      directSockHelpers.ringSync(sock);
#endif
      SOCKFS.emit('message', sock.stream.fd);
      return 0;
    },
    bind(sock, addr, port) {
      if (sock.saddr !== undefined || sock.tcp || sock.udp || sock.server) {
        throw new FS.ErrnoError({{{ cDefs.EINVAL }}}); // already bound
      }
      addr = directSockHelpers.localAddr(sock, addr);
      if (!directSockHelpers.isIPLiteral(addr)) throw new FS.ErrnoError({{{ cDefs.EADDRNOTAVAIL }}});
      if (sock.type === {{{ cDefs.SOCK_STREAM }}}) {
        // TCPServerSocket binds and listens in one step, and TCPSocket has no
        // local endpoint at all, so bind() only records the address: listen()
        // uses it, and a conflict surfaces there as EADDRINUSE. getsockname()
        // reports the requested port until then.
        sock.saddr = directSockHelpers.sockAddr(sock, addr);
        sock.sport = port;
        sock.state = {{{ SOCK_STATE_BOUND }}};
        return;
      }
      directSockHelpers.openUdp(sock, directSockHelpers.udpBoundOptions(sock, addr, port), true);
      // getsockname() reports the requested address until `opened` gives the
      // real one.
      sock.state = {{{ SOCK_STATE_BOUND }}};
      sock.saddr = directSockHelpers.sockAddr(sock, addr);
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
#if PTHREADS
          // Datagrams libc queued before still go to their own destinations.
          if (sock.ring) directSockHelpers.ringDrainSend(sock);
          directSockHelpers.ringSync(sock);
#endif
          return;
        }
        var opts = directSockHelpers.udpOptions(sock);
        addr = directSockHelpers.apiAddr(addr);
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
      if (sock.connectFailed) {
        // As Linux: the first connect() after a connection attempt failed in
        // the background reports its error (ECONNABORTED once SO_ERROR took
        // it); the next one, or the first after a blocking connect() that
        // failed, starts afresh.
        if (!sock.connectReported) {
          var failed = sock.error || {{{ cDefs.ECONNABORTED }}};
          sock.error = null;
          sock.connectReported = true;
          throw new FS.ErrnoError(failed);
        }
        directSockHelpers.resetConnect(sock);
      }
      if (sock.tcp) {
        throw new FS.ErrnoError(sock.state === {{{ SOCK_STATE_CONNECTING }}} ? {{{ cDefs.EALREADY }}} : {{{ cDefs.EISCONN }}});
      }
      // TCPSocket takes no local endpoint, so a bind() to a specific address
      // or port cannot be honoured. Fail rather than silently use another
      // source; a wildcard bind to port 0 asks for nothing and is fine.
      if (sock.saddr !== undefined && (!directSockHelpers.isWildcard(directSockHelpers.apiAddr(sock.saddr)) || sock.sport)) {
        throw new FS.ErrnoError({{{ cDefs.EADDRNOTAVAIL }}});
      }
      var remote = directSockHelpers.apiAddr(addr);
      var tcp;
      try {
        tcp = new TCPSocket(remote, port, directSockHelpers.tcpOptions(sock, remote));
      } catch (e) {
        throw new FS.ErrnoError(directSockHelpers.toErrno(e, {{{ cDefs.EINVAL }}}));
      }
      sock.tcp = tcp;
      sock.daddr = addr;
      sock.dport = port;
      sock.state = {{{ SOCK_STATE_CONNECTING }}};
      var opened = tcp.opened.then((info) => {
        if (sock.state === {{{ SOCK_STATE_CLOSED }}}) {
          tcp.close().catch(() => {});
          return 0;
        }
        sock.saddr = directSockHelpers.sockAddr(sock, info.localAddress);
        sock.sport = info.localPort;
        directSockHelpers.attachTcp(sock, info);
        return 0;
      }, (e) => {
        // Like Linux after a failed handshake, the socket is then closed for
        // sending (EPIPE) and reading (ENOTCONN), and poll reports
        // POLLERR|POLLHUP.
        var fail = (errno) => {
          if (sock.state === {{{ SOCK_STATE_CLOSED }}}) return 0;
          sock.connectFailed = true;
          sock.state = undefined;
          sock.send_queue = [];
          sock.send_bytes = 0;
          directSockHelpers.setError(sock, errno, e);
          return -errno;
        };
        // NetworkError cannot tell a refusal from a timeout or an unreachable
        // host; ECONNREFUSED is what programs expect from a failed connect.
        // A host name that does not resolve is EHOSTUNREACH (connect() has no
        // errno for a failed lookup: that is getaddrinfo's EAI_NONAME, but
        // emscripten's getaddrinfo leaves names to the browser).
        if (directSockHelpers.isIPLiteral(remote)) return fail(directSockHelpers.toErrno(e, {{{ cDefs.ECONNREFUSED }}}));
        return directSockHelpers.resolves(sock, remote, port).then((ok) =>
          fail(directSockHelpers.toErrno(e, ok ? {{{ cDefs.ECONNREFUSED }}} : {{{ cDefs.EHOSTUNREACH }}})));
      });
      // A non-blocking connect() returns EINPROGRESS while the handshake runs;
      // POLLOUT reports completion and SO_ERROR the result. A blocking one
      // waits for the result where the caller can wait; elsewhere it returns
      // 0 at once (data sent meanwhile is queued until the socket opens).
      if (sock.stream.flags & {{{ cDefs.O_NONBLOCK }}}) throw new FS.ErrnoError({{{ cDefs.EINPROGRESS }}});
      if (!directSockHelpers.canWait()) return;
      return directSockHelpers.waitFor(sock, opened.then((result) => {
        // The blocking connect() reports the failure itself, so it is no
        // longer pending, and the next connect() starts afresh.
        if (result && sock.connectFailed) {
          sock.error = null;
          sock.connectReported = true;
        }
        return result;
      }));
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
      var addr = sock.saddr === undefined ? (sock.family === {{{ cDefs.AF_INET6 }}} ? '::' : '0.0.0.0') :
        directSockHelpers.apiAddr(sock.saddr);
      var opts = {};
      // localPort 0 and backlog 0 are TypeErrors: omit them for the defaults
      // (an ephemeral port, the platform backlog).
      if (sock.sport) opts.localPort = sock.sport;
      if (backlog > 0) opts.backlog = backlog;
      // Linux queues at least one connection, and at most SOMAXCONN.
      sock.backlog = Math.min(Math.max(backlog, 1), {{{ SOMAXCONN }}});
      if (addr === '::' && sock.opts?.ipv6Only !== undefined) opts.ipv6Only = sock.opts.ipv6Only;
      var server;
      try {
        server = new TCPServerSocket(addr, opts);
      } catch (e) {
        throw new FS.ErrnoError(directSockHelpers.toErrno(e, {{{ cDefs.EINVAL }}}));
      }
      sock.server = server;
      sock.saddr = directSockHelpers.sockAddr(sock, addr);
      sock.sport = sock.sport || 0;
      sock.state = {{{ SOCK_STATE_LISTEN }}};
      sock.opening = server.opened.then((info) => {
        if (sock.state === {{{ SOCK_STATE_CLOSED }}}) {
          server.close().catch(() => {});
          return;
        }
        sock.saddr = directSockHelpers.sockAddr(sock, info.localAddress);
        sock.sport = info.localPort;
        sock.acceptReader = info.readable.getReader();
#if PTHREADS
        // Only for poll(): a listener's ring holds no data.
        directSockHelpers.ringOpen(sock);
#endif
        directSockHelpers.pumpAccept(sock);
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
#if PTHREADS
        directSockHelpers.ringSync(listensock);
#endif
        throw new FS.ErrnoError(e);
      }
      if (!listensock.pending.length) throw new FS.ErrnoError({{{ cDefs.EAGAIN }}});
      // The fd is taken only now, so that running out of them is accept()'s
      // EMFILE, with the connection left queued, as on Linux.
      var conn = listensock.pending[0];
      var newsock = SOCKFS.createSocket(listensock.family, listensock.type, listensock.protocol);
      listensock.pending.shift();
#if PTHREADS
      directSockHelpers.ringSync(listensock);
#endif
      newsock.tcp = conn.tcp;
      // Chromium 156 reports no local endpoint for an accepted socket: use
      // the listener's port, and its address unless that is the wildcard. A
      // connection from a loopback address arrived on the loopback address.
      var local = listensock.saddr;
      if (directSockHelpers.isWildcard(directSockHelpers.apiAddr(local)) && directSockHelpers.isLoopback(conn.info.remoteAddress)) {
        local = listensock.family === {{{ cDefs.AF_INET6 }}} && conn.info.remoteAddress.includes(':') && !/^::ffff:/i.test(conn.info.remoteAddress) ? '::1' : '127.0.0.1';
      }
      newsock.saddr = directSockHelpers.sockAddr(newsock, conn.info.localAddress || local);
      newsock.sport = conn.info.localPort || listensock.sport;
      newsock.daddr = directSockHelpers.sockAddr(newsock, conn.info.remoteAddress);
      newsock.dport = conn.info.remotePort;
      directSockHelpers.attachTcp(newsock, conn.info);
      directSockHelpers.pumpAccept(listensock);
      // The accepted socket is blocking unless accept4(SOCK_NONBLOCK) says
      // otherwise (libsyscall), as on Linux.
      return newsock;
    },
    sendmsg(sock, buffer, offset, length, addr, port) {
      if (sock.connectFailed) {
        // After a failed connect, as Linux: its error once (unless SO_ERROR
        // took it), then EPIPE.
        var failed = sock.error || {{{ cDefs.EPIPE }}};
        sock.error = null;
        throw new FS.ErrnoError(failed);
      }
      sock.send_queue ??= [];
      sock.send_bytes ??= 0;
#if PTHREADS
      // What libc queued in the send ring was sent before this.
      if (sock.ring) directSockHelpers.ringDrainSend(sock);
#endif
      if (sock.type === {{{ cDefs.SOCK_DGRAM }}}) {
        return directSockHelpers.sendDatagram(sock, buffer, offset, length, addr, port);
      }
      if (sock.writeShutdown || sock.writeFailed) throw new FS.ErrnoError({{{ cDefs.EPIPE }}});
      if (!sock.tcp || sock.state === {{{ SOCK_STATE_CLOSED }}}) throw new FS.ErrnoError({{{ cDefs.ENOTCONN }}});
      if (sock.error) {
        // A pending error (say, a refused connect) is what send() reports.
        var err = sock.error;
        sock.error = null;
#if PTHREADS
        directSockHelpers.ringSync(sock);
#endif
        throw new FS.ErrnoError(err);
      }
      // While connecting the data waits in the queue and goes out once the
      // socket opens.
      return directSockHelpers.queueSend(sock, buffer, offset, length);
    },
    recvmsg(sock, length, flags) {
      var peek = flags & {{{ cDefs.MSG_PEEK }}};
#if PTHREADS
      // libc's receive ring holds the oldest data (see ringRecv).
      var ringed = sock.ring && directSockHelpers.ringRecv(sock, length, peek);
      if (ringed) {
        var part = ringed.data.subarray(0, Math.min(length, ringed.data.length));
        if (!peek) directSockHelpers.pumpRead(sock);
        return { buffer: part, addr: ringed.addr, port: ringed.port };
      }
#endif
      var queued = sock.recv_queue[0];
      if (!queued) {
        // Queued data first, then a pending error (once), then EOF.
        if (sock.error) {
          var err = sock.error;
          sock.error = null;
#if PTHREADS
          directSockHelpers.ringSync(sock);
#endif
          throw new FS.ErrnoError(err);
        }
        if (sock.type === {{{ cDefs.SOCK_STREAM }}}) {
          if (sock.readClosed) return null;
          if (!sock.tcp || sock.connectFailed) throw new FS.ErrnoError({{{ cDefs.ENOTCONN }}});
        }
#if PTHREADS
        directSockHelpers.ringSync(sock);
#endif
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
      var val = directSockHelpers.readOptInt(level, optval, optlen);
      // Every option but these structs is an int.
      var isStruct = level === {{{ cDefs.SOL_SOCKET }}} ? optname === {{{ cDefs.SO_LINGER }}} :
        level === {{{ cDefs.IPPROTO_IP }}} ? optname === {{{ cDefs.IP_ADD_MEMBERSHIP }}} || optname === {{{ cDefs.IP_DROP_MEMBERSHIP }}} :
        level === {{{ cDefs.IPPROTO_IPV6 }}} && (optname === {{{ cDefs.IPV6_JOIN_GROUP }}} || optname === {{{ cDefs.IPV6_LEAVE_GROUP }}});
      if (val === null && !isStruct) return -{{{ cDefs.EINVAL }}};
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
#if PTHREADS
            directSockHelpers.ringSync(sock);
#endif
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
#if PTHREADS
            directSockHelpers.ringSync(sock);
#endif
            break;
          case {{{ cDefs.SO_TYPE }}}: val = sock.type; break;
          case {{{ cDefs.SO_REUSEADDR }}}: val = o.reuseAddr ? 1 : 0; break;
          case {{{ cDefs.SO_REUSEPORT }}}: val = o.reusePort ? 1 : 0; break;
          case {{{ cDefs.SO_KEEPALIVE }}}: val = o.keepAlive ? 1 : 0; break;
          case {{{ cDefs.SO_SNDBUF }}}: val = directSockHelpers.sendLimit(sock); break;
          case {{{ cDefs.SO_RCVBUF }}}: val = o.recvBuf || {{{ RECV_HIGH_WATER }}}; break;
          case {{{ cDefs.SO_BROADCAST }}}: val = o.broadcast ? 1 : 0; break;
          case {{{ cDefs.SO_LINGER }}}: {
            if ({{{ makeGetValue('optlen', 0, 'i32') }}} < {{{ C_STRUCTS.linger.__size__ }}}) return -{{{ cDefs.EINVAL }}};
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
      return directSockHelpers.writeOptInt(level, optval, optlen, val);
    },
  },
};

// Everything here (the sock_ops and libc's ring imports) uses the helpers.
autoAddDeps(DirectSockFSLibrary, '$directSockHelpers');
addToLibrary(DirectSockFSLibrary);
