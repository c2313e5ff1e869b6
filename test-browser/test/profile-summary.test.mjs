// Tests of bench/profile-summary.mjs (what `dsock bench --profile DIR` writes is read with it;
// see docs/bench.md "Profiles"): self time per frame, inclusive time per call path
// (--paths), per-unit figures (--per) and the error on a file that is not a CPU profile.
// Hermetic: a small hand-written profile.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runBenchScript } from './bench-script.mjs';

const summarise = (profile, ...args) => runBenchScript('profile-summary.mjs', 'p.cpuprofile', profile, ...args);

const frame = (functionName, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, scriptId: '0', columnNumber: 0 });
// 11 samples over 11 ms (1 ms each): outer() calls write() (3 samples) and inner() (1),
// top() runs 2, and 5 are idle. So outer() is 4 ms inclusive of 6 ms busy.
const PROFILE = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 6] },
    { id: 2, callFrame: frame('outer', 'isolated-app://abc/app.js', 9), children: [4, 5] },
    { id: 3, callFrame: frame('(idle)') },
    { id: 4, callFrame: frame('write') },
    { id: 5, callFrame: frame('inner', 'isolated-app://abc/app.js', 19) },
    { id: 6, callFrame: frame('top', 'isolated-app://abc/app.js', 29) },
  ],
  startTime: 0,
  endTime: 11000,
  samples: [4, 4, 4, 5, 3, 3, 3, 3, 3, 6, 6],
  timeDeltas: Array(11).fill(1000),
};

test('self time names the leaf frames, idle left out', () => {
  const r = summarise(PROFILE);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /11 ms sampled, 11 samples; busy 54\.5 %/);
  assert.match(lines[1], /^\s+3 ms\s+50\.0 %\s+write$/);
  assert.match(lines[2], /^\s+2 ms\s+33\.3 %\s+top app\.js:30$/);
  assert.match(lines[3], /^\s+1 ms\s+16\.7 %\s+inner app\.js:20$/);
  assert.equal(lines.length, 4);
  assert.doesNotMatch(r.stdout, /outer|\(idle\)/);
});

test('--paths counts a caller inclusive of what it called', () => {
  const r = summarise(PROFILE, '--paths', '2');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').slice(1).map((l) => l.replace(/\s+/g, ' ').trim()), [
    '4 ms 66.7 % outer app.js:10',
    '3 ms 50.0 % outer app.js:10 > write',
    '2 ms 33.3 % top app.js:30',
    '1 ms 16.7 % outer app.js:10 > inner app.js:20',
  ]);
  const shallow = summarise(PROFILE, '--paths', '1');
  assert.doesNotMatch(shallow.stdout, / > /);
  assert.match(shallow.stdout, /^\s+4 ms\s+66\.7 %\s+outer app\.js:10$/m);
});

test('--per gives microseconds per unit of work, also as markdown', () => {
  const r = summarise(PROFILE, '--paths', '1', '--per', '4', '--markdown');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\| inclusive \(µs per unit \(÷ 4\)\) \| % of busy \| call path \|/);
  assert.match(r.stdout, /\| 1000\.0 \| 66\.7 \| `outer app\.js:10` \|/);
  assert.match(r.stdout, /\| 500\.0 \| 33\.3 \| `top app\.js:30` \|/);
});

test('a file that is not a CPU profile, or a bad option, exits 2', () => {
  const trace = summarise({ traceEvents: [] });
  assert.equal(trace.status, 2);
  assert.match(trace.stderr, /is not a CPU profile/);
  assert.match(summarise('not json').stderr, /cannot read/);
  assert.equal(summarise(PROFILE, '--paths', '0').status, 2);
  assert.equal(summarise(PROFILE, '--per', 'x').status, 2);
});
