/*
 * The wire protocol between the measured echo server (dsbench.c) and the
 * native load generator (dsbench_peer.c). Both run on the same machine
 * (loopback only), so fields are in host byte order.
 *
 * UDP: every datagram starts with a udp_hdr. kind DATA is echoed verbatim;
 * the control kinds are answered with a udp_stat reply (STAT, RESET, QUIT).
 *
 * TCP: a connection starts with a tcp_hdr. mode ECHO echoes every following
 * byte until the peer half-closes, then closes. mode SINK reads `length` bytes
 * and answers with a tcp_ack (bytes counted), then closes.
 */
#ifndef DSBENCH_PROTO_H
#define DSBENCH_PROTO_H

#include <stdint.h>

#define DSB_MAGIC 0x31425344u /* "DSB1" */

enum { DSB_DATA = 1, DSB_STAT = 2, DSB_RESET = 3, DSB_QUIT = 4, DSB_REPLY = 5 };
enum { DSB_ECHO = 1, DSB_SINK = 2 };

struct udp_hdr {
  uint32_t magic;
  uint32_t kind;
  uint64_t seq;  /* DATA: sequence number, 0-based */
  uint64_t t_ns; /* DATA: sender's CLOCK_MONOTONIC at send */
};

/* Reply to STAT/RESET/QUIT: the server's counters since the last RESET. */
struct udp_stat {
  uint32_t magic;
  uint32_t kind; /* DSB_REPLY */
  uint64_t rx;      /* DATA datagrams received */
  uint64_t tx;      /* DATA datagrams echoed (sendto succeeded) */
  uint64_t tx_drop; /* echoes that sendto refused (EAGAIN/ENOBUFS/...) */
  uint64_t polls;   /* poll() calls: under JSPI each is a stack suspension */
  uint64_t wakeups; /* poll() calls that returned ready descriptors */
};

struct tcp_hdr {
  uint32_t magic;
  uint32_t mode;
  uint64_t length; /* SINK: bytes that follow */
};

struct tcp_ack {
  uint32_t magic;
  uint32_t pad;
  uint64_t received;
};

#endif
