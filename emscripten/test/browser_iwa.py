# Copyright 2026 The Emscripten Authors.  All rights reserved.
# Emscripten is available under two separate licenses, the MIT license and the
# University of Illinois/NCSA Open Source License.  Both these licenses can be
# found in the LICENSE file.

"""Runs the browser test harness inside a Chromium Isolated Web App (IWA).

Some web APIs only exist in Isolated Web Apps, e.g. the Direct Sockets API
(TCPSocket, UDPSocket, TCPServerSocket; https://wicg.github.io/direct-sockets/)
used by -sDIRECT_SOCKETS.  With EMTEST_BROWSER_IWA=1 (see browser_common.py)
the btest server itself becomes the app, in Chromium's developer mode for
IWAs ("dev proxy"):

1. The server serves the app's manifest (with the permissions policy the app
   needs) and icon, and pages that work under the IWA's fixed Content Security
   Policy (see make_csp_compatible()).
2. Chromium starts with --remote-debugging-pipe: the CDP `PWA` domain is only
   offered to pipe clients.  CDP is JSON over two pipes, so the standard
   library is enough (no WebDriver, no node).
3. PWA.install installs the server's origin under a random dev-proxy bundle
   id: Chromium then serves isolated-app://<id>/<path> from
   http://localhost:<port>/<path>.
4. Browser.setPermission grants loopback-network and local-network (a
   headless browser never prompts).
5. PWA.launch opens the harness page in an app window.

Only Chromium-based browsers implement IWAs; IsolatedWebApps and
IsolatedWebAppDevMode are enabled on the command line.
"""

import base64
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import struct
import tempfile
import threading
import time
import zlib

logger = logging.getLogger('common')

MANIFEST_PATH = '/.well-known/manifest.webmanifest'
ICON_PATH = '/iwa_icon.png'
TRUSTED_TYPES_PATH = '/iwa_trusted_types.js'
INLINE_SCRIPT_PREFIX = 'iwa_inline_'

# The permissions policy of the app.  Each entry is needed (Chromium 156):
# without cross-origin-isolated, Direct Sockets reports "Frame is not
# sufficiently isolated"; without loopback-network a connection to 127.0.0.1
# fails with "Access to local network is blocked"; without local-network a
# UDPSocket cannot bind (localAddress).
PERMISSIONS_POLICY = ['cross-origin-isolated', 'direct-sockets', 'loopback-network', 'local-network']

# Granted with Browser.setPermission (the web-facing permission names).
PERMISSIONS = ['loopback-network', 'local-network']

FEATURES = ['IsolatedWebApps', 'IsolatedWebAppDevMode']

# An IWA enforces Trusted Types (require-trusted-types-for 'script'), so e.g.
# Emscripten's `new Worker(url)` with a string URL would throw.  Test pages
# load this first (see make_csp_compatible) to accept plain strings.
TRUSTED_TYPES_POLICY = b'''\
// Served by the Emscripten browser test harness in Isolated Web App mode.
if (self.trustedTypes && !self.trustedTypes.defaultPolicy) {
  self.trustedTypes.createPolicy('default', { createHTML: (s) => s, createScript: (s) => s, createScriptURL: (s) => s });
}
'''

# Script types a browser executes; others (e.g. JSON data) may stay inline.
EXECUTABLE_SCRIPT_TYPES = {'', 'text/javascript', 'application/javascript', 'module'}

INLINE_SCRIPT_RE = re.compile(rb'<script\b([^>]*)>(.*?)</script\s*>', re.S | re.I)
SCRIPT_TYPE_RE = re.compile(rb'''\btype\s*=\s*["']?([^"'\s>]*)''', re.I)
SCRIPT_SRC_RE = re.compile(rb'\bsrc\s*=', re.I)
HEAD_RE = re.compile(rb'<head\b[^>]*>', re.I)
DOCTYPE_RE = re.compile(rb'<!doctype[^>]*>', re.I)


def dev_proxy_bundle_id():
  """A random Signed Web Bundle ID of the "dev proxy" type.

  Base32 (lowercase, unpadded) of 32 arbitrary bytes followed by the type
  suffix 00 00 02: 56 characters.
  """
  raw = os.urandom(32) + b'\x00\x00\x02'
  return base64.b32encode(raw).decode().lower().rstrip('=')


def manifest(name):
  """The web app manifest, as served from MANIFEST_PATH.

  Installing fails without `version`, or without a PNG icon of at least 144px
  that declares its `sizes`.
  """
  return json.dumps({
    'name': name,
    'id': '/',
    'version': '1.0.0',
    'start_url': '/',
    'scope': '/',
    'display': 'standalone',
    'icons': [{'src': ICON_PATH, 'sizes': '256x256', 'type': 'image/png'}],
    'permissions_policy': {feature: ['self'] for feature in PERMISSIONS_POLICY},
  }, indent=2).encode()


def icon_png(size=256):
  """A solid colour RGB PNG of size x size pixels: the app icon."""
  def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
  row = b'\x00' + b'\x79\x99\xff' * size  # filter type 0, then the pixels
  header = struct.pack('>IIBBBBB', size, size, 8, 2, 0, 0, 0)  # 8 bit RGB
  return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(row * size)) + chunk(b'IEND', b'')


def make_csp_compatible(html, inline_scripts):
  """Rewrites an HTML test page for the IWA's Content Security Policy.

  The IWA's CSP (script-src 'self' 'wasm-unsafe-eval'; require-trusted-types-
  for 'script') is fixed by Chromium; an app cannot relax it.  The pages under
  test are generated by emcc from shell files with inline scripts (and tests
  create their own), so they are adapted here rather than in every test:
  each inline script moves to a file next to the page (kept in
  `inline_scripts`, name -> bytes; a parser-inserted external script runs
  where the inline one did, and relative URLs in modules still resolve), and
  the Trusted Types policy script is loaded before anything else.
  Inline event handler attributes (onclick=...) stay blocked.
  """
  def externalize(m):
    attrs, body = m.group(1), m.group(2)
    script_type = SCRIPT_TYPE_RE.search(attrs)
    script_type = script_type.group(1).decode().lower() if script_type else ''
    if SCRIPT_SRC_RE.search(attrs) or not body.strip() or script_type not in EXECUTABLE_SCRIPT_TYPES:
      return m.group(0)
    name = f'{INLINE_SCRIPT_PREFIX}{hashlib.sha256(body).hexdigest()[:32]}.js'
    inline_scripts[name] = body
    return b'<script%s src="%s"></script>' % (attrs, name.encode())

  html = INLINE_SCRIPT_RE.sub(externalize, html)
  policy = b'<script src="%s"></script>' % TRUSTED_TYPES_PATH.encode()
  # First in <head>, else after the doctype (a script before it would switch
  # the page to quirks mode).
  m = HEAD_RE.search(html) or DOCTYPE_RE.search(html)
  if m:
    return html[:m.end()] + policy + html[m.end():]
  return policy + html


def merge_chromium_flags(args, user_data_dir):
  """The Chromium command line for an IWA run, from the EMTEST_BROWSER one.

  Adds --remote-debugging-pipe and the IWA features (merged into one
  --enable-features: a second switch would replace the first), and a headless
  window unless the command asks for one or EMTEST_HEADLESS=0.  Returns
  (args, user_data_dir) where user_data_dir is the profile directory to remove
  afterwards, or None when the command brought its own.
  """
  features = list(FEATURES)
  out = []
  own_profile = None
  for arg in args[1:]:
    if arg.startswith('--enable-features='):
      features += [f for f in arg.split('=', 1)[1].split(',') if f and f not in features]
    elif arg.startswith(('--remote-debugging-port', '--remote-debugging-pipe')):
      continue
    else:
      out.append(arg)
  if not any(a.startswith('--user-data-dir') for a in out):
    # IWAs are installed into the profile: never into the user's own.
    own_profile = user_data_dir or tempfile.mkdtemp(prefix='emtest_iwa_profile_')
    out.append(f'--user-data-dir={own_profile}')
  if not any(a.startswith('--headless') for a in out) and os.getenv('EMTEST_HEADLESS') != '0':
    out.append('--headless=new')
  return [args[0], *out, '--remote-debugging-pipe', '--enable-features=' + ','.join(features)], own_profile


class CdpPipe:
  """A Chrome DevTools Protocol client over --remote-debugging-pipe.

  Chromium reads commands from its fd 3 and writes responses and events to
  its fd 4, each a JSON message terminated by a NUL byte.
  """

  def __init__(self):
    import fcntl  # POSIX only; this module is imported on every platform

    def high_fd(fd):
      # Above the standard fds, so that the child's dup2()s onto 3 and 4
      # cannot overwrite each other's source.
      new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
      os.close(fd)
      return new

    self.next_id = 0
    self.pending = {}
    self.lock = threading.Lock()
    self.child_in, self.to_browser = (high_fd(fd) for fd in os.pipe())
    self.from_browser, self.child_out = (high_fd(fd) for fd in os.pipe())

  def spawn(self, args):
    """Starts `args` with the pipe as its fds 3 and 4; returns the pid."""
    exe = shutil.which(args[0]) or args[0]
    pid = os.posix_spawn(exe, args, os.environ, file_actions=[
      (os.POSIX_SPAWN_DUP2, self.child_in, 3),
      (os.POSIX_SPAWN_DUP2, self.child_out, 4),
    ])
    os.close(self.child_in)
    os.close(self.child_out)
    threading.Thread(target=self._read, daemon=True).start()
    return pid

  def _read(self):
    buf = b''
    while True:
      try:
        data = os.read(self.from_browser, 65536)
      except OSError:
        data = b''
      if not data:
        break
      buf += data
      while b'\0' in buf:
        msg, buf = buf.split(b'\0', 1)
        msg = json.loads(msg)
        # Events (no id) are not subscribed to; ignore any that arrive.
        waiter = self.pending.pop(msg.get('id'), None)
        if waiter:
          waiter[1].update(msg)
          waiter[0].set()
    # Chromium is gone: wake every caller.
    for event, _ in list(self.pending.values()):
      event.set()
    os.close(self.from_browser)

  def send(self, method, params, timeout=60):
    """Sends one command to the browser target; returns its result dict.

    Raises RuntimeError with the protocol's message on an error response, or
    when Chromium exits or does not answer within `timeout` seconds.
    """
    with self.lock:
      self.next_id += 1
      msg_id = self.next_id
      waiter = (threading.Event(), {})
      self.pending[msg_id] = waiter
      try:
        os.write(self.to_browser, json.dumps({'id': msg_id, 'method': method, 'params': params}).encode() + b'\0')
      except OSError as e:
        raise RuntimeError(f'{method}: the browser is gone ({e})') from None
    if not waiter[0].wait(timeout) or not waiter[1]:
      self.pending.pop(msg_id, None)
      raise RuntimeError(f'{method}: no answer from the browser (exited, or took over {timeout}s)')
    if 'error' in waiter[1]:
      raise RuntimeError(f'{method}: {waiter[1]["error"].get("message")}')
    return waiter[1].get('result', {})

  def close(self):
    """Closes our command pipe; Chromium exits when it sees the end of it."""
    if self.to_browser is not None:
      os.close(self.to_browser)
      self.to_browser = None


class IsolatedWebAppBrowser:
  """A Chromium process with the btest server installed and open as an IWA."""

  def __init__(self, args, server_url, path):
    """Starts Chromium and opens `path` of `server_url` as an IWA.

    `args`: the Chromium command line (EMTEST_BROWSER, split; no URL).
    `server_url`: the btest server, e.g. http://localhost:8888.
    `path`: the page to open, e.g. /run_harness.
    Raises RuntimeError naming the failed step.
    """
    start = time.perf_counter()
    self.cdp = CdpPipe()
    args, self.own_profile = merge_chromium_flags(args, None)
    logger.info(f'Launching browser (Isolated Web App mode): {args}')
    self.pid = self.cdp.spawn(args)
    try:
      version = self.cdp.send('Browser.getVersion', {})
      manifest_id = f'isolated-app://{dev_proxy_bundle_id()}/'
      try:
        self.cdp.send('PWA.install', {'manifestId': manifest_id, 'installUrlOrBundleUrl': server_url + '/'})
      except RuntimeError as e:
        raise RuntimeError(f'{e} (installing {server_url} as an Isolated Web App needs a Chromium with '
                           f'{",".join(FEATURES)}; this is {version.get("product")})') from None
      self.origin = manifest_id.rstrip('/')
      for permission in PERMISSIONS:
        self.cdp.send('Browser.setPermission', {'permission': {'name': permission}, 'setting': 'granted', 'origin': self.origin})
      self.cdp.send('PWA.launch', {'manifestId': manifest_id, 'url': self.origin + path})
    except BaseException:
      self.cdp.close()
      try:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
      except (ProcessLookupError, ChildProcessError):
        pass
      self.close()
      raise
    self.startup_seconds = time.perf_counter() - start

  def close(self):
    """Closes the pipe and removes the profile we made; call once Chromium is gone."""
    self.cdp.close()
    if self.own_profile:
      shutil.rmtree(self.own_profile, ignore_errors=True)
      self.own_profile = None
