/*
 * dsbench: the program `dsock bench` measures. A UDP + TCP echo server in
 * plain POSIX C, built natively (clang), with -sNODERAWSOCKETS (node) and with
 * -sDIRECT_SOCKETS (Chromium IWA, under -sJSPI or -pthread -sPROXY_TO_PTHREAD).
 * The load generator (dsbench_peer.c) is always native, so every variant is
 * driven and timed by the same code and only this program changes.
 *
 *   dsbench [--host 127.0.0.1] [--udp-port 0] [--tcp-port 0] [--max-seconds 900]
 *
 * Prints "DSBENCH READY udp=<port> tcp=<port>" once both sockets are bound,
 * then serves until a UDP QUIT datagram arrives or --max-seconds elapse, and
 * prints "DSBENCH EXIT <reason> ...". One TCP connection is served at a time
 * (the generator runs workloads one after the other).
 *
 * The loop is the usual non-blocking one: drain every ready socket until
 * EAGAIN, then block in poll() (with a timeout, so the deadline is honoured).
 * Under JSPI each poll() that blocks is one stack suspension; under
 * PROXY_TO_PTHREAD it is one proxied call.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dsbench_proto.h"

#define TCP_BUF (256 * 1024)
#define UDP_BUF 65536

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static int would_block(void) {
  return errno == EAGAIN || errno == EWOULDBLOCK;
}

static void die(const char* what) {
  printf("DSBENCH EXIT error %s errno=%d (%s)\n", what, errno, strerror(errno));
  fflush(stdout);
  exit(1);
}

struct server {
  int udp;
  int listener;
  int conn;          /* the TCP connection being served, or -1 */
  uint32_t mode;     /* DSB_ECHO / DSB_SINK once the header arrived, else 0 */
  unsigned char hdr[sizeof(struct tcp_hdr)];
  size_t hdr_len;
  uint64_t sink_left;
  uint64_t sink_got;
  int peer_eof;
  unsigned char* buf; /* ECHO: bytes read but not yet written back */
  size_t pend_off, pend_len;
  struct udp_stat stat;
  int quit;
};

static void conn_close(struct server* s) {
  if (s->conn >= 0) close(s->conn);
  s->conn = -1;
  s->mode = 0;
  s->hdr_len = 0;
  s->sink_left = s->sink_got = 0;
  s->peer_eof = 0;
  s->pend_off = s->pend_len = 0;
}

/* Drain the UDP socket: echo DATA, answer control datagrams. */
static void udp_ready(struct server* s) {
  static unsigned char buf[UDP_BUF];
  for (;;) {
    struct sockaddr_storage from;
    socklen_t fromlen = sizeof(from);
    ssize_t n = recvfrom(s->udp, buf, sizeof(buf), 0, (struct sockaddr*)&from, &fromlen);
    if (n < 0) {
      if (would_block() || errno == EINTR) return;
      if (errno == ECONNREFUSED) continue; /* ICMP from a generator that went away */
      die("recvfrom");
    }
    struct udp_hdr h;
    if ((size_t)n >= sizeof(h)) memcpy(&h, buf, sizeof(h));
    if ((size_t)n < sizeof(h) || h.magic != DSB_MAGIC || h.kind == DSB_DATA) {
      s->stat.rx++;
      if (sendto(s->udp, buf, (size_t)n, 0, (struct sockaddr*)&from, fromlen) == n) {
        s->stat.tx++;
      } else {
        s->stat.tx_drop++;
      }
      continue;
    }
    struct udp_stat reply = s->stat;
    reply.magic = DSB_MAGIC;
    reply.kind = DSB_REPLY;
    if (h.kind == DSB_RESET) memset(&s->stat, 0, sizeof(s->stat));
    if (h.kind == DSB_QUIT) s->quit = 1;
    sendto(s->udp, &reply, sizeof(reply), 0, (struct sockaddr*)&from, fromlen);
  }
}

/* Write back what ECHO has pending; returns 0 when it is all out. */
static int tcp_flush(struct server* s) {
  while (s->pend_len) {
    ssize_t n = send(s->conn, s->buf + s->pend_off, s->pend_len, 0);
    if (n < 0) {
      if (would_block() || errno == EINTR) return 1;
      conn_close(s);
      return 0;
    }
    s->pend_off += (size_t)n;
    s->pend_len -= (size_t)n;
  }
  s->pend_off = 0;
  return 0;
}

static void tcp_ready(struct server* s) {
  while (s->conn >= 0) {
    if (s->mode == DSB_ECHO && s->pend_len) {
      if (tcp_flush(s)) return;
      continue;
    }
    if (s->peer_eof) {
      conn_close(s);
      return;
    }
    size_t want = TCP_BUF;
    unsigned char* dst = s->buf;
    if (!s->mode) {
      dst = s->hdr + s->hdr_len;
      want = sizeof(s->hdr) - s->hdr_len;
    } else if (s->mode == DSB_SINK && s->sink_left < want && s->sink_left) {
      want = (size_t)s->sink_left;
    }
    ssize_t n = recv(s->conn, dst, want, 0);
    if (n < 0) {
      if (would_block() || errno == EINTR) return;
      conn_close(s);
      return;
    }
    if (n == 0) {
      s->peer_eof = 1;
      continue;
    }
    if (!s->mode) {
      s->hdr_len += (size_t)n;
      if (s->hdr_len == sizeof(s->hdr)) {
        struct tcp_hdr h;
        memcpy(&h, s->hdr, sizeof(h));
        if (h.magic != DSB_MAGIC || (h.mode != DSB_ECHO && h.mode != DSB_SINK)) {
          conn_close(s);
          return;
        }
        s->mode = h.mode;
        s->sink_left = h.length;
        s->sink_got = 0;
      }
      continue;
    }
    if (s->mode == DSB_ECHO) {
      s->pend_off = 0;
      s->pend_len = (size_t)n;
      continue;
    }
    /* SINK: count, and acknowledge once everything announced arrived. */
    s->sink_got += (uint64_t)n;
    s->sink_left -= (uint64_t)n;
    if (!s->sink_left) {
      struct tcp_ack ack = {DSB_MAGIC, 0, s->sink_got};
      /* 16 bytes on an idle socket: send() takes it whole or fails. */
      if (send(s->conn, &ack, sizeof(ack), 0) != (ssize_t)sizeof(ack)) {
        conn_close(s);
        return;
      }
      s->mode = DSB_ECHO; /* anything after the payload is echoed, then EOF closes */
    }
  }
}

static void tcp_accept(struct server* s) {
  for (;;) {
    int fd = accept(s->listener, NULL, NULL);
    if (fd < 0) {
      if (would_block() || errno == EINTR || errno == ECONNABORTED) return;
      die("accept");
    }
    if (s->conn >= 0) { /* one at a time: a new connection replaces a stale one */
      conn_close(s);
    }
    set_nonblocking(fd);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    s->conn = fd;
  }
}

static int parse_int(const char* v, const char* name) {
  char* end;
  long x = strtol(v, &end, 10);
  if (*v == 0 || *end != 0 || x < 0) {
    fprintf(stderr, "dsbench: bad %s: %s\n", name, v);
    exit(2);
  }
  return (int)x;
}

int main(int argc, char** argv) {
  const char* host = "127.0.0.1";
  int udp_port = 0, tcp_port = 0, max_seconds = 900;
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (int i = 1; i < argc; i += 2) {
    const char* a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) {
      fprintf(stderr, "dsbench: %s needs a value\n", a);
      return 2;
    }
    if (!strcmp(a, "--host")) host = v;
    else if (!strcmp(a, "--udp-port")) udp_port = parse_int(v, a);
    else if (!strcmp(a, "--tcp-port")) tcp_port = parse_int(v, a);
    else if (!strcmp(a, "--max-seconds")) max_seconds = parse_int(v, a);
    else {
      fprintf(stderr, "dsbench: unknown option %s\n", a);
      return 2;
    }
  }

  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
    fprintf(stderr, "dsbench: --host must be an IPv4 address: %s\n", host);
    return 2;
  }

  struct server s;
  memset(&s, 0, sizeof(s));
  s.conn = -1;
  s.buf = malloc(TCP_BUF);

  s.udp = socket(AF_INET, SOCK_DGRAM, 0);
  if (s.udp < 0) die("socket(udp)");
  addr.sin_port = htons((uint16_t)udp_port);
  if (bind(s.udp, (struct sockaddr*)&addr, sizeof(addr)) < 0) die("bind(udp)");
  set_nonblocking(s.udp);

  s.listener = socket(AF_INET, SOCK_STREAM, 0);
  if (s.listener < 0) die("socket(tcp)");
  int one = 1;
  setsockopt(s.listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  addr.sin_port = htons((uint16_t)tcp_port);
  if (bind(s.listener, (struct sockaddr*)&addr, sizeof(addr)) < 0) die("bind(tcp)");
  if (listen(s.listener, 8) < 0) die("listen");
  set_nonblocking(s.listener);

  /* With -sDIRECT_SOCKETS under JSPI, bind()/listen() return before the
   * browser has opened the socket, and getsockname() reports port 0 until it
   * has. Let the event loop run (poll() suspends) and ask again, for at most
   * 5 s. Natively the first answer is final. */
  int uport = 0, tport = 0;
  for (int attempt = 0; attempt < 250; attempt++) {
    struct sockaddr_in bound;
    socklen_t blen = sizeof(bound);
    if (getsockname(s.udp, (struct sockaddr*)&bound, &blen) < 0) die("getsockname(udp)");
    uport = ntohs(bound.sin_port);
    blen = sizeof(bound);
    if (getsockname(s.listener, (struct sockaddr*)&bound, &blen) < 0) die("getsockname(tcp)");
    tport = ntohs(bound.sin_port);
    if (uport && tport) break;
    struct pollfd wait[2] = {{s.udp, POLLIN, 0}, {s.listener, POLLIN, 0}};
    poll(wait, 2, 20);
  }
  printf("DSBENCH READY udp=%d tcp=%d\n", uport, tport);
  fflush(stdout);

  uint64_t deadline = now_ns() + (uint64_t)max_seconds * 1000000000ull;
  uint64_t polls = 0;
  while (!s.quit) {
    if (now_ns() >= deadline) {
      printf("DSBENCH EXIT timeout after %d s\n", max_seconds);
      return 3;
    }
    struct pollfd fds[3];
    int nfds = 0;
    fds[nfds++] = (struct pollfd){s.udp, POLLIN, 0};
    fds[nfds++] = (struct pollfd){s.listener, POLLIN, 0};
    if (s.conn >= 0) {
      short ev = (s.mode == DSB_ECHO && s.pend_len) ? POLLOUT : POLLIN;
      fds[nfds++] = (struct pollfd){s.conn, ev, 0};
    }
    polls++;
    s.stat.polls++;
    int r = poll(fds, (nfds_t)nfds, 200);
    if (r > 0) s.stat.wakeups++;
    if (r < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    if (fds[0].revents) udp_ready(&s);
    if (fds[1].revents) tcp_accept(&s);
    /* Also service the connection when accept() just created it: its first
     * bytes may already be queued. */
    if (s.conn >= 0) tcp_ready(&s);
  }
  /* Give the QUIT reply a moment to leave: under node and Chromium sendto()
   * only queues it, and exiting at once would drop it. */
  struct pollfd linger = {s.udp, POLLIN, 0};
  poll(&linger, 1, 100);
  printf("DSBENCH EXIT quit polls=%llu\n", (unsigned long long)polls);
  conn_close(&s);
  close(s.listener);
  close(s.udp);
  return 0;
}
