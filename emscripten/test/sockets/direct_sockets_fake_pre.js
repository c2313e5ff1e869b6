// Pre-js for the DIRECT_SOCKETS send-path tests in test_sockets_node.py: a
// TCPSocket (https://wicg.github.io/direct-sockets/) over node:net, so the
// backend's TCP send pump can be checked without a browser.
//
// The writable stream models Chromium's TCPWritableStreamWrapper: a write()
// copies what fits into a data pipe of `capacity` bytes and settles at once
// (within the task that called write()) when all of it fitted; otherwise the
// rest waits for room and the write settles in a later task. The pipe is
// drained into the node socket in a later task, whole, as the network service
// does (while a write waits, only the room it needs). Module['fakeTcpPipe']
// picks the browser:
//  - 'buggy': Chromium 156. A write that starts while the 64 KiB pipe is
//    completely full is dropped and settles at once (MOJO_RESULT_SHOULD_WAIT
//    reported as fully written). A piece that waited for room leaves the pipe
//    full for PAUSE_MS, so a write that follows at once is dropped. The
//    network service is another process: its pause ends on time even when
//    this event loop runs late (a loaded machine), so a write that meets a
//    full pipe after the pause finds it drained, unless the socket pushes
//    back.
//  - 'fixed': the same pipe, but a write into a full pipe waits for room.
//  - 'sync': a browser that accepts any write at once (a pipe larger than
//    anything written): every write settles in the calling task, so a
//    backend that took that for a drop would write everything twice.
// Module['fakeTcpPauseMs'] sets PAUSE_MS.
// At exit it prints "fake pipe: <mode> dropped <n> writes" and the backend's
// counters (directSockHelpers.tcpSendStats) as "tcp send stats: {json}".
if (!(typeof ENVIRONMENT_IS_PTHREAD != 'undefined' && ENVIRONMENT_IS_PTHREAD)) {
  var fakePipe = { mode: Module['fakeTcpPipe'] || 'fixed', dropped: 0 };
  fakePipe.capacity = fakePipe.mode === 'sync' ? 1 << 30 : 65536;

  // How long the reader rests after a write completed through the watcher.
  // By default shorter than the backend's least wait before a small unchecked
  // write (10 ms), so only pieces the backend can check meet the full pipe; a
  // longer pause (a loaded machine) leaves the backend to learn the wait from
  // the pieces it saw dropped.
  var PAUSE_MS = Module['fakeTcpPauseMs'] ?? 3;
  globalThis.TCPSocket = class {
    constructor(remoteAddress, remotePort) {
      var net = require('node:net');
      var conn = net.connect(remotePort, remoteAddress);
      var pipe = [], used = 0, waiting = null, draining = false, writeCtl;
      // When the reader's pause after a write that waited for room ends
      // (performance.now() milliseconds).
      var pauseEnd = 0;
      var fail = (e) => {
        writeCtl?.error(e);
        waiting?.reject(e);
        waiting = null;
      };
      // Move the first n bytes of the pipe into the socket; false when the
      // socket pushes back (conn.write).
      var moveOut = (n) => {
        var all = Buffer.concat(pipe);
        var flushed = conn.write(all.subarray(0, n));
        pipe = n < used ? [all.subarray(n)] : [];
        used -= n;
        return flushed;
      };
      // Move the pipe into the socket (a later task), then let a waiting
      // write continue, as the pipe's writable watcher does. While a write
      // waits, only as much is moved as it still needs, as from a slow
      // reader: the write then completes with the pipe full.
      var drain = () => {
        if (draining || !used) return;
        draining = true;
        setImmediate(() => {
          var flushed = moveOut(waiting ? Math.min(used, waiting.rest.length) : used);
          var next = () => {
            if (waiting) {
              var n = Math.min(waiting.rest.length, fakePipe.capacity - used);
              pipe.push(waiting.rest.slice(0, n));
              used += n;
              waiting.rest = waiting.rest.subarray(n);
              if (!waiting.rest.length) {
                waiting.resolve();
                waiting = null;
                pauseEnd = performance.now() + PAUSE_MS;
                // The reader rests a moment, so the pipe stays full.
                setTimeout(() => {
                  draining = false;
                  drain();
                }, PAUSE_MS);
                return;
              }
            }
            draining = false;
            drain();
          };
          if (flushed) next();
          else conn.once('drain', next);
        });
      };
      var writable = new WritableStream({
        start(c) { writeCtl = c; },
        write(chunk) {
          var data = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          var room = fakePipe.capacity - used;
          if (!room && !waiting && performance.now() >= pauseEnd && !conn.writableNeedDrain) {
            // The pause is over but its timer has not run yet: this event
            // loop is late, not the network service, which has drained the
            // pipe by now.
            moveOut(used);
            room = fakePipe.capacity;
          }
          if (!room && fakePipe.mode === 'buggy') {
            fakePipe.dropped++;
            return;
          }
          var n = Math.min(room, data.length);
          pipe.push(data.slice(0, n));
          used += n;
          drain();
          if (n === data.length) return;
          return new Promise((resolve, reject) => {
            waiting = { rest: data.slice(n), resolve, reject };
          });
        },
        close() {
          return new Promise((resolve) => {
            var end = () => (used || waiting) ? setImmediate(end) : conn.end(resolve);
            end();
          });
        },
        abort() { conn.destroy(); },
      });
      var readable = new ReadableStream({
        start(c) {
          var open = true;
          conn.on('data', (d) => c.enqueue(new Uint8Array(d)));
          conn.on('end', () => {
            open = false;
            c.close();
          });
          conn.on('error', (e) => {
            if (open) c.error(e);
            open = false;
            fail(e);
          });
        },
        cancel() { conn.destroy(); },
      });
      this.opened = new Promise((resolve, reject) => {
        conn.once('connect', () => resolve({ readable, writable, remoteAddress, remotePort,
          localAddress: conn.localAddress, localPort: conn.localPort }));
        conn.once('error', reject);
      });
      this.closed = new Promise((resolve) => conn.once('close', resolve));
    }
    close() { return Promise.resolve(); }
  };

  Module['onExit'] = () => {
    console.log(`fake pipe: ${fakePipe.mode} dropped ${fakePipe.dropped} writes`);
    console.log(`tcp send stats: ${JSON.stringify(directSockHelpers.tcpSendStats)}`);
  };
}
