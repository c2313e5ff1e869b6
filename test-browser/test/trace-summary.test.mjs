// Tests of bench/trace-summary.mjs (what `dsock bench --trace DIR` writes is read with it; see
// docs/bench.md "Issue 16, ninth pass"): task counting per thread, nesting, per-unit figures
// and the error on a file that is not a trace. Hermetic: a small hand-written trace.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runBenchScript } from './bench-script.mjs';

const summarise = (trace, ...args) => runBenchScript('trace-summary.mjs', 'trace.json', trace, ...args);

const meta = (pid, tid, kind, name) => ({ ph: 'M', pid, tid, name: kind, args: { name } });
const task = (tid, ts, dur, name, args = {}) => ({ ph: 'X', cat: 'toplevel', pid: 1, tid, ts, dur, name, args });
// Two round trips on the renderer's main thread: each a task (with a nested watcher event)
// and the microtask checkpoint after it; three IO-thread tasks; a non-toplevel event that must
// not count.
const TRACE = {
  traceEvents: [
    meta(1, 0, 'process_name', 'Renderer'),
    meta(1, 1, 'thread_name', 'CrRendererMain'),
    meta(1, 2, 'thread_name', 'Chrome_ChildIOThread'),
    task(1, 0, 30, 'ThreadControllerImpl::RunTask', { src_file: 'mojo/public/cpp/system/simple_watcher.cc', src_func: 'Notify' }),
    task(1, 5, 20, 'SimpleWatcher::OnHandleReady', { chrome_mojo_event_info: { watcher_notify_interface_tag: 'x/tcp_readable_stream_wrapper.cc' } }),
    task(1, 30, 50, 'BlinkScheduler_PerformMicrotaskCheckpoint'),
    task(1, 200, 30, 'ThreadControllerImpl::RunTask', { src_file: 'mojo/public/cpp/system/simple_watcher.cc', src_func: 'Notify' }),
    task(1, 205, 20, 'SimpleWatcher::OnHandleReady', { chrome_mojo_event_info: { watcher_notify_interface_tag: 'x/tcp_readable_stream_wrapper.cc' } }),
    task(1, 230, 70, 'BlinkScheduler_PerformMicrotaskCheckpoint'),
    task(2, 10, 4, 'ThreadControllerImpl::RunTask'),
    task(2, 20, 4, 'ThreadControllerImpl::RunTask'),
    task(2, 1000000, 4, 'ThreadControllerImpl::RunTask'),
    { ph: 'X', cat: 'v8.execute', pid: 1, tid: 1, ts: 40, dur: 5, name: 'V8.Execute' },
  ],
};

test('counts top-level events per thread and divides them per unit', () => {
  const r = summarise(TRACE, '--per', '2');
  assert.equal(r.status, 0, r.stderr);
  // Main thread: 2 tasks + 2 checkpoints (the nested watcher events do not count apart),
  // 30 + 50 + 30 + 70 = 180 µs; per round trip 2.00 events, 90.0 µs.
  assert.match(r.stdout, /^\s+4 ×\s+0 ms\s+\(2\.00 per unit, 90\.0 µs per unit\)\s+Renderer\/CrRendererMain$/m);
  assert.match(r.stdout, /^\s+3 ×\s+0 ms\s+\(1\.50 per unit, 6\.0 µs per unit\)\s+Renderer\/Chrome_ChildIOThread$/m);
  // Span: first to last timestamp, 1 s.
  assert.match(r.stdout, /: 1\.0 s traced/);
});

test('reports every toplevel event of the main thread by name, nested ones too', () => {
  const r = summarise(TRACE, '--per', '2');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /2 ×\s+0 ms\s+\(1\.00 per unit, 60\.0 µs per unit\)\s+BlinkScheduler_PerformMicrotaskCheckpoint$/m);
  assert.match(r.stdout, /2 ×.*\(1\.00 per unit, 20\.0 µs per unit\)\s+SimpleWatcher::OnHandleReady \[tcp_readable_stream_wrapper\.cc\]$/m);
  assert.match(r.stdout, /ThreadControllerImpl::RunTask \(simple_watcher\.cc: Notify\)$/m);
  assert.doesNotMatch(r.stdout, /V8\.Execute/);
});

test('markdown tables', () => {
  const r = summarise(TRACE, '--per', '2', '--markdown');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\| Renderer\/CrRendererMain \| 4 \| 0 \| 2\.00 \| 90\.0 \|$/m);
  assert.match(r.stdout, /^\| `BlinkScheduler_PerformMicrotaskCheckpoint` \| 2 \| 0 \| 60\.0 \|$/m);
});

test('a file that is not a trace exits 2 naming it', () => {
  for (const bad of ['not json', '{"nodes": []}']) {
    const r = summarise(bad);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /trace\.json is not a Trace Event JSON file/);
  }
});
