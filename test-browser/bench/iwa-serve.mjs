#!/usr/bin/env node
// Run an Emscripten build of dsbench.c as a page of a headless Chromium Isolated Web App,
// where Direct Sockets exist, and relay its output: every line the program prints is printed
// on stdout (so `dsock bench` sees "DSBENCH READY udp=... tcp=..." exactly as from a native
// process). The program runs exactly as under `dsock run` (test-browser/iwa/run.mjs:
// runProgram); probe pages run with the harness launcher (test-browser/iwa/launch.mjs: startIwa).
//
//   node iwa-serve.mjs --app DIR [--chromium PATH] [--max-seconds N] [--page P] [--profile FILE] [--trace FILE] -- <program args...>
//   node iwa-serve.mjs --app DIR --page 'probe.html?mode=udp-write&port=P&inflight=K'   (see app/probe.js)
//
// DIR holds dsbench.js/.wasm; the pages of ./app are copied next to them. --page js.html runs
// the plain-JS server instead (app/dsbench-js.js, the chromium-js variant). The program
// arguments reach dsbench.js as Module.arguments and every other page as ?args=<JSON array>.
// --profile FILE records a CPU profile of the page (and of its workers) over CDP from READY
// until the server stops, then writes FILE (.cpuprofile JSON; workers as
// FILE.worker-N.cpuprofile); see docs/bench.md "Profiles". --trace FILE records a Chromium
// trace (Trace Event JSON, every process) over the same span, with the categories in
// TRACE_CATEGORIES (DSBENCH_TRACE_CATEGORIES=a,b,... replaces them);
// test-browser/bench/trace-summary.mjs counts its tasks. Tracing slows the browser: compare
// traced runs with traced runs only. Stops, closing Chromium, when the
// program prints "DSBENCH EXIT", when stdin closes,
// on SIGTERM/SIGINT, or after --max-seconds: it never outlives its caller's bound.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const o = { app: null, chromium: undefined, maxSeconds: 900, page: 'index.html', program: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { o.program = argv.slice(i + 1); break; }
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    if (a === '--app') o.app = path.resolve(v);
    else if (a === '--chromium') o.chromium = v;
    else if (a === '--max-seconds') o.maxSeconds = Number(v);
    else if (a === '--page') o.page = v;
    else if (a === '--profile') o.profile = path.resolve(v);
    else if (a === '--trace') o.trace = path.resolve(v);
    else throw new Error(`unknown option ${a}`);
  }
  if (!o.app) throw new Error('--app DIR is required');
  return o;
}

const opts = parseArgs(process.argv.slice(2));
for (const f of ['probe.html', 'probe.js', 'js.html', 'dsbench-js.js', 'hop-worker.js']) fs.copyFileSync(path.join(here, 'app', f), path.join(opts.app, f));
if (opts.page === 'index.html' && !fs.existsSync(path.join(opts.app, 'dsbench.js'))) {
  console.log(`DSBENCH EXIT error no dsbench.js in ${opts.app}`);
  process.exit(2);
}

// DSOCK_IWA_LAUNCH: an alternative launcher module (development before test-browser/iwa lands).
const launcher = process.env.DSOCK_IWA_LAUNCH
  ? pathToFileURL(path.resolve(process.env.DSOCK_IWA_LAUNCH)).href
  : new URL('../iwa/launch.mjs', import.meta.url).href;
const { startIwa } = await import(launcher);
const { runProgram } = await import(new URL('../iwa/run.mjs', import.meta.url).href);

let iwa = null;
let stopping = false;
// --profile: CDP sessions (page, then workers) whose Profiler runs from READY until stop().
const profiled = [];
let profiling = false;
async function startProfiles() {
  if (profiling || !opts.profile || !iwa) return;
  profiling = true;
  const start = async (session, label) => {
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: 100 });  // µs
    await session.send('Profiler.start');
    profiled.push({ session, label });
  };
  await start(await iwa.page.createCDPSession(), 'page').catch((e) => console.error(`profile: ${e}`));
  for (const w of iwa.page.workers()) await start(w.client, `worker-${profiled.length}`).catch(() => {});
}
// --trace: the tasks of every thread ("toplevel": Chromium's task runner, Mojo watchers, the
// microtask checkpoint) and V8's entry points, enough to count tasks per unit of work.
const TRACE_CATEGORIES = ['toplevel', 'v8.execute'];
let tracing = false;
async function startTrace() {
  if (tracing || !opts.trace || !iwa) return;
  tracing = true;
  const categories = process.env.DSBENCH_TRACE_CATEGORIES?.split(',') ?? TRACE_CATEGORIES;
  await iwa.page.tracing.start({ path: opts.trace, categories })
    .catch((e) => { tracing = false; console.error(`trace: ${e.message}`); });
}
async function stopTrace() {
  if (!tracing) return;
  await iwa.page.tracing.stop()
    .then(() => console.error(`trace: wrote ${opts.trace}`), (e) => console.error(`trace: ${e.message}`));
}
async function stopProfiles() {
  for (const { session, label } of profiled) {
    try {
      const { profile } = await session.send('Profiler.stop');
      const file = label === 'page' ? opts.profile : `${opts.profile}.${label}.cpuprofile`;
      fs.writeFileSync(file, JSON.stringify(profile));
      console.error(`profile: wrote ${file}`);
    } catch (e) {
      console.error(`profile ${label}: ${e.message}`);
    }
  }
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  await stopProfiles();
  await stopTrace();
  if (iwa) await iwa.close();
  process.exit(code);
}
process.on('SIGTERM', () => stop(143));
process.on('SIGINT', () => stop(130));
process.stdin.on('end', () => stop(0));
process.stdin.on('error', () => stop(0));
process.stdin.resume();
setTimeout(() => { console.log(`DSBENCH EXIT timeout iwa-serve after ${opts.maxSeconds} s`); stop(3); },
  opts.maxSeconds * 1000).unref();

// index.html (the default) runs dsbench.js with the program arguments; --page probe.html?... runs a probe.
const url = '/' + opts.page + (opts.page.includes('?') ? '&' : '?') + 'args=' +
  encodeURIComponent(JSON.stringify(opts.program));
// DSBENCH_CONSOLE_LOG=FILE also appends every line there (the runner keeps server lines only
// for error messages; this is how the TCP send counters are read after a run).
const relay = (text) => {
  console.log(text);
  if (process.env.DSBENCH_CONSOLE_LOG) fs.appendFileSync(process.env.DSBENCH_CONSOLE_LOG, `${Date.now()} ${text}\n`);
  if (text.includes('DSBENCH READY')) setTimeout(() => { startProfiles(); startTrace(); }, 0);
  if (text.includes('DSBENCH EXIT') || text.includes('DSBENCH PROCESS ABORT')) setTimeout(() => stop(0), 300);
};
try {
  if (opts.page === 'index.html') {
    const run = await runProgram({ program: path.join(opts.app, 'dsbench.js'), args: opts.program,
      chromium: opts.chromium, onOutput: (_stream, line) => relay(line) });
    iwa = run.iwa;
    // -sDIRECT_SOCKETS builds: the TCP send pump's counters (drops detected and re-sent, see
    // tcpSendStats in libsockfs_direct.js), printed whenever they change, so a run's drops can
    // be read from the server's lines (DSBENCH_CONSOLE_LOG keeps them).
    let lastStats = 'null';
    setInterval(async () => {
      const stats = await iwa.page.evaluate(() => JSON.stringify(self.directSockHelpers?.tcpSendStats ?? null))
        .catch(() => 'null');
      if (stats !== lastStats && stats !== 'null') relay('DSBENCH TCP-SEND-STATS ' + stats);
      lastStats = stats;
    }, 500).unref();
    // The program's end ends the driver, with its exit status (abort: 134, see run.mjs).
    run.result.then((r) => {
      relay(r.kind === 'exit' ? `DSBENCH PROCESS EXIT ${r.code}` : `DSBENCH PROCESS ABORT ${r.kind}: ${r.reason}`);
      setTimeout(() => stop(r.code), 300);
    });
  } else {
    iwa = await startIwa({
      appDir: opts.app, url, chromium: opts.chromium, attach: true, name: 'dsock bench',
      // "[console.log] text" → "text": the probe's lines unchanged; page errors keep their tag.
      onConsole: (m) => relay(m.replace(/^\[console\.(log|info|error|warn|warning)\] /, '')),
    });
  }
  // Worker consoles (pthread builds print through the main thread, but errors may surface here).
  iwa.page.on('workercreated', (w) => w.on('console', (m) => relay(`[worker] ${m.text()}`)));
} catch (e) {
  console.log(`DSBENCH EXIT error iwa-serve: ${e.message.split('\n')[0]}`);
  await stop(2);
}
