/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * Socket edge cases that a JS socket backend easily gets wrong, each checked
 * against what Linux does, over loopback, from main():
 *  - optlen: one-byte IP_MULTICAST_TTL/IP_MULTICAST_LOOP values, short
 *    getsockopt buffers (no write past optlen), a too short SOL_SOCKET value;
 *  - an AF_INET6 socket talking to IPv4 peers sees them as ::ffff:a.b.c.d,
 *    both on an accepted TCP connection and in UDP recvfrom(), and a UDP
 *    connect() to ::ffff:127.0.0.1 accepts datagrams from 127.0.0.1;
 *  - accepted sockets report their own local address;
 *  - bind() to "localhost" and a UDP connect() to it, through getaddrinfo();
 *  - getaddrinfo() with AF_INET6 hints on "localhost" gives a connectable
 *    address;
 *  - a host name that does not resolve fails with a resolution error, not
 *    ECONNREFUSED, and in a sendto() fails that send only;
 *  - IP_ADD_MEMBERSHIP right after bind() is not refused for the socket
 *    still opening;
 *  - an over-size UDP datagram is EMSGSIZE and a zero-length one does not
 *    break the socket;
 *  - accept() with no fd left is EMFILE and leaves the connection queued.
 * The getaddrinfo() parts only run where the name resolves. Self-contained and
 * also runs natively.
 */

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in v4(const char* ip, int port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, ip, &sa.sin_addr);
  return sa;
}

static struct sockaddr_in6 v6(const char* ip, int port) {
  struct sockaddr_in6 sa;
  memset(&sa, 0, sizeof(sa));
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(port);
  inet_pton(AF_INET6, ip, &sa.sin6_addr);
  return sa;
}

static int port_of(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  assert(getsockname(fd, (struct sockaddr*)&ss, &len) == 0);
  return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6*)&ss)->sin6_port : ((struct sockaddr_in*)&ss)->sin_port);
}

static int wait_readable(int fd) {
  struct pollfd p = {fd, POLLIN, 0};
  return poll(&p, 1, 5000) == 1 && (p.revents & POLLIN);
}

static int is_mapped_loopback(const struct sockaddr_in6* sa) {
  struct in6_addr mapped;
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped);
  return sa->sin6_family == AF_INET6 && memcmp(&sa->sin6_addr, &mapped, sizeof(mapped)) == 0;
}

static void test_optlen(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  unsigned char ttl = 7, loop = 0;
  assert(setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, 1) == 0);
  assert(setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, 1) == 0);
  int val = -1;
  socklen_t len = sizeof(val);
  assert(getsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &val, &len) == 0);
  assert(val == 7 && len == sizeof(int));
  // A one-byte buffer gets one byte.
  unsigned char buf[4];
  memset(buf, 0xaa, sizeof(buf));
  len = 1;
  assert(getsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, buf, &len) == 0);
  assert(len == 1 && buf[0] == 0 && buf[1] == 0xaa);
  // SOL_SOCKET copies what fits, no more.
  memset(buf, 0xaa, sizeof(buf));
  len = 2;
  assert(getsockopt(fd, SOL_SOCKET, SO_TYPE, buf, &len) == 0);
  assert(len == 2 && buf[0] == SOCK_DGRAM && buf[1] == 0 && buf[2] == 0xaa);
  // A SOL_SOCKET value needs a whole int.
  int one = 1;
  errno = 0;
  assert(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &one, 2) == -1 && errno == EINVAL);
  close(fd);
  printf("optlen ok\n");
}

// TCP: an AF_INET6 listener on :: accepts an IPv4 client; the accepted
// socket reports the peer as ::ffff:127.0.0.1 and its own address likewise.
static void test_v6_listener_v4_peer(void) {
  int l = socket(AF_INET6, SOCK_STREAM, 0);
  struct sockaddr_in6 any = v6("::", 0);
  assert(bind(l, (struct sockaddr*)&any, sizeof(any)) == 0);
  assert(listen(l, 4) == 0);
  int port = port_of(l);
  assert(port);

  int c = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in to = v4("127.0.0.1", port);
  assert(connect(c, (struct sockaddr*)&to, sizeof(to)) == 0);
  assert(wait_readable(l));
  struct sockaddr_in6 peer;
  socklen_t len = sizeof(peer);
  int a = accept(l, (struct sockaddr*)&peer, &len);
  assert(a >= 0);
  assert(is_mapped_loopback(&peer) && ntohs(peer.sin6_port) == port_of(c));
  struct sockaddr_in6 local;
  len = sizeof(local);
  assert(getsockname(a, (struct sockaddr*)&local, &len) == 0);
  assert(is_mapped_loopback(&local) && ntohs(local.sin6_port) == port);
  close(a);
  close(c);
  close(l);
  printf("AF_INET6 listener with an IPv4 peer ok\n");
}

// UDP: an AF_INET6 socket connect()ed to ::ffff:127.0.0.1 talks to an IPv4
// socket; datagrams are over-size, zero-length and ordinary.
static void test_udp(void) {
  int b = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in bsa = v4("127.0.0.1", 0);
  assert(bind(b, (struct sockaddr*)&bsa, sizeof(bsa)) == 0);
  int bport = port_of(b);
  assert(bport);

  int a = socket(AF_INET6, SOCK_DGRAM, 0);
  struct sockaddr_in6 any = v6("::", 0);
  assert(bind(a, (struct sockaddr*)&any, sizeof(any)) == 0);
  int aport = port_of(a);
  assert(aport);
  struct sockaddr_in6 peer = v6("::ffff:127.0.0.1", bport);
  assert(connect(a, (struct sockaddr*)&peer, sizeof(peer)) == 0);

  // Over-size: EMSGSIZE, and the socket keeps working.
  static char big[70000];
  errno = 0;
  assert(send(a, big, sizeof(big), 0) == -1 && errno == EMSGSIZE);
  // Zero-length: Linux sends an empty datagram; where that cannot be done it
  // must fail this send only.
  errno = 0;
  ssize_t zero = send(a, big, 0, 0);
  printf("zero-length send: %zd errno %d (%s)\n", zero, zero ? errno : 0, zero ? strerror(errno) : "");
  assert(zero == 0 || (zero == -1 && errno == EINVAL));
  assert(send(a, "ping", 4, 0) == 4);

  char buf[16];
  struct sockaddr_in from;
  socklen_t len;
  if (zero == 0) {
    assert(wait_readable(b));
    len = sizeof(from);
    assert(recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr*)&from, &len) == 0);
  }
  assert(wait_readable(b));
  len = sizeof(from);
  assert(recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr*)&from, &len) == 4);
  assert(memcmp(buf, "ping", 4) == 0 && ntohs(from.sin_port) == aport);

  // The reply from 127.0.0.1 passes the connected socket's peer filter, and
  // recvfrom() on the AF_INET6 socket names it as ::ffff:127.0.0.1.
  struct sockaddr_in to = v4("127.0.0.1", aport);
  assert(sendto(b, "pong", 4, 0, (struct sockaddr*)&to, sizeof(to)) == 4);
  assert(wait_readable(a));
  struct sockaddr_in6 from6;
  len = sizeof(from6);
  assert(recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr*)&from6, &len) == 4);
  assert(memcmp(buf, "pong", 4) == 0);
  assert(is_mapped_loopback(&from6) && ntohs(from6.sin6_port) == bport);
  close(a);
  close(b);
  printf("UDP over IPv4-mapped addresses and datagram sizes ok\n");
}

static void test_membership_after_bind(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in any = v4("0.0.0.0", 0);
  assert(bind(fd, (struct sockaddr*)&any, sizeof(any)) == 0);
  struct ip_mreq mreq;
  inet_pton(AF_INET, "239.255.1.2", &mreq.imr_multiaddr);
  mreq.imr_interface.s_addr = htonl(INADDR_ANY);
  errno = 0;
  int r = setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq));
  printf("IP_ADD_MEMBERSHIP right after bind: %d errno %d (%s)\n", r, r ? errno : 0, r ? strerror(errno) : "");
  // Loopback-only hosts have no multicast route (ENODEV); browsers need the
  // direct-sockets-multicast policy (EACCES). A socket that is bound is never
  // EINVAL.
  assert(r == 0 || errno == ENODEV || errno == EACCES);
  if (r == 0) assert(setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mreq, sizeof(mreq)) == 0);
  close(fd);
}

static struct addrinfo* lookup(const char* name, int family, int type, int flags) {
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = family;
  hints.ai_socktype = type;
  hints.ai_flags = flags;
  int r = getaddrinfo(name, NULL, &hints, &res);
  printf("getaddrinfo(%s, %s): %s\n", name, family == AF_INET6 ? "AF_INET6" : "AF_INET", r ? gai_strerror(r) : "ok");
  return r ? NULL : res;
}

static void test_names(void) {
  // bind() to localhost, and a UDP connect() to it whose peer filter must
  // match the replies that come from 127.0.0.1.
  struct addrinfo* ai = lookup("localhost", AF_INET, SOCK_DGRAM, AI_PASSIVE);
  if (ai) {
    int a = socket(AF_INET, SOCK_DGRAM, 0);
    assert(bind(a, ai->ai_addr, ai->ai_addrlen) == 0);
    struct sockaddr_in local;
    socklen_t len = sizeof(local);
    assert(getsockname(a, (struct sockaddr*)&local, &len) == 0);
    assert(local.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && local.sin_port);
    int b = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in bsa = v4("127.0.0.1", 0);
    assert(bind(b, (struct sockaddr*)&bsa, sizeof(bsa)) == 0);
    ((struct sockaddr_in*)ai->ai_addr)->sin_port = htons(port_of(b));
    assert(connect(a, ai->ai_addr, ai->ai_addrlen) == 0);
    assert(send(a, "hi", 2, 0) == 2);
    char buf[8];
    assert(wait_readable(b));
    assert(recv(b, buf, sizeof(buf), 0) == 2);
    assert(sendto(b, "yo", 2, 0, (struct sockaddr*)&local, sizeof(local)) == 2);
    assert(wait_readable(a));
    assert(recv(a, buf, sizeof(buf), 0) == 2 && memcmp(buf, "yo", 2) == 0);
    close(a);
    close(b);
    freeaddrinfo(ai);
    printf("bind() and UDP connect() to localhost ok\n");
  }

  // getaddrinfo(AF_INET6) on a name gives an address an AF_INET6 socket can
  // connect to (a dual-stack listener on :: takes either family).
  ai = lookup("localhost", AF_INET6, SOCK_STREAM, 0);
  if (ai) {
    int l = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 any = v6("::", 0);
    assert(bind(l, (struct sockaddr*)&any, sizeof(any)) == 0);
    assert(listen(l, 1) == 0);
    ((struct sockaddr_in6*)ai->ai_addr)->sin6_port = htons(port_of(l));
    int c = socket(AF_INET6, SOCK_STREAM, 0);
    int r = connect(c, ai->ai_addr, ai->ai_addrlen);
    printf("connect to localhost over AF_INET6: %d %s\n", r, r ? strerror(errno) : "");
    assert(r == 0);
    close(c);
    close(l);
    freeaddrinfo(ai);
  }

  // A name that does not resolve is a resolution error: from getaddrinfo(),
  // or where names are resolved at connect time, not ECONNREFUSED.
  ai = lookup("nonexistent.invalid", AF_INET, SOCK_STREAM, 0);
  if (ai) {
    ((struct sockaddr_in*)ai->ai_addr)->sin_port = htons(80);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    errno = 0;
    int r = connect(c, ai->ai_addr, ai->ai_addrlen);
    printf("connect to nonexistent.invalid: %d errno %d (%s)\n", r, errno, strerror(errno));
    assert(r == -1 && errno != ECONNREFUSED && errno != 0);
    close(c);
    freeaddrinfo(ai);
  }
}

// sendto() a name that does not resolve fails that send only (where names
// are resolved late, after the name was looked up once); the socket keeps
// working.
static void test_sendto_unresolvable(void) {
  struct addrinfo* ai = lookup("nonexistent.invalid", AF_INET, SOCK_DGRAM, 0);
  if (!ai) return;
  int a = socket(AF_INET, SOCK_DGRAM, 0);
  int b = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in sa = v4("127.0.0.1", 0);
  assert(bind(a, (struct sockaddr*)&sa, sizeof(sa)) == 0);
  assert(bind(b, (struct sockaddr*)&sa, sizeof(sa)) == 0);
  ((struct sockaddr_in*)ai->ai_addr)->sin_port = htons(9);
  int failed = 0;
  for (int i = 0; i < 100 && !failed; i++) {
    errno = 0;
    ssize_t r = sendto(a, "x", 1, 0, ai->ai_addr, ai->ai_addrlen);
    if (r < 0) {
      printf("sendto nonexistent.invalid: errno %d (%s)\n", errno, strerror(errno));
      assert(errno == EHOSTUNREACH || errno == ENETUNREACH);
      failed = 1;
    } else {
      poll(NULL, 0, 50);
    }
  }
  assert(failed);
  struct sockaddr_in to = v4("127.0.0.1", port_of(b));
  assert(sendto(a, "ok", 2, 0, (struct sockaddr*)&to, sizeof(to)) == 2);
  char buf[4];
  assert(wait_readable(b));
  assert(recv(b, buf, sizeof(buf), 0) == 2 && memcmp(buf, "ok", 2) == 0);
  freeaddrinfo(ai);
  close(a);
  close(b);
  printf("sendto an unresolvable name ok\n");
}

// accept() when no fd is left: EMFILE, with the connection still queued for
// the next accept().
static void test_accept_emfile(void) {
#ifndef __EMSCRIPTEN__
  // Keep the fd table small natively, so that filling it is quick.
  struct rlimit rl = {64, 64};
  assert(setrlimit(RLIMIT_NOFILE, &rl) == 0);
#endif
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = v4("127.0.0.1", 0);
  assert(bind(l, (struct sockaddr*)&sa, sizeof(sa)) == 0);
  assert(listen(l, 2) == 0);
  sa.sin_port = htons(port_of(l));
  int c = socket(AF_INET, SOCK_STREAM, 0);
  assert(connect(c, (struct sockaddr*)&sa, sizeof(sa)) == 0);
  assert(wait_readable(l));

  static int fds[8192];
  int n = 0;
  while (n < 8192) {
    int fd = dup(l);
    if (fd < 0) {
      assert(errno == EMFILE);
      break;
    }
    fds[n++] = fd;
  }
  assert(n < 8192);
  errno = 0;
  assert(accept(l, NULL, NULL) == -1 && errno == EMFILE);
  close(fds[--n]);
  int a = accept(l, NULL, NULL);
  printf("accept after freeing an fd: %d %s\n", a, a < 0 ? strerror(errno) : "");
  assert(a >= 0);
  while (n) close(fds[--n]);
  close(a);
  close(c);
  close(l);
  printf("accept() and EMFILE ok\n");
}

int main(void) {
  test_optlen();
  test_v6_listener_v4_peer();
  test_udp();
  test_membership_after_bind();
  test_names();
  test_sendto_unresolvable();
  test_accept_emfile();
  printf("done\n");
  return 0;
}
