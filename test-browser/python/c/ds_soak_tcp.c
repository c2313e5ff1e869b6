// Soak test for -sDIRECT_SOCKETS (dsock extension suite, not for upstream):
// ROUNDS sequential TCP connections to a loopback echo server, each sending a
// distinct payload and reading the echo back (request/response keeps every
// write acknowledged). Checks the data, the errno-free path, and that closing
// a socket frees its fd (every round gets the same fd number back).
// Built with EXIT_RUNTIME so a failing round reports exit:1 at once.
// usage: ds_soak_tcp PORT [ROUNDS]; prints "done" when every round passed.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) {
    printf("usage: ds_soak_tcp PORT [ROUNDS]\n");
    return 1;
  }
  int port = atoi(argv[1]);
  int rounds = argc > 2 ? atoi(argv[2]) : 100;
  int first_fd = -1;
  for (int r = 0; r < rounds; r++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
      printf("round %d: socket: %s\n", r, strerror(errno));
      return 1;
    }
    if (first_fd < 0) {
      first_fd = fd;
    } else if (fd != first_fd) {
      printf("round %d: fd %d, expected %d again (fd leak)\n", r, fd, first_fd);
      return 1;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd, (struct sockaddr*)&addr, sizeof(addr)) != 0) {
      printf("round %d: connect: %s\n", r, strerror(errno));
      return 1;
    }
    char msg[64];
    int n = snprintf(msg, sizeof(msg), "dsock soak round %d", r);
    if (send(fd, msg, n, 0) != n) {
      printf("round %d: send: %s\n", r, strerror(errno));
      return 1;
    }
    char buf[64];
    int got = 0;
    while (got < n) {
      // SOCKFS recv() does not block (EAGAIN until data arrived): wait in poll(),
      // which suspends (JSPI) or blocks the proxied pthread.
      struct pollfd pfd = {.fd = fd, .events = POLLIN};
      int ready = poll(&pfd, 1, 10000);
      if (ready != 1) {
        printf("round %d: poll returned %d (revents %#x): %s\n", r, ready, pfd.revents, ready < 0 ? strerror(errno) : "timeout");
        return 1;
      }
      ssize_t k = recv(fd, buf + got, sizeof(buf) - got, 0);
      if (k <= 0) {
        printf("round %d: recv returned %zd: %s\n", r, k, k < 0 ? strerror(errno) : "EOF");
        return 1;
      }
      got += k;
    }
    if (got != n || memcmp(buf, msg, n) != 0) {
      printf("round %d: echo mismatch\n", r);
      return 1;
    }
    if (close(fd) != 0) {
      printf("round %d: close: %s\n", r, strerror(errno));
      return 1;
    }
  }
  printf("%d rounds\n", rounds);
  printf("done\n");
  return 0;
}
