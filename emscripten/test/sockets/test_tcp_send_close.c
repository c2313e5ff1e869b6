/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * Send, then close() at once: the peer must receive every byte before EOF.
 * usage: test_tcp_send_close <port> <bytes> [<tail bytes> <pause ms>]
 * Connection 1 sends 'D', <bytes> of the pattern, optionally <tail> more
 * after sleeping <pause> ms (a small write after the bulk has drained), and
 * closes without waiting. Connection 2 sends 'V' and reads the server's
 * verdict on connection 1 ("OK <n>" or "BAD ..."), which the server gives
 * once connection 1 reached EOF. Plain POSIX; also builds and runs natively.
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
#include <time.h>
#include <unistd.h>

#include "test_tcp_pattern.h"

static int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert(fd >= 0);
  struct sockaddr_in dest = loopback_addr(port);
  int r = connect(fd, (struct sockaddr*)&dest, sizeof(dest));
  assert(r == 0 || errno == EINPROGRESS);
  struct pollfd p = {fd, POLLOUT, 0};
  assert(poll(&p, 1, 10000) == 1 && !(p.revents & POLLERR));
  return fd;
}

// Send all of buf[0, len) (stream offsets from `off`), waiting with poll()
// when the send buffer is full.
static void send_all(int fd, size_t off, size_t len) {
  static unsigned char out[65536];
  size_t done = 0;
  while (done < len) {
    size_t n = len - done < sizeof(out) ? len - done : sizeof(out);
    for (size_t i = 0; i < n; i++) out[i] = pattern(off + done + i);
    ssize_t w = send(fd, out, n, 0);
    if (w < 0) {
      assert(errno == EAGAIN || errno == EWOULDBLOCK);
      struct pollfd p = {fd, POLLOUT, 0};
      assert(poll(&p, 1, 10000) == 1);
      continue;
    }
    done += w;
  }
}

int main(int argc, char** argv) {
  assert(argc > 2 && "usage: test_tcp_send_close <port> <bytes> [<tail> <pause ms>]");
  int port = atoi(argv[1]);
  size_t total = strtoul(argv[2], NULL, 10);
  size_t tail = argc > 4 ? strtoul(argv[3], NULL, 10) : 0;
  int pause_ms = argc > 4 ? atoi(argv[4]) : 0;

  int fd = connect_to(port);
  assert(send(fd, "D", 1, 0) == 1);
  send_all(fd, 0, total);
  if (tail) {
    // Pause in poll() (the peer sends nothing on this connection) rather than
    // in a sleep, so that under JSPI the browser keeps running meanwhile.
    struct pollfd pfd = {fd, POLLIN, 0};
    assert(poll(&pfd, 1, pause_ms) == 0);
    send_all(fd, total, tail);
  }
  assert(close(fd) == 0);
  printf("sent %zu + %zu bytes and closed\n", total, tail);

  fd = connect_to(port);
  assert(send(fd, "V", 1, 0) == 1);
  char verdict[128] = {0};
  size_t got = 0;
  time_t start = time(NULL);
  while (!strchr(verdict, '\n')) {
    assert(time(NULL) - start < 60 && "no verdict");
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 1000) != 1) continue;
    ssize_t r = recv(fd, verdict + got, sizeof(verdict) - 1 - got, 0);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    assert(r > 0 && "verdict connection closed");
    got += r;
  }
  printf("server: %s", verdict);
  char expect[64];
  snprintf(expect, sizeof(expect), "OK %zu\n", total + tail);
  assert(strcmp(verdict, expect) == 0);
  close(fd);
  printf("done\n");
  return 0;
}
