// Both ends of an ENet (https://github.com/lsalzman/enet) exchange, built from ENet's unmodified
// sources ($DSOCK_ENET_SRC at test time; not part of dsock): natively, and with -sDIRECT_SOCKETS
// (test_dsock.py: test_real_program_enet_*).
//
//   rp_enet_peer server PORT
//     Binds 127.0.0.1:PORT, prints "LISTENING PORT", echoes every packet back on its channel
//     with its reliability, and after the reliable "bye" prints
//     "SERVED reliable=R unreliable=U" and exits 0 once the client has disconnected.
//   rp_enet_peer client PORT COUNT SIZE
//     Connects to 127.0.0.1:PORT, sends COUNT reliable (channel 0) and COUNT unreliable
//     (channel 1) packets of SIZE bytes, and waits for their echoes. Prints
//     "RESULT reliable=R/COUNT unreliable=U/COUNT seconds=S pps=P" (P: echoed packets per second,
//     both kinds) and exits 0 when every reliable packet came back intact and in order; unreliable
//     packets may be lost (that is what unreliable means); 1 otherwise.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <enet/enet.h>

static double now(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return tv.tv_sec + tv.tv_usec / 1e6;
}

// Packet i of a kind ('R' or 'U'): "<kind><8-digit i>" then a pattern derived from i.
static void fill(unsigned char *buf, size_t size, char kind, int i) {
  snprintf((char *)buf, size, "%c%08d", kind, i);
  for (size_t k = 9; k < size; k++) buf[k] = (unsigned char)(i * 31 + k);
}

static int check(const ENetPacket *p, size_t size, char kind, int i) {
  unsigned char want[2048];
  if (p->dataLength != size || size > sizeof want) return 0;
  fill(want, size, kind, i);
  return memcmp(p->data, want, size) == 0;
}

static int server(int port) {
  ENetAddress addr = {0};
  enet_address_set_host_ip(&addr, "127.0.0.1");
  addr.port = (enet_uint16)port;
  ENetHost *host = enet_host_create(&addr, 4, 2, 0, 0);
  if (!host) {
    fprintf(stderr, "enet_host_create(127.0.0.1:%d) failed\n", port);
    return 1;
  }
  printf("LISTENING %d\n", port);
  fflush(stdout);
  long reliable = 0, unreliable = 0;
  int bye = 0;
  for (;;) {
    ENetEvent ev;
    int r = enet_host_service(host, &ev, 100);
    if (r < 0) {
      fprintf(stderr, "enet_host_service failed\n");
      return 1;
    }
    if (r == 0) continue;
    if (ev.type == ENET_EVENT_TYPE_RECEIVE) {
      ENetPacket *in = ev.packet;
      if (in->dataLength == 3 && !memcmp(in->data, "bye", 3)) {
        bye = 1;
        enet_peer_disconnect_later(ev.peer, 0);
      } else {
        int rel = (in->flags & ENET_PACKET_FLAG_RELIABLE) != 0;
        if (rel) reliable++; else unreliable++;
        ENetPacket *out = enet_packet_create(in->data, in->dataLength, rel ? ENET_PACKET_FLAG_RELIABLE : 0);
        enet_peer_send(ev.peer, ev.channelID, out);
      }
      enet_packet_destroy(in);
    } else if (ev.type == ENET_EVENT_TYPE_DISCONNECT && bye) {
      break;
    }
  }
  printf("SERVED reliable=%ld unreliable=%ld\n", reliable, unreliable);
  enet_host_destroy(host);
  return 0;
}

static int client(int port, int count, size_t size) {
  if (size < 16 || size > 2048) {
    fprintf(stderr, "SIZE must be 16..2048\n");
    return 2;
  }
  ENetHost *host = enet_host_create(NULL, 1, 2, 0, 0);
  ENetAddress addr = {0};
  enet_address_set_host_ip(&addr, "127.0.0.1");
  addr.port = (enet_uint16)port;
  ENetPeer *peer = host ? enet_host_connect(host, &addr, 2, 0) : NULL;
  ENetEvent ev;
  if (!peer || enet_host_service(host, &ev, 10000) <= 0 || ev.type != ENET_EVENT_TYPE_CONNECT) {
    fprintf(stderr, "cannot connect to 127.0.0.1:%d\n", port);
    return 1;
  }
  unsigned char buf[2048];
  int sent = 0, rel_in = 0, unrel_in = 0, bad = 0;
  double t0 = now(), deadline = t0 + 60;
  while (rel_in < count && now() < deadline) {
    // Keep at most 64 packets of each kind in flight: a burst larger than the socket buffers
    // would only measure loss.
    while (sent < count && sent - rel_in < 64) {
      fill(buf, size, 'R', sent);
      enet_peer_send(peer, 0, enet_packet_create(buf, size, ENET_PACKET_FLAG_RELIABLE));
      fill(buf, size, 'U', sent);
      enet_peer_send(peer, 1, enet_packet_create(buf, size, 0));
      sent++;
    }
    int r = enet_host_service(host, &ev, 5);
    for (; r > 0; r = enet_host_check_events(host, &ev)) {
      if (ev.type != ENET_EVENT_TYPE_RECEIVE) {
        if (ev.type == ENET_EVENT_TYPE_DISCONNECT) deadline = 0;
        continue;
      }
      if (ev.channelID == 0) {
        if (!check(ev.packet, size, 'R', rel_in)) bad++;
        rel_in++;
      } else {
        unrel_in++;
      }
      enet_packet_destroy(ev.packet);
    }
    if (r < 0) break;
  }
  double secs = now() - t0;
  printf("RESULT reliable=%d/%d unreliable=%d/%d seconds=%.3f pps=%.0f bad=%d\n", rel_in - bad, count, unrel_in,
         count, secs, (rel_in + unrel_in) / secs, bad);
  fflush(stdout);
  enet_peer_send(peer, 0, enet_packet_create("bye", 3, ENET_PACKET_FLAG_RELIABLE));
  double until = now() + 5;
  int gone = 0;
  while (!gone && now() < until) {
    if (enet_host_service(host, &ev, 50) > 0) {
      if (ev.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(ev.packet);
      else if (ev.type == ENET_EVENT_TYPE_DISCONNECT) gone = 1;
    }
  }
  enet_host_destroy(host);
  return rel_in == count && bad == 0 && gone ? 0 : 1;
}

int main(int argc, char **argv) {
  if (enet_initialize() != 0) {
    fprintf(stderr, "enet_initialize failed\n");
    return 1;
  }
  atexit(enet_deinitialize);
  if (argc == 3 && !strcmp(argv[1], "server")) return server(atoi(argv[2]));
  if (argc == 5 && !strcmp(argv[1], "client")) return client(atoi(argv[2]), atoi(argv[3]), (size_t)atoi(argv[4]));
  fprintf(stderr, "usage: %s server PORT | client PORT COUNT SIZE\n", argv[0]);
  return 2;
}
