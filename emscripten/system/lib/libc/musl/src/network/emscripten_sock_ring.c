/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 */

// Shared-memory fast path for socket data in pthread builds.
//
// A JS socket backend (-sDIRECT_SOCKETS) keeps its sockets on the main
// thread, so under PROXY_TO_PTHREAD every recvfrom()/sendto() is a
// synchronous round trip to it, which costs about 100 us in Chromium whatever
// the call does. Instead, each socket that opts in gets a ring here:
//  - receive: the main thread pushes each received datagram (TCP: chunk) as a
//    record (UDP: with the source sockaddr already formatted); recvfrom()
//    and recv() read it without a syscall, and report EAGAIN for an empty
//    ring when the backend said that nothing else is pending.
//  - send: sendto() and send() push a record (UDP: with the destination)
//    and, unless a drain is already pending, ask the main thread to drain
//    the ring with a fire-and-forget proxied call
//    (_emscripten_sock_ring_drain).
//  - poll: a set of sockets that all have rings and are in a plain state is
//    polled from the rings and the status JS keeps in them, and waited for
//    on a futex that JS wakes whenever it changes a ring (ring_changes).
// Whatever the fast path cannot serve exactly as the syscall would (flags, an
// empty or full ring, a socket not in a plain state, a short write) takes
// the syscall, whose JS side consumes the rings first so order and error
// reporting stay as they were. The table is empty unless the JS backend
// creates rings, so other builds pay one load per call.

#ifdef __EMSCRIPTEN_PTHREADS__

#include <emscripten/threading.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "emscripten_internal.h"

// Records per ring and direction (a power of two).
#define SOCK_RING_SLOTS 64
// fds at or above this use the syscalls only.
#define SOCK_RING_FDS 64
// Largest datagram the fast path sends: the IPv4 limit, which is also below
// the IPv6 one, so the syscall reports EMSGSIZE as before.
#define SOCK_RING_MAX_DATAGRAM 65507

// getaddrinfo() hands out placeholder IPv4 addresses in 172.29.0.0/16 for
// host names (DNS in src/lib/libcore.js), which the backend resolves when it
// sends. A name that does not resolve fails a later send to it, so datagrams
// to these addresses take the syscall, which can report that.
#define SOCK_RING_NAME_NET 0xac1d0000u
#define SOCK_RING_NAME_MASK 0xffff0000u

// Status bits the JS backend sets (SOCK_RING_* in libsockfs_direct.js).
// The socket is open and can send: sendto() may queue.
#define SOCK_RING_SEND_OK 1
// The socket has a default destination: send() may queue, sendto() with an
// address may not (EISCONN).
#define SOCK_RING_CONNECTED 2
// Nothing but the receive ring holds data or an error for the program, so
// with the ring empty recvfrom() can report EAGAIN itself.
#define SOCK_RING_RECV_EMPTY 4
// A listener with no connection waiting and no error: poll() reports nothing
// for it. (Its ring holds no data, so recv() and send() take the syscall.)
#define SOCK_RING_LISTEN_IDLE 8

struct sock_ring_rec {
  uint32_t len;
  // Bytes of a TCP record already read (a recv() shorter than the record).
  uint32_t off;
  socklen_t addrlen; // 0: no address (send() on a connected socket, TCP)
  union {
    struct sockaddr sa;
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
  } addr;
  unsigned char data[];
};

struct sock_ring_queue {
  struct sock_ring_rec* slot[SOCK_RING_SLOTS];
  uint32_t head;
  uint32_t count;
  // Unread bytes of the records.
  uint32_t bytes;
};

struct sock_ring {
  int fd;
  int type;
  int family;
  int status;
  // Bytes of the socket's JS send queue (queued or in flight), mirrored by JS:
  // with the send ring's bytes they are bounded by send_limit (SO_SNDBUF).
  uint32_t js_send_bytes;
  uint32_t send_limit;
  // Bytes the receive ring may hold (it always takes one record).
  uint32_t recv_limit;
  struct sock_ring_queue recv;
  struct sock_ring_queue send;
  // JS found the receive ring full and stopped reading: the next pop kicks it.
  int want_kick;
  // A drain call is on its way to the main thread.
  int drain_pending;
};

static struct sock_ring* _Atomic rings[SOCK_RING_FDS];

// Bumped after every change JS makes to a ring that can end a poll()'s wait
// (a record pushed, a new status, room to send, a ring destroyed), and the
// futex a poll() in __sock_ring_poll waits on; poll_waiters saves the wake
// when nobody waits.
static _Atomic uint32_t ring_changes;
static _Atomic int poll_waiters;

// After a change to a ring, outside the lock. Sequentially consistent with
// the waiter's increment of poll_waiters and its load of ring_changes, so
// either the waiter sees the new count or we see the waiter.
static void changed(void) {
  atomic_fetch_add(&ring_changes, 1);
  if (atomic_load(&poll_waiters)) emscripten_futex_wake(&ring_changes, INT_MAX);
}

// Whether addr is one of the placeholder addresses of a host name (also
// IPv4-mapped).
static int is_name(const struct sockaddr* addr) {
  uint32_t v4;
  if (addr->sa_family == AF_INET) {
    v4 = ((const struct sockaddr_in*)addr)->sin_addr.s_addr;
  } else {
    const struct in6_addr* a6 = &((const struct sockaddr_in6*)addr)->sin6_addr;
    if (!IN6_IS_ADDR_V4MAPPED(a6)) return 0;
    memcpy(&v4, &a6->s6_addr[12], sizeof(v4));
  }
  return (ntohl(v4) & SOCK_RING_NAME_MASK) == SOCK_RING_NAME_NET;
}

// One lock for the table and every ring. It is held for a few loads and
// stores (and the copy of a partial TCP read), so a spin costs less than a
// futex; the main thread cannot block anyway.
static atomic_flag ring_lock = ATOMIC_FLAG_INIT;

static void lock(void) {
  while (atomic_flag_test_and_set_explicit(&ring_lock, memory_order_acquire)) {
  }
}

static void unlock(void) {
  atomic_flag_clear_explicit(&ring_lock, memory_order_release);
}

static int q_push(struct sock_ring_queue* q, struct sock_ring_rec* rec) {
  if (q->count == SOCK_RING_SLOTS) return 0;
  q->slot[(q->head + q->count++) % SOCK_RING_SLOTS] = rec;
  q->bytes += rec->len - rec->off;
  return 1;
}

static struct sock_ring_rec* q_pop(struct sock_ring_queue* q) {
  if (!q->count) return NULL;
  struct sock_ring_rec* rec = q->slot[q->head];
  q->head = (q->head + 1) % SOCK_RING_SLOTS;
  q->count--;
  q->bytes -= rec->len - rec->off;
  return rec;
}

static void q_free(struct sock_ring_queue* q) {
  struct sock_ring_rec* rec;
  while ((rec = q_pop(q))) free(rec);
}

// A ring, or NULL, for fd; the first, unlocked, load is all that a socket
// without a ring costs.
static struct sock_ring* lookup(int fd) {
  if (fd < 0 || fd >= SOCK_RING_FDS) return NULL;
  return atomic_load_explicit(&rings[fd], memory_order_relaxed);
}

int __sock_ring_recv(int fd, void* buf, size_t len, struct sockaddr* addr, socklen_t* alen, long* result) {
  // An address without a length is the syscall's to report.
  if (!lookup(fd) || (addr && !alen)) return 0;
  lock();
  struct sock_ring* r = lookup(fd);
  if (r && r->type == SOCK_STREAM) {
    // The syscall fills in no address for TCP, and len 0 reads nothing.
    if (addr || !len) {
      unlock();
      return 0;
    }
    // A stream: read from the first record, which stays in the ring while
    // bytes remain. The copy is made under the lock, as the record may
    // still be read by JS (MSG_PEEK, FIONREAD).
    struct sock_ring_queue* q = &r->recv;
    if (!q->count) {
      int empty = r->status & SOCK_RING_RECV_EMPTY;
      unlock();
      if (!empty) return 0;
      *result = -EAGAIN;
      return 1;
    }
    struct sock_ring_rec* head = q->slot[q->head];
    size_t left = head->len - head->off;
    size_t n = left < len ? left : len;
    memcpy(buf, head->data + head->off, n);
    struct sock_ring_rec* done = NULL;
    if (n == left) {
      done = q_pop(q);
    } else {
      head->off += n;
      q->bytes -= n;
    }
    int kick = done && r->want_kick;
    if (kick) r->want_kick = 0;
    unlock();
    free(done);
    if (kick) _emscripten_sock_ring_kick(fd);
    *result = n;
    return 1;
  }
  struct sock_ring_rec* rec = r ? q_pop(&r->recv) : NULL;
  int empty = r && !rec && (r->status & SOCK_RING_RECV_EMPTY);
  int kick = rec && r->want_kick;
  if (kick) r->want_kick = 0;
  unlock();
  if (empty) {
    // What the syscall would say, as no socket blocks in recv() here.
    *result = -EAGAIN;
    return 1;
  }
  if (!rec) return 0;
  if (kick) _emscripten_sock_ring_kick(fd);
  // A datagram is read whole: the rest of a longer one is dropped.
  size_t n = rec->len < len ? rec->len : len;
  memcpy(buf, rec->data, n);
  if (addr) {
    // As Linux: copy what fits, report the full length.
    memcpy(addr, &rec->addr, *alen < rec->addrlen ? *alen : rec->addrlen);
    *alen = rec->addrlen;
  }
  free(rec);
  *result = n;
  return 1;
}

int __sock_ring_send(int fd, const void* buf, size_t len, const struct sockaddr* addr, socklen_t alen, long* result) {
  // The syscall reports empty and oversized datagrams (and sends no empty
  // TCP data).
  if (!lookup(fd) || !len || len > SOCK_RING_MAX_DATAGRAM) return 0;
  socklen_t need = 0;
  if (addr) {
    if (alen < sizeof(addr->sa_family)) return 0;
    need = addr->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    if (alen < need || is_name(addr)) return 0;
  }
  struct sock_ring_rec* rec = malloc(sizeof(*rec) + len);
  if (!rec) return 0;
  rec->len = len;
  rec->off = 0;
  rec->addrlen = need;
  if (addr) memcpy(&rec->addr, addr, need);
  memcpy(rec->data, buf, len);
  int pushed = 0, drain = 0;
  lock();
  struct sock_ring* r = lookup(fd);
  uint32_t queued = r ? r->send.bytes + r->js_send_bytes : 0;
  if (r && (r->status & SOCK_RING_SEND_OK) &&
      // EISCONN and EDESTADDRREQ are the syscall's to report.
      !addr == !!(r->status & SOCK_RING_CONNECTED) &&
      (!addr || (r->type == SOCK_DGRAM && addr->sa_family == r->family)) &&
      // As the JS send queue: a datagram is taken whole while the socket is
      // below its limit; TCP data only when all of it fits (a short write, or
      // a blocking socket going over the limit, is the syscall's).
      (r->type == SOCK_DGRAM ? queued < r->send_limit : queued + len <= r->send_limit) &&
      q_push(&r->send, rec)) {
    pushed = 1;
    drain = !r->drain_pending;
    r->drain_pending = 1;
  }
  unlock();
  if (!pushed) {
    free(rec);
    return 0;
  }
  if (drain) _emscripten_sock_ring_drain(fd);
  *result = len;
  return 1;
}

// Readiness of every fd in fds as the backend's poll would report it, into
// their revents: the number of ready fds, or -1 when an fd has no ring or is
// in a state only the syscall reports (JS holds data, EOF or an error for
// it, a listener has a connection waiting, a socket cannot send: connecting,
// shut down).
static int poll_scan(struct pollfd* fds, nfds_t n) {
  int ready = 0;
  lock();
  for (nfds_t i = 0; i < n; i++) {
    short revents = 0;
    // No ring: not a socket of the backend, or a negative fd (which the
    // syscall reports, as POLLNVAL).
    struct sock_ring* r = lookup(fds[i].fd);
    if (!r) {
      ready = -1;
      break;
    }
    if (!(r->status & SOCK_RING_LISTEN_IDLE)) {
      if ((r->status & (SOCK_RING_RECV_EMPTY | SOCK_RING_SEND_OK)) != (SOCK_RING_RECV_EMPTY | SOCK_RING_SEND_OK)) {
        ready = -1;
        break;
      }
      if (r->recv.count) revents |= POLLIN | POLLRDNORM;
      if (r->send.bytes + r->js_send_bytes < r->send_limit) revents |= POLLOUT;
    }
    revents &= fds[i].events | POLLERR | POLLHUP;
    fds[i].revents = revents;
    if (revents) ready++;
  }
  unlock();
  return ready;
}

int __sock_ring_poll(struct pollfd* fds, nfds_t n, int* timeout, int* result) {
  // The main browser thread cannot wait on a futex, and its syscalls are
  // not proxied anyway.
  if (!n || emscripten_is_main_browser_thread()) return 0;
  for (nfds_t i = 0; i < n; i++) {
    if (!lookup(fds[i].fd)) return 0;
  }
  double deadline = *timeout > 0 ? emscripten_get_now() + *timeout : 0;
  int ready;
  atomic_fetch_add(&poll_waiters, 1);
  for (;;) {
    uint32_t seen = atomic_load(&ring_changes);
    ready = poll_scan(fds, n);
    if (ready || !*timeout) break;
    double wait = INFINITY;
    if (*timeout > 0) {
      wait = deadline - emscripten_get_now();
      if (wait <= 0) break;
    }
    emscripten_futex_wait(&ring_changes, seen, wait);
  }
  atomic_fetch_sub(&poll_waiters, 1);
  if (ready >= 0) {
    *result = ready;
    return 1;
  }
  // The syscall waits for what is left of the timeout.
  if (*timeout > 0) {
    double left = ceil(deadline - emscripten_get_now());
    *timeout = left > 0 ? (int)left : 0;
  }
  return 0;
}

// Called by the JS backend on the main thread (its library __deps export them).

void* _emscripten_sock_ring_create(int fd, int type, int family, uint32_t recv_limit) {
  if (fd < 0 || fd >= SOCK_RING_FDS) return NULL;
  struct sock_ring* r = calloc(1, sizeof(*r));
  if (!r) return NULL;
  r->fd = fd;
  r->type = type;
  r->family = family;
  r->recv_limit = recv_limit;
  lock();
  atomic_store_explicit(&rings[fd], r, memory_order_relaxed);
  unlock();
  return r;
}

// Make the fast path miss for fd, then free what the receive ring holds (the
// send ring was drained by JS first).
void _emscripten_sock_ring_destroy(struct sock_ring* r) {
  lock();
  if (lookup(r->fd) == r) atomic_store_explicit(&rings[r->fd], NULL, memory_order_relaxed);
  unlock();
  q_free(&r->recv);
  q_free(&r->send);
  free(r);
  // A poll() of the fd now takes the syscall (EBADF, or the fd's new file).
  changed();
}

// Whether poll() may report POLLOUT for r; under the lock.
static int can_send(struct sock_ring* r) {
  return r->send.bytes + r->js_send_bytes < r->send_limit;
}

// The two calls below change what poll_scan reads, but a waiting poll() only
// needs a wake when the change can end its wait: a new status (the fd may
// now be ready, or need the syscall) or room to send where there was none.
// Every write the backend starts or sees settle updates the send count;
// waking for those too woke a program that waits for input once or twice per
// datagram or round trip, each wake paid by the main thread (tcp-rr under
// -pthread, Chromium 156 on a 2-vCPU VM: emscripten_futex_wake took a quarter
// of the main thread's busy time).
void _emscripten_sock_ring_sync(struct sock_ring* r, int status, uint32_t send_limit, uint32_t js_send_bytes) {
  lock();
  int could_send = can_send(r);
  int wake = r->status != status;
  r->status = status;
  r->send_limit = send_limit;
  r->js_send_bytes = js_send_bytes;
  wake |= !could_send && can_send(r);
  unlock();
  if (wake) changed();
}

void _emscripten_sock_ring_set_js_send_bytes(struct sock_ring* r, uint32_t bytes) {
  lock();
  int could_send = can_send(r);
  r->js_send_bytes = bytes;
  int wake = !could_send && can_send(r);
  unlock();
  if (wake) changed();
}

// A record for a received datagram of len bytes, filled in by JS.
struct sock_ring_rec* _emscripten_sock_ring_rec_alloc(uint32_t len) {
  struct sock_ring_rec* rec = malloc(sizeof(*rec) + len);
  if (rec) {
    rec->len = len;
    rec->off = 0;
    rec->addrlen = 0;
  }
  return rec;
}
uint32_t _emscripten_sock_ring_rec_len(struct sock_ring_rec* rec) { return rec->len; }
uint32_t _emscripten_sock_ring_rec_off(struct sock_ring_rec* rec) { return rec->off; }
void* _emscripten_sock_ring_rec_data(struct sock_ring_rec* rec) { return rec->data; }
void* _emscripten_sock_ring_rec_addr(struct sock_ring_rec* rec) { return &rec->addr; }
socklen_t* _emscripten_sock_ring_rec_addrlen(struct sock_ring_rec* rec) { return &rec->addrlen; }

// Queue a received record; 0 when the ring is full (by slots or bytes), and
// then the next pop by the program kicks JS to refill it.
int _emscripten_sock_ring_push_recv(struct sock_ring* r, struct sock_ring_rec* rec) {
  lock();
  int ok = (!r->recv.count || r->recv.bytes + rec->len <= r->recv_limit) && q_push(&r->recv, rec);
  if (!ok) {
    r->want_kick = 1;
    // JS keeps the record: the program must ask for it, even if it empties
    // the ring before JS updates the status.
    r->status &= ~SOCK_RING_RECV_EMPTY;
  }
  unlock();
  changed();
  return ok;
}

// The oldest received record, taken off the ring (NULL if none). JS refills
// the ring itself afterwards, so no kick is needed.
struct sock_ring_rec* _emscripten_sock_ring_pop_recv(struct sock_ring* r) {
  lock();
  struct sock_ring_rec* rec = q_pop(&r->recv);
  unlock();
  return rec;
}

// Put a record taken by _emscripten_sock_ring_pop_recv back in front, with
// `consumed` more of its bytes read (MSG_PEEK, or a partial TCP read).
void _emscripten_sock_ring_unpop_recv(struct sock_ring* r, struct sock_ring_rec* rec, uint32_t consumed) {
  lock();
  struct sock_ring_queue* q = &r->recv;
  rec->off += consumed;
  // There is room: the program may have popped meanwhile, never pushed.
  q->head = (q->head + SOCK_RING_SLOTS - 1) % SOCK_RING_SLOTS;
  q->slot[q->head] = rec;
  q->count++;
  q->bytes += rec->len - rec->off;
  unlock();
  changed();
}

// Drop what the receive ring holds (shutdown(SHUT_RD)).
void _emscripten_sock_ring_clear_recv(struct sock_ring* r) {
  struct sock_ring_queue dropped;
  lock();
  dropped = r->recv;
  memset(&r->recv, 0, sizeof(r->recv));
  unlock();
  q_free(&dropped);
}

// Receive ring: records, unread bytes, and the length of the first (-1 if
// none).
int _emscripten_sock_ring_recv_count(struct sock_ring* r) {
  lock();
  int n = r->recv.count;
  unlock();
  return n;
}
uint32_t _emscripten_sock_ring_recv_bytes(struct sock_ring* r) {
  lock();
  uint32_t n = r->recv.bytes;
  unlock();
  return n;
}
int _emscripten_sock_ring_recv_next_len(struct sock_ring* r) {
  lock();
  int n = r->recv.count ? (int)r->recv.slot[r->recv.head]->len : -1;
  unlock();
  return n;
}

// The oldest record to send, or NULL once the ring is empty, which also
// clears the pending drain: a sendto() after this asks for a new one.
struct sock_ring_rec* _emscripten_sock_ring_pop_send(struct sock_ring* r) {
  lock();
  struct sock_ring_rec* rec = q_pop(&r->send);
  if (!rec) r->drain_pending = 0;
  unlock();
  return rec;
}

// Called by JS on the main thread right after it pushed received data while
// a poll() waited: busy-wait up to max_ms for the program's answer in the
// send ring, so that JS can write it in this task instead of after a drain
// call (ringAwaitReply in libsockfs_direct.js). Returns 1 when records wait
// in the send ring (JS drains them, which ends the watch), 0 when none came
// (the watch is over, and the next send() asks for a drain), -1 without
// waiting when no thread waits in __sock_ring_poll or a drain call is on its
// way already.
int _emscripten_sock_ring_await_send(struct sock_ring* r, double max_ms) {
  if (!atomic_load(&poll_waiters)) return -1;
  lock();
  int watch = !r->drain_pending;
  // While set, send() does not ask for a drain: we are looking.
  if (watch) r->drain_pending = 1;
  unlock();
  if (!watch) return -1;
  double end = emscripten_get_now() + max_ms;
  while (!*(volatile uint32_t*)&r->send.count && emscripten_get_now() < end) {
  }
  lock();
  int got = r->send.count > 0;
  if (!got) r->drain_pending = 0;
  unlock();
  return got;
}

uint32_t _emscripten_sock_ring_send_bytes(struct sock_ring* r) {
  lock();
  uint32_t n = r->send.bytes;
  unlock();
  return n;
}

#endif
