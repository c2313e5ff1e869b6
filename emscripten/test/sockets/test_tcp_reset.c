/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * A peer that resets the connection in the middle of a transfer: the sender
 * must see ECONNRESET or EPIPE (from send(), SO_ERROR after POLLERR, or
 * recv()) within a bounded time, not hang and not report success.
 * usage: test_tcp_reset <port>   (the server reads a little, then sends RST)
 * Plain POSIX; also builds and runs natively.
 */

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TOTAL (64 * 1024 * 1024)

static bool is_reset(int err) {
  return err == ECONNRESET || err == EPIPE;
}

int main(int argc, char** argv) {
  assert(argc > 1 && "usage: test_tcp_reset <port>");
  signal(SIGPIPE, SIG_IGN);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert(fd >= 0);
  struct sockaddr_in dest;
  memset(&dest, 0, sizeof(dest));
  dest.sin_family = AF_INET;
  dest.sin_port = htons(atoi(argv[1]));
  inet_pton(AF_INET, "127.0.0.1", &dest.sin_addr);
  int r = connect(fd, (struct sockaddr*)&dest, sizeof(dest));
  assert(r == 0 || errno == EINPROGRESS);

  static unsigned char out[65536], in[65536];
  memset(out, 'x', sizeof(out));
  size_t sent = 0;
  int err = 0;
  time_t start = time(NULL);
  while (!err) {
    assert(time(NULL) - start < 30 && "no error reported after the peer reset");
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    if (poll(&p, 1, 1000) < 1) continue;
    if (p.revents & POLLERR) {
      socklen_t l = sizeof(err);
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
      printf("POLLERR, SO_ERROR %d (%s)\n", err, strerror(err));
      break;
    }
    if (p.revents & POLLIN) {
      ssize_t n = recv(fd, in, sizeof(in), 0);
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        err = errno;
        printf("recv: %s\n", strerror(err));
        break;
      }
      // EOF before the reset arrives is possible; the error follows.
    }
    if ((p.revents & POLLOUT) && sent < TOTAL) {
      ssize_t w = send(fd, out, sizeof(out), 0);
      if (w > 0) sent += w;
      else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        err = errno;
        printf("send: %s\n", strerror(err));
      }
    }
  }
  printf("after %zu bytes sent: %s\n", sent, strerror(err));
  assert(is_reset(err));
  assert(sent < TOTAL);
  close(fd);
  printf("done\n");
  return 0;
}
