#!/usr/bin/env node
// Does Chromium's Direct Sockets TCPSocket lose the last bytes of a stream when the reader is
// paused as the peer's FIN arrives? (dsock's bench saw 64 MiB echoes end 16 bytes short while
// the backend had paused reading; docs/bench.md, "Issue 16, sixth pass".)
//
//   node repro.mjs [--trials=N] [--bytes=4194320] [--pause=300]
//
// Each trial: a loopback peer (node:net on 127.0.0.1:0) writes `bytes` bytes (by default 64
// KiB-aligned plus a 16-byte tail) and closes; the IWA reads the connection to its end: without
// pausing, pausing `pause` ms after its first chunk, echoing every chunk back, and
// waiting 1 ms after every chunk. Prints what arrived
// before `done`. Exit status 0; 1 when a read came up short. Loopback only, bounded.
import net from 'node:net';
import path from 'node:path';
import { startIwa } from '../../iwa/launch.mjs';

const arg = (name, def) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : def;
};
const trials = arg('trials', 5), bytes = arg('bytes', 4 * 1024 * 1024 + 16), pause = arg('pause', 300);

// A peer that writes `bytes` bytes to its one connection and ends it (FIN).
function source() {
  const server = net.createServer((c) => {
    c.on('error', () => {});
    c.on('data', () => {}); // the echo, if any
    c.end(Buffer.alloc(bytes, 0x5a));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: server.address().port,
    close: () => server.close(),
  })));
}

const iwa = await startIwa({ appDir: path.join(path.dirname(new URL(import.meta.url).pathname), 'app'),
  url: '/index.html', attach: true });
let short = 0;
try {
  await iwa.page.waitForFunction(() => typeof window.readAll == 'function', { timeout: 15000 });
  console.log(`Chromium ${await iwa.browser.version()}; ${trials} trials of ${bytes} bytes`);
  for (let t = 1; t <= trials; t++) {
    for (const [p, echo, lag] of [[0, false, 0], [pause, false, 0], [0, true, 0], [0, false, 1]]) {
      const s = await source();
      const r = await iwa.page.evaluate((port, ms, e, l) => window.readAll(port, ms, e, l), s.port, p, echo, lag);
      s.close();
      const ok = r.total === bytes;
      if (!ok) short++;
      console.log(`trial ${t}, pause ${p} ms${echo ? ', echoing' : ''}${lag ? `, ${lag} ms after every chunk` : ''}: ${r.total} of ${bytes} bytes before done (${r.chunks} chunks, last ${r.last} B)${ok ? '' : `  SHORT by ${bytes - r.total}`}`);
    }
  }
} finally {
  await iwa.close();
}
process.exit(short ? 1 : 0);
