#!/usr/bin/env node
// Summarise a V8 CPU profile (.cpuprofile, as `dsock bench --profile DIR` writes them): where
// the sampled time went, by function (self time), plus the share of idle, GC and "(program)"
// (native browser work outside JS, e.g. Mojo/IPC and task scheduling on this thread).
//
//   node profile-summary.mjs FILE.cpuprofile [--top N] [--markdown]
//
// Self time of a node = its sample count × the mean sampling interval; frames are named
// "function file:line" (file without its isolated-app:// origin).
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const top = Number(args[args.indexOf('--top') + 1]) || 15;
const markdown = args.includes('--markdown');
if (!file) {
  console.error('usage: profile-summary.mjs FILE.cpuprofile [--top N] [--markdown]');
  process.exit(2);
}
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
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
if (markdown) {
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
