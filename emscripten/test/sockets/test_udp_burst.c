/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * UDP bursts on loopback: a non-blocking sender pushes COUNT numbered
 * datagrams to a receiver in the same program, keeping up to WINDOW of them
 * unreceived, and sends until the socket refuses (EAGAIN) before it polls.
 * Every datagram must arrive once, intact and in order, and POLLOUT must come
 * back after EAGAIN. The sender's SO_SNDBUF holds SNDBUF_DATAGRAMS datagrams,
 * fewer than WINDOW, so a backend that queues sends refuses some of them
 * (required under Emscripten; the kernel hands loopback datagrams straight to
 * the receiver and rarely does). Plain POSIX; also builds and runs natively.
 */

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define COUNT 2000
#define SIZE 1000
// Unreceived datagrams the sender allows, small enough for a default receive
// buffer (natively about 200 KiB, a few hundred bytes of overhead each).
#define WINDOW 64
#define SNDBUF_DATAGRAMS 40

static void fill(unsigned char* buf, uint32_t seq) {
  memcpy(buf, &seq, sizeof(seq));
  for (int i = sizeof(seq); i < SIZE; i++) buf[i] = (unsigned char)(seq * 7 + i);
}

int main(void) {
  int rx = socket(AF_INET, SOCK_DGRAM, 0);
  int tx = socket(AF_INET, SOCK_DGRAM, 0);
  assert(rx >= 0 && tx >= 0);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  assert(bind(rx, (struct sockaddr*)&addr, sizeof(addr)) == 0);
  // A bound socket turns writable once it is open; only then is its port
  // known everywhere (Direct Sockets under JSPI learns it asynchronously).
  struct pollfd w = {rx, POLLOUT, 0};
  assert(poll(&w, 1, 5000) == 1);
  socklen_t al = sizeof(addr);
  assert(getsockname(rx, (struct sockaddr*)&addr, &al) == 0);
  assert(ntohs(addr.sin_port) != 0);

  int sndbuf = SNDBUF_DATAGRAMS * SIZE;
  assert(setsockopt(tx, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) == 0);
  assert(connect(tx, (struct sockaddr*)&addr, sizeof(addr)) == 0);
  assert(fcntl(tx, F_SETFL, fcntl(tx, F_GETFL) | O_NONBLOCK) == 0);
  assert(fcntl(rx, F_SETFL, fcntl(rx, F_GETFL) | O_NONBLOCK) == 0);

  unsigned char out[SIZE], in[SIZE + 1], want[SIZE];
  uint32_t sent = 0, received = 0;
  int eagain = 0, blocked = 0;
  while (received < COUNT) {
    // Send until the window is full, everything is sent or the socket refuses.
    blocked = 0;
    while (sent < COUNT && sent - received < WINDOW) {
      fill(out, sent);
      ssize_t s = send(tx, out, SIZE, 0);
      if (s < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        eagain++;
        blocked = 1;
        break;
      }
      assert(s == SIZE);
      sent++;
    }
    struct pollfd p[2] = {{rx, POLLIN, 0}, {tx, POLLOUT, 0}};
    int n = poll(p, blocked ? 2 : 1, 5000);
    if (n <= 0) {
      printf("stalled: sent %u, received %u, EAGAIN %d times\n", sent, received, eagain);
      assert(0 && "no progress for 5 s");
    }
    assert(!(p[0].revents & POLLERR) && !(p[1].revents & POLLERR));
    ssize_t r;
    while ((r = recv(rx, in, sizeof(in), 0)) >= 0) {
      uint32_t seq;
      memcpy(&seq, in, sizeof(seq));
      if (r != SIZE || seq != received) {
        printf("datagram %u: got seq %u, %zd bytes (sent %u)\n", received, seq, r, sent);
        assert(0 && "lost, reordered or truncated datagram");
      }
      fill(want, seq);
      assert(memcmp(in, want, SIZE) == 0);
      received++;
    }
    assert(errno == EAGAIN || errno == EWOULDBLOCK);
  }
  printf("%u datagrams in order, send refused with EAGAIN %d times\n", received, eagain);
#ifdef __EMSCRIPTEN__
  assert(eagain > 0);
#endif
  close(tx);
  close(rx);
  printf("done\n");
  return 0;
}
