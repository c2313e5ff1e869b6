// Hermetic tests of `dsock run`'s page hook (iwa/run.mjs) and the proxy features it uses: the hook
// runs in a node vm context standing in for the page's global object, in front of scripts shaped
// like emcc's output (the same top-level `var Module` / `var quit_` / callMain code paths).
import assert from 'node:assert/strict';
import http from 'node:http';
import vm from 'node:vm';
import { describe, test } from 'node:test';

import { rewriteHtml, TT_POLICY_PATH } from '../iwa/html.mjs';
import { startDevProxy } from '../iwa/proxy.mjs';
import { BINDING, HOOK_PATH, hookSource, runPageHtml } from '../iwa/run.mjs';

// A page: global object with the binding, event listeners we can fire, and the hook loaded.
function page(cfg) {
  const events = [];
  const listeners = {};
  const ctx = {
    [BINDING]: (json) => events.push(JSON.parse(json)),
    addEventListener: (type, fn) => { (listeners[type] ||= []).push(fn); },
    console,
  };
  ctx.self = ctx;
  vm.createContext(ctx);
  vm.runInContext(hookSource({ args: ['a', 'b c'], program: 'prog.js', bare: false, ...cfg }), ctx);
  return { ctx, events, fire: (type, ev = {}) => (listeners[type] || []).forEach(fn => fn(ev)) };
}

// The parts of emcc's runtime the hook relies on (src/shell.js, libwasi.js proc_exit, postamble).
const RUNTIME = `
var Module = typeof Module != 'undefined' ? Module : {};
var quit_ = (status, toThrow) => { throw toThrow; };
class ExitStatus { name = 'ExitStatus'; constructor(status) { this.status = status; } }
var out = Module['print'] || console.log;
var err = Module['printErr'] || console.error;
function proc_exit(code) { quit_(code, new ExitStatus(code)); }
function callMain(args) { return main(args); }
function run() {
  (Module['preRun'] || []).forEach(f => f());
  try { callMain(Module['arguments']); } catch (e) { if (!(e instanceof ExitStatus)) quit_(1, e); }
}
// quit_ rethrows what it is given, as the real one does: the event loop swallows it.
function guarded(f) { try { f(); } catch (e) { /* unwinding */ } }
`;

describe('dsock run hook', () => {
  test('a shell-defined Module keeps its print; arguments, output and exit status are relayed', () => {
    const { ctx, events } = page();
    const shown = [];
    vm.runInContext('var Module = { print: (t) => shownByShell(t) };', Object.assign(ctx, { shownByShell: t => shown.push(t) }));
    vm.runInContext(RUNTIME + `
      function main(args) { out('argv ' + JSON.stringify(args)); err('oops'); proc_exit(3); }
      guarded(run);`, ctx);
    assert.deepEqual(events, [
      { t: 'out', s: 'argv ["a","b c"]' }, { t: 'err', s: 'oops' }, { t: 'exit', code: 3 },
    ]);
    assert.deepEqual(shown, ['argv ["a","b c"]'], "the shell's own print still runs");
  });

  test('bare page: the hook creates Module; a non-ExitStatus unwinding quit_ is a crash with the reason', () => {
    const { ctx, events } = page({ bare: true });
    vm.runInContext(RUNTIME + `
      function main() { throw new Error('trap'); }
      guarded(run);`, ctx);
    assert.equal(events.length, 1);
    assert.equal(events[0].t, 'exit');
    assert.equal(events[0].code, 1);
    assert.match(events[0].error, /trap/);
  });

  test('-sPROXY_TO_PTHREAD: the implicit exit(0) of callMain on the main thread is not the end', () => {
    const { ctx, events } = page();
    vm.runInContext(RUNTIME + `
      var __emscripten_proxy_main = () => 0;   // starts main() on a pthread and returns
      function main() { proc_exit(0); }         // callMain → exitJS(0, implicit) → quit_
      guarded(run);
      guarded(() => proc_exit(7));                             // later: exitOnMainThread(7) from the pthread`, ctx);
    assert.deepEqual(events, [{ t: 'exit', code: 7 }]);
  });

  test('abort is reported through onAbort', () => {
    const { ctx, events } = page();
    vm.runInContext(RUNTIME + `
      function main() { Module['onAbort']('boom'); throw new Error('Aborted(boom)'); }
      guarded(run);`, ctx);
    assert.deepEqual(events.map(e => e.t), ['abort', 'exit']);
    assert.equal(events[0].reason, 'boom');
  });

  test('a page that never sets Module, or sets a MODULARIZE factory, is named on load', () => {
    const plain = page();
    vm.runInContext('console.log === console.log;', plain.ctx);
    plain.fire('load');
    assert.equal(plain.events[0].t, 'fatal');
    assert.match(plain.events[0].reason, /not an Emscripten program/);
    const mod = page();
    vm.runInContext('var Module = (() => async function(moduleArg = {}) {})();', mod.ctx);
    mod.fire('load');
    assert.match(mod.events[0].reason, /-sMODULARIZE/);
  });

  test('a script that fails to load is fatal', () => {
    const { events, fire } = page();
    fire('error', { target: { tagName: 'SCRIPT', src: 'isolated-app://x/prog.js' } });
    assert.deepEqual(events, [{ t: 'fatal', reason: 'cannot load isolated-app://x/prog.js' }]);
  });
});

describe('proxy features used by dsock run', () => {
  test('rewriteHtml loads extra scripts right after the Trusted Types policy', async () => {
    const { html } = await rewriteHtml('<!doctype html><html><head><script>var Module = {};</script></head></html>',
      () => {}, { scripts: [HOOK_PATH] });
    assert.ok(html.includes(`<head><script src="${TT_POLICY_PATH}"></script><script src="${HOOK_PATH}"></script><script src=`), html);
  });

  test('the generated page loads the policy, the hook, then the program', () => {
    const html = runPageHtml('/a%20b.js', 'a b.js');
    const order = [TT_POLICY_PATH, HOOK_PATH, '/a%20b.js'].map(p => html.indexOf(`src="${p}"`));
    assert.ok(order.every(i => i > 0) && order[0] < order[1] && order[1] < order[2], html);
  });

  test('routes are served from memory; HTML from appDir gets the injected scripts', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsock-run-test-'));
    fs.writeFileSync(path.join(dir, 'prog.html'), '<!doctype html><html><head></head><body></body></html>');
    const proxy = await startDevProxy({ appDir: dir, routes: { '/__dsock/x.js': { type: 'text/javascript', body: 'x()' } },
      injectScripts: ['/__dsock/x.js'] });
    const get = (p) => new Promise((res, rej) => http.get(proxy.url.slice(0, -1) + p, r => {
      let b = ''; r.on('data', c => { b += c; }); r.on('end', () => res({ status: r.statusCode, type: r.headers['content-type'], body: b }));
    }).on('error', rej));
    try {
      assert.deepEqual(await get('/__dsock/x.js'), { status: 200, type: 'text/javascript', body: 'x()' });
      const page = await get('/prog.html');
      assert.ok(page.body.includes('<script src="/__dsock/x.js"></script>'), page.body);
    } finally {
      await proxy.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
