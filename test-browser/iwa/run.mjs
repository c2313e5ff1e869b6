// Run one Emscripten program (PROGRAM.js, or the PROGRAM.html emcc writes with its default shell)
// as a page of a headless Chromium Isolated Web App, like `node PROGRAM.js ARGS…` runs it under
// node: its stdout and stderr are relayed as they come, ARGS become Module.arguments, and the
// result is its exit status. `dsock run` (through ../dsock-run) and the benchmark driver
// (../bench/iwa-serve.mjs) both start programs with runProgram().
//
// How the program is observed (no change to the build needed):
// - The app window opens on an empty gate page first; the `__dsockRun` binding is installed
//   (puppeteer exposeFunction = CDP Runtime.addBinding), then the window navigates to the program,
//   so no output can be printed before the channel exists.
// - A hook script runs before any script of the page (HOOK_SOURCE, served at HOOK_PATH, injected
//   by the dev proxy into the .html, or loaded by the generated page RUN_PAGE for a bare .js). It
//   turns the global `Module` into an accessor property, so it sees the object a shell assigns
//   (`var Module = {…}` in emcc's shell.html) and the one the program itself creates
//   (`var Module = typeof Module != 'undefined' ? Module : {}`), and sets on it:
//   `arguments`, `print`/`printErr` (relayed, then the shell's own handler) and `onAbort`. The
//   same trick on the program's global `quit_` catches every exit: proc_exit → quit_(status,
//   ExitStatus), or handleException → quit_(1, error) for an uncaught exception
//   (src/lib/libwasi.js proc_exit, src/lib/libcore.js handleException); it works whether or not
//   the build has -sEXIT_RUNTIME (Module.onExit only fires with it). pthread workers proxy
//   print/printErr/onAbort to the main thread's handlers and exit() to the main thread
//   (src/runtime_pthread.js, exitOnMainThread), so -pthread builds are covered too. A build whose
//   top-level names are renamed (--closure 1) or wrapped (-sMODULARIZE) cannot be observed this way.

import fs from 'node:fs';
import path from 'node:path';

import { TT_POLICY_PATH } from './html.mjs';
import { startIwa } from './launch.mjs';

/** Where the proxy serves the hook script (see the header comment). */
export const HOOK_PATH = '/__dsock/run-hook.js';
/** The generated page that loads a bare PROGRAM.js. */
export const RUN_PAGE = '/__dsock/run.html';
/** The empty page the app window opens on while the output channel is set up. */
export const GATE_PAGE = '/__dsock/gate.html';
/** Name of the page → node binding (one JSON string argument per event). */
export const BINDING = '__dsockRun';

/** Exit status of an aborted program: a native process killed by SIGABRT (128 + 6). */
export const ABORT_STATUS = 134;
/** Exit status after --timeout (coreutils `timeout`). */
export const TIMEOUT_STATUS = 124;

/**
 * The hook (browser JavaScript, a classic script). `cfg`: {args: string[], program: string,
 * bare: boolean}. Events sent through BINDING: {t:'out'|'err', s}, {t:'exit', code, error?},
 * {t:'abort', reason}, {t:'fatal', reason}, {t:'uncaught', reason}.
 */
export function hookSource(cfg) {
  return `// dsock run: relays the program's output and exit status to the runner (test-browser/iwa/run.mjs).
(() => {
  'use strict';
  const cfg = ${JSON.stringify(cfg)};
  const send = (m) => { try { self.${BINDING}(JSON.stringify(m)); } catch (e) { console.error('dsock run: no output channel', e); } };
  let current;
  let assignments = 0;
  const chain = (mine, theirs) => (...a) => { mine(...a); if (typeof theirs === 'function') return theirs(...a); };
  const wrap = (m) => {
    if (!m || typeof m !== 'object' || m.__dsockRun) return m;
    Object.defineProperty(m, '__dsockRun', { value: true });
    m.arguments = cfg.args.slice();
    // Then the shell's own handler, else the console as emcc's runtime would (so --log has it).
    m.print = chain((...a) => send({ t: 'out', s: a.join(' ') }), m.print || console.log.bind(console));
    m.printErr = chain((...a) => send({ t: 'err', s: a.join(' ') }), m.printErr || console.error.bind(console));
    m.onAbort = chain((what) => send({ t: 'abort', reason: String(what) }), m.onAbort);
    const pre = m.preRun;
    m.preRun = [hookProxyMain, ...(Array.isArray(pre) ? pre : pre ? [pre] : [])];
    return m;
  };
  // Emscripten main has no Module.quit any more: the program's own top-level \`var quit_\` is a
  // property of the global object (classic script), so an accessor installed before the program
  // runs sees the runtime's assignment, and wraps it.
  let quit;
  // -sPROXY_TO_PTHREAD: callMain on the main thread starts main() on a pthread and returns, and
  // that return is an implicit exit(0) through quit_ while the program goes on; its real exit
  // comes later from the pthread (exitOnMainThread). callMain and __emscripten_proxy_main are
  // globals of the program, in place by the time preRun callbacks run.
  let inProxyMain = false;
  const hookProxyMain = () => {
    const callMain = self.callMain;
    if (typeof callMain !== 'function' || typeof self.__emscripten_proxy_main !== 'function') return;
    self.callMain = (...a) => {
      inProxyMain = true;
      try { return callMain(...a); } finally { inProxyMain = false; }
    };
  };
  Object.defineProperty(self, 'quit_', {
    configurable: true, enumerable: true,
    get: () => quit,
    set: (theirs) => {
      quit = typeof theirs !== 'function' ? theirs : (status, toThrow) => {
        const normal = toThrow && toThrow.name === 'ExitStatus';
        if (inProxyMain && normal && status === 0) return theirs(status, toThrow);
        send({ t: 'exit', code: status, error: normal ? undefined : String((toThrow && toThrow.stack) || toThrow) });
        return theirs(status, toThrow);
      };
    },
  });
  Object.defineProperty(self, 'Module', {
    configurable: true, enumerable: true,
    get: () => current,
    set: (v) => { assignments++; current = wrap(v); },
  });
  if (cfg.bare) { self.Module = {}; assignments = 0; }
  addEventListener('error', (e) => {
    const el = e.target;
    if (el && el.tagName === 'SCRIPT') send({ t: 'fatal', reason: 'cannot load ' + el.src });
    else if (e.message) send({ t: 'uncaught', reason: e.message + (e.filename ? ' (' + e.filename + ':' + e.lineno + ')' : '') });
  }, true);
  addEventListener('unhandledrejection', (e) => send({ t: 'uncaught', reason: 'unhandled rejection: ' + String(e.reason && (e.reason.stack || e.reason)) }));
  addEventListener('load', () => {
    if (typeof current === 'function') {
      send({ t: 'fatal', reason: cfg.program + ' is a -sMODULARIZE build (Module is a factory function); dsock run runs programs that start themselves: rebuild without -sMODULARIZE/-sEXPORT_ES6' });
    } else if (!assignments) {
      send({ t: 'fatal', reason: cfg.program + ' did not set up an Emscripten Module: not an Emscripten program (build it with emcc -o NAME.js or -o NAME.html)' });
    }
  });
})();
`;
}

/** The page that runs a bare PROGRAM.js (`script`: its URL path inside the app). */
export function runPageHtml(script, title) {
  const esc = (s) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title>
<script src="${TT_POLICY_PATH}"></script>
<script src="${HOOK_PATH}"></script>
</head><body>
<script src="${esc(script)}"></script>
</body></html>
`;
}

/**
 * Start `program` (path to an Emscripten .js or .html) in an Isolated Web App.
 * Options: args (string[]), chromium, headless ('--headless=new' | null), flags, dumpio, log(msg),
 *  onOutput(stream: 'stdout'|'stderr', line: string) — each line the program prints (no newline),
 *  onConsole(msg) — the app's console, page errors, failed requests, worker consoles (for --log),
 *  onEvent(ev) — every event from the hook (diagnostics).
 * Returns Promise<{iwa, result: Promise<Result>, close(): Promise<void>}> once the page is loading.
 * Result: {kind: 'exit'|'abort'|'crash'|'fatal'|'browser', code: number, reason?: string}:
 *  exit — the program exited with `code`; abort — abort() (code ABORT_STATUS, reason = what);
 *  crash — an uncaught exception ended it (code 1); fatal — it never started (code 2: not an
 *  Emscripten build, a script that does not load); browser — Chromium went away (code 1).
 * Rejects (Error with a message naming the fix) when the app cannot start (no Chromium, …).
 */
export async function runProgram(opts) {
  const { program, args = [], onOutput = () => {}, onConsole, onEvent = () => {}, log = () => {} } = opts;
  const file = path.resolve(program);
  const st = fs.statSync(file); // throws ENOENT: the caller checks first for a nicer message
  if (!st.isFile()) throw new Error(`${program} is not a file`);
  const dir = path.dirname(file);
  const base = path.basename(file);
  const html = /\.html?$/i.test(base);
  const script = '/' + encodeURIComponent(base);
  const routes = {
    [HOOK_PATH]: { type: 'text/javascript', body: hookSource({ args: args.map(String), program: base, bare: !html }) },
    [GATE_PAGE]: { type: 'text/html; charset=utf-8', body: '<!doctype html><title>dsock run</title>' },
  };
  if (!html) routes[RUN_PAGE] = { type: 'text/html; charset=utf-8', body: runPageHtml(script, base) };

  let settle;
  const result = new Promise((resolve) => { settle = resolve; });
  let done = false;
  let abortReason = null;
  let abortTimer = null;
  const finish = (r) => {
    if (done) return;
    done = true;
    clearTimeout(abortTimer);
    settle(r);
  };
  const onMessage = (payload) => {
    let ev;
    try { ev = JSON.parse(payload); } catch { return; }
    onEvent(ev);
    switch (ev.t) {
      case 'out': onOutput('stdout', ev.s); break;
      case 'err': onOutput('stderr', ev.s); break;
      case 'abort':
        abortReason = ev.reason;
        // abort() calls onAbort before printing "Aborted(…)" and unwinding into quit_(1, …):
        // give those a moment to arrive.
        abortTimer = setTimeout(() => finish({ kind: 'abort', code: ABORT_STATUS, reason: abortReason }), 500);
        break;
      case 'exit':
        if (abortReason !== null) finish({ kind: 'abort', code: ABORT_STATUS, reason: abortReason });
        else if (ev.error) finish({ kind: 'crash', code: ev.code || 1, reason: ev.error });
        else finish({ kind: 'exit', code: ev.code });
        break;
      case 'fatal': finish({ kind: 'fatal', code: 2, reason: ev.reason }); break;
      case 'uncaught':
        // After abort() the unwinding RuntimeError surfaces here too; it is the abort, not news.
        if (!done && abortReason === null) onOutput('stderr', `dsock run: uncaught error in the page: ${ev.reason}`);
        break;
      default: break;
    }
  };

  const iwa = await startIwa({
    appDir: dir, url: GATE_PAGE, routes, injectScripts: html ? [HOOK_PATH] : [], attach: true,
    onConsole, log, name: `dsock run ${base}`, chromium: opts.chromium, headless: opts.headless,
    flags: opts.flags, dumpio: opts.dumpio,
  });
  try {
    await iwa.page.exposeFunction(BINDING, onMessage);
    if (onConsole) {
      // Workers (pthreads) have their own consoles.
      iwa.page.on('workercreated', (w) => w.on('console', (m) => onConsole(`[worker console.${m.type()}] ${m.text()}`)));
    }
    iwa.browser.on('disconnected', () => finish({ kind: 'browser', code: 1, reason: 'Chromium exited unexpectedly' }));
    const target = iwa.origin + (html ? script : RUN_PAGE);
    log(`navigating to ${target}`);
    // Not awaited to the end: a program may run for a long time before the load event.
    iwa.page.goto(target, { waitUntil: 'domcontentloaded', timeout: 0 }).catch((e) => {
      if (!done) finish({ kind: 'fatal', code: 2, reason: `cannot open ${target}: ${e.message}` });
    });
  } catch (e) {
    await iwa.close();
    throw e;
  }
  return { iwa, result, close: () => iwa.close() };
}
