"""dsock's extension suite: Direct Sockets checks that upstream should not carry (soak/stress,
real open-source programs).

Registered by dsock_driver next to upstream's test*.py modules; select with
`dsock test dsock_sockets` or `dsock test dsock_sockets.test_direct_sockets_soak_tcp_pthread`.
Needs a checkout with the -sDIRECT_SOCKETS series (skips with the reason otherwise) and a
browser with Direct Sockets (dsock's IWA; EMTEST_REQUIRE_DIRECT_SOCKETS=1 makes a missing API
a failure).

Real programs (test_real_program_*): widely used libraries nobody here wrote, built unmodified
from a source tree the environment names, and run with `dsock run`'s driver (test-browser/dsock-run):
- DSOCK_MONGOOSE_SRC: a checkout of https://github.com/cesanta/mongoose (mongoose.c/.h), an
  HTTP server (c/rp_mongoose_server.c) that native `curl` talks to;
- DSOCK_ENET_SRC: a checkout of https://github.com/lsalzman/enet (*.c, include/), a reliable/
  unreliable UDP protocol (c/rp_enet_peer.c) against a native peer built from the same sources.
Without the variable a test is skipped with that reason. Each test also runs the native build the
same way and prints the figures (requests/s, ENet packets/s; DSOCK_REAL_PROGRAMS_ENET_COUNT packets of
each kind, default 2000) on stderr, and appends them as JSON
lines to $DSOCK_REAL_PROGRAMS_FIGURES when set (docs/real-programs.md).
"""

import functools
import hashlib
import json
import os
import queue
import shutil
import socket
import socketserver
import subprocess
import sys
import threading
import time

from browser_common import BrowserCore
from common import create_file, test_file
from decorators import parameterized
from tools.shared import EMCC

HERE = os.path.dirname(os.path.abspath(__file__))
SOAK_ROUNDS = int(os.getenv('DSOCK_SOAK_ROUNDS', '200'))
DSOCK_RUN = os.path.join(HERE, '..', 'dsock-run')
# Bounds of the real-program tests (each step is bounded; nothing waits forever).
RP_TIMEOUT = int(os.getenv('DSOCK_REAL_PROGRAMS_TIMEOUT', '180'))
RP_SEQUENTIAL = 300
RP_CONCURRENT = 64
RP_BIG = 8 * 1024 * 1024
RP_ENET_COUNT = int(os.getenv('DSOCK_REAL_PROGRAMS_ENET_COUNT', '2000'))
RP_ENET_SIZE = 200
ENET_DEFINES = ['-DHAS_POLL=1', '-DHAS_FCNTL=1', '-DHAS_SOCKLEN_T=1', '-DHAS_MSGHDR_FLAGS=1',
                '-DHAS_INET_PTON=1', '-DHAS_INET_NTOP=1']  # what ENet's CMakeLists.txt detects on Linux


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


def _chromium():
  """The Chromium dsock's harness uses: `--chromium=` in EMTEST_BROWSER, else DSOCK_CHROMIUM."""
  for word in os.getenv('EMTEST_BROWSER', '').split():
    if word.startswith('--chromium='):
      return word.split('=', 1)[1]
  return os.getenv('DSOCK_CHROMIUM', '/usr/bin/chromium')


def _native_cc():
  for cc in (os.getenv('DSOCK_NATIVE_CC'), 'clang-22', 'clang', 'cc'):
    if cc and shutil.which(cc):
      return cc
  return None


def _free_port(kind):
  """An ephemeral loopback port (>= 32768 on Linux: Direct Sockets refuses lower server ports)."""
  with socket.socket(socket.AF_INET, kind) as s:
    s.bind(('127.0.0.1', 0))
    return s.getsockname()[1]


@functools.lru_cache(maxsize=1)
def _big_sha256(n):
  """sha256 of the /big body of rp_mongoose_server.c: byte i = (i * 7 + (i >> 11)) & 0xff."""
  return hashlib.sha256(bytes(((i * 7 + (i >> 11)) & 0xff) for i in range(n))).hexdigest()


class _Program:
  """A program (native binary, or an Emscripten build run by dsock-run in an IWA) as a child
  process: stdout lines are queued, stderr is kept, and it is killed on exit if still running."""

  def __init__(self, argv, log):
    self.argv = argv
    self.lines = queue.Queue()
    self.out = []
    self.log = log
    self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=open(log, 'w'), text=True)
    threading.Thread(target=self._read, daemon=True).start()

  def _read(self):
    for line in self.proc.stdout:
      self.out.append(line.rstrip('\n'))
      self.lines.put(line.rstrip('\n'))
    self.lines.put(None)

  def wait_line(self, prefix, timeout):
    deadline = time.monotonic() + timeout
    while True:
      try:
        line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
      except queue.Empty:
        line = ''
      if line is None or time.monotonic() > deadline:
        raise AssertionError(f'no "{prefix}" line from {self.argv[-3:]} in {timeout} s; output: {self.out[-5:]}; stderr: {self.stderr()[-2000:]}')
      if line.startswith(prefix):
        return line

  def stderr(self):
    with open(self.log) as f:
      return f.read()

  def finish(self, timeout):
    try:
      return self.proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
      self.proc.terminate()
      self.proc.wait(timeout=15)
      raise AssertionError(f'{self.argv[-3:]} did not exit within {timeout} s; stderr: {self.stderr()[-2000:]}')

  def __enter__(self):
    return self

  def __exit__(self, *exc):
    if self.proc.poll() is None:
      self.proc.terminate()
      try:
        self.proc.wait(timeout=15)
      except subprocess.TimeoutExpired:
        self.proc.kill()


def _curl(*args, timeout=120):
  return subprocess.run(['curl', '-sS', '--max-time', str(timeout), *args], capture_output=True, timeout=timeout + 10)


def _record(figures):
  print(f'dsock real-program figures: {json.dumps(figures)}', file=sys.stderr)
  path = os.getenv('DSOCK_REAL_PROGRAMS_FIGURES')
  if path:
    with open(path, 'a') as f:
      f.write(json.dumps(figures) + '\n')


class dsock_real_programs_mixin:
  """The real-program tests of dsock_sockets (see the module docstring)."""

  def rp_source(self, env, marker, url):
    src = os.getenv(env)
    if not src:
      self.skipTest(f'{env} is not set: point it at a checkout of {url} to run this real-program test')
    if not os.path.exists(os.path.join(src, marker)):
      self.fail(f'{env}={src} has no {marker}: not a checkout of {url}')
    for tool in ('node', 'curl'):
      if not shutil.which(tool):
        self.fail(f'{tool} is not on PATH (dsock test puts node 26 first; apt-get install -y curl)')
    if not _native_cc():
      self.fail('no native C compiler (clang-22, clang or cc; or set DSOCK_NATIVE_CC) for the native peer')
    return src

  def rp_build(self, name, sources, flags, variant):
    """Build `name`.js (wasm, `variant` flags) and `name`_native from the same sources."""
    js = os.path.abspath(f'{name}.js')
    self.run_process([EMCC, '-O2', '-sDIRECT_SOCKETS', '-sALLOW_MEMORY_GROWTH', *variant, *flags, *sources, '-o', js])
    native = os.path.abspath(f'{name}_native')
    self.run_process([_native_cc(), '-O2', *flags, *sources, '-o', native])
    return js, native

  def rp_wasm_argv(self, js, args, tag):
    """`dsock run`'s driver running `js` with `args` (the app console goes to TAG.console.log)."""
    return ['node', DSOCK_RUN, f'--chromium={_chromium()}', f'--timeout={RP_TIMEOUT}',
            f'--log={os.path.abspath(tag + ".console.log")}', js, '--', *args]

  def rp_http_session(self, server, port, figures):
    """Sequential, concurrent and multi-MiB requests with native curl; fills `figures` as it goes
    (so a failing step still leaves the figures of the steps before it)."""
    server.wait_line('LISTENING', RP_TIMEOUT)
    base = f'http://127.0.0.1:{port}'
    t0 = time.monotonic()
    r = _curl(*[f'{base}/hello'] * RP_SEQUENTIAL)
    seq_s = time.monotonic() - t0
    lines = r.stdout.decode().splitlines()
    self.assertEqual(r.returncode, 0, r.stderr)
    self.assertEqual(len(lines), RP_SEQUENTIAL, f'sequential: {len(lines)} replies of {RP_SEQUENTIAL}')
    counts = [int(line.split()[1]) for line in lines]
    self.assertEqual(counts, sorted(counts), 'sequential replies out of order')
    figures['sequential_rps'] = RP_SEQUENTIAL / seq_s
    t0 = time.monotonic()
    r = _curl('--parallel', '--parallel-max', '16', '-H', 'Connection: close', *[f'{base}/hello'] * RP_CONCURRENT)
    par_s = time.monotonic() - t0
    self.assertEqual(r.returncode, 0, r.stderr)
    self.assertEqual(len([x for x in r.stdout.decode().splitlines() if x.startswith('hello ')]), RP_CONCURRENT)
    figures['concurrent_rps'] = RP_CONCURRENT / par_s
    t0 = time.monotonic()
    r = _curl(f'{base}/big', timeout=60)
    big_s = time.monotonic() - t0
    want = _big_sha256(RP_BIG)
    got = hashlib.sha256(r.stdout).hexdigest()
    figures['big_bytes'] = len(r.stdout)
    figures['big_intact'] = got == want
    if got == want:
      figures['big_mb_s'] = RP_BIG / big_s / 1e6
    bye = _curl(f'{base}/quit', timeout=30)
    self.assertEqual(bye.stdout, b'bye\n', bye.stderr)
    self.assertEqual(server.finish(60), 0, server.stderr()[-2000:])
    self.assertEqual(server.wait_line('SERVED', 10), f'SERVED {RP_SEQUENTIAL + RP_CONCURRENT + 2} requests')
    self.assertEqual((len(r.stdout), got), (RP_BIG, want),
                     f'/big: {len(r.stdout)} of {RP_BIG} bytes, sha256 {got} (want {want}); curl: {r.stderr.decode().strip()}')

  def rp_mongoose(self, variant, name):
    src = self.rp_source('DSOCK_MONGOOSE_SRC', 'mongoose.c', 'https://github.com/cesanta/mongoose')
    js, native = self.rp_build('rp_mongoose', [os.path.join(HERE, 'c', 'rp_mongoose_server.c'), os.path.join(src, 'mongoose.c')],
                               ['-I' + src], variant)
    figures = {'program': 'mongoose', 'build': name}
    port = _free_port(socket.SOCK_STREAM)
    with _Program([native, str(port), str(RP_BIG)], os.path.abspath('native.stderr.log')) as server:
      self.rp_http_session(server, port, figures.setdefault('native', {}))
    port = _free_port(socket.SOCK_STREAM)
    try:
      with _Program(self.rp_wasm_argv(js, [str(port), str(RP_BIG)], name), os.path.abspath(name + '.stderr.log')) as server:
        self.rp_http_session(server, port, figures.setdefault('wasm', {}))
    finally:
      _record(figures)

  def rp_enet_exchange(self, server_argv, client_argv, server_log, client_log, port):
    """One ENet exchange (server first, then the client); returns the client's figures."""
    with _Program(server_argv, server_log) as server:
      server.wait_line('LISTENING', RP_TIMEOUT)
      with _Program(client_argv, client_log) as client:
        result = client.wait_line('RESULT', RP_TIMEOUT)
        self.assertEqual(client.finish(RP_TIMEOUT), 0, f'{result}; {client.stderr()[-2000:]}')
      self.assertEqual(server.finish(60), 0, server.stderr()[-2000:])
      served = server.wait_line('SERVED', 10)
    fields = dict(kv.split('=') for kv in result.split()[1:])
    served = dict(kv.split('=') for kv in served.split()[1:])
    self.assertEqual(fields['reliable'], f'{RP_ENET_COUNT}/{RP_ENET_COUNT}', result)
    self.assertEqual(fields['bad'], '0', result)
    self.assertEqual(int(served['reliable']), RP_ENET_COUNT, served)
    # Unreliable means it may be dropped (under load it is): some of it must get through both ways.
    self.assertGreater(int(served['unreliable']), 0, served)
    self.assertGreater(int(fields['unreliable'].split('/')[0]), 0, result)
    return {'pps': float(fields['pps']), 'unreliable_echoed': int(fields['unreliable'].split('/')[0]),
            'unreliable_served': int(served['unreliable'])}

  def rp_enet(self, variant, name):
    src = self.rp_source('DSOCK_ENET_SRC', 'include/enet/enet.h', 'https://github.com/lsalzman/enet')
    sources = [os.path.join(HERE, 'c', 'rp_enet_peer.c')] + [os.path.join(src, f) for f in
               ('callbacks.c', 'compress.c', 'host.c', 'list.c', 'packet.c', 'peer.c', 'protocol.c', 'unix.c')]
    js, native = self.rp_build('rp_enet', sources, ['-I' + os.path.join(src, 'include'), *ENET_DEFINES], variant)
    figures = {'program': 'enet', 'build': name, 'count': RP_ENET_COUNT, 'size': RP_ENET_SIZE}
    client = lambda port: [str(port), str(RP_ENET_COUNT), str(RP_ENET_SIZE)]
    log = lambda tag: os.path.abspath(tag + '.stderr.log')
    try:
      port = _free_port(socket.SOCK_DGRAM)
      figures['native'] = self.rp_enet_exchange([native, 'server', str(port)], [native, 'client', *client(port)],
                                                log('native_server'), log('native_client'), port)
      port = _free_port(socket.SOCK_DGRAM)
      wasm = self.rp_wasm_argv(js, ['server', str(port)], name + '_server')
      figures['wasm_server'] = self.rp_enet_exchange(wasm, [native, 'client', *client(port)],
                                                     log(name + '_server'), log('native_client'), port)
      port = _free_port(socket.SOCK_DGRAM)
      wasm = self.rp_wasm_argv(js, ['client', *client(port)], name + '_client')
      figures['wasm_client'] = self.rp_enet_exchange([native, 'server', str(port)], wasm,
                                                     log('native_server'), log(name + '_client'), port)
    finally:
      _record(figures)


class dsock_sockets(BrowserCore, dsock_real_programs_mixin):
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

  @parameterized({
    'jspi': (['-sJSPI'], 'jspi'),
    'pthread': (['-pthread', '-sPROXY_TO_PTHREAD'], 'pthread'),
  })
  def test_real_program_mongoose(self, variant, name):
    # Mongoose's HTTP server, unmodified, serving native curl: sequential keep-alive requests,
    # concurrent connections, and an 8 MiB body checked by sha256.
    self.rp_mongoose(variant, name)

  @parameterized({
    'jspi': (['-sJSPI'], 'jspi'),
    'pthread': (['-pthread', '-sPROXY_TO_PTHREAD'], 'pthread'),
  })
  def test_real_program_enet(self, variant, name):
    # ENet, unmodified, both ways against a native peer built from the same sources: reliable
    # packets all intact and in order, unreliable ones at least partly through.
    self.rp_enet(variant, name)

