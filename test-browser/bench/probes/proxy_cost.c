/*
 * What one proxied socket syscall costs a -pthread -sPROXY_TO_PTHREAD build
 * (and, for comparison, a -sJSPI build, where nothing is proxied).
 *
 * Under PROXY_TO_PTHREAD main() runs in a worker and every socket syscall is
 * proxied to the page's main thread, where the sockets live, and back. This
 * times N calls each of fcntl(F_GETFL), recv() that fails with EAGAIN,
 * getsockname() and poll() with a zero timeout on a bound UDP socket, then N
 * one-datagram round trips to itself (sendto, poll, recv). See docs/bench.md,
 * "What a proxied syscall costs".
 *
 *   emcc -O2 -sDIRECT_SOCKETS -pthread -sPROXY_TO_PTHREAD -sEXIT_RUNTIME proxy_cost.c -o pthread/proxy_cost.js
 *   emcc -O2 -sDIRECT_SOCKETS -sJSPI proxy_cost.c -o jspi/proxy_cost.js
 *   dsock run --timeout 60 pthread/proxy_cost.js
 *
 * Loopback only (127.0.0.1); bounded: 4 x 5,000 calls and 2,000 datagrams.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#define CALLS 5000
#define ROUND_TRIPS 2000
#define PAYLOAD 1200

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(void) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in self = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof self;
  if (s < 0 || bind(s, (struct sockaddr*)&self, sizeof self) || getsockname(s, (struct sockaddr*)&self, &len)) {
    perror("socket/bind");
    return 1;
  }
  fcntl(s, F_SETFL, O_NONBLOCK);
  char buf[PAYLOAD];
  struct pollfd p = {s, POLLIN, 0};
  struct sockaddr_in name;
  double t;

  t = now_us();
  for (int i = 0; i < CALLS; i++) fcntl(s, F_GETFL);
  printf("PROXYCOST fcntl %.1f us/call\n", (now_us() - t) / CALLS);
  t = now_us();
  for (int i = 0; i < CALLS; i++) recv(s, buf, sizeof buf, 0);
  printf("PROXYCOST recv-eagain %.1f us/call\n", (now_us() - t) / CALLS);
  t = now_us();
  for (int i = 0; i < CALLS; i++) {
    len = sizeof name;
    getsockname(s, (struct sockaddr*)&name, &len);
  }
  printf("PROXYCOST getsockname %.1f us/call\n", (now_us() - t) / CALLS);
  t = now_us();
  for (int i = 0; i < CALLS; i++) poll(&p, 1, 0);
  printf("PROXYCOST poll0 %.1f us/call\n", (now_us() - t) / CALLS);

  int ok = 0;
  t = now_us();
  for (int i = 0; i < ROUND_TRIPS; i++) {
    sendto(s, buf, PAYLOAD, 0, (struct sockaddr*)&self, sizeof self);
    p.revents = 0;
    if (poll(&p, 1, 1000) <= 0) break;
    if (recv(s, buf, sizeof buf, 0) == PAYLOAD) ok++;
  }
  printf("PROXYCOST self-datagram %.1f us/round trip (%d of %d)\n", (now_us() - t) / ROUND_TRIPS, ok, ROUND_TRIPS);
  return ok == ROUND_TRIPS ? 0 : 1;
}
