/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * Bulk TCP transfer against a loopback server run by the test harness (port
 * in argv[1], or SERVER_PORT at build time). With "sink" the server reads
 * TOTAL bytes, checks the pattern and answers "OK\n" or "BAD <offset>\n";
 * with "echo" it echoes everything back and we check every byte we read. A
 * non-blocking socket driven by poll() with a timeout, so sends see EAGAIN
 * when the send buffer is full; an optional argv[3] sets SO_SNDBUF first.
 * Plain POSIX; also builds and runs natively.
 */

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "test_tcp_pattern.h"

#ifndef TOTAL
#define TOTAL (16 * 1024 * 1024)
#endif

int main(int argc, char** argv) {
#ifdef SERVER_PORT
  int port = SERVER_PORT;
  const char* mode = SERVER_MODE;
#else
  assert(argc > 2 && "usage: test_tcp_bulk <port> sink|echo");
  int port = atoi(argv[1]);
  const char* mode = argv[2];
#endif
  bool echo = strcmp(mode, "echo") == 0;

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert(fd >= 0);
  fcntl(fd, F_SETFL, O_NONBLOCK);
  if (argc > 3) {
    // A send buffer no larger than 64 KiB: every send() is a write of its
    // own, as from a program that waits for room before sending more.
    int sndbuf = atoi(argv[3]);
    assert(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) == 0);
  }
  struct sockaddr_in dest = loopback_addr(port);
  int r = connect(fd, (struct sockaddr*)&dest, sizeof(dest));
  assert(r == 0 || errno == EINPROGRESS);

  static unsigned char out[65536], in[65536];
  size_t sent = 0, received = 0;
  size_t want = echo ? TOTAL : 3; // the sink answers "OK\n"
  char verdict[64] = {0};
  int eagain = 0;
  // poll() calls for POLLOUT that took their whole timeout (1 s). Only a peer
  // that stops reading (the stall server: for 2 s) keeps the send queue full
  // that long; one per full queue means that poll() slept through the room
  // a settled write made, and noticed it only when the timeout ran out.
  int out_timeouts = 0;
  time_t start = time(NULL);
  while (received < want) {
    struct pollfd p = {fd, POLLIN, 0};
    if (sent < TOTAL) p.events |= POLLOUT;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int n = poll(&p, 1, 1000);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert(n >= 0);
    long waited_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    if ((p.events & POLLOUT) && waited_ms >= 900) out_timeouts++;
    assert(time(NULL) - start < 60 && "timed out");
    if (p.revents & POLLERR) {
      int err = 0;
      socklen_t l = sizeof(err);
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
      printf("socket error %d (%s) after %zu sent, %zu received\n", err, strerror(err), sent, received);
      assert(false && "socket error");
    }
    if ((p.revents & POLLOUT) && sent < TOTAL) {
      size_t len = TOTAL - sent < sizeof(out) ? TOTAL - sent : sizeof(out);
      for (size_t i = 0; i < len; i++) out[i] = pattern(sent + i);
      ssize_t w = send(fd, out, len, 0);
      if (w > 0) sent += w;
      else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) eagain++;
      else assert(false && "send failed");
    }
    if (p.revents & (POLLIN | POLLHUP)) {
      ssize_t got = recv(fd, in, sizeof(in), 0);
      if (got == 0) break;
      if (got < 0) {
        assert(errno == EAGAIN || errno == EWOULDBLOCK);
        continue;
      }
      if (echo) {
        for (ssize_t i = 0; i < got; i++) {
          if (in[i] != pattern(received + i)) {
            // What was read instead tells a lost write (the pattern from a
            // later offset) from other damage.
            printf("echo mismatch at offset %zu (chunk of %zd bytes at %zu): got", received + i, got, received);
            for (ssize_t j = i; j < got && j < i + 8; j++) printf(" %02x", in[j]);
            printf(", expected");
            for (ssize_t j = i; j < got && j < i + 8; j++) printf(" %02x", pattern(received + j));
            printf("\n");
            assert(false && "echoed data differs");
          }
        }
      } else {
        assert(received + got < sizeof(verdict));
        memcpy(verdict + received, in, got);
        if (strchr(verdict, '\n')) want = received + got;
      }
      received += got;
    }
  }
  printf("sent %zu, received %zu, send EAGAIN %d, POLLOUT timeouts %d\n", sent, received, eagain, out_timeouts);
  assert(out_timeouts <= 4 && "poll() did not report POLLOUT when the send queue drained");
  if (!echo) {
    printf("server: %s", verdict);
    assert(strcmp(verdict, "OK\n") == 0);
  }
  assert(received == want);
  close(fd);
  printf("done\n");
  return 0;
}
