/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * UDP data semantics that the -pthread build's fast path (libc's socket rings,
 * emscripten_sock_ring.c) must keep: datagram order across calls that take
 * the rings (send, sendto, recv, recvfrom) and calls that take the syscall
 * (sendmsg, recvmsg, read, MSG_PEEK); truncation of a datagram and of its
 * source address; more datagrams received than a ring holds; EAGAIN and
 * POLLOUT on a full send queue; datagrams sent just before close() still go
 * out, and nothing queued for a closed socket is seen by the next socket on
 * its fd. Plain POSIX; also builds and runs natively.
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
#include <sys/uio.h>
#include <unistd.h>

#define SIZE 200
// More than a ring holds (64 records).
#define MANY 100

static void fill(unsigned char* buf, uint32_t seq, size_t size) {
  memcpy(buf, &seq, sizeof(seq));
  for (size_t i = sizeof(seq); i < size; i++) buf[i] = (unsigned char)(seq * 13 + i);
}

static void check(const unsigned char* buf, ssize_t n, uint32_t seq, size_t size) {
  unsigned char want[SIZE];
  fill(want, seq, size);
  uint32_t got;
  memcpy(&got, buf, sizeof(got));
  if (n != (ssize_t)size || got != seq || memcmp(buf, want, size)) {
    printf("want datagram %u (%zu bytes), got %u (%zd bytes)\n", seq, size, got, n);
    assert(0 && "lost, reordered or corrupt datagram");
  }
}

static int udp_socket(struct sockaddr_in* addr) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  assert(fd >= 0);
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &addr->sin_addr);
  assert(bind(fd, (struct sockaddr*)addr, sizeof(*addr)) == 0);
  // Open (and its port known) once writable.
  struct pollfd w = {fd, POLLOUT, 0};
  assert(poll(&w, 1, 5000) == 1);
  socklen_t al = sizeof(*addr);
  assert(getsockname(fd, (struct sockaddr*)addr, &al) == 0);
  assert(ntohs(addr->sin_port) != 0);
  assert(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0);
  return fd;
}

// Wait until fd is readable.
static void wait_in(int fd) {
  struct pollfd p = {fd, POLLIN, 0};
  assert(poll(&p, 1, 5000) == 1);
  assert(!(p.revents & POLLERR));
}

// Let datagrams in flight arrive.
static void settle(void) {
  poll(NULL, 0, 200);
}

// Receive datagram `seq`, waiting for it, with one of the receive calls.
static void receive(int fd, uint32_t seq, int how, const struct sockaddr_in* from) {
  unsigned char buf[SIZE + 1];
  ssize_t n;
  struct sockaddr_in src;
  socklen_t al;
  for (;;) {
    al = sizeof(src);
    memset(&src, 0, sizeof(src));
    switch (how % 5) {
      case 0:
        n = recv(fd, buf, sizeof(buf), 0);
        al = 0;
        break;
      case 1:
        n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr*)&src, &al);
        break;
      case 2: {
        struct iovec iov = {buf, sizeof(buf)};
        struct msghdr msg = {0};
        msg.msg_name = &src;
        msg.msg_namelen = sizeof(src);
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        n = recvmsg(fd, &msg, 0);
        al = msg.msg_namelen;
        break;
      }
      case 3:
        n = read(fd, buf, sizeof(buf));
        al = 0;
        break;
      default: {
        // A peek returns the datagram the next recv() does.
        unsigned char peeked[SIZE + 1];
        n = recvfrom(fd, peeked, sizeof(peeked), MSG_PEEK, (struct sockaddr*)&src, &al);
        if (n < 0) break;
        check(peeked, n, seq, SIZE);
        n = recv(fd, buf, sizeof(buf), 0);
        break;
      }
    }
    if (n >= 0) break;
    assert(errno == EAGAIN || errno == EWOULDBLOCK);
    wait_in(fd);
  }
  check(buf, n, seq, SIZE);
  if (al) {
    assert(al == sizeof(struct sockaddr_in));
    assert(src.sin_family == AF_INET && src.sin_port == from->sin_port);
    assert(src.sin_addr.s_addr == from->sin_addr.s_addr);
  }
}

static void send_one(int fd, uint32_t seq, int how, const struct sockaddr_in* to) {
  unsigned char buf[SIZE];
  fill(buf, seq, SIZE);
  ssize_t n;
  if (how % 2) {
    struct iovec iov = {buf, SIZE};
    struct msghdr msg = {0};
    msg.msg_name = (void*)to;
    msg.msg_namelen = sizeof(*to);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    n = sendmsg(fd, &msg, 0);
  } else {
    n = sendto(fd, buf, SIZE, 0, (const struct sockaddr*)to, sizeof(*to));
  }
  assert(n == SIZE);
}

int main(void) {
  struct sockaddr_in rx_addr, tx_addr;
  int rx = udp_socket(&rx_addr);
  int tx = udp_socket(&tx_addr);
  uint32_t seq = 0, next = 0;

  // 1. Order across the send and receive calls, a few datagrams at a time.
  for (int round = 0; round < 40; round++) {
    int burst = 1 + round % 7;
    for (int i = 0; i < burst; i++) send_one(tx, seq++, round + i * 3 + (round / 7), &rx_addr);
    for (int i = 0; i < burst; i++) receive(rx, next++, round + i, &tx_addr);
  }
  unsigned char buf[SIZE + 1];
  assert(recv(rx, buf, sizeof(buf), 0) == -1 && (errno == EAGAIN || errno == EWOULDBLOCK));

  // 2. More datagrams than a ring holds, none read until all were sent:
  // reading resumes when the program makes room, in order.
  for (int i = 0; i < MANY; i++) {
    send_one(tx, seq++, 0, &rx_addr);
    // Stay well below the default buffers.
    if (i % 25 == 24) settle();
  }
  settle();
  for (int i = 0; i < MANY; i++) receive(rx, next++, i % 2, &tx_addr);

  // 3. Truncation: a datagram is read whole or cut, and the rest dropped; a
  // short address buffer gets what fits and the full length.
  {
    unsigned char big[SIZE];
    fill(big, seq, SIZE);
    assert(sendto(tx, big, SIZE, 0, (struct sockaddr*)&rx_addr, sizeof(rx_addr)) == SIZE);
    send_one(tx, seq + 1, 0, &rx_addr);
    wait_in(rx);
    unsigned char small[10];
    struct sockaddr_in src;
    memset(&src, 0xee, sizeof(src));
    socklen_t al = 4;
    ssize_t n;
    while ((n = recvfrom(rx, small, sizeof(small), 0, (struct sockaddr*)&src, &al)) < 0) {
      assert(errno == EAGAIN || errno == EWOULDBLOCK);
      wait_in(rx);
    }
    assert(n == sizeof(small) && memcmp(small, big, sizeof(small)) == 0);
    assert(al == sizeof(struct sockaddr_in));
    assert(src.sin_family == AF_INET);
    receive(rx, seq + 1, 0, &tx_addr);
    seq += 2;
    next = seq;
  }

  // 4. send() needs a destination; after connect() it has one.
  assert(send(tx, buf, 10, 0) == -1 && errno == EDESTADDRREQ);
  assert(connect(tx, (struct sockaddr*)&rx_addr, sizeof(rx_addr)) == 0);
  for (int i = 0; i < 10; i++) {
    unsigned char d[SIZE];
    fill(d, seq++, SIZE);
    assert(send(tx, d, SIZE, 0) == SIZE);
  }
  for (int i = 0; i < 10; i++) receive(rx, next++, i, &tx_addr);

  // 5. A full send queue: EAGAIN, then POLLOUT once it drained.
  {
    int sndbuf = 4 * SIZE;
    assert(setsockopt(tx, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) == 0);
    int eagain = 0, sent = 0;
    for (int i = 0; i < 60 && !eagain; i++) {
      unsigned char d[SIZE];
      fill(d, seq, SIZE);
      ssize_t n = send(tx, d, SIZE, 0);
      if (n < 0) {
        assert(errno == EAGAIN || errno == EWOULDBLOCK);
        eagain = 1;
      } else {
        assert(n == SIZE);
        seq++;
        sent++;
      }
    }
    if (eagain) {
      struct pollfd p = {tx, POLLOUT, 0};
      assert(poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT));
    }
    printf("send queue: %d sent before %s\n", sent, eagain ? "EAGAIN" : "no EAGAIN");
#ifdef __EMSCRIPTEN__
    assert(eagain);
#endif
    for (int i = 0; i < sent; i++) receive(rx, next++, i, &tx_addr);
  }

  // 6. Datagrams sent right before close() still go out.
  for (int i = 0; i < 20; i++) {
    unsigned char d[SIZE];
    fill(d, seq++, SIZE);
    ssize_t n;
    while ((n = send(tx, d, SIZE, 0)) < 0) {
      assert(errno == EAGAIN || errno == EWOULDBLOCK);
      struct pollfd p = {tx, POLLOUT, 0};
      assert(poll(&p, 1, 5000) == 1);
    }
  }
  close(tx);
  for (int i = 0; i < 20; i++) receive(rx, next++, i, &tx_addr);

  // 7. Datagrams queued for a socket that closes are gone: the next socket
  // on the same fd sees none of them.
  {
    struct sockaddr_in a2;
    int tx2 = udp_socket(&a2);
    for (int i = 0; i < 5; i++) send_one(tx2, 1000 + i, 0, &rx_addr);
    settle();
    int old = rx;
    close(rx);
    struct sockaddr_in a3;
    int again = udp_socket(&a3);
    assert(again == old);
    assert(recv(again, buf, sizeof(buf), 0) == -1 && (errno == EAGAIN || errno == EWOULDBLOCK));
    // It works as a socket of its own.
    send_one(tx2, 7, 0, &a3);
    receive(again, 7, 0, &a2);
    close(again);
    close(tx2);
  }
  printf("done\n");
  return 0;
}
