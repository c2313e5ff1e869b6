// The loopback HTTP server an Isolated Web App in dev-proxy mode is installed from. Chromium
// forwards every isolated-app://<id>/path request of the app to http://127.0.0.1:<port>/path.
//
// It serves the manifest and icon itself and, for everything else, either forwards to `target`
// (Emscripten's btest server on http://localhost:8888+N, so /run_harness, /check and
// /report_result reach it unchanged) or serves files from `appDir` (benchmark pages).
// Responses are adapted to the app's CSP (see html.mjs):
// - text/html documents: inline scripts externalized, `default` Trusted Types policy injected;
// - text bodies (html, js, json, plain): absolute URLs of the target origin made relative, since
//   the app cannot frame or fetch http://localhost:8888 (upstream's harness builds
//   `COMMAND:http://localhost:8888/test.html` and browser_reporting.js has an absolute reportingURL).
// Binary bodies (wasm, data files) are streamed through untouched, Range requests included.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { INLINE_PREFIX, TT_POLICY_PATH, TT_POLICY_SOURCE, looksLikeHtmlDocument, relativizeOrigins, rewriteHtml }
  from './html.mjs';
import { ICON_PATH, MANIFEST_PATH, buildManifest, solidPng } from './manifest.mjs';

const MIME = {
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.js': 'text/javascript',
  '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm',
  '.css': 'text/css', '.txt': 'text/plain', '.png': 'image/png', '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json', '.data': 'application/octet-stream',
};

/** Content types whose bodies are buffered and text-rewritten (origins made relative). */
export function isTextType(contentType = '') {
  const t = contentType.split(';')[0].trim().toLowerCase();
  return t.startsWith('text/') || t === 'application/javascript' || t === 'application/json' ||
    t === 'application/x-javascript' || t === 'application/ecmascript';
}

/** The loopback spellings of `target`'s origin that pages may have baked into bodies. */
export function originAliases(target) {
  const u = new URL(target);
  const port = u.port || '80';
  return [...new Set([`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`,
    u.origin])];
}

// Bounded store of externalized inline scripts (content-addressed; a test run produces a few per page).
class InlineStore {
  constructor(limit = 4096) { this.limit = limit; this.map = new Map(); }
  set(key, value) {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value);
  }
  get(key) { return this.map.get(key); }
}

/**
 * Start the dev proxy on 127.0.0.1 (an ephemeral port unless `port`).
 * Options: `target` (http URL, e.g. 'http://localhost:8888') XOR `appDir` (directory);
 * `manifest` (object; default buildManifest()); `log(msg)` (optional);
 * `routes`: {[path]: {type, body: string|Buffer}} served from memory before the target/appDir
 * (`dsock run`'s generated page and hook); `injectScripts`: script paths every rewritten HTML
 * document loads right after the Trusted Types policy (see rewriteHtml).
 * Returns Promise<{port, url, server, stats, close(): Promise<void>}>.
 * `stats`: counters {requests, forwarded, rewritten, inlined, errors} for tests and logs.
 */
export async function startDevProxy({ target, appDir, manifest = buildManifest(), port = 0, log = () => {},
  routes = {}, injectScripts = [] } = {}) {
  if (!target === !appDir) throw new Error('startDevProxy: pass exactly one of target or appDir');
  const targetUrl = target ? new URL(target) : null;
  const origins = targetUrl ? originAliases(targetUrl.href) : [];
  const inline = new InlineStore();
  const icon = solidPng();
  const manifestBody = Buffer.from(JSON.stringify(manifest, null, 2));
  const stats = { requests: 0, forwarded: 0, rewritten: 0, inlined: 0, errors: 0 };

  const send = (res, status, type, body, extra = {}) => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-store', ...extra });
    res.end(body);
  };

  // Adapt a buffered text body: origins made relative; HTML documents rewritten for the CSP.
  const adaptText = async (text, contentType) => {
    let out = origins.length ? relativizeOrigins(text, origins) : text;
    // Not Sec-Fetch-Dest: Chromium's dev-proxy fetches every app resource with `empty`.
    if (contentType.toLowerCase().startsWith('text/html') && looksLikeHtmlDocument(out)) {
      const r = await rewriteHtml(out, (p, src) => inline.set(p, src), { scripts: injectScripts });
      stats.inlined += r.inlined;
      out = r.html;
    }
    return out;
  };

  const respondAdapted = async (req, res, status, headers, bodyBuf) => {
    const type = String(headers['content-type'] || '');
    const text = await adaptText(bodyBuf.toString('utf8'), type);
    const out = Buffer.from(text, 'utf8');
    if (!out.equals(bodyBuf)) stats.rewritten++;
    const h = { ...headers };
    delete h['content-length'];
    delete h['transfer-encoding'];
    delete h['content-encoding'];
    h['content-length'] = out.length;
    res.writeHead(status, h);
    res.end(req.method === 'HEAD' ? undefined : out);
  };

  const forward = (req, res) => {
    stats.forwarded++;
    const headers = { ...req.headers, host: targetUrl.host };
    delete headers['accept-encoding']; // bodies are rewritten: ask for identity encoding
    const up = http.request({
      host: targetUrl.hostname, port: targetUrl.port || 80, method: req.method, path: req.url, headers,
    }, upRes => {
      const type = String(upRes.headers['content-type'] || '');
      if (!isTextType(type) || req.method === 'HEAD' || upRes.statusCode === 206) {
        res.writeHead(upRes.statusCode, upRes.headers);
        upRes.pipe(res);
        return;
      }
      const chunks = [];
      upRes.on('data', c => chunks.push(c));
      upRes.on('end', () => {
        respondAdapted(req, res, upRes.statusCode, upRes.headers, Buffer.concat(chunks)).catch(e => {
          stats.errors++;
          log(`rewrite failed for ${req.url}: ${e.message}`);
          if (!res.headersSent) send(res, 500, 'text/plain', Buffer.from(String(e)));
          else res.destroy();
        });
      });
      upRes.on('error', () => res.destroy());
    });
    up.on('error', e => {
      stats.errors++;
      log(`forward ${req.method} ${req.url} -> ${targetUrl.origin}: ${e.message}`);
      if (!res.headersSent) send(res, 502, 'text/plain', Buffer.from(`dsock dev proxy: ${targetUrl.origin} unreachable: ${e.message}\n`));
      else res.destroy();
    });
    req.pipe(up);
  };

  const serveFile = async (req, res) => {
    const u = new URL(req.url, 'http://x');
    let rel = decodeURIComponent(u.pathname);
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(appDir, '.' + rel);
    if (!file.startsWith(path.resolve(appDir) + path.sep)) return send(res, 403, 'text/plain', Buffer.from('forbidden\n'));
    let data;
    try { data = await fs.promises.readFile(file); } catch { return send(res, 404, 'text/plain', Buffer.from('not found\n')); }
    const type = MIME[path.extname(file).toLowerCase()] || 'application/octet-stream';
    const headers = { 'content-type': type, 'cache-control': 'no-store', 'cross-origin-resource-policy': 'same-origin' };
    if (isTextType(type)) return respondAdapted(req, res, 200, headers, data);
    res.writeHead(200, { ...headers, 'content-length': data.length });
    res.end(req.method === 'HEAD' ? undefined : data);
  };

  const server = http.createServer((req, res) => {
    stats.requests++;
    const pathname = new URL(req.url, 'http://x').pathname;
    if (pathname === MANIFEST_PATH) return send(res, 200, 'application/manifest+json', manifestBody);
    if (pathname === ICON_PATH) return send(res, 200, 'image/png', icon);
    if (pathname === TT_POLICY_PATH) return send(res, 200, 'text/javascript', Buffer.from(TT_POLICY_SOURCE));
    if (Object.hasOwn(routes, pathname)) {
      const r = routes[pathname];
      return send(res, 200, r.type, Buffer.from(r.body));
    }
    if (pathname.startsWith(INLINE_PREFIX)) {
      const src = inline.get(pathname);
      return src === undefined ? send(res, 404, 'text/plain', Buffer.from('unknown inline script\n'))
        : send(res, 200, 'text/javascript', Buffer.from(src));
    }
    if (targetUrl) return forward(req, res);
    serveFile(req, res).catch(e => { stats.errors++; log(`serve ${req.url}: ${e.message}`); res.destroy(); });
  });
  // Keep-alive sockets from Chromium would hold close() open; track and destroy them.
  const sockets = new Set();
  server.on('connection', s => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = server.address().port;
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}/`,
    server,
    stats,
    close: () => new Promise(resolve => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
