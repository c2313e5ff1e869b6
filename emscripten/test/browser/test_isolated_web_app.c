/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 */

// Runs in the test harness's Isolated Web App (EMTEST_BROWSER_IWA): the page
// is served under the app's own origin, cross-origin isolated, with the
// permissions policy of the app's manifest, and the generated shell (inline
// scripts, workers created from string URLs) works under the app's Content
// Security Policy and Trusted Types.

#include <assert.h>
#include <emscripten/em_asm.h>
#include <pthread.h>
#include <stdio.h>

static void* thread_main(void* arg) {
  return arg;
}

int main() {
  assert(MAIN_THREAD_EM_ASM_INT({ return location.protocol == 'isolated-app:'; }));
  assert(MAIN_THREAD_EM_ASM_INT({ return crossOriginIsolated; }));
  // Granted by the manifest's permissions policy (direct-sockets).
  assert(MAIN_THREAD_EM_ASM_INT({ return typeof TCPSocket == 'function' && typeof UDPSocket == 'function'; }));
  // The shell's inline script ran (moved out of the page by the server).
  assert(MAIN_THREAD_EM_ASM_INT({ return typeof Module['setStatus'] == 'function'; }));

  pthread_t thread;
  void* result;
  int arg = 42;
  assert(pthread_create(&thread, NULL, thread_main, &arg) == 0);
  assert(pthread_join(thread, &result) == 0);
  assert(result == &arg);
  printf("done\n");
  return 0;
}
