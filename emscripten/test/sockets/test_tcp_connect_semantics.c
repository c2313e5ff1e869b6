/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * connect() as on Linux, over loopback, from main():
 *  - a blocking connect() to a closed port fails with ECONNREFUSED; the
 *    failed socket then polls POLLHUP, send() fails with EPIPE, recv() with
 *    ENOTCONN, and a new connect() tries again (not EALREADY);
 *  - a non-blocking connect() (SOCK_NONBLOCK) returns EINPROGRESS, then
 *    POLLERR|POLLHUP and SO_ERROR report the refusal, the next connect()
 *    reports it too, and the one after that starts afresh;
 *  - a blocking connect() to a listener returns 0, and a second one EISCONN;
 *  - accept4(SOCK_NONBLOCK) gives a non-blocking socket, accept() a blocking
 *    one (the listener's O_NONBLOCK is not inherited);
 *  - a non-blocking socket's send() stops with EAGAIN once SO_SNDBUF is full.
 * Self-contained and also runs natively.
 */

#define _GNU_SOURCE // accept4
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sa;
}

// A port with nothing listening on it: bind a listener to an ephemeral port,
// read the port back and close it again.
static int closed_port(void) {
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = loopback(0);
  socklen_t len = sizeof(sa);
  assert(bind(l, (struct sockaddr*)&sa, sizeof(sa)) == 0);
  assert(listen(l, 1) == 0);
  assert(getsockname(l, (struct sockaddr*)&sa, &len) == 0);
  int port = ntohs(sa.sin_port);
  assert(port != 0);
  close(l);
  return port;
}

static int is_nonblocking(int fd) {
  return (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0;
}

static void test_blocking_refused(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert(fd >= 0 && !is_nonblocking(fd));
  struct sockaddr_in sa = loopback(port);
  errno = 0;
  int r = connect(fd, (struct sockaddr*)&sa, sizeof(sa));
  printf("blocking connect to a closed port: %d errno %d (%s)\n", r, errno, strerror(errno));
  assert(r == -1 && errno == ECONNREFUSED);

  // connect() reported the error, so it is no longer pending.
  int err = -1;
  socklen_t len = sizeof(err);
  assert(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0);
  assert(err == 0);

  struct pollfd pfd = {fd, POLLIN | POLLOUT, 0};
  assert(poll(&pfd, 1, 0) == 1);
  printf("failed socket polls 0x%x\n", pfd.revents);
  assert(pfd.revents & POLLHUP);

  char c = 'x';
  errno = 0;
  assert(send(fd, &c, 1, MSG_NOSIGNAL) == -1);
  printf("send after failed connect: errno %d (%s)\n", errno, strerror(errno));
  assert(errno == EPIPE);
  errno = 0;
  assert(recv(fd, &c, 1, MSG_DONTWAIT) == -1);
  printf("recv after failed connect: errno %d (%s)\n", errno, strerror(errno));
  assert(errno == ENOTCONN);

  // A new attempt on the same socket is a new connection attempt.
  errno = 0;
  r = connect(fd, (struct sockaddr*)&sa, sizeof(sa));
  printf("connect again: %d errno %d (%s)\n", r, errno, strerror(errno));
  assert(r == -1 && errno == ECONNREFUSED);
  close(fd);
}

static void test_nonblocking_refused(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  assert(fd >= 0 && is_nonblocking(fd));
  struct sockaddr_in sa = loopback(port);
  errno = 0;
  int r = connect(fd, (struct sockaddr*)&sa, sizeof(sa));
  printf("non-blocking connect to a closed port: %d errno %d (%s)\n", r, errno, strerror(errno));
  assert(r == -1 && (errno == EINPROGRESS || errno == ECONNREFUSED));
  if (errno == EINPROGRESS) {
    struct pollfd pfd = {fd, POLLOUT, 0};
    assert(poll(&pfd, 1, 5000) == 1);
    printf("refused socket polls 0x%x\n", pfd.revents);
    assert((pfd.revents & (POLLERR | POLLHUP)) == (POLLERR | POLLHUP));
    // The next connect() reports the pending error, as Linux does.
    errno = 0;
    r = connect(fd, (struct sockaddr*)&sa, sizeof(sa));
    printf("connect after the refusal: %d errno %d (%s)\n", r, errno, strerror(errno));
    assert(r == -1 && errno == ECONNREFUSED);
  }
  // And the one after that is a new attempt, not EALREADY.
  errno = 0;
  r = connect(fd, (struct sockaddr*)&sa, sizeof(sa));
  printf("connect once more: %d errno %d (%s)\n", r, errno, strerror(errno));
  assert(r == -1 && (errno == EINPROGRESS || errno == ECONNREFUSED));
  close(fd);
}

static void test_connect_accept(void) {
  int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  assert(l >= 0 && is_nonblocking(l));
  struct sockaddr_in sa = loopback(0);
  socklen_t len = sizeof(sa);
  assert(bind(l, (struct sockaddr*)&sa, sizeof(sa)) == 0);
  assert(listen(l, 4) == 0);
  assert(getsockname(l, (struct sockaddr*)&sa, &len) == 0);
  assert(sa.sin_port != 0);

  int c1 = socket(AF_INET, SOCK_STREAM, 0);
  int r = connect(c1, (struct sockaddr*)&sa, sizeof(sa));
  printf("blocking connect to a listener: %d\n", r);
  assert(r == 0);
  errno = 0;
  assert(connect(c1, (struct sockaddr*)&sa, sizeof(sa)) == -1 && errno == EISCONN);
  int c2 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  r = connect(c2, (struct sockaddr*)&sa, sizeof(sa));
  assert(r == 0 || errno == EINPROGRESS);
  struct pollfd wp = {c2, POLLOUT, 0};
  assert(poll(&wp, 1, 5000) == 1 && (wp.revents & POLLOUT) && !(wp.revents & POLLERR));

  // accept4(SOCK_NONBLOCK) and accept(): O_NONBLOCK comes from the flags,
  // never from the listener.
  struct pollfd lp = {l, POLLIN, 0};
  assert(poll(&lp, 1, 5000) == 1);
  int a1 = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  assert(a1 >= 0 && is_nonblocking(a1));
  assert(poll(&lp, 1, 5000) == 1);
  int a2 = accept(l, NULL, NULL);
  assert(a2 >= 0 && !is_nonblocking(a2));
  // Accepted sockets report their own local address, not the wildcard.
  struct sockaddr_in local;
  len = sizeof(local);
  assert(getsockname(a2, (struct sockaddr*)&local, &len) == 0);
  assert(local.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && local.sin_port == sa.sin_port);

  // A non-blocking sender whose peer does not read fills SO_SNDBUF and then
  // gets EAGAIN (bounded: natively the kernel also fills the peer's buffer).
  int sndbuf = 65536;
  assert(setsockopt(c2, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) == 0);
  static char chunk[16384];
  long total = 0;
  int again = 0;
  for (int i = 0; i < 4096 && !again; i++) {
    ssize_t n = send(c2, chunk, sizeof(chunk), MSG_NOSIGNAL);
    if (n < 0) {
      assert(errno == EAGAIN || errno == EWOULDBLOCK);
      again = 1;
    } else {
      total += n;
    }
  }
  printf("non-blocking send stopped with EAGAIN after %ld bytes\n", total);
  assert(again);

  close(a1);
  close(a2);
  close(c1);
  close(c2);
  close(l);
}

int main(void) {
  int port = closed_port();
  test_blocking_refused(port);
  test_nonblocking_refused(port);
  test_connect_accept();
  printf("done\n");
  return 0;
}
