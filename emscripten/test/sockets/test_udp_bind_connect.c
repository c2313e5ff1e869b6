/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * UDP bind-then-connect: a socket bound to an ephemeral port that then
 * connect()s keeps its bound port (the peer sees it as the source, and
 * getsockname() does not change), sendto() with an address fails with
 * EISCONN, and datagrams from anyone but the peer are filtered out. Plain
 * POSIX; also builds and runs natively.
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

static struct sockaddr_in bound_socket(int fd) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  assert(bind(fd, (struct sockaddr*)&a, sizeof(a)) == 0);
  socklen_t l = sizeof(a);
  assert(getsockname(fd, (struct sockaddr*)&a, &l) == 0);
  assert(ntohs(a.sin_port) != 0);
  return a;
}

// Wait (bounded) for a datagram on fd.
static ssize_t recv_wait(int fd, char* buf, size_t len, struct sockaddr_in* from) {
  struct pollfd p = {fd, POLLIN, 0};
  if (poll(&p, 1, 5000) != 1) return -1;
  socklen_t fl = sizeof(*from);
  return recvfrom(fd, buf, len, 0, (struct sockaddr*)from, &fl);
}

int main(void) {
  int server = socket(AF_INET, SOCK_DGRAM, 0);
  int client = socket(AF_INET, SOCK_DGRAM, 0);
  int other = socket(AF_INET, SOCK_DGRAM, 0);
  assert(server >= 0 && client >= 0 && other >= 0);
  struct sockaddr_in server_addr = bound_socket(server);
  struct sockaddr_in client_addr = bound_socket(client);
  struct sockaddr_in other_addr = bound_socket(other);
  printf("server %u, client %u, other %u\n", ntohs(server_addr.sin_port),
         ntohs(client_addr.sin_port), ntohs(other_addr.sin_port));

  // Connect the bound client to the server: the bound port must survive.
  assert(connect(client, (struct sockaddr*)&server_addr, sizeof(server_addr)) == 0);
  struct sockaddr_in after;
  socklen_t al = sizeof(after);
  assert(getsockname(client, (struct sockaddr*)&after, &al) == 0);
  assert(after.sin_port == client_addr.sin_port);
  struct sockaddr_in peer;
  socklen_t pl = sizeof(peer);
  assert(getpeername(client, (struct sockaddr*)&peer, &pl) == 0);
  assert(peer.sin_port == server_addr.sin_port);

  // A connected datagram socket refuses an explicit destination with EISCONN,
  // as BSD and macOS do (Linux sends to the given address instead).
  ssize_t s = sendto(client, "x", 1, 0, (struct sockaddr*)&other_addr, sizeof(other_addr));
#ifdef __EMSCRIPTEN__
  assert(s == -1 && errno == EISCONN);
#else
  (void)s;
#endif

  // The server sees the datagram coming from the client's bound port.
  assert(send(client, "ping", 4, 0) == 4);
  char buf[16];
  struct sockaddr_in from;
  assert(recv_wait(server, buf, sizeof(buf), &from) == 4 && memcmp(buf, "ping", 4) == 0);
  assert(from.sin_port == client_addr.sin_port);

  // Junk from a non-peer must be dropped; the peer's reply must arrive.
  assert(sendto(other, "junk", 4, 0, (struct sockaddr*)&client_addr, sizeof(client_addr)) == 4);
  // Give the junk a head start so it would be queued first if not filtered.
  struct pollfd p = {client, POLLIN, 0};
  poll(&p, 1, 200);
  assert(sendto(server, "pong", 4, 0, (struct sockaddr*)&from, sizeof(from)) == 4);
  ssize_t n = recv_wait(client, buf, sizeof(buf), &from);
  assert(n == 4);
  if (memcmp(buf, "pong", 4) != 0) {
    printf("client received non-peer datagram (%.*s)\n", (int)n, buf);
    assert(0 && "non-peer datagram was not filtered");
  }

  close(server);
  close(client);
  close(other);
  printf("done\n");
  return 0;
}
