// An HTTP server made of Cesanta's Mongoose (https://github.com/cesanta/mongoose), built unmodified:
// mongoose.c comes from $DSOCK_MONGOOSE_SRC at test time and is not part of dsock. The same file
// is built natively and with -sDIRECT_SOCKETS (test_dsock.py: test_real_program_mongoose_*).
//
//   rp_mongoose_server PORT BIG_BYTES
//
// Listens on http://127.0.0.1:PORT and prints "LISTENING PORT" once it does. Routes:
//   /hello  "hello N\n" (N counts requests)
//   /big    BIG_BYTES of rp_big_byte(i) (the test checks their sha256)
//   /quit   "bye\n", then the program exits 0 after the reply is flushed
// It prints "SERVED N requests" before exiting. Any setup failure exits 1 with a message.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongoose.h"

static int requests;
static int quitting;
static char *big;
static size_t big_len;

// The /big payload: a pattern the test regenerates in Python (test_dsock.py: _big_payload).
static unsigned char rp_big_byte(size_t i) { return (unsigned char)((i * 7 + (i >> 11)) & 0xff); }

static void handle(struct mg_connection *c, int ev, void *ev_data) {
  if (ev != MG_EV_HTTP_MSG) return;
  struct mg_http_message *hm = (struct mg_http_message *)ev_data;
  requests++;
  if (mg_match(hm->uri, mg_str("/hello"), NULL)) {
    mg_http_reply(c, 200, "Content-Type: text/plain\r\n", "hello %d\n", requests);
  } else if (mg_match(hm->uri, mg_str("/big"), NULL)) {
    mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %lu\r\n\r\n",
              (unsigned long)big_len);
    mg_send(c, big, big_len);
  } else if (mg_match(hm->uri, mg_str("/quit"), NULL)) {
    mg_http_reply(c, 200, "Content-Type: text/plain\r\nConnection: close\r\n", "bye\n");
    c->is_draining = 1;
    quitting = 1;
  } else {
    mg_http_reply(c, 404, "", "not found\n");
  }
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s PORT BIG_BYTES\n", argv[0]);
    return 2;
  }
  big_len = strtoul(argv[2], NULL, 10);
  big = malloc(big_len ? big_len : 1);
  if (!big) {
    fprintf(stderr, "cannot allocate %lu bytes\n", (unsigned long)big_len);
    return 1;
  }
  for (size_t i = 0; i < big_len; i++) big[i] = (char)rp_big_byte(i);

  struct mg_mgr mgr;
  char url[64];
  mg_log_set(MG_LL_ERROR);
  mg_mgr_init(&mgr);
  snprintf(url, sizeof url, "http://127.0.0.1:%s", argv[1]);
  if (mg_http_listen(&mgr, url, handle, NULL) == NULL) {
    fprintf(stderr, "cannot listen on %s\n", url);
    return 1;
  }
  printf("LISTENING %s\n", argv[1]);
  fflush(stdout);
  while (!quitting) mg_mgr_poll(&mgr, 100);
  // Flush the /quit reply (the draining connection closes once its send buffer is empty).
  for (int i = 0; i < 20; i++) mg_mgr_poll(&mgr, 10);
  mg_mgr_free(&mgr);
  printf("SERVED %d requests\n", requests);
  free(big);
  return 0;
}
