/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * A poll() loop that never blocks (one socket is always writable) must still
 * see datagrams arrive on another socket. Under JSPI a poll() that finds an
 * fd ready resumes from a microtask, so without an occasional turn of the
 * browser's event loop nothing would ever be received. Self-contained and
 * also runs natively.
 */

#include <arpa/inet.h>
#include <assert.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DATAGRAMS 200

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

int main(void) {
  int r = socket(AF_INET, SOCK_DGRAM, 0);
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(sa);
  assert(bind(r, (struct sockaddr*)&sa, sizeof(sa)) == 0);
  assert(getsockname(r, (struct sockaddr*)&sa, &len) == 0 && sa.sin_port);
  struct sockaddr_in sb;
  memset(&sb, 0, sizeof(sb));
  sb.sin_family = AF_INET;
  sb.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert(bind(s, (struct sockaddr*)&sb, sizeof(sb)) == 0);
  for (int i = 0; i < DATAGRAMS; i++) {
    assert(sendto(s, "x", 1, 0, (struct sockaddr*)&sa, sizeof(sa)) == 1);
  }

  // Poll both sockets with an infinite timeout: the sender is always
  // writable, so poll() never waits. Give up after 10 s (a liveness bound,
  // not a speed target: without event loop turns nothing arrives at all).
  double start = now_ms();
  long polls = 0;
  int got = 0;
  while (got < DATAGRAMS && now_ms() - start < 10000) {
    struct pollfd p[2] = {{s, POLLOUT, 0}, {r, POLLIN, 0}};
    assert(poll(p, 2, -1) >= 1);
    polls++;
    if (p[1].revents & POLLIN) {
      char c;
      while (recv(r, &c, 1, MSG_DONTWAIT) == 1) got++;
    }
  }
  printf("received %d of %d datagrams in %.0f ms over %ld polls\n", got, DATAGRAMS, now_ms() - start, polls);
  assert(got == DATAGRAMS);
  close(r);
  close(s);
  printf("done\n");
  return 0;
}
