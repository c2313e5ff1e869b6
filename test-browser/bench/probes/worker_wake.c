/*
 * What one wake of the program's thread costs the -pthread build: the page's
 * main thread stores a request, wakes the program's thread (a futex wait in
 * the worker, as poll() in libc waits on ring_changes) and busy-waits for the
 * answer, as ringAwaitReply does. Between two requests the main thread idles
 * GAP us in MessageChannel turns, as in tcp-rr, so that the worker's CPU can
 * go idle. Compare with the host's own figure (`idle_wake_us` in the bench
 * report, src/bench/wake.rs). See docs/bench.md, "Issue 16, sixth pass".
 *
 *   emcc -O2 -pthread -sPROXY_TO_PTHREAD -sEXIT_RUNTIME worker_wake.c -o wake/worker_wake.js
 *   dsock run --timeout 60 wake/worker_wake.js
 *
 * No sockets; bounded: 3 x 5,000 wakes.
 */
#include <emscripten.h>
#include <emscripten/threading.h>
#include <math.h>

#define WAKES 5000

static _Atomic int req, rep;

// On the main thread: one request per turn, timed from the store to the answer.
EM_JS(void, start_pinger, (_Atomic int* reqp, _Atomic int* repp, int gap_us, int n), {
  var r = reqp >> 2, a = repp >> 2;
  var lat = [];
  var ch = new MessageChannel();
  function one() {
    var t0 = performance.now();
    Atomics.store(HEAP32, r, 1);
    Atomics.notify(HEAP32, r);
    while (!Atomics.load(HEAP32, a)) {}
    Atomics.store(HEAP32, a, 0);
    lat.push((performance.now() - t0) * 1000);
    if (lat.length == n) {
      lat.sort((x, y) => x - y);
      var q = (p) => lat[Math.floor(n * p)].toFixed(1);
      out(`WAKE idle gap ${gap_us} us: p50 ${q(0.5)} p90 ${q(0.9)} p99 ${q(0.99)} us`);
      // Tell the worker this round is over.
      Atomics.store(HEAP32, r, -1);
      Atomics.notify(HEAP32, r);
      return;
    }
    // setTimeout(0) waits at least 1 ms once nested; MessageChannel turns do not.
    var until = performance.now() + gap_us / 1000;
    ch.port1.onmessage = () => { if (performance.now() < until) ch.port2.postMessage(0); else one(); };
    ch.port2.postMessage(0);
  }
  setTimeout(one, 10);
});

int main(void) {
  int gaps[] = {0, 100, 300};
  for (int g = 0; g < 3; g++) {
    req = rep = 0;
    emscripten_async_run_in_main_runtime_thread(EM_FUNC_SIG_VIIII, start_pinger, &req, &rep, gaps[g], WAKES);
    for (;;) {
      int v = req;
      if (v == 0) {
        emscripten_futex_wait(&req, 0, INFINITY);
        continue;
      }
      if (v < 0) break;
      req = 0;
      rep = 1;
    }
  }
  return 0;
}
