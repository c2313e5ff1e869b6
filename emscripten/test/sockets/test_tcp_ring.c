/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * TCP stream semantics that the -pthread build's fast path (libc's socket
 * rings, emscripten_sock_ring.c) must keep: byte order across calls that take
 * the rings (send, recv) and calls that take the syscall (write, sendmsg,
 * read, recvmsg, MSG_PEEK), reads shorter than what arrived, EOF only after
 * all data (also after a close() right after a send), shutdown(SHUT_RD),
 * and poll() over a listener and both ends of a connection. Plain POSIX; also
 * builds and runs natively.
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
#include <time.h>
#include <unistd.h>

// Stays within loopback socket buffers natively: nothing is read until all
// of it was sent.
#define TOTAL 100000

static unsigned char byte_at(size_t i) {
  return (unsigned char)(i * 31 + (i >> 9));
}

static void wait_for(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  assert(poll(&p, 1, 5000) == 1);
}

// Send bytes [from, to) of the stream with one of the send calls, all of it.
static void send_range(int fd, size_t from, size_t to, int how) {
  static unsigned char buf[TOTAL];
  for (size_t i = from; i < to; i++) buf[i - from] = byte_at(i);
  size_t done = 0;
  while (done < to - from) {
    ssize_t n;
    size_t len = to - from - done;
    switch (how % 3) {
      case 0:
        n = send(fd, buf + done, len, 0);
        break;
      case 1:
        n = write(fd, buf + done, len);
        break;
      default: {
        struct iovec iov = {buf + done, len};
        struct msghdr msg = {0};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        n = sendmsg(fd, &msg, 0);
        break;
      }
    }
    if (n < 0) {
      assert(errno == EAGAIN || errno == EWOULDBLOCK);
      wait_for(fd, POLLOUT);
      continue;
    }
    done += (size_t)n;
  }
}

// Read and check up to `len` bytes at stream offset `at`; returns the count,
// 0 at EOF, -1 if nothing is there yet.
static ssize_t read_some(int fd, size_t at, size_t len, int how) {
  unsigned char buf[4096];
  if (len > sizeof(buf)) len = sizeof(buf);
  ssize_t n;
  switch (how % 4) {
    case 0:
      n = recv(fd, buf, len, 0);
      break;
    case 1:
      n = read(fd, buf, len);
      break;
    case 2: {
      struct iovec iov = {buf, len};
      struct msghdr msg = {0};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      n = recvmsg(fd, &msg, 0);
      break;
    }
    default: {
      // A peek shows what the next recv() returns.
      unsigned char peeked[4096];
      ssize_t p = recv(fd, peeked, len, MSG_PEEK);
      if (p <= 0) {
        n = p;
        break;
      }
      n = recv(fd, buf, (size_t)p, 0);
      assert(n == p && memcmp(buf, peeked, (size_t)p) == 0);
      break;
    }
  }
  if (n < 0) {
    assert(errno == EAGAIN || errno == EWOULDBLOCK);
    return -1;
  }
  for (ssize_t i = 0; i < n; i++) {
    if (buf[i] != byte_at(at + (size_t)i)) {
      printf("byte %zu: got %u, want %u\n", at + (size_t)i, buf[i], byte_at(at + (size_t)i));
      assert(0 && "lost, reordered or corrupt data");
    }
  }
  return n;
}

// Read the stream from `at` to `to`, then expect EOF if `eof`.
static void read_range(int fd, size_t at, size_t to, int eof) {
  int how = 0;
  while (at < to) {
    // Odd lengths, so reads end inside what arrived together.
    ssize_t n = read_some(fd, at, 1 + (how * 977) % 3000, how);
    how++;
    if (n < 0) {
      wait_for(fd, POLLIN);
      continue;
    }
    assert(n > 0 && "EOF before the end of the data");
    at += (size_t)n;
  }
  if (eof) {
    for (;;) {
      ssize_t n = read_some(fd, at, 100, how++);
      if (n < 0) {
        wait_for(fd, POLLIN);
        continue;
      }
      assert(n == 0 && "data after the end");
      break;
    }
    // EOF stays.
    assert(recv(fd, (char[1]){0}, 1, 0) == 0);
  }
}

static void connect_pair(int listener, const struct sockaddr_in* addr, int* client, int* server) {
  *client = socket(AF_INET, SOCK_STREAM, 0);
  assert(*client >= 0);
  assert(connect(*client, (const struct sockaddr*)addr, sizeof(*addr)) == 0);
  wait_for(listener, POLLIN);
  *server = accept(listener, NULL, NULL);
  assert(*server >= 0);
  assert(fcntl(*client, F_SETFL, fcntl(*client, F_GETFL) | O_NONBLOCK) == 0);
  assert(fcntl(*server, F_SETFL, fcntl(*server, F_GETFL) | O_NONBLOCK) == 0);
}

int main(void) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  assert(listener >= 0);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  assert(bind(listener, (struct sockaddr*)&addr, sizeof(addr)) == 0);
  assert(listen(listener, 4) == 0);
  socklen_t al = sizeof(addr);
  assert(getsockname(listener, (struct sockaddr*)&addr, &al) == 0);
  assert(ntohs(addr.sin_port) != 0);

  int client, server;
  connect_pair(listener, &addr, &client, &server);

  // 1. Request/response in both directions, small pieces, every call.
  size_t up = 0, down = 0;
  for (int round = 0; round < 60; round++) {
    size_t len = 1 + (size_t)(round * 37) % 700;
    send_range(client, up, up + len, round);
    read_range(server, up, up + len, 0);
    up += len;
    send_range(server, down, down + len * 2, round + 1);
    read_range(client, down, down + len * 2, 0);
    down += len * 2;
  }

  // 2. A larger stream with mixed send calls, read in odd pieces, then EOF.
  size_t start = up;
  for (int i = 0; up < TOTAL; i++) {
    size_t len = 1000 + (size_t)(i * 7919) % 20000;
    if (up + len > TOTAL) len = TOTAL - up;
    send_range(client, up, up + len, i);
    up += len;
  }
  assert(shutdown(client, SHUT_WR) == 0);
  read_range(server, start, TOTAL, 0);
  // Chromium 156 sends the FIN only once the socket is closed.
  close(client);
  read_range(server, TOTAL, TOTAL, 1);
  close(server);

  // 3. close() right after send(): everything arrives, then EOF.
  connect_pair(listener, &addr, &client, &server);
  send_range(client, 0, 50000, 0);
  close(client);
  read_range(server, 0, 50000, 1);
  close(server);

  // 4. shutdown(SHUT_RD) drops what was received: later reads see EOF.
  connect_pair(listener, &addr, &client, &server);
  send_range(client, 0, 1000, 0);
  wait_for(server, POLLIN);
  assert(shutdown(server, SHUT_RD) == 0);
  close(client);
  close(server);

  // 5. poll() over the listener and both ends of a connection: a timeout
  // with nothing ready, readiness as asked for, data sent meanwhile, a
  // connection waiting at the listener, then EOF.
  connect_pair(listener, &addr, &client, &server);
  struct pollfd set[3] = {{listener, POLLIN, 0}, {client, POLLIN, 0}, {server, POLLIN, 0}};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  assert(poll(set, 3, 150) == 0);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long waited_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
  assert(waited_ms >= 140 && "poll() returned before its timeout");
  assert(!set[0].revents && !set[1].revents && !set[2].revents);
  struct pollfd probe[2] = {{server, POLLOUT, 0}, {client, POLLIN | POLLOUT, 0}};
  assert(poll(probe, 2, 0) == 2 && probe[0].revents == POLLOUT && probe[1].revents == POLLOUT);
  send_range(client, 0, 100, 0);
  assert(poll(set, 3, 5000) == 1);
  assert(!set[0].revents && !set[1].revents && set[2].revents == POLLIN);
  read_range(server, 0, 100, 0);
  int extra = socket(AF_INET, SOCK_STREAM, 0);
  assert(extra >= 0);
  assert(connect(extra, (const struct sockaddr*)&addr, sizeof(addr)) == 0);
  assert(poll(set, 3, 5000) == 1);
  assert(set[0].revents == POLLIN && !set[1].revents && !set[2].revents);
  int extra_server = accept(listener, NULL, NULL);
  assert(extra_server >= 0);
  close(extra);
  close(extra_server);
  close(client);
  assert(poll(&set[2], 1, 5000) == 1 && (set[2].revents & POLLIN));
  read_range(server, 100, 100, 1);
  close(server);

  close(listener);
  printf("done\n");
  return 0;
}
