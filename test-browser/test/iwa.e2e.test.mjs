// End-to-end: a btest-like server behind the dev proxy, opened as an Isolated Web App in headless
// Chromium. Needs /usr/bin/chromium (or $DSOCK_CHROMIUM); prints "SKIPPED: ..." and skips otherwise.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';

import { startIwa, DEFAULT_CHROMIUM } from '../iwa/launch.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const appDir = path.join(here, 'fixtures', 'app');
const chromium = process.env.DSOCK_CHROMIUM || DEFAULT_CHROMIUM;
const haveChromium = fs.existsSync(chromium);
if (!haveChromium) console.error(`SKIPPED: iwa.e2e: no Chromium at ${chromium} (apt-get install -y chromium)`);

function listen(server) {
  return new Promise(res => server.listen(0, '127.0.0.1', () => res(server.address().port)));
}

test('btest-like page in an iframe gets Direct Sockets, isolation, JSPI and TT-safe workers', { skip: !haveChromium && 'no Chromium', timeout: 120000 }, async () => {
  const echo = net.createServer(s => s.pipe(s));
  const echoPort = await listen(echo);
  let port;
  // Stand-in for upstream's btest server: static files, COOP/COEP like browser_common.py.
  const site = http.createServer((req, res) => {
    const name = new URL(req.url, 'http://x').pathname.slice(1) || 'index.html';
    const file = path.join(appDir, path.basename(name));
    if (!fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    let body = fs.readFileSync(file);
    if (name === 'index.html') body = Buffer.from(body.toString().replace('PORT_PLACEHOLDER', String(port)));
    res.writeHead(200, {
      'Content-Type': name.endsWith('.html') ? 'text/html' : 'text/javascript',
      'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
    res.end(body);
  });
  port = await listen(site);
  const iwa = await startIwa({
    proxyTarget: `http://localhost:${port}`, url: `http://localhost:${port}/index.html?echo=${echoPort}`,
    chromium, attach: true,
  });
  try {
    assert.match(iwa.appUrl, /^isolated-app:\/\/[a-z2-7]{56}\/index\.html\?echo=\d+$/);
    await iwa.page.waitForFunction(() => document.title.startsWith('DONE '), { timeout: 60000 });
    const r = JSON.parse((await iwa.page.title()).slice(5));
    assert.deepEqual(r, {
      inlineRanInParent: true,
      TCPSocket: 'function', UDPSocket: 'function', TCPServerSocket: 'function',
      crossOriginIsolated: true, SAB: 'function', Suspending: 'function',
      echo: 'ping',
      worker: { TCPSocket: 'function', crossOriginIsolated: true },
    });
    assert.ok(iwa.proxy.stats.inlined >= 2, 'inline scripts were externalized');
  } finally {
    const pid = iwa.pid;
    await iwa.close();
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'Chromium is gone after close()');
    echo.close();
    site.close();
  }
});
