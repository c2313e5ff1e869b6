/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * bind(), listen(), connect() and getsockname() called from a main loop
 * callback, where (under JSPI) the program cannot suspend: they must not trap,
 * the sockets must still open and connect while the loop polls with a zero
 * timeout, and a refused blocking connect() that could not wait reports the
 * refusal through poll() and SO_ERROR. Self-contained and also runs natively.
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

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

static int listener = -1, client = -1, udp = -1, refused = -1;
static int refused_done;
static int iterations;

static int port_of(int fd) {
  struct sockaddr_in sa;
  socklen_t len = sizeof(sa);
  assert(getsockname(fd, (struct sockaddr*)&sa, &len) == 0);
  return ntohs(sa.sin_port);
}

static void finish(void) {
  close(client);
  close(listener);
  close(udp);
  close(refused);
  printf("done\n");
#ifdef __EMSCRIPTEN__
  emscripten_cancel_main_loop();
#else
  exit(0);
#endif
}

static void iteration(void) {
  iterations++;
  assert(iterations < 100000);
  if (listener < 0) {
    // First iteration: everything from inside the callback.
    listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert(bind(listener, (struct sockaddr*)&sa, sizeof(sa)) == 0);
    assert(listen(listener, 1) == 0);
    udp = socket(AF_INET, SOCK_DGRAM, 0);
    assert(bind(udp, (struct sockaddr*)&sa, sizeof(sa)) == 0);
    // Where the call cannot wait, the port may read 0 until the socket opens.
    printf("ports right after listen/bind: %d %d\n", port_of(listener), port_of(udp));
    return;
  }
  if (client < 0) {
    // Wait (polling, zero timeout) until the listener has its port.
    int port = port_of(listener);
    if (!port) return;
    client = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int r = connect(client, (struct sockaddr*)&sa, sizeof(sa));
    printf("blocking connect from the callback: %d %s\n", r, r ? strerror(errno) : "");
    assert(r == 0);
    return;
  }
  if (refused < 0) {
    // A blocking connect() to a closed port. Where it cannot wait it returns
    // 0, and the refusal arrives as POLLERR|POLLHUP and SO_ERROR.
    refused = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(1);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int r = connect(refused, (struct sockaddr*)&sa, sizeof(sa));
    printf("blocking connect to a closed port from the callback: %d %s\n", r, r ? strerror(errno) : "");
    if (r == -1) {
      assert(errno == ECONNREFUSED);
      refused_done = 1;
    } else {
      assert(r == 0);
    }
  }
  if (!refused_done) {
    struct pollfd rp = {refused, POLLOUT, 0};
    poll(&rp, 1, 0);
    if (rp.revents & POLLERR) {
      assert(rp.revents & POLLHUP);
      int err = 0;
      socklen_t len = sizeof(err);
      assert(getsockopt(refused, SOL_SOCKET, SO_ERROR, &err, &len) == 0);
      printf("SO_ERROR %d (%s)\n", err, strerror(err));
      assert(err == ECONNREFUSED);
      refused_done = 1;
    }
  }
  struct pollfd p[2] = {{listener, POLLIN, 0}, {udp, POLLOUT, 0}};
  poll(p, 2, 0);
  if (refused_done && (p[0].revents & POLLIN) && port_of(udp)) {
    int a = accept(listener, NULL, NULL);
    assert(a >= 0);
    close(a);
    printf("accepted after %d iterations\n", iterations);
    finish();
  }
}

int main(void) {
#ifdef __EMSCRIPTEN__
  emscripten_set_main_loop(iteration, 0, 0);
#else
  while (1) iteration();
#endif
  return 0;
}
