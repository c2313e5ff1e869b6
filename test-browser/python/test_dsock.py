"""dsock's extension suite: Direct Sockets checks that upstream should not carry (soak/stress).

Registered by dsock_driver next to upstream's test*.py modules; select with
`dsock test dsock_sockets` or `dsock test dsock_sockets.test_direct_sockets_soak_tcp_pthread`.
Needs a checkout with the -sDIRECT_SOCKETS series (skips with the reason otherwise) and a
browser with Direct Sockets (dsock's IWA; EMTEST_REQUIRE_DIRECT_SOCKETS=1 makes a missing API
a failure).
"""

import json
import os
import socketserver
import threading

from browser_common import BrowserCore
from common import create_file, test_file
from decorators import parameterized

HERE = os.path.dirname(os.path.abspath(__file__))
SOAK_ROUNDS = int(os.getenv('DSOCK_SOAK_ROUNDS', '200'))


class _EchoHandler(socketserver.BaseRequestHandler):
  """Echoes everything until the client closes (one connection per soak round)."""

  def handle(self):
    while True:
      data = self.request.recv(4096)
      if not data:
        return
      self.request.sendall(data)


class _LoopbackEchoServer:
  """A threaded TCP echo server on 127.0.0.1:<ephemeral>, stopped on exit."""

  def __enter__(self):
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    self.server = socketserver.ThreadingTCPServer(('127.0.0.1', 0), _EchoHandler)
    self.server.daemon_threads = True
    self.port = self.server.server_address[1]
    self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
    self.thread.start()
    return self

  def __exit__(self, *exc):
    self.server.shutdown()
    self.server.server_close()


class dsock_sockets(BrowserCore):
  def setUp(self):
    super().setUp()
    self.pre_js = test_file('sockets', 'direct_sockets_pre.js')
    if not os.path.exists(self.pre_js):
      self.skipTest('this checkout has no -sDIRECT_SOCKETS (test/sockets/direct_sockets_pre.js missing): apply the series')

  def ds_btest(self, src, variant, args):
    module = {'arguments': args}
    if int(os.getenv('EMTEST_REQUIRE_DIRECT_SOCKETS', '0')):
      module['requireDirectSockets'] = True
    create_file('dsock_args.js', ''.join(f'Module[{json.dumps(k)}] = {json.dumps(v)};\n' for k, v in module.items()))
    # EXIT_RUNTIME: a failure (exit 1) is reported as exit:1 at once instead of a timeout.
    cflags = ['-sDIRECT_SOCKETS', '-sEXIT_RUNTIME', '--pre-js', self.pre_js, '--pre-js', 'dsock_args.js', *variant]
    self.btest(os.path.join(HERE, 'c', src), expected='done', cflags=cflags)

  @parameterized({
    'jspi': (['-sJSPI'],),
    'pthread': (['-pthread', '-sPROXY_TO_PTHREAD'],),
  })
  def test_direct_sockets_soak_tcp(self, variant):
    # SOAK_ROUNDS connect/echo/close cycles: no fd leak, no lost data, no stray errno.
    with _LoopbackEchoServer() as server:
      self.ds_btest('ds_soak_tcp.c', variant, [str(server.port), str(SOAK_ROUNDS)])
