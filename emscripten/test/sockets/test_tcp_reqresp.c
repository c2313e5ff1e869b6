/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * Request/response against a loopback echo server: <count> messages of
 * <size> bytes, each sent only after the echo of the previous one was read
 * back and checked byte by byte.
 * usage: test_tcp_reqresp <port> <size> <count>
 * Plain POSIX; also builds and runs natively.
 */

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
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

int main(int argc, char** argv) {
  assert(argc > 3 && "usage: test_tcp_reqresp <port> <size> <count>");
  int port = atoi(argv[1]);
  size_t size = strtoul(argv[2], NULL, 10);
  int count = atoi(argv[3]);

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert(fd >= 0);
  struct sockaddr_in dest = loopback_addr(port);
  int r = connect(fd, (struct sockaddr*)&dest, sizeof(dest));
  assert(r == 0 || errno == EINPROGRESS);

  unsigned char* msg = malloc(size);
  unsigned char* in = malloc(size);
  size_t off = 0;
  time_t start = time(NULL);
  for (int k = 0; k < count; k++) {
    for (size_t i = 0; i < size; i++) msg[i] = pattern(off + i);
    size_t sent = 0, got = 0;
    while (got < size) {
      assert(time(NULL) - start < 60 && "timed out");
      struct pollfd p = {fd, POLLIN | (sent < size ? POLLOUT : 0), 0};
      if (poll(&p, 1, 1000) < 1) continue;
      assert(!(p.revents & POLLERR));
      if ((p.revents & POLLOUT) && sent < size) {
        ssize_t w = send(fd, msg + sent, size - sent, 0);
        if (w > 0) sent += w;
        else assert(errno == EAGAIN || errno == EWOULDBLOCK);
      }
      if (p.revents & (POLLIN | POLLHUP)) {
        ssize_t n = recv(fd, in + got, size - got, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        if (n <= 0) {
          printf("connection ended after %d messages + %zu bytes\n", k, got);
          assert(false && "echo server closed");
        }
        got += n;
      }
    }
    for (size_t i = 0; i < size; i++) {
      if (in[i] != msg[i]) {
        printf("message %d differs at byte %zu\n", k, i);
        assert(false && "echoed message differs");
      }
    }
    off += size;
  }
  printf("%d x %zu bytes echoed intact\n", count, size);
  close(fd);
  printf("done\n");
  return 0;
}
