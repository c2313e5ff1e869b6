/*
 * dsbench-peer: the native load generator for `dsock bench`. It drives the
 * echo server under test (dsbench.c, in whichever build) over loopback, times
 * everything with its own CLOCK_MONOTONIC, and prints exactly one JSON object
 * on stdout. Every run is bounded by a packet/byte count AND by --timeout-ms.
 *
 *   dsbench-peer udp   --port P --pattern burst|constant|ramp [--count N]
 *                      [--rate PPS] [--seconds S] [--size B] [--timeout-ms T]
 *   dsbench-peer sink  --port P --bytes N [--timeout-ms T]   (TCP one way)
 *   dsbench-peer echo  --port P --bytes N [--timeout-ms T]   (TCP echoed, byte-checked)
 *   dsbench-peer rr    --port P --count N [--size 64] [--timeout-ms T]
 *   dsbench-peer quit  --port P                               (UDP: stop the server)
 *   dsbench-peer stat|reset --port P      (UDP: the server's counters; reset also zeroes them)
 *
 * Native only (uses pthreads and clock_nanosleep).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dsbench_proto.h"

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t) {
  /* Sleep while more than 60 us ahead, then spin: clock_nanosleep alone
   * overshoots by ~50 us, which would cap a paced sender near 20k pps. */
  for (;;) {
    uint64_t n = now_ns();
    if (n >= t) return;
    if (t - n > 60000) {
      uint64_t until = t - 50000;
      struct timespec ts = {(time_t)(until / 1000000000ull), (long)(until % 1000000000ull)};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
  }
}

static const char* host = "127.0.0.1";
static int port = 0;

static void fail(const char* what) {
  printf("{\"error\":\"%s: %s\"}\n", what, strerror(errno));
  exit(1);
}

static struct sockaddr_in server_addr(void) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, host, &a.sin_addr);
  return a;
}

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array (p in 0..100). */
static double pct(const double* v, size_t n, double p) {
  if (!n) return 0;
  size_t rank = (size_t)ceil(p / 100.0 * (double)n);
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return v[rank - 1];
}

/* ---------------------------------------------------------------- UDP */

/* Send a control datagram and wait for the reply; retried, bounded. */
static int udp_control(int fd, uint32_t kind, struct udp_stat* out) {
  struct udp_hdr h = {DSB_MAGIC, kind, 0, 0};
  unsigned char buf[2048];
  for (int attempt = 0; attempt < 10; attempt++) {
    send(fd, &h, sizeof(h), 0);
    uint64_t until = now_ns() + 300000000ull;
    while (now_ns() < until) {
      struct pollfd p = {fd, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (n == (ssize_t)sizeof(struct udp_stat)) {
        struct udp_stat st;
        memcpy(&st, buf, sizeof(st));
        if (st.magic == DSB_MAGIC && st.kind == DSB_REPLY) {
          if (out) *out = st;
          return 0;
        }
      }
    }
  }
  return -1;
}

#define NBINS_MAX 4096

struct udp_run {
  int fd;
  uint64_t count, size;
  uint64_t t0;
  uint64_t bin_ns;
  atomic_int stop;
  /* receiver state */
  unsigned char* seen;
  uint64_t received, dup, stray;
  uint64_t t_last_rx;
  double* lat_us;
  uint64_t* bin_rx;
};

static void* udp_receiver(void* arg) {
  struct udp_run* r = arg;
  unsigned char* buf = malloc(65536);
  while (!atomic_load(&r->stop)) {
    struct pollfd p = {r->fd, POLLIN, 0};
    if (poll(&p, 1, 20) <= 0) continue;
    for (;;) {
      ssize_t n = recv(r->fd, buf, 65536, MSG_DONTWAIT);
      if (n < 0) break;
      uint64_t t = now_ns();
      struct udp_hdr h;
      if ((size_t)n < sizeof(h)) { r->stray++; continue; }
      memcpy(&h, buf, sizeof(h));
      if (h.magic != DSB_MAGIC || h.kind != DSB_DATA || h.seq >= r->count) { r->stray++; continue; }
      if (r->seen[h.seq]) { r->dup++; continue; }
      r->seen[h.seq] = 1;
      r->lat_us[r->received] = (double)(t - h.t_ns) / 1000.0;
      r->received++;
      r->t_last_rx = t;
      uint64_t bin = (h.t_ns - r->t0) / r->bin_ns;
      if (bin < NBINS_MAX) r->bin_rx[bin]++;
    }
  }
  free(buf);
  return NULL;
}

static int cmd_udp(const char* pattern, uint64_t count, double rate, double seconds, uint64_t size,
                   uint64_t timeout_ms) {
  int burst = !strcmp(pattern, "burst"), constant = !strcmp(pattern, "constant"),
      ramp = !strcmp(pattern, "ramp");
  if (!burst && !constant && !ramp) {
    fprintf(stderr, "dsbench-peer: --pattern must be burst, constant or ramp\n");
    return 2;
  }
  if (size < sizeof(struct udp_hdr)) size = sizeof(struct udp_hdr);
  /* constant: rate*seconds packets; ramp: 0 -> rate linearly over seconds. */
  if (constant) count = (uint64_t)(rate * seconds);
  if (ramp) count = (uint64_t)(rate * seconds / 2.0);

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) fail("socket");
  int big = 8 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
  struct sockaddr_in a = server_addr();
  if (connect(fd, (struct sockaddr*)&a, sizeof(a)) < 0) fail("connect");
  if (udp_control(fd, DSB_RESET, NULL) < 0) {
    printf("{\"error\":\"server did not answer RESET on udp port %d\"}\n", port);
    return 1;
  }

  struct udp_run r;
  memset(&r, 0, sizeof(r));
  r.fd = fd;
  r.count = count;
  r.size = size;
  r.bin_ns = 250000000ull;
  r.seen = calloc(count ? count : 1, 1);
  r.lat_us = calloc(count ? count : 1, sizeof(double));
  r.bin_rx = calloc(NBINS_MAX, sizeof(uint64_t));
  uint64_t* bin_tx = calloc(NBINS_MAX, sizeof(uint64_t));
  unsigned char* pkt = calloc(1, size);
  for (uint64_t i = sizeof(struct udp_hdr); i < size; i++) pkt[i] = (unsigned char)i;

  uint64_t deadline = now_ns() + timeout_ms * 1000000ull;
  r.t0 = now_ns();
  pthread_t th;
  pthread_create(&th, NULL, udp_receiver, &r);

  uint64_t sent = 0, send_errors = 0;
  for (uint64_t i = 0; i < count; i++) {
    uint64_t target = r.t0;
    if (constant) target = r.t0 + (uint64_t)((double)i * 1e9 / rate);
    if (ramp) target = r.t0 + (uint64_t)(sqrt(2.0 * seconds * (double)i / rate) * 1e9);
    if (!burst) sleep_until(target);
    uint64_t t = now_ns();
    if (t > deadline) break;
    struct udp_hdr h = {DSB_MAGIC, DSB_DATA, i, t};
    memcpy(pkt, &h, sizeof(h));
    ssize_t n = send(fd, pkt, size, 0);
    if (n == (ssize_t)size) {
      sent++;
      uint64_t bin = (t - r.t0) / r.bin_ns;
      if (bin < NBINS_MAX) bin_tx[bin]++;
    } else {
      send_errors++; /* ECONNREFUSED after an ICMP, ENOBUFS: counted, not retried */
    }
  }
  uint64_t t_send_end = now_ns();
  /* Drain: stop once every echo is back, 500 ms pass without one, or time is up. */
  uint64_t last = r.received, last_change = now_ns();
  while (now_ns() < deadline) {
    usleep(10000);
    uint64_t got = r.received;
    if (got >= sent) break;
    if (got != last) { last = got; last_change = now_ns(); }
    else if (now_ns() - last_change > 500000000ull) break;
  }
  atomic_store(&r.stop, 1);
  pthread_join(th, NULL);
  struct udp_stat st = {0};
  int have_stat = udp_control(fd, DSB_STAT, &st) == 0;

  double send_s = (double)(t_send_end - r.t0) / 1e9;
  double active_s = r.received ? (double)(r.t_last_rx - r.t0) / 1e9 : send_s;
  if (active_s < send_s) active_s = send_s;
  qsort(r.lat_us, r.received, sizeof(double), cmp_double);
  double loss = sent ? 100.0 * (double)(sent - r.received) / (double)sent : 0;

  /* Ramp knee: the offered rate of the last 250 ms bin before the first bin
   * that lost more than 1 % (bins with no traffic are skipped). */
  double knee = 0, max_bin_delivered = 0;
  int failed = 0;
  uint64_t nbins = (t_send_end - r.t0) / r.bin_ns + 1;
  if (nbins > NBINS_MAX) nbins = NBINS_MAX;
  double bin_s = (double)r.bin_ns / 1e9;
  for (uint64_t b = 0; b < nbins; b++) {
    if (!bin_tx[b]) continue;
    double offered = (double)bin_tx[b] / bin_s, delivered = (double)r.bin_rx[b] / bin_s;
    if (delivered > max_bin_delivered) max_bin_delivered = delivered;
    double bin_loss = 1.0 - (double)r.bin_rx[b] / (double)bin_tx[b];
    if (!failed && bin_loss <= 0.01) knee = offered;
    if (bin_loss > 0.01) failed = 1;
  }

  printf("{\"kind\":\"udp\",\"pattern\":\"%s\",\"size\":%llu,\"planned\":%llu,\"sent\":%llu,"
         "\"send_errors\":%llu,\"received\":%llu,\"duplicates\":%llu,\"stray\":%llu,",
         pattern, (unsigned long long)size, (unsigned long long)count, (unsigned long long)sent,
         (unsigned long long)send_errors, (unsigned long long)r.received, (unsigned long long)r.dup,
         (unsigned long long)r.stray);
  if (have_stat)
    printf("\"server_rx\":%llu,\"server_tx\":%llu,\"server_tx_drop\":%llu,", (unsigned long long)st.rx,
           (unsigned long long)st.tx, (unsigned long long)st.tx_drop);
  else
    printf("\"server_rx\":null,\"server_tx\":null,\"server_tx_drop\":null,");
  printf("\"send_seconds\":%.6f,\"active_seconds\":%.6f,\"offered_pps\":%.1f,\"delivered_pps\":%.1f,"
         "\"loss_pct\":%.4f,\"lat_p50_us\":%.2f,\"lat_p99_us\":%.2f,\"lat_max_us\":%.2f,"
         "\"knee_pps\":%.1f,\"max_bin_delivered_pps\":%.1f,\"bins\":[",
         send_s, active_s, send_s > 0 ? (double)sent / send_s : 0, (double)r.received / active_s, loss,
         pct(r.lat_us, r.received, 50), pct(r.lat_us, r.received, 99),
         r.received ? r.lat_us[r.received - 1] : 0, knee, max_bin_delivered);
  for (uint64_t b = 0; b < nbins; b++)
    printf("%s[%.3f,%.1f,%.1f]", b ? "," : "", (double)b * bin_s, (double)bin_tx[b] / bin_s,
           (double)r.bin_rx[b] / bin_s);
  printf("]}\n");
  close(fd);
  return 0;
}

/* ---------------------------------------------------------------- TCP */

/* The stream pattern: position-dependent, so a lost or repeated chunk of any
 * size up to 16 MiB shows up as a mismatch at its first byte. */
static inline unsigned char pattern_at(uint64_t i) {
  return (unsigned char)(i ^ (i >> 8) ^ (i >> 16) ^ (i >> 24) ^ 0x5a);
}

static int tcp_connect(uint64_t deadline) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail("socket");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  struct timeval tv = {0, 200000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  struct sockaddr_in a = server_addr();
  /* Retried until the step's deadline: a server may still be starting its
   * listener. Each try waits SO_SNDTIMEO for the handshake, so a listener that
   * never answers (its accept queue full) ends in EINPROGRESS/EALREADY, one
   * that is gone in ECONNREFUSED; the message keeps that last errno. */
  while (connect(fd, (struct sockaddr*)&a, sizeof(a)) < 0) {
    if (now_ns() > deadline) fail("connect: not connected before the deadline, last try");
    usleep(20000);
  }
  return fd;
}

/* send() all of buf unless the deadline passes; returns bytes sent. */
static size_t send_all(int fd, const void* buf, size_t len, uint64_t deadline) {
  size_t off = 0;
  while (off < len && now_ns() < deadline) {
    ssize_t n = send(fd, (const char*)buf + off, len - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      break;
    }
    off += (size_t)n;
  }
  return off;
}

struct writer {
  int fd;
  uint64_t bytes, sent, deadline;
};

static void* stream_writer(void* arg) {
  struct writer* w = arg;
  size_t chunk = 256 * 1024;
  unsigned char* buf = malloc(chunk);
  while (w->sent < w->bytes && now_ns() < w->deadline) {
    size_t n = w->bytes - w->sent < chunk ? (size_t)(w->bytes - w->sent) : chunk;
    for (size_t i = 0; i < n; i++) buf[i] = pattern_at(w->sent + i);
    size_t k = send_all(w->fd, buf, n, w->deadline);
    w->sent += k;
    if (k < n) break;
  }
  shutdown(w->fd, SHUT_WR);
  free(buf);
  return NULL;
}

static int cmd_stream(int echo, uint64_t bytes, uint64_t timeout_ms) {
  uint64_t t_start = now_ns();
  uint64_t deadline = t_start + timeout_ms * 1000000ull;
  int fd = tcp_connect(deadline);
  struct tcp_hdr h = {DSB_MAGIC, echo ? DSB_ECHO : DSB_SINK, bytes};
  if (send_all(fd, &h, sizeof(h), deadline) != sizeof(h)) fail("send header");
  uint64_t t0 = now_ns();
  struct writer w = {fd, bytes, 0, deadline};
  pthread_t th;
  pthread_create(&th, NULL, stream_writer, &w);

  uint64_t received = 0, intact = 0, ack = 0;
  int mismatch = 0, timed_out = 0, eof = 0;
  int64_t first_mismatch = -1;
  unsigned char* buf = malloc(256 * 1024);
  if (echo) {
    while (received < bytes) {
      if (now_ns() > deadline) { timed_out = 1; break; }
      ssize_t n = recv(fd, buf, 256 * 1024, 0);
      if (n == 0) { eof = 1; break; }
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
        break;
      }
      if (!mismatch) {
        for (ssize_t i = 0; i < n; i++) {
          if (buf[i] != pattern_at(received + (uint64_t)i)) {
            mismatch = 1;
            first_mismatch = (int64_t)(received + (uint64_t)i);
            break;
          }
        }
        intact = mismatch ? (uint64_t)first_mismatch : received + (uint64_t)n;
      }
      received += (uint64_t)n;
    }
  } else {
    struct tcp_ack a;
    size_t got = 0;
    while (got < sizeof(a)) {
      if (now_ns() > deadline) { timed_out = 1; break; }
      ssize_t n = recv(fd, (char*)&a + got, sizeof(a) - got, 0);
      if (n == 0) { eof = 1; break; }
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
        break;
      }
      got += (size_t)n;
    }
    if (got == sizeof(a) && a.magic == DSB_MAGIC) ack = a.received;
    received = intact = ack;
  }
  uint64_t t1 = now_ns();
  /* The writer may still be blocked if the server stopped reading. */
  if (timed_out) shutdown(fd, SHUT_RDWR);
  pthread_join(th, NULL);
  close(fd);
  double secs = (double)(t1 - t0) / 1e9;
  int complete = received == bytes && !mismatch && w.sent == bytes;
  printf("{\"kind\":\"tcp\",\"mode\":\"%s\",\"bytes\":%llu,\"sent\":%llu,\"received\":%llu,"
         "\"intact_bytes\":%llu,\"first_mismatch\":%lld,\"complete\":%s,\"eof\":%s,\"timed_out\":%s,"
         "\"seconds\":%.6f,\"mbytes_per_s\":%.3f,\"loss_pct\":%.4f}\n",
         echo ? "echo" : "sink", (unsigned long long)bytes, (unsigned long long)w.sent,
         (unsigned long long)received, (unsigned long long)intact, (long long)first_mismatch,
         complete ? "true" : "false", eof ? "true" : "false", timed_out ? "true" : "false", secs,
         secs > 0 ? (double)intact / secs / 1e6 : 0,
         bytes ? 100.0 * (double)(bytes - (intact < bytes ? intact : bytes)) / (double)bytes : 0);
  free(buf);
  return 0;
}

static int cmd_rr(uint64_t count, uint64_t size, uint64_t timeout_ms) {
  uint64_t deadline = now_ns() + timeout_ms * 1000000ull;
  int fd = tcp_connect(deadline);
  struct tcp_hdr h = {DSB_MAGIC, DSB_ECHO, 0};
  if (send_all(fd, &h, sizeof(h), deadline) != sizeof(h)) fail("send header");
  unsigned char* req = malloc(size);
  unsigned char* resp = malloc(size);
  double* lat = calloc(count ? count : 1, sizeof(double));
  uint64_t done = 0, bad = 0;
  int timed_out = 0;
  uint64_t t0 = now_ns();
  for (uint64_t i = 0; i < count; i++) {
    for (uint64_t k = 0; k < size; k++) req[k] = pattern_at(i * size + k);
    uint64_t ts = now_ns();
    if (send_all(fd, req, size, deadline) != size) { timed_out = now_ns() > deadline; break; }
    size_t got = 0;
    while (got < size) {
      if (now_ns() > deadline) { timed_out = 1; break; }
      ssize_t n = recv(fd, resp + got, size - got, 0);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
        break;
      }
      got += (size_t)n;
    }
    if (got < size) break;
    lat[done++] = (double)(now_ns() - ts) / 1000.0;
    if (memcmp(req, resp, size)) bad++;
  }
  double secs = (double)(now_ns() - t0) / 1e9;
  shutdown(fd, SHUT_WR);
  close(fd);
  qsort(lat, done, sizeof(double), cmp_double);
  double sum = 0;
  for (uint64_t i = 0; i < done; i++) sum += lat[i];
  printf("{\"kind\":\"tcp\",\"mode\":\"rr\",\"size\":%llu,\"planned\":%llu,\"completed\":%llu,"
         "\"mismatched\":%llu,\"timed_out\":%s,\"seconds\":%.6f,\"rtt_per_s\":%.1f,"
         "\"lat_p50_us\":%.2f,\"lat_p99_us\":%.2f,\"lat_mean_us\":%.2f,\"lat_max_us\":%.2f}\n",
         (unsigned long long)size, (unsigned long long)count, (unsigned long long)done,
         (unsigned long long)bad, timed_out ? "true" : "false", secs, secs > 0 ? (double)done / secs : 0,
         pct(lat, done, 50), pct(lat, done, 99), done ? sum / (double)done : 0,
         done ? lat[done - 1] : 0);
  return 0;
}

/* STAT or RESET (whose reply carries the counters before zeroing them). */
static int cmd_stat(uint32_t kind) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = server_addr();
  if (fd < 0 || connect(fd, (struct sockaddr*)&a, sizeof(a)) < 0) fail("connect");
  struct udp_stat st;
  if (udp_control(fd, kind, &st) < 0) {
    printf("{\"error\":\"server did not answer on udp port %d\"}\n", port);
    return 1;
  }
  printf("{\"kind\":\"stat\",\"server_rx\":%llu,\"server_tx\":%llu,\"server_tx_drop\":%llu,"
         "\"server_polls\":%llu,\"server_wakeups\":%llu}\n",
         (unsigned long long)st.rx, (unsigned long long)st.tx, (unsigned long long)st.tx_drop,
         (unsigned long long)st.polls, (unsigned long long)st.wakeups);
  return 0;
}

static int cmd_quit(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = server_addr();
  if (fd < 0 || connect(fd, (struct sockaddr*)&a, sizeof(a)) < 0) fail("connect");
  int ok = udp_control(fd, DSB_QUIT, NULL) == 0;
  printf("{\"kind\":\"quit\",\"acknowledged\":%s}\n", ok ? "true" : "false");
  return ok ? 0 : 1;
}

static uint64_t parse_u64(const char* v, const char* name) {
  char* end;
  unsigned long long x = strtoull(v, &end, 10);
  if (!*v || *end) {
    fprintf(stderr, "dsbench-peer: bad %s: %s\n", name, v);
    exit(2);
  }
  return x;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: dsbench-peer udp|sink|echo|rr|quit --port P [options]\n");
    return 2;
  }
  const char* cmd = argv[1];
  const char* pattern = "burst";
  uint64_t count = 50000, size = 0, bytes = 64ull << 20, timeout_ms = 30000;
  double rate = 10000, seconds = 5;
  for (int i = 2; i < argc; i += 2) {
    const char* a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) {
      fprintf(stderr, "dsbench-peer: %s needs a value\n", a);
      return 2;
    }
    if (!strcmp(a, "--host")) host = v;
    else if (!strcmp(a, "--port")) port = (int)parse_u64(v, a);
    else if (!strcmp(a, "--pattern")) pattern = v;
    else if (!strcmp(a, "--count")) count = parse_u64(v, a);
    else if (!strcmp(a, "--size")) size = parse_u64(v, a);
    else if (!strcmp(a, "--bytes")) bytes = parse_u64(v, a);
    else if (!strcmp(a, "--rate")) rate = (double)parse_u64(v, a);
    else if (!strcmp(a, "--seconds")) seconds = atof(v);
    else if (!strcmp(a, "--timeout-ms")) timeout_ms = parse_u64(v, a);
    else {
      fprintf(stderr, "dsbench-peer: unknown option %s\n", a);
      return 2;
    }
  }
  if (!port) {
    fprintf(stderr, "dsbench-peer: --port is required\n");
    return 2;
  }
  if (!strcmp(cmd, "udp")) return cmd_udp(pattern, count, rate, seconds, size ? size : 1200, timeout_ms);
  if (!strcmp(cmd, "sink")) return cmd_stream(0, bytes, timeout_ms);
  if (!strcmp(cmd, "echo")) return cmd_stream(1, bytes, timeout_ms);
  if (!strcmp(cmd, "rr")) return cmd_rr(count, size ? size : 64, timeout_ms);
  if (!strcmp(cmd, "quit")) return cmd_quit();
  if (!strcmp(cmd, "stat")) return cmd_stat(DSB_STAT);
  if (!strcmp(cmd, "reset")) return cmd_stat(DSB_RESET);
  fprintf(stderr, "dsbench-peer: unknown command %s\n", cmd);
  return 2;
}
