/*
 * The floor under any proxied call: a main-thread <-> worker round trip with
 * nothing but Atomics in it, the mechanism Emscripten's proxying queue uses
 * to wake the main thread (Atomics.waitAsync on the main thread,
 * futex wait in the worker). No sockets involved.
 *
 *   emcc -O2 -pthread -sPROXY_TO_PTHREAD -sEXIT_RUNTIME waitasync_pingpong.c -o pingpong/pingpong.js
 *   dsock run --timeout 60 pingpong/pingpong.js
 *
 * Bounded: 6 x 5,000 round trips.
 */
#include <emscripten.h>
#include <emscripten/threading.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

#define ROUNDS 6
#define ROUND_TRIPS 5000

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

// On the main thread: whenever flag[0] turns non-zero, clear it and answer
// by setting flag[1], waking the worker.
EM_JS(void, answer_pings, (int *flag), {
  var ping = flag >> 2;
  function arm() {
    var wait = Atomics.waitAsync(HEAP32, ping, 0);
    var pong = () => {
      Atomics.store(HEAP32, ping, 0);
      Atomics.store(HEAP32, ping + 1, 1);
      Atomics.notify(HEAP32, ping + 1);
      arm();
    };
    if (wait.async) wait.value.then(pong); else pong();
  }
  arm();
});

static int flag[2];

int main(void) {
  emscripten_sync_run_in_main_runtime_thread(EM_FUNC_SIG_VI, answer_pings, flag);
  for (int r = 0; r < ROUNDS; r++) {
    double t = now_us();
    for (int i = 0; i < ROUND_TRIPS; i++) {
      __atomic_store_n(&flag[0], 1, __ATOMIC_SEQ_CST);
      emscripten_futex_wake(&flag[0], 1);
      while (!__atomic_load_n(&flag[1], __ATOMIC_SEQ_CST)) emscripten_futex_wait(&flag[1], 0, INFINITY);
      flag[1] = 0;
    }
    printf("PINGPONG %.1f us/round trip\n", (now_us() - t) / ROUND_TRIPS);
  }
  return 0;
}
