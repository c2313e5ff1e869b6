/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * Socket calls fail with the specific errno POSIX gives: bad socket
 * addresses keep theirs (EINVAL, EAFNOSUPPORT), a second UDP bind to a port
 * in use is EADDRINUSE, a refused TCP connect is ECONNREFUSED (reported
 * through poll and SO_ERROR), recv on an unconnected TCP socket is ENOTCONN
 * and a TCP connect after bind() to a specific local port is either honoured
 * (native) or EADDRNOTAVAIL (Direct Sockets, whose TCPSocket has no local
 * endpoint). Plain POSIX; also builds and runs natively.
 */

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

#include "test_tcp_pattern.h"

int main(void) {
  // A truncated sockaddr is EINVAL, not a generic failure.
  int udp = socket(AF_INET, SOCK_DGRAM, 0);
  assert(udp >= 0);
  struct sockaddr_in a = loopback_addr(0);
  assert(bind(udp, (struct sockaddr*)&a, sizeof(a) - 4) == -1 && errno == EINVAL);

  // A port already bound by another socket is EADDRINUSE.
  assert(bind(udp, (struct sockaddr*)&a, sizeof(a)) == 0);
  socklen_t l = sizeof(a);
  assert(getsockname(udp, (struct sockaddr*)&a, &l) == 0);
  assert(ntohs(a.sin_port) != 0);
  int udp2 = socket(AF_INET, SOCK_DGRAM, 0);
  assert(udp2 >= 0);
  assert(bind(udp2, (struct sockaddr*)&a, sizeof(a)) == -1);
  printf("second bind: %s\n", strerror(errno));
  assert(errno == EADDRINUSE);

  // recv on a TCP socket that never connected is ENOTCONN.
  int tcp = socket(AF_INET, SOCK_STREAM, 0);
  assert(tcp >= 0);
  char c;
  assert(recv(tcp, &c, 1, MSG_DONTWAIT) == -1 && errno == ENOTCONN);

  // bind() to a specific local port, then connect(): POSIX honours the source
  // port; Direct Sockets cannot, and says so with EADDRNOTAVAIL rather than
  // silently using another one.
  int src = socket(AF_INET, SOCK_STREAM, 0);
  assert(src >= 0);
  struct sockaddr_in local = loopback_addr(0);
  assert(bind(src, (struct sockaddr*)&local, sizeof(local)) == 0);
  int r = connect(src, (struct sockaddr*)&a, sizeof(a)); // nothing listens on a's port over TCP
  printf("connect after bind: %d (%s)\n", r, r ? strerror(errno) : "ok");
#ifdef __EMSCRIPTEN__
  assert(r == -1 && errno == EADDRNOTAVAIL);
#else
  assert(r == 0 || errno == ECONNREFUSED || errno == EINPROGRESS);
#endif
  close(src);

  // A refused connect: non-blocking, then POLLERR and SO_ERROR ECONNREFUSED.
  int ref = socket(AF_INET, SOCK_STREAM, 0);
  assert(ref >= 0);
  fcntl(ref, F_SETFL, O_NONBLOCK);
  struct sockaddr_in port1 = loopback_addr(1); // nothing listens on loopback port 1
  r = connect(ref, (struct sockaddr*)&port1, sizeof(port1));
  if (r == -1 && errno == ECONNREFUSED) {
    printf("refused synchronously\n");
  } else {
    assert(r == 0 || errno == EINPROGRESS);
    struct pollfd p = {ref, POLLOUT, 0};
    assert(poll(&p, 1, 5000) == 1);
    assert(p.revents & POLLERR);
    int err = 0;
    socklen_t el = sizeof(err);
    assert(getsockopt(ref, SOL_SOCKET, SO_ERROR, &err, &el) == 0);
    printf("refused: %s\n", strerror(err));
    assert(err == ECONNREFUSED);
    // SO_ERROR reads and clears.
    assert(getsockopt(ref, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0);
  }

  close(ref);
  close(tcp);
  close(udp);
  close(udp2);
  printf("done\n");
  return 0;
}
