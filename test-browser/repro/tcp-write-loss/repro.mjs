#!/usr/bin/env node
// Minimal reproducer: Chromium's Direct Sockets TCPSocket drops a whole write() that starts while
// the 64 KiB Mojo pipe behind the writable stream is full, and resolves it anyway (see README.md).
//
//   node repro.mjs [--trials=N] [--n=16] [--chunk=131072] [--gap=-1] [--expect-intact]
//
// First the pipe: one write of 65,536 and one of 65,537 bytes on fresh connections (to a peer that
// does not read), each reported as settled in the calling task or later. Then each trial: a
// loopback sink (node:net on 127.0.0.1:0) records one connection; the IWA writes n tagged chunks,
// each awaited, and reports per write whether it settled in the task; we print which tags arrived,
// and which writes were lost and whether exactly those settled in the task. Exit status 0, or
// with --expect-intact 1 when any trial lost data (for checking a fixed Chromium).
import net from 'node:net';
import path from 'node:path';
import { startIwa } from '../../iwa/launch.mjs';

const arg = (name, def) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : def;
};
const trials = arg('trials', 3), n = arg('n', 16), chunk = arg('chunk', 131072), gap = arg('gap', -1);
const expectIntact = process.argv.includes('--expect-intact');

// A loopback peer recording what arrives; `paused` ones do not read (for the pipe probe).
function sink(paused = false) {
  const got = [];
  const conns = [];
  const server = net.createServer({ pauseOnConnect: paused }, (c) => {
    conns.push(c);
    c.on('data', (d) => got.push(d));
    c.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: server.address().port,
    bytes: () => Buffer.concat(got),
    close: () => { conns.forEach((c) => c.destroy()); server.close(); },
  })));
}

const iwa = await startIwa({ appDir: path.join(path.dirname(new URL(import.meta.url).pathname), 'app'),
  url: '/index.html', attach: true });
let lost = 0;
try {
  await iwa.page.waitForFunction(() => typeof window.writeTagged == 'function', { timeout: 15000 });
  console.log(`Chromium ${await iwa.browser.version()}`);
  for (const size of [65536, 65537]) {
    const s = await sink(true);
    const inTask = await iwa.page.evaluate((p, sz) => window.firstWriteInTask(p, sz), s.port, size);
    s.close();
    console.log(`pipe: a first write of ${size} bytes settles ${inTask ? 'in the calling task (the pipe took all of it)' : 'in a later task (the pipe is smaller)'}`);
  }
  console.log(`${trials} trials of ${n} x ${chunk} bytes, each write awaited, gap ${gap} ms`);
  for (let t = 1; t <= trials; t++) {
    const s = await sink();
    const inTask = await iwa.page.evaluate((p, nn, c, g) => window.writeTagged(p, nn, c, g), s.port, n, chunk, gap);
    const got = s.bytes();
    s.close();
    const arrived = new Map();
    for (const b of got) arrived.set(b, (arrived.get(b) || 0) + 1);
    const lostWrites = [], inTaskWrites = [];
    for (let i = 0; i < n; i++) {
      if ((arrived.get((i + 1) & 255) || 0) !== chunk) lostWrites.push(i + 1);
      if (inTask[i]) inTaskWrites.push(i + 1);
    }
    if (lostWrites.length) lost++;
    const same = lostWrites.join() === inTaskWrites.join();
    console.log(`trial ${t}: wrote ${n * chunk}, received ${got.length}${got.length === n * chunk ? ' (intact)' : ''}; ` +
      `lost writes [${lostWrites.join(' ')}]; settled in the calling task [${inTaskWrites.join(' ')}]` +
      (chunk > 65536 ? (same ? ' — the same writes' : ' — NOT the same writes') : ''));
  }
} finally {
  await iwa.close();
}
console.log(`${lost} of ${trials} trials lost data`);
process.exit(expectIntact && lost ? 1 : 0);
