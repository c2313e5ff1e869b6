#!/usr/bin/env node
// Summarise a Chromium trace (Trace Event JSON, as `dsock bench --trace DIR` writes them): how
// many top-level events (tasks; a task's microtask checkpoint counts apart) each thread ran
// and for how long, and what the renderer's main thread spent them on. Per-unit figures divide by --per N (e.g. the round trips of a tcp-rr run, warm-up
// included), so two variants of the same workload can be compared task by task.
//
//   node trace-summary.mjs FILE.json [--per N] [--top K] [--markdown]
//
// A top-level event is a complete event ("ph": "X") of category "toplevel" that no other such
// event on its thread encloses (its duration is the wall time the thread spent in it, µs); on
// the renderer's main thread ("CrRendererMain") every toplevel event, nested or not, is also
// reported by name. Threads are named
// "process/thread" from the trace's metadata events. Exits 2 on a file that is not a trace.
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && !['--per', '--top'].includes(args[i - 1]));
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const per = opt('--per', 0);
const top = opt('--top', 12);
const markdown = args.includes('--markdown');
if (!file) {
  console.error('usage: trace-summary.mjs FILE.json [--per N] [--top K] [--markdown]');
  process.exit(2);
}
let events;
try {
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  events = Array.isArray(data) ? data : data.traceEvents;
  if (!Array.isArray(events)) throw new Error('no traceEvents array');
} catch (e) {
  console.error(`trace-summary: ${file} is not a Trace Event JSON file: ${e.message}`);
  process.exit(2);
}

const processes = new Map();
const threads = new Map();
for (const e of events) {
  if (e.ph !== 'M') continue;
  if (e.name === 'process_name') processes.set(e.pid, e.args.name);
  if (e.name === 'thread_name') threads.set(`${e.pid}/${e.tid}`, e.args.name);
}
const threadName = (e) =>
  `${processes.get(e.pid) ?? e.pid}/${threads.get(`${e.pid}/${e.tid}`) ?? e.tid}`;

// Top-level tasks per thread, and every toplevel event on the renderer's main thread by name
// (with the posting location for RunTask, where the trace has one).
const perThread = new Map();
const mainKinds = new Map();
const add = (map, key, dur) => {
  const row = map.get(key) ?? { n: 0, us: 0 };
  row.n += 1;
  row.us += dur;
  map.set(key, row);
};
const sorted = events.filter((e) => e.ph === 'X' && String(e.cat).split(',').includes('toplevel'))
  .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
const openUntil = new Map();
for (const e of sorted) {
  const t = threadName(e);
  const nested = (openUntil.get(t) ?? -Infinity) > e.ts;
  if (!nested) {
    add(perThread, t, e.dur ?? 0);
    openUntil.set(t, e.ts + (e.dur ?? 0));
  }
  if (threads.get(`${e.pid}/${e.tid}`) === 'CrRendererMain') {
    const where = e.args?.src_func ? ` (${e.args.src_file?.split('/').pop()}: ${e.args.src_func})` : '';
    const iface = e.args?.chrome_mojo_event_info?.watcher_notify_interface_tag;
    add(mainKinds, `${e.name}${where}${iface ? ` [${iface.split('/').pop()}]` : ''}`, e.dur ?? 0);
  }
}

let first = Infinity;
let last = -Infinity;
for (const e of events) {
  if (e.ph === 'M' || typeof e.ts !== 'number') continue;
  first = Math.min(first, e.ts);
  last = Math.max(last, e.ts);
}
const spanS = last > first ? (last - first) / 1e6 : 0;
const fmt = (row) => {
  const base = `${String(row.n).padStart(7)} × ${(row.us / 1000).toFixed(0).padStart(6)} ms`;
  return per ? `${base}  (${(row.n / per).toFixed(2)} per unit, ${(row.us / per).toFixed(1)} µs per unit)` : base;
};
const byTime = (m) => [...m.entries()].sort((a, b) => b[1].us - a[1].us).slice(0, top);

if (markdown) {
  console.log(`${path.basename(file)}: ${spanS.toFixed(1)} s traced${per ? `, per unit = ÷ ${per}` : ''}\n`);
  console.log('| thread | top-level events | ms | events per unit | µs per unit |\n|---|---:|---:|---:|---:|');
  for (const [t, r] of byTime(perThread)) {
    console.log(`| ${t} | ${r.n} | ${(r.us / 1000).toFixed(0)} | ${per ? (r.n / per).toFixed(2) : ''} | ${per ? (r.us / per).toFixed(1) : ''} |`);
  }
  console.log('\n| renderer main thread: event | count | ms | µs per unit |\n|---|---:|---:|---:|');
  for (const [k, r] of byTime(mainKinds)) {
    console.log(`| \`${k}\` | ${r.n} | ${(r.us / 1000).toFixed(0)} | ${per ? (r.us / per).toFixed(1) : ''} |`);
  }
} else {
  console.log(`${path.basename(file)}: ${spanS.toFixed(1)} s traced`);
  console.log('top-level events per thread:');
  for (const [t, r] of byTime(perThread)) console.log(`  ${fmt(r)}  ${t}`);
  console.log('renderer main thread, toplevel events:');
  for (const [k, r] of byTime(mainKinds)) console.log(`  ${fmt(r)}  ${k}`);
}
