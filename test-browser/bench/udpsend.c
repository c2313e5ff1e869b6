/*
 * Send-only UDP probe (docs/bench.md, "Issue 7: before/after"): COUNT datagrams of 1200 B
 * through one connected, non-blocking UDP socket to 127.0.0.1:PORT, as fast as sendto()
 * accepts them (poll(POLLOUT) on EAGAIN). Prints "UDPSEND sent= eagain= ms= pps=" and
 * "DSBENCH EXIT done", which stops iwa-serve.mjs. Bounded: 5 s without progress ends it.
 *
 *   emcc udpsend.c -o DIR/dsbench.js -O2 -sEXIT_RUNTIME -sDIRECT_SOCKETS -sJSPI -sENVIRONMENT=web
 *   node iwa-serve.mjs --app DIR --max-seconds 50 -- PORT 20000 < <(sleep 60)
 *
 * with a native UDP sink on PORT that counts arrivals. Also builds natively.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char** argv) {
  int port = argc > 1 ? atoi(argv[1]) : 0, count = argc > 2 ? atoi(argv[2]) : 20000;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET; a.sin_port = htons(port); inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, (struct sockaddr*)&a, sizeof(a))) { printf("DSBENCH EXIT connect %d\n", errno); return 1; }
  fcntl(fd, F_SETFL, O_NONBLOCK);
  static char buf[1200];
  struct pollfd w = {fd, POLLOUT, 0};
  poll(&w, 1, 5000);  // opened
  double t0 = now(); int sent = 0, eagain = 0;
  while (sent < count) {
    memcpy(buf, &sent, sizeof(sent));
    if (send(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf)) { sent++; continue; }
    if (errno != EAGAIN) { printf("DSBENCH EXIT send errno %d\n", errno); return 1; }
    eagain++;
    if (poll(&w, 1, 5000) != 1) { printf("DSBENCH EXIT stalled at %d\n", sent); return 1; }
  }
  double t1 = now();
  int err = 0; socklen_t el = sizeof(err);
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
  printf("UDPSOCK port=%d so_error=%d\n", port, err);
  struct pollfd z = {fd, POLLIN, 0}; poll(&z, 1, 500);  // let the queue drain before exit
  printf("UDPSEND sent=%d eagain=%d ms=%.0f pps=%.0f\n", sent, eagain, (t1 - t0) * 1e3, sent / (t1 - t0));
  printf("DSBENCH EXIT done\n");
  close(fd);
  return 0;
}
