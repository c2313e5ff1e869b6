// Hermetic tests of the manifest, HTML rewriting and the dev proxy (no Chromium needed).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { INLINE_PREFIX, TT_POLICY_PATH, inlineScriptPath, looksLikeHtmlDocument, relativizeOrigins, rewriteHtml }
  from '../iwa/html.mjs';
import { mergeFlags, sweepStaleProfiles } from '../iwa/launch.mjs';
import { ICON_PATH, MANIFEST_PATH, base32, buildManifest, devProxyBundleId, solidPng } from '../iwa/manifest.mjs';
import { isTextType, originAliases, startDevProxy } from '../iwa/proxy.mjs';

describe('manifest', () => {
  test('base32 matches RFC 4648 vectors (lowercase, unpadded)', () => {
    assert.equal(base32(Buffer.from('')), '');
    assert.equal(base32(Buffer.from('f')), 'my');
    assert.equal(base32(Buffer.from('foobar')), 'mzxw6ytboi');
  });
  test('dev-proxy bundle id: 56 chars, 35 bytes ending in 00 00 02', () => {
    const id = devProxyBundleId('seed');
    assert.match(id, /^[a-z2-7]{56}$/);
    // 35 bytes = 280 bits = 56 base32 digits; the last 25 bits are one key bit then 00 00 02.
    assert.match(id, /[aq]aaac$/);
    assert.equal(devProxyBundleId('seed'), id, 'deterministic');
    assert.notEqual(devProxyBundleId('other'), id);
  });
  test('manifest has what install needs', () => {
    const m = buildManifest({ startUrl: '/run_harness' });
    assert.equal(m.version, '0.0.1');
    assert.equal(m.start_url, '/run_harness');
    assert.deepEqual(m.icons, [{ src: ICON_PATH, sizes: '256x256', type: 'image/png' }]);
    for (const f of ['cross-origin-isolated', 'direct-sockets', 'loopback-network', 'local-network'])
      assert.deepEqual(m.permissions_policy[f], ['self'], f);
  });
  test('icon is a 256x256 PNG', () => {
    const png = solidPng();
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.readUInt32BE(16), 256);
    assert.equal(png.readUInt32BE(20), 256);
  });
});

describe('html rewriting', () => {
  test('inline scripts move to content-addressed URLs; TT policy goes first in <head>', async () => {
    const stored = new Map();
    const src = '<!doctype html><html><head><meta charset="utf-8"><script>var a = "</b>";</script>' +
      '<script type="module">import x from "./x.js";</script><script type="application/json">{"k":1}</script>' +
      '<script src="ext.js" async></script></head><body onload="x()"><p>hi</p></body></html>';
    const { html, inlined } = await rewriteHtml(src, (p, s) => stored.set(p, s));
    assert.equal(inlined, 2);
    const classic = inlineScriptPath('var a = "</b>";');
    const mod = inlineScriptPath('import x from "./x.js";');
    assert.equal(stored.get(classic), 'var a = "</b>";');
    assert.equal(stored.get(mod), 'import x from "./x.js";');
    assert.equal(html,
      `<!doctype html><html><head><script src="${TT_POLICY_PATH}"></script><meta charset="utf-8">` +
      `<script src="${classic}"></script><script type="module" src="${mod}"></script>` +
      '<script type="application/json">{"k":1}</script><script src="ext.js" async></script></head>' +
      '<body onload="x()"><p>hi</p></body></html>');
  });
  test('TT policy is injected before the first script when there is no <head>', async () => {
    const { html } = await rewriteHtml('<script src="a.js"></script>', () => {});
    assert.equal(html, `<script src="${TT_POLICY_PATH}"></script><script src="a.js"></script>`);
  });
  test('documents vs. fragments', () => {
    assert.ok(looksLikeHtmlDocument('<!DOCTYPE html><p>'));
    assert.ok(looksLikeHtmlDocument('  <html>'));
    assert.ok(!looksLikeHtmlDocument('COMMAND:/test.html'));
    assert.ok(!looksLikeHtmlDocument('(wait)'));
  });
  test('origins become relative, port prefixes are not eaten', () => {
    const o = originAliases('http://localhost:8888');
    assert.ok(o.includes('http://127.0.0.1:8888'));
    assert.equal(relativizeOrigins("var reportingURL = 'http://localhost:8888';", o), "var reportingURL = '';");
    assert.equal(relativizeOrigins('COMMAND:http://localhost:8888/test.html', o), 'COMMAND:/test.html');
    assert.equal(relativizeOrigins('http://127.0.0.1:8888/x http://localhost:88881/y', o), '/x http://localhost:88881/y');
  });
  test('text types', () => {
    for (const t of ['text/html', 'text/javascript; charset=utf-8', 'application/javascript', 'application/json'])
      assert.ok(isTextType(t), t);
    for (const t of ['application/wasm', 'application/octet-stream', 'image/png', ''])
      assert.ok(!isTextType(t), t);
  });
});

describe('chromium flags', () => {
  test('one --enable-features, caller profile honoured, pipe-breaking flags dropped', () => {
    const m = mergeFlags(['--no-first-run', '-start-maximized', '--enable-features=JavaScriptSourcePhaseImports',
      '--user-data-dir=/tmp/prof', '--remote-debugging-port=9222', '--headless=new', '--enable-experimental-webassembly-features']);
    assert.equal(m.flags.filter(f => f.startsWith('--enable-features=')).length, 1);
    assert.ok(m.flags.includes('--enable-features=IsolatedWebApps,IsolatedWebAppDevMode,JavaScriptSourcePhaseImports'));
    assert.equal(m.userDataDir, '/tmp/prof');
    assert.equal(m.headless, '--headless=new');
    assert.ok(m.flags.includes('--enable-experimental-webassembly-features'));
    assert.ok(!m.flags.some(f => /remote-debugging|start-maximized|user-data-dir/.test(f)));
    assert.equal(m.flags.filter(f => f === '--no-first-run').length, 1);
  });
});

describe('profiles', () => {
  test('stale temp profiles of dead processes are swept, live ones kept', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sweep-'));
    try {
      fs.mkdirSync(path.join(dir, 'dsock-iwa-999999999-abc')); // pid beyond pid_max: dead
      fs.mkdirSync(path.join(dir, `dsock-iwa-${process.pid}-def`));
      fs.mkdirSync(path.join(dir, 'unrelated-1-x'));
      assert.equal(sweepStaleProfiles(dir), 1);
      assert.deepEqual(fs.readdirSync(dir).sort(), [`dsock-iwa-${process.pid}-def`, 'unrelated-1-x']);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('dev proxy against a btest-like server', () => {
  let upstream, upPort, proxy;
  const requests = [];
  const wasm = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x68, 0x74, 0x74, 0x70]);
  before(async () => {
    upstream = http.createServer((req, res) => {
      requests.push({ method: req.method, url: req.url, host: req.headers.host, enc: req.headers['accept-encoding'] });
      const h = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
      if (req.url === '/run_harness') {
        res.writeHead(200, { ...h, 'Content-Type': 'text/html' });
        res.end('<!DOCTYPE html><html><head><script>check()</script></head><body></body></html>');
      } else if (req.url === '/check') {
        res.writeHead(200, { ...h, 'Content-Type': 'text/html' });
        res.end(`COMMAND:http://localhost:${upPort}/test.html`);
      } else if (req.url === '/test.js') {
        res.writeHead(200, { ...h, 'Content-Type': 'text/javascript' });
        res.end(`var reportingURL = 'http://localhost:${upPort}';`);
      } else if (req.url === '/test.wasm') {
        res.writeHead(200, { ...h, 'Content-Type': 'application/wasm', 'Content-Length': wasm.length });
        res.end(wasm);
      } else if (req.url.startsWith('/report_result?')) {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('OK');
      } else if (req.method === 'POST' && req.url.startsWith('/log')) {
        let body = '';
        req.on('data', c => { body += c; });
        req.on('end', () => { res.writeHead(200); res.end(`got ${body}`); });
      } else { res.writeHead(404); res.end(); }
    });
    upPort = await new Promise(r => upstream.listen(0, '127.0.0.1', () => r(upstream.address().port)));
    proxy = await startDevProxy({ target: `http://localhost:${upPort}` });
  });
  after(async () => { await proxy.close(); upstream.close(); });
  const get = (p, init) => fetch(new URL(p, proxy.url), init);

  test('serves the manifest and icon itself', async () => {
    const r = await get(MANIFEST_PATH);
    assert.equal(r.headers.get('content-type'), 'application/manifest+json');
    const m = await r.json();
    assert.ok(m.permissions_policy['direct-sockets']);
    const icon = await get(ICON_PATH);
    assert.equal(icon.headers.get('content-type'), 'image/png');
    assert.ok(!requests.some(q => q.url === MANIFEST_PATH || q.url === ICON_PATH), 'not forwarded');
  });
  test('harness HTML: inline script externalized and served back', async () => {
    const html = await (await get('/run_harness')).text();
    const m = /<script src="(\/__dsock\/inline\/[0-9a-f]{64}\.js)"><\/script>/.exec(html);
    assert.ok(m, html);
    assert.ok(html.includes(`<script src="${TT_POLICY_PATH}"></script>`));
    assert.equal(await (await get(m[1])).text(), 'check()');
    assert.match(await (await get(TT_POLICY_PATH)).text(), /createPolicy\('default'/);
    assert.equal((await get(INLINE_PREFIX + 'nope.js')).status, 404);
  });
  test('/check answer (text/html fragment) only loses the absolute origin', async () => {
    assert.equal(await (await get('/check')).text(), 'COMMAND:/test.html');
  });
  test('JS reporting URL made relative; headers kept; identity encoding requested', async () => {
    const r = await get('/test.js', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(await r.text(), "var reportingURL = '';");
    assert.equal(r.headers.get('cross-origin-embedder-policy'), 'require-corp');
    const q = requests.find(x => x.url === '/test.js');
    assert.equal(q.host, `localhost:${upPort}`);
    assert.equal(q.enc, undefined);
  });
  test('binary bodies pass through byte for byte', async () => {
    const r = await get('/test.wasm');
    assert.equal(r.headers.get('content-type'), 'application/wasm');
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), wasm);
  });
  test('query strings and POST bodies reach the target', async () => {
    assert.equal(await (await get('/report_result?exit%3A0')).text(), 'OK');
    assert.ok(requests.some(q => q.url === '/report_result?exit%3A0'));
    assert.equal(await (await get('/log?file=stdout', { method: 'POST', body: 'hello' })).text(), 'got hello');
  });
  test('unreachable target is a 502 naming it', async () => {
    const dead = await startDevProxy({ target: 'http://127.0.0.1:9' });
    try {
      const r = await fetch(dead.url + 'x');
      assert.equal(r.status, 502);
      assert.match(await r.text(), /127\.0\.0\.1:9 unreachable/);
    } finally { await dead.close(); }
  });
  test('exactly one of target/appDir', async () => {
    await assert.rejects(startDevProxy({}), /exactly one/);
  });
});
