// Direct Sockets TCP write-loss reproducer (IWA side, driven by ../repro.mjs).
//
// settledInTask(writer, data): write() and report whether its promise settled
// within the microtask checkpoint of the task that called write(). A write
// that Blink's TCPWritableStreamWrapper completes inside Write() (it fitted
// into the Mojo pipe, or the pipe was full and MOJO_RESULT_SHOULD_WAIT was
// taken as "all written") settles a microtask hop or two later; a write that
// needs the pipe's writable watcher settles in a later task.
'use strict';

function settledInTask(writer, data, hops = 64) {
  let watching = true;
  const written = writer.write(data).then(() => watching);
  const hop = (n) => (n ? queueMicrotask(() => hop(n - 1)) : (watching = false));
  hop(hops);
  return written;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Writes `n` chunks of `chunk` bytes, chunk i filled with the tag (i+1)&255, each
// awaited (after writer.ready) before the next; `gapMs` >= 0 adds a setTimeout
// between writes. Resolves with, per write, whether it settled in the task.
window.writeTagged = async (port, n, chunk, gapMs) => {
  const socket = new TCPSocket('127.0.0.1', port);
  const { writable } = await socket.opened;
  const writer = writable.getWriter();
  const inTask = [];
  for (let i = 0; i < n; i++) {
    await writer.ready;
    inTask.push(await settledInTask(writer, new Uint8Array(chunk).fill((i + 1) & 255)));
    if (gapMs >= 0) await sleep(gapMs);
  }
  // Give the browser time to flush before the caller inspects the sink.
  await sleep(1000);
  writer.releaseLock();
  return inTask;
};

// The pipe: on a fresh connection to a peer that does not read yet, does one
// write of `size` bytes settle in the task? (The pipe is empty, so it does
// exactly when the pipe holds all of it.)
window.firstWriteInTask = async (port, size) => {
  const socket = new TCPSocket('127.0.0.1', port);
  const { writable } = await socket.opened;
  const writer = writable.getWriter();
  const inTask = await settledInTask(writer, new Uint8Array(size));
  writer.releaseLock();
  await Promise.race([socket.close().catch(() => {}), sleep(1000)]);
  return inTask;
};
