// dsbench-js: the echo server of dsbench.c (protocol: ../dsbench_proto.h) written directly on the
// Direct Sockets API in plain JS: no wasm, no Emscripten. `dsock bench` runs it as the
// `chromium-js` variant, in the same Isolated Web App as the Emscripten builds, to measure what
// Chromium itself allows for each workload (the "ceiling"); every Direct Sockets figure is then
// also quoted as a ratio to it ("backend efficiency", docs/bench.md).
//
//   js.html?args=["--max-seconds","900","--udp-port","0","--tcp-port","0","--read-gate","16"]
//
// Same readiness line as dsbench.c ("DSBENCH READY udp=P tcp=T"), same counters in the STAT
// reply, same exit lines, so the native dsbench-peer drives and reads it unchanged.
//
// What makes it fast (measured, docs/bench.md "The ceiling"):
// - UDP: each DATA datagram is echoed with writer.write() without awaiting it. Chromium delivers
//   every datagram in a task of its own, and write completions queue behind those tasks, so a
//   tight read loop starves the writes (about 440 echoes/s). Reads therefore pause while
//   --read-gate echoes are outstanding, which lets the completions run.
// - TCP: Chromium 156 drops a write() that starts while its 64 KiB send pipe is full and still
//   resolves it (see docs/backend.md, "TCP writes"). Bulk echo data is written in pieces larger
//   than the pipe, whose loss is detectable (such a piece settles within the task that wrote it
//   only when it was dropped) and then re-sent. Request/response messages are written at once,
//   one write in flight, which is safe because the peer waits for each reply.
//
// With --thread-hop 1 it measures the design of a -pthread -sPROXY_TO_PTHREAD build instead:
// every datagram and TCP chunk goes through a worker and back before it is echoed (ThreadHop
// below; `dsock bench` runs that as the `chromium-js-thread` variant).
'use strict';

const MAGIC = 0x31425344;                 // "DSB1", DSB_MAGIC
const K_DATA = 1, K_STAT = 2, K_RESET = 3, K_QUIT = 4, K_REPLY = 5;
const M_ECHO = 1, M_SINK = 2;
const UDP_HDR = 24;                       // sizeof(struct udp_hdr)
const TCP_HDR = 16;                       // sizeof(struct tcp_hdr)
const PIPE = 65536;                       // Chromium's TCP send pipe (Mojo data pipe) capacity
const PIECE = 256 * 1024;                 // bulk echo piece (> PIPE, so a drop is detectable)
const SMALL = 4096;                       // more than this queued: the connection streams (bulk)
const IDLE_MS = 50;                       // bulk: flush a held-back tail after this long idle
const UDP_QUEUE = 64;                     // echoes outstanding past this are refused (tx_drop)

const log = (s) => console.log(s);

function parseArgs() {
  const o = { maxSeconds: 900, host: '127.0.0.1', udpPort: 0, tcpPort: 0, readGate: 16, threadHop: false };
  let argv = [];
  try { argv = JSON.parse(new URLSearchParams(location.search).get('args') || '[]'); } catch { /* none */ }
  for (let i = 0; i + 1 < argv.length; i += 2) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--max-seconds': o.maxSeconds = Number(v); break;
      case '--host': o.host = v; break;
      case '--udp-port': o.udpPort = Number(v); break;
      case '--tcp-port': o.tcpPort = Number(v); break;
      case '--read-gate': o.readGate = Number(v) || Infinity; break;
      case '--thread-hop': o.threadHop = v === '1'; break;
      default: log(`dsbench-js: unknown option ${argv[i]}`);
    }
  }
  return o;
}
const opts = parseArgs();

// ------------------------------------------------------------------ thread hop (--thread-hop 1)
// What a -pthread -sPROXY_TO_PTHREAD build of dsbench.c adds to this server, without wasm or
// Emscripten. There the sockets stay on the page's main thread and the program runs on a
// worker, so every datagram and chunk the page reads goes through a ring in shared memory to
// the program's thread and the answer comes back the same way (libc's rings,
// emscripten_sock_ring.c). Here the worker (hop-worker.js) is the program reduced to a copy:
// the data is echoed only once it came back. The page waits for the answer as the backend
// does (ringAwaitReply in libsockfs_direct.js): it busy-waits up to HOP_SPIN_MS when the worker
// had nothing else queued, and after such a wait came up empty the next 2**misses pushes skip
// it; otherwise Atomics.waitAsync tells it when the answer is there. Its figures are what
// that design costs in plain JS: what is left between them and chromium-pthread's is the
// backend's and libc's, not the design's. (It is not a strict ceiling: its ring has 16 slots
// where libc's has 64, and the program's thread here never computes anything.)
const HOP_SLOTS = 16;
const HOP_SLOT = 256 * 1024;              // bytes per ring slot; larger chunks go in pieces
const HOP_SPIN_MS = 0.1;                  // REPLY_WAIT_MS of libsockfs_direct.js
const HOP_MAX_MISSES = 10;                // REPLY_MAX_MISSES

class ThreadHop {
  constructor() {
    const sab = new SharedArrayBuffer(64 + 8 * HOP_SLOTS + 2 * HOP_SLOTS * HOP_SLOT);
    this.ctl = new Int32Array(sab, 0, 2);  // [0] pieces pushed, [1] pieces the worker answered
    // [slot]: the piece's length (negative: the program only reads it); [HOP_SLOTS + slot]:
    // the answer's length.
    this.len = new Int32Array(sab, 64, 2 * HOP_SLOTS);
    this.data = new Uint8Array(sab, 64 + 8 * HOP_SLOTS);  // pieces, then answers, by slot
    this.pushed = 0;
    this.taken = 0;
    this.pending = [];                     // { seq, resolve } of the answers not taken yet
    this.watching = false;
    this.misses = 0;
    this.skip = 0;
    this.roomWaiters = [];
    this.worker = new Worker('hop-worker.js');
    this.worker.postMessage({ sab, slots: HOP_SLOTS, slot: HOP_SLOT });
  }
  // A promise to await before call() while every slot is in use, else null.
  room() {
    return this.pushed - this.taken < HOP_SLOTS ? null : new Promise((r) => this.roomWaiters.push(r));
  }
  // Hands `piece` (at most HOP_SLOT bytes) to the worker. Returns its answer (a copy of piece
  // when echo, else null) when it came within the busy-wait, else a promise of it; answers
  // come in the order of the calls.
  call(piece, echo) {
    const seq = this.pushed++;
    const slot = seq % HOP_SLOTS;
    this.data.set(piece, slot * HOP_SLOT);
    this.len[slot] = echo ? piece.length : -piece.length;
    Atomics.store(this.ctl, 0, this.pushed);
    Atomics.notify(this.ctl, 0, 1);
    if (!this.pending.length) {
      if (this.skip) {
        this.skip--;
      } else {
        const end = performance.now() + HOP_SPIN_MS;
        while (Atomics.load(this.ctl, 1) <= seq && performance.now() < end) { /* the worker's turn */ }
        if (Atomics.load(this.ctl, 1) > seq) {
          this.misses = 0;
          return this.take(seq);
        }
        this.misses = Math.min(this.misses + 1, HOP_MAX_MISSES);
        this.skip = 2 ** this.misses;
      }
    }
    return new Promise((resolve) => {
      this.pending.push({ seq, resolve });
      this.watch();
    });
  }
  take(seq) {
    const slot = seq % HOP_SLOTS;
    const n = this.len[HOP_SLOTS + slot];
    const at = (HOP_SLOTS + slot) * HOP_SLOT;
    const answer = this.len[slot] > 0 ? this.data.slice(at, at + n) : null;
    this.taken++;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const r of waiters) r();
    return answer;
  }
  // Resolves the pending answers as the worker publishes them.
  watch() {
    if (this.watching) return;
    this.watching = true;
    const check = () => {
      const done = Atomics.load(this.ctl, 1);
      while (this.pending.length && this.pending[0].seq < done) {
        const p = this.pending.shift();
        p.resolve(this.take(p.seq));
      }
      if (!this.pending.length) {
        this.watching = false;
        return;
      }
      const w = Atomics.waitAsync(this.ctl, 1, done);
      (w.async ? w.value : Promise.resolve()).then(check);
    };
    check();
  }
}
const hop = opts.threadHop ? new ThreadHop() : null;

// Hands `data` to the worker in pieces of at most HOP_SLOT bytes (waiting while the ring is
// full). Echo data is pushed to `echo` in order as it comes back; the connection's `chain`
// ({ tail }) orders answers that come late before any that follow. Resolves, once every piece
// is in the ring, to { last }: the last piece's answer or a promise of it (wrapped, so that
// awaiting this does not wait for the worker), for a sink that must not acknowledge before the
// program read everything.
async function hopThrough(data, echo, chain) {
  let last = null;
  for (let at = 0; at < data.length; at += HOP_SLOT) {
    const wait = hop.room();
    if (wait) await wait;
    const r = hop.call(data.subarray(at, at + HOP_SLOT), !!echo);
    last = r;
    if (!echo) continue;
    if (!chain.tail && !(r instanceof Promise)) {
      echo.push(r);
      continue;
    }
    const t = (chain.tail || Promise.resolve()).then(() => r).then((answer) => {
      echo.push(answer);
      if (chain.tail === t) chain.tail = null;
    });
    chain.tail = t;
  }
  return { last };
}

// ------------------------------------------------------------------ UDP
const stat = { rx: 0, tx: 0, tx_drop: 0, polls: 0, wakeups: 0 };
let udpWriter = null;
let outstanding = 0;                      // echoes handed to the writer, not settled yet
let gateOpen = null;                      // resolves the paused read loop

function statReply() {
  const b = new Uint8Array(48);           // struct udp_stat
  const dv = new DataView(b.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, K_REPLY, true);
  dv.setBigUint64(8, BigInt(stat.rx), true);
  dv.setBigUint64(16, BigInt(stat.tx), true);
  dv.setBigUint64(24, BigInt(stat.tx_drop), true);
  dv.setBigUint64(32, BigInt(stat.polls), true);
  dv.setBigUint64(40, BigInt(stat.wakeups), true);
  return b;
}

function echoSettled(ok) {
  outstanding--;
  if (ok) stat.tx++; else stat.tx_drop++;
  if (gateOpen && outstanding < opts.readGate) { const open = gateOpen; gateOpen = null; open(); }
}
const echoOk = () => echoSettled(true);
const echoFailed = () => echoSettled(false);

let quitting = false;
function onDatagram(msg) {
  const d = msg.data;
  let kind = K_DATA;
  if (d.byteLength >= UDP_HDR) {
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    if (dv.getUint32(0, true) === MAGIC) kind = dv.getUint32(4, true);
  }
  if (kind === K_DATA || kind < K_DATA || kind > K_REPLY) {
    stat.rx++;
    if (outstanding >= UDP_QUEUE) { stat.tx_drop++; return; }
    outstanding++;
    const send = (data) => udpWriter.write({ data, remoteAddress: msg.remoteAddress, remotePort: msg.remotePort })
      .then(echoOk, echoFailed);
    if (!hop) { send(d); return; }
    // The read loop waited for room in the ring.
    const r = hop.call(d, true);
    if (r instanceof Promise) r.then(send); else send(r);
    return;
  }
  if (kind === K_REPLY) return;
  const reply = statReply();
  if (kind === K_RESET) for (const k in stat) stat[k] = 0;
  udpWriter.write({ data: reply, remoteAddress: msg.remoteAddress, remotePort: msg.remotePort }).catch(() => {});
  if (kind === K_QUIT && !quitting) {
    quitting = true;
    // Let the reply leave before the page is closed (dsbench.c lingers 100 ms as well).
    setTimeout(() => log(`DSBENCH EXIT quit polls=${stat.polls}`), 100);
  }
}

async function udpLoop(reader) {
  for (;;) {
    if (outstanding >= opts.readGate) await new Promise((r) => { gateOpen = r; });
    const room = hop?.room();
    if (room) await room;
    stat.polls++;
    const p = reader.read();
    const { value, done } = await p;
    if (done) return;
    stat.wakeups++;
    onDatagram(value);
  }
}

// ------------------------------------------------------------------ TCP
// Resolves true when a write of more than PIPE bytes settled within the task that issued it,
// which Chromium 156 does only for a write it dropped (reference measurements: 0 false
// positives or negatives over 8 runs). The check counts microtask hops; the task ends after them.
function droppedOnWrite(w, data) {
  let settled = false;
  let sameTask = true;
  const p = w.write(data).then(() => { settled = true; return sameTask; });
  (async () => {
    for (let i = 0; i < 64 && !settled; i++) await null;
    if (!settled) sameTask = false;
  })();
  return p;
}

const nextTask = (() => {
  const ch = new MessageChannel();
  const q = [];
  ch.port1.onmessage = () => q.shift()();
  return () => new Promise((r) => { q.push(r); ch.port2.postMessage(0); });
})();

async function writePiece(w, data, st) {
  for (let attempt = 0; ; attempt++) {
    await w.ready;
    if (!(await droppedOnWrite(w, data))) return;
    st.resent++;
    if (attempt < 2) await nextTask();
    else await new Promise((r) => setTimeout(r, Math.min(8, 2 ** (attempt - 2))));
  }
}

// One connection's echo queue: small messages go out as they come (one write in flight,
// coalesced behind it); once more than SMALL bytes queue up the connection streams, and from
// then on data leaves in verified pieces > PIPE, holding back PIPE + 1 bytes until EOF (or until
// IDLE_MS pass without new data) so that the last piece is large enough to verify too. The idle
// flush may be small (unverifiable); it waits long enough after the last piece for the pipe to
// drain (the reference measured no loss 10 ms after a large write; a 4 ms idle lost data here
// on a loaded machine).
class Echo {
  constructor(w, st) {
    this.w = w; this.st = st;
    this.q = []; this.len = 0;
    this.busy = false; this.bulk = false; this.eof = false; this.failed = false;
    this.last = 0; this.timer = null;
    this.roomWaiters = [];
    this.done = new Promise((r) => { this.finish = r; });
  }
  push(chunk) {
    this.q.push(chunk);
    this.len += chunk.length;
    if (this.len > SMALL) this.bulk = true;
    this.last = performance.now();
    this.pump(false);
  }
  end() { this.eof = true; this.pump(false); }
  room() { return this.len < (8 << 20) || this.failed ? null : new Promise((r) => this.roomWaiters.push(r)); }
  take(n) {
    if (this.q.length === 1 && n === this.len) { this.len = 0; return this.q.pop(); }
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.q[0];
      const k = Math.min(c.length, n - at);
      out.set(k === c.length ? c : c.subarray(0, k), at);
      at += k;
      if (k === c.length) this.q.shift(); else this.q[0] = c.subarray(k);
    }
    this.len -= n;
    return out;
  }
  idle() {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.len) return;
      if (performance.now() - this.last < IDLE_MS) { this.idle(); return; }
      this.pump(true);
    }, IDLE_MS);
  }
  pump(flush) {
    if (this.busy || this.failed) return;
    if (!this.len) { if (this.eof) this.finish(); return; }
    let n;
    if (!this.bulk || this.eof || flush) n = this.len;
    else if (this.len >= PIECE + PIPE + 1) n = this.len - (PIPE + 1);
    else { this.idle(); return; }
    const data = this.take(n);
    const waiters = this.roomWaiters; this.roomWaiters = [];
    for (const r of waiters) r();
    this.busy = true;
    const next = () => { this.st.out += n; this.busy = false; this.pump(false); };
    const fail = (e) => { this.failed = true; this.st.error = String(e); this.finish(); };
    if (n > PIPE) writePiece(this.w, data, this.st).then(next, fail);
    else this.w.write(data).then(next, fail);
  }
}

async function serve(sock) {
  const st = { in: 0, out: 0, resent: 0, mode: 0 };
  let reader, writer;
  try {
    const info = await sock.opened;
    reader = info.readable.getReader();
    writer = info.writable.getWriter();
    const hdr = new Uint8Array(TCP_HDR);
    let have = 0, sinkLeft = 0;
    const echo = new Echo(writer, st);
    const chain = { tail: null };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      let chunk = value;
      st.in += chunk.length;
      if (!st.mode) {
        const k = Math.min(TCP_HDR - have, chunk.length);
        hdr.set(chunk.subarray(0, k), have);
        have += k;
        chunk = chunk.subarray(k);
        if (have < TCP_HDR) continue;
        const dv = new DataView(hdr.buffer);
        const mode = dv.getUint32(4, true);
        if (dv.getUint32(0, true) !== MAGIC || (mode !== M_ECHO && mode !== M_SINK)) break;
        st.mode = mode;
        sinkLeft = Number(dv.getBigUint64(8, true));
      }
      if (st.mode === M_SINK && chunk.length) {
        const k = Math.min(chunk.length, sinkLeft);
        sinkLeft -= k;
        if (hop && k) {
          const { last } = await hopThrough(chunk.subarray(0, k), null, chain);
          if (!sinkLeft) await last;
        }
        chunk = chunk.subarray(k);
        if (!sinkLeft) {
          const ack = new Uint8Array(16);          // struct tcp_ack
          const dv = new DataView(ack.buffer);
          dv.setUint32(0, MAGIC, true);
          dv.setBigUint64(8, BigInt(st.in - TCP_HDR - chunk.length), true);
          writer.write(ack).catch(() => {});      // 16 bytes on an idle connection
          st.mode = M_ECHO;                        // as dsbench.c: what follows is echoed
        }
      }
      if (st.mode === M_ECHO && chunk.length) {
        if (hop) await hopThrough(chunk, echo, chain);
        else echo.push(chunk);
        const wait = echo.room();
        if (wait) await wait;
      }
    }
    if (chain.tail) await chain.tail;
    echo.end();
    await echo.done;
    await writer.close().catch(() => {});
  } catch (e) {
    st.error = String(e);
  } finally {
    try { reader?.releaseLock(); writer?.releaseLock(); await sock.close(); } catch { /* closed */ }
  }
}

async function acceptLoop(reader) {
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    serve(value);
  }
}

// ------------------------------------------------------------------ main
(async () => {
  try {
    const uo = { localAddress: opts.host };
    if (opts.udpPort) uo.localPort = opts.udpPort;   // Chromium rejects localPort 0: leave it unset
    const to = {};
    if (opts.tcpPort) to.localPort = opts.tcpPort;
    const udp = new UDPSocket(uo);
    const server = new TCPServerSocket(opts.host, to);
    const [u, t] = await Promise.all([udp.opened, server.opened]);
    udpWriter = u.writable.getWriter();
    udpLoop(u.readable.getReader()).catch((e) => log(`DSBENCH EXIT error udp ${e}`));
    acceptLoop(t.readable.getReader()).catch((e) => log(`DSBENCH EXIT error tcp ${e}`));
    if (hop) log(`dsbench-js: thread hop on (${HOP_SLOTS} slots of ${HOP_SLOT} B through hop-worker.js)`);
    log(`DSBENCH READY udp=${u.localPort} tcp=${t.localPort}`);
    setTimeout(() => log(`DSBENCH EXIT timeout after ${opts.maxSeconds} s`), opts.maxSeconds * 1000);
  } catch (e) {
    log(`DSBENCH EXIT error ${e}`);
  }
})();
