/*
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * Shared by the TCP transfer tests (test_tcp_bulk.c, test_tcp_reqresp.c,
 * test_tcp_send_close.c, test_tcp_slow_reader.c): the byte pattern their
 * data follows, which bulk_pattern() in test_sockets_browser.py and the sinks
 * in test_sockets_node.py compute too, and the address of the harness's
 * loopback server (test_socket_errno.c uses that too). Plain POSIX.
 */

#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

// The byte at offset i of a transfer.
static inline unsigned char pattern(size_t i) {
  return (unsigned char)((i * 31 + 7) ^ (i >> 16));
}

// 127.0.0.1:port (port in host byte order), to connect() to.
static inline struct sockaddr_in loopback_addr(int port) {
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  return addr;
}
