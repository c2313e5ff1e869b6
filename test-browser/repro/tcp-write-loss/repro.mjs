#!/usr/bin/env node
// Minimal reproducer: Chromium's Direct Sockets TCPSocket drops whole write()s issued back to
// back, although every write() resolved and the next one waited for it (see README.md).
//
//   node repro.mjs [--trials=N] [--n=16] [--chunk=65536] [--gap=-1] [--expect-intact]
//
// Each trial: a loopback sink (node:net on 127.0.0.1:0) records one connection; the IWA writes n
// tagged chunks; we print which tags arrived and how many bytes. Exit status 0, or with
// --expect-intact 1 when any trial lost data (for checking a fixed Chromium).
import net from 'node:net';
import path from 'node:path';
import { startIwa } from '../../iwa/launch.mjs';

const arg = (name, def) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : def;
};
const trials = arg('trials', 3), n = arg('n', 16), chunk = arg('chunk', 65536), gap = arg('gap', -1);
const expectIntact = process.argv.includes('--expect-intact');

function sink() {
  const got = [];
  const server = net.createServer((c) => c.on('data', (d) => got.push(d)));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: server.address().port,
    bytes: () => Buffer.concat(got),
    close: () => server.close(),
  })));
}

// Run-length summary of the tags that arrived: [[tag, bytes], ...].
function runs(buf) {
  const out = [];
  for (const b of buf) {
    if (out.length && out[out.length - 1][0] === b) out[out.length - 1][1]++;
    else out.push([b, 1]);
  }
  return out;
}

const iwa = await startIwa({ appDir: path.join(path.dirname(new URL(import.meta.url).pathname), 'app'),
  url: '/index.html', attach: true });
let lost = 0;
try {
  await iwa.page.waitForFunction(() => typeof window.writeTagged == 'function', { timeout: 15000 });
  console.log(`Chromium ${await iwa.browser.version()}: ${trials} trials of ${n} x ${chunk} bytes, gap ${gap} ms`);
  for (let t = 1; t <= trials; t++) {
    const s = await sink();
    const wrote = await iwa.page.evaluate((p, nn, c, g) => window.writeTagged(p, nn, c, g), s.port, n, chunk, gap);
    const got = s.bytes();
    s.close();
    const arrived = runs(got).map(([tag, bytes]) => (bytes === chunk ? `#${tag}` : `#${tag}:${bytes}B`));
    if (got.length !== wrote) lost++;
    console.log(`trial ${t}: wrote ${wrote}, received ${got.length}${got.length === wrote ? ' (intact)' : ''}; arrived ${arrived.join(' ')}`);
  }
} finally {
  await iwa.close();
}
console.log(`${lost} of ${trials} trials lost data`);
process.exit(expectIntact && lost ? 1 : 0);
