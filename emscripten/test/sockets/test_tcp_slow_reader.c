/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * A reader slower than its peer: every byte the peer sent before closing
 * arrives before EOF.
 * usage: test_tcp_slow_reader <port> <bytes> <pause ms>
 * The server sends <bytes> of the pattern and closes at once. We read at most
 * 64 KiB per recv() and wait <pause> ms before each one, in poll() on an
 * idle UDP socket (as a program whose event loop also waits on other fds or
 * timers), so the server is done long before we are. Plain POSIX; also
 * builds and runs natively.
 */

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test_tcp_pattern.h"

int main(int argc, char** argv) {
  assert(argc > 3 && "usage: test_tcp_slow_reader <port> <bytes> <pause ms>");
  int port = atoi(argv[1]);
  size_t total = strtoul(argv[2], NULL, 10);
  int pause_ms = atoi(argv[3]);

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert(fd >= 0);
  struct sockaddr_in dest = loopback_addr(port);
  assert(connect(fd, (struct sockaddr*)&dest, sizeof(dest)) == 0);

  // Nothing is ever sent to it: poll() on it is a sleep that, under JSPI,
  // lets the browser run meanwhile (a busy main thread would not).
  int idle = socket(AF_INET, SOCK_DGRAM, 0);
  assert(idle >= 0);
  struct sockaddr_in any = loopback_addr(0);
  assert(bind(idle, (struct sockaddr*)&any, sizeof(any)) == 0);

  static unsigned char buf[65536];
  size_t got = 0, reads = 0;
  for (;;) {
    struct pollfd p = {idle, POLLIN, 0};
    assert(poll(&p, 1, pause_ms) == 0);
    // recv() does not block under Emscripten (see networking.rst): wait here.
    struct pollfd in = {fd, POLLIN, 0};
    assert(poll(&in, 1, 10000) == 1);
    ssize_t r = recv(fd, buf, sizeof(buf), 0);
    if (r < 0) printf("recv: %s after %zu bytes\n", strerror(errno), got);
    assert(r >= 0);
    if (r == 0) break;
    for (ssize_t i = 0; i < r; i++) {
      if (buf[i] != pattern(got + i)) printf("BAD byte at %zu\n", got + i);
      assert(buf[i] == pattern(got + i));
    }
    got += r;
    reads++;
  }
  printf("read %zu of %zu bytes before EOF in %zu reads\n", got, total, reads);
  assert(got == total);
  close(idle);
  close(fd);
  printf("done\n");
  return 0;
}
