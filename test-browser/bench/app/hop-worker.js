// The program's thread of dsbench-js.js's --thread-hop mode (ThreadHop there): waits for pieces
// in the shared ring, copies each one that is to be echoed into its answer slot (a piece the
// program only reads gets an empty answer), publishes how many it answered and wakes the page
// if it waits for that. It never returns to its event loop, like a pthread blocked in poll().
'use strict';

onmessage = ({ data: { sab, slots, slot } }) => {
  const ctl = new Int32Array(sab, 0, 2);
  const len = new Int32Array(sab, 64, 2 * slots);
  const data = new Uint8Array(sab, 64 + 8 * slots);
  let done = 0;
  for (;;) {
    Atomics.wait(ctl, 0, done);
    const pushed = Atomics.load(ctl, 0);
    for (; done < pushed; done++) {
      const s = done % slots;
      const n = len[s];
      if (n > 0) data.copyWithin((slots + s) * slot, s * slot, s * slot + n);
      len[slots + s] = Math.max(n, 0);
      Atomics.store(ctl, 1, done + 1);
      Atomics.notify(ctl, 1);
    }
  }
};
