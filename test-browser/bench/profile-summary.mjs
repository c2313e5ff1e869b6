#!/usr/bin/env node
// Summarise a V8 CPU profile (.cpuprofile, as `dsock bench --profile DIR` writes them): where
// the sampled time went, by function (self time), plus the share of idle, GC and "(program)"
// (native browser work outside JS, e.g. Mojo/IPC and task scheduling on this thread).
//
//   node profile-summary.mjs FILE.cpuprofile [--top N] [--markdown] [--paths DEPTH] [--per N]
//
// Self time of a node = its sample count × the mean sampling interval; frames are named
// "function file:line" (file without its isolated-app:// origin).
//
// --paths DEPTH lists call paths instead: the inclusive time of every path of up to DEPTH
// frames from the top of the stack ("a > b > c": the time sampled in c and everything it
// called, when called from b, called from a). Self time names the leaf (Blink's `write`);
// a path names who paid for it (the read callback, or a task that runs proxied calls).
// --per N divides every time by N units of work (e.g. the run's round trips) and prints µs
// per unit. A file that is not a CPU profile exits 2.
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
// The file is the argument that is neither an option nor an option's value.
const valued = new Set(['--top', '--paths', '--per']);
const file = args.find((a, i) => !a.startsWith('--') && !valued.has(args[i - 1]));
const option = (name) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
const top = option('--top') || 15;
const markdown = args.includes('--markdown');
const depth = option('--paths');
const per = option('--per');
const usage = 'usage: profile-summary.mjs FILE.cpuprofile [--top N] [--markdown] [--paths DEPTH] [--per N]';
if (!file || (depth !== undefined && !(depth >= 1)) || (per !== undefined && !(per > 0))) {
  console.error(usage);
  process.exit(2);
}
let prof;
try {
  prof = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (e) {
  console.error(`profile-summary.mjs: cannot read ${file}: ${e.message}`);
  process.exit(2);
}
if (!Array.isArray(prof?.nodes) || !Array.isArray(prof?.samples)) {
  console.error(`profile-summary.mjs: ${file} is not a CPU profile (no nodes and samples); ` +
    'write one with `dsock bench --profile DIR`');
  process.exit(2);
}
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (const id of prof.samples) counts.set(id, (counts.get(id) || 0) + 1);
const totalSamples = prof.samples.length;
const spanMs = (prof.endTime - prof.startTime) / 1000;
const perSampleMs = totalSamples ? spanMs / totalSamples : 0;

const label = (cf) => {
  const name = cf.functionName || '(anonymous)';
  if (!cf.url) return name;
  const f = cf.url.replace(/^[a-z-]+:\/\/[^/]*\//, '');
  return `${name} ${path.basename(f)}:${cf.lineNumber + 1}`;
};
const self = new Map();
for (const [id, c] of counts) {
  const k = label(byId.get(id).callFrame);
  self.set(k, (self.get(k) || 0) + c);
}
const special = ['(idle)', '(program)', '(garbage collector)'];
const busy = totalSamples - (self.get('(idle)') || 0);
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]);
const pct = (c, of) => (of ? (100 * c / of).toFixed(1) : '0.0');

const head = `${path.basename(file)}: ${spanMs.toFixed(0)} ms sampled, ${totalSamples} samples; ` +
  `busy ${pct(busy, totalSamples)} % (idle ${pct(self.get('(idle)') || 0, totalSamples)} %, ` +
  `(program) ${pct(self.get('(program)') || 0, totalSamples)} %, GC ${pct(self.get('(garbage collector)') || 0, totalSamples)} %)`;
// Inclusive samples per call path of up to `depth` frames (below the profile's "(root)").
function pathCounts() {
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const paths = new Map();
  for (const [id, c] of counts) {
    const stack = [];
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) stack.unshift(label(byId.get(cur).callFrame));
    if (stack[0] === '(root)') stack.shift();
    for (let d = 1; d <= Math.min(depth, stack.length); d++) {
      const k = stack.slice(0, d).join(' > ');
      paths.set(k, (paths.get(k) || 0) + c);
    }
  }
  return [...paths.entries()].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]);
}
// A sample count as time: ms over the profile, or µs per unit of work with --per.
const figure = (c) => (per ? (c * perSampleMs * 1000 / per).toFixed(1) : (c * perSampleMs).toFixed(0));
const figureUnit = per ? 'µs' : 'ms';

if (depth !== undefined) {
  const rows = pathCounts().slice(0, top);
  const unit = per ? `µs per unit (÷ ${per})` : 'ms';
  if (markdown) {
    console.log(head + '\n');
    console.log(`| inclusive (${unit}) | % of busy | call path |\n|---:|---:|---|`);
    for (const [k, c] of rows) console.log(`| ${figure(c)} | ${pct(c, busy)} | \`${k}\` |`);
  } else {
    console.log(head);
    for (const [k, c] of rows) console.log(`${`${figure(c)} ${figureUnit}`.padStart(11)} ${pct(c, busy).padStart(5)} %  ${k}`);
  }
} else if (markdown) {
  console.log(head + '\n');
  console.log('| self (ms) | % of busy | frame |\n|---:|---:|---|');
  for (const [k, c] of rows.filter(([k]) => k !== '(idle)').slice(0, top)) {
    console.log(`| ${(c * perSampleMs).toFixed(0)} | ${pct(c, busy)} | \`${k}\` |`);
  }
} else {
  console.log(head);
  for (const [k, c] of rows.filter(([k]) => k !== '(idle)').slice(0, top)) {
    console.log(`${(c * perSampleMs).toFixed(0).padStart(8)} ms ${pct(c, busy).padStart(5)} %  ${k}`);
  }
}
void special;
