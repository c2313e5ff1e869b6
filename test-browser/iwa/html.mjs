// HTML rewriting that lets ordinary test pages run under an Isolated Web App's fixed CSP:
//   script-src 'self' 'wasm-unsafe-eval'; require-trusted-types-for 'script'
// 1. Inline <script> bodies are blocked, so each is moved to a content-addressed URL served by the
//    proxy and replaced by <script src=...> (parser-inserted external classic scripts without
//    async/defer execute at the same point as the inline script did).
// 2. Trusted Types are enforced, so `new Worker('x.js')` or `el.innerHTML = s` with plain strings
//    throw; a `default` policy (loaded first, before any page script) accepts them unchanged.
// Uses parse5's rewriting stream (raw source is kept for every token we do not touch).

import crypto from 'node:crypto';
import { RewritingStream } from 'parse5-html-rewriting-stream';

/** Path of the script that creates the `default` Trusted Types policy. */
export const TT_POLICY_PATH = '/__dsock/tt-default-policy.js';
/** Prefix under which externalized inline scripts are served: `${INLINE_PREFIX}<sha256>.js`. */
export const INLINE_PREFIX = '/__dsock/inline/';

/** The body served at TT_POLICY_PATH. Idempotent: a page (or the app) may already have one. */
export const TT_POLICY_SOURCE = `// injected by dsock test-browser: IWAs enforce Trusted Types; accept plain strings.
if (self.trustedTypes && self.trustedTypes.createPolicy && !self.trustedTypes.defaultPolicy) {
  self.trustedTypes.createPolicy('default', { createHTML: s => s, createScript: s => s, createScriptURL: s => s });
}
`;

// Script types the browser executes; anything else (JSON data, templates, importmap) is left alone.
const EXECUTABLE_TYPES = new Set(['', 'text/javascript', 'application/javascript', 'module',
  'text/ecmascript', 'application/ecmascript', 'text/jscript', 'text/livescript']);

function attr(tag, name) {
  const a = tag.attrs.find(x => x.name === name);
  return a ? a.value : undefined;
}

/** Content address of an inline script: `${INLINE_PREFIX}<sha256 hex>.js`. */
export function inlineScriptPath(source) {
  return `${INLINE_PREFIX}${crypto.createHash('sha256').update(source).digest('hex')}.js`;
}

/** Cheap check that a text/html body is a document and not a fragment such as the btest
 *  harness's `/check` answer ("COMMAND:/test.html", served as text/html). */
export function looksLikeHtmlDocument(text) {
  return /<(!doctype|html|head|body|script)[\s>]/i.test(text.slice(0, 64 * 1024));
}

/**
 * Rewrite one HTML document. `html`: string. `storeInline(path, source)`: called for each
 * externalized inline script. `scripts`: extra script paths loaded right after the Trusted Types
 * policy, before any script of the page (`dsock run` puts its Module hook there).
 * Returns Promise<{html, inlined: number, injected: boolean}>.
 */
export function rewriteHtml(html, storeInline, { scripts = [] } = {}) {
  return new Promise((resolve, reject) => {
    const rw = new RewritingStream();
    let out = '';
    let injected = false;
    let inlined = 0;
    let pending = null; // {tag} while inside an inline executable <script>, collecting its text
    let body = '';
    const tags = [TT_POLICY_PATH, ...scripts].map(p => `<script src="${p}"></script>`).join('');
    const inject = () => {
      if (!injected) { rw.emitRaw(tags); injected = true; }
    };
    rw.on('startTag', (tag, raw) => {
      const name = tag.tagName;
      if (name === 'head') { rw.emitRaw(raw); inject(); return; }
      if (name === 'script' || name === 'body' || name === 'link' || name === 'iframe') inject();
      if (name === 'script' && attr(tag, 'src') === undefined &&
          EXECUTABLE_TYPES.has((attr(tag, 'type') || '').trim().toLowerCase())) {
        pending = { tag };
        body = '';
        return;
      }
      rw.emitRaw(raw);
    });
    rw.on('text', (_text, raw) => { if (pending) body += raw; else rw.emitRaw(raw); });
    rw.on('endTag', (tag, raw) => {
      if (pending && tag.tagName === 'script') {
        const path = inlineScriptPath(body);
        storeInline(path, body);
        inlined++;
        const t = pending.tag;
        t.attrs = t.attrs.filter(a => a.name !== 'src');
        t.attrs.push({ name: 'src', value: path });
        rw.emitStartTag(t);
        rw.emitRaw(raw);
        pending = null;
        return;
      }
      rw.emitRaw(raw);
    });
    rw.on('data', chunk => { out += chunk; });
    rw.on('end', () => {
      if (!injected) out = tags + out;
      resolve({ html: out, inlined, injected: true });
    });
    rw.on('error', reject);
    rw.end(html);
  });
}

/** Replace every absolute `origin` URL prefix in `text` by '' (so `http://localhost:8888/x`
 *  becomes `/x` and resolves against the app origin). `origins`: string[]. */
export function relativizeOrigins(text, origins) {
  let out = text;
  for (const o of origins) {
    // `(?![0-9])`: http://localhost:8888 must not eat the prefix of http://localhost:88881.
    const re = new RegExp(o.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '(?![0-9])', 'g');
    out = out.replace(re, '');
  }
  return out;
}
