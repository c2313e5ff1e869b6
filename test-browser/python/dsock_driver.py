"""Runs Emscripten's test runner (test/runner.py) inside the Python that `dsock test` embeds.

Entry point: ``main(config_json) -> int`` (the runner's exit code; 130 when interrupted).
``config_json`` (JSON object, built by src/testrun/python.rs):
  checkout:    Emscripten work tree (its test/ directory is put first on sys.path)
  argv:        runner arguments (selectors and flags), without argv[0]
  env:         {name: value} set in os.environ BEFORE runner is imported (it reads EMTEST_* at import)
  python:      the real interpreter; multiprocessing workers must not re-exec the dsock binary
  extensions:  directories whose test*.py modules are registered as extra suites (test-browser/python)
  results:     path of the JSON written at the end: {runner_exit, interrupted, started_at,
               wall_seconds, tests: [{id, suite, name, outcome, seconds, message, details}]}
  timeout:     per-test timeout in seconds (0 = none); enforced with SIGALRM in serial suites

Outcomes: passed | failed | skipped | error (error = exception, timeout, or class setup failure;
unexpected successes count as failed, expected failures as passed).
Results come from a hook on the runner's unittest result object, not from parsing stdout:
upstream's only structured output is xmlrunner XML, written only when CI is set.
"""

import datetime
import functools
import glob
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
import unittest


class TestTimeout(Exception):
  """Raised in the main thread by SIGALRM when one test exceeds the per-test timeout."""


def _split_id(test_id):
  # 'test_sockets_browser.sockets_browser.test_tcp_echo' -> ('sockets_browser', 'test_tcp_echo')
  parts = test_id.split('.')
  if len(parts) >= 2:
    return parts[-2], parts[-1]
  return '', test_id


def _short_message(text, limit=400):
  """Last meaningful line of a traceback (the exception line), bounded."""
  lines = [ln for ln in text.strip().splitlines() if ln.strip()]
  if not lines:
    return ''
  # Prefer the first "SomeError: ..." line after the last traceback frame.
  for i in range(len(lines) - 1, -1, -1):
    if lines[i].startswith('  File ') or lines[i].startswith('Traceback'):
      rest = lines[i + 1:] if i + 1 < len(lines) else lines[-1:]
      rest = [ln for ln in rest if not ln.startswith('    ')] or rest
      msg = rest[0]
      break
  else:
    msg = lines[-1]
  msg = msg.strip()
  return msg if len(msg) <= limit else msg[:limit - 3] + '...'


class Recorder:
  """Collects one record per test from the runner's top-level result object."""

  def __init__(self, timeout):
    self.records = []
    self.timeout = timeout
    self._started = {}
    self._pending = {}
    self.parallel_elapsed = None  # set while a parallel worker's result is integrated
    self.classes = []  # test classes seen (for teardown on interrupt)
    self.interrupted = False

  # -- per-test timeout -------------------------------------------------------
  def _on_alarm(self, _signum, _frame):
    raise TestTimeout(f'test exceeded the per-test timeout of {self.timeout}s (dsock test --timeout)')

  def _arm(self):
    if self.timeout and not self.parallel_elapsed:
      signal.signal(signal.SIGALRM, self._on_alarm)
      signal.setitimer(signal.ITIMER_REAL, self.timeout)

  @staticmethod
  def _disarm():
    signal.setitimer(signal.ITIMER_REAL, 0)

  # -- result hooks -------------------------------------------------------------
  def attach(self, result):
    for name in ('startTest', 'stopTest', 'addSuccess', 'addFailure', 'addError', 'addSkip',
                 'addExpectedFailure', 'addUnexpectedSuccess'):
      orig = getattr(result, name)
      setattr(result, name, functools.partial(getattr(self, name), result, orig))
    return result

  def startTest(self, result, orig, test):
    self._started[test.id()] = time.perf_counter()
    cls = type(test)
    if cls not in self.classes:
      self.classes.append(cls)
    orig(test)
    self._arm()

  def _set(self, test, outcome, message='', details=''):
    self._pending[test.id()] = (outcome, message, details)

  def _err(self, result, test, err):
    try:
      text = result._exc_info_to_string(err, test)
    except Exception:
      text = str(err[1])
    return _short_message(text), text

  def addSuccess(self, result, orig, test):
    self._disarm()
    self._set(test, 'passed')
    orig(test)

  def addFailure(self, result, orig, test, err):
    self._disarm()
    self._set(test, 'failed', *self._err(result, test, err))
    orig(test, err)

  def addError(self, result, orig, test, err):
    self._disarm()
    msg, text = self._err(result, test, err)
    if isinstance(test, unittest.TestCase):
      self._set(test, 'error', msg, text)
      if isinstance(err[1], TestTimeout):
        self._after_timeout(test)
    else:
      # setUpClass/tearDownClass failure: unittest passes an _ErrorHolder, no start/stop.
      desc = getattr(test, 'description', str(test))
      self.records.append({'id': desc, 'suite': desc.split('(')[-1].rstrip(')').split('.')[-1],
                           'name': desc.split(' ')[0], 'outcome': 'error', 'seconds': 0.0,
                           'message': msg, 'details': text})
    orig(test, err)

  def addSkip(self, result, orig, test, reason):
    self._disarm()
    self._set(test, 'skipped', str(reason))
    orig(test, reason)

  def addExpectedFailure(self, result, orig, test, err):
    self._disarm()
    self._set(test, 'passed', 'expected failure')
    orig(test, err)

  def addUnexpectedSuccess(self, result, orig, test):
    self._disarm()
    self._set(test, 'failed', 'unexpected success (test is marked expectedFailure)')
    orig(test)

  def stopTest(self, result, orig, test):
    self._disarm()
    orig(test)
    tid = test.id()
    start = self._started.pop(tid, None)
    seconds = self.parallel_elapsed if self.parallel_elapsed is not None else (
      time.perf_counter() - start if start is not None else 0.0)
    default = ('error', 'interrupted (Ctrl-C/SIGTERM) while running', '') if self.interrupted else (
      'error', 'no result was reported', '')
    outcome, message, details = self._pending.pop(tid, default)
    suite, name = _split_id(tid)
    self.records.append({'id': tid, 'suite': suite, 'name': name, 'outcome': outcome,
                         'seconds': round(seconds, 3), 'message': message, 'details': details})

  def _after_timeout(self, test):
    """A timed-out browser test may still report later; restart the browser like upstream does
    for an unresponsive test, so the late answer is not read as the next test's result."""
    cls = type(test)
    queue = getattr(cls, 'harness_out_queue', None)
    if queue is None:
      return
    try:
      while not queue.empty():
        queue.get_nowait()
      cls.browser_restart()
    except Exception as e:  # noqa: BLE001 - keep going with the next test
      print(f'dsock: browser restart after timeout failed: {e}', file=sys.stderr)


def _install_hooks(runner, recorder, extension_modules):
  orig_make = unittest.TextTestRunner._makeResult

  def _makeResult(self):
    return recorder.attach(orig_make(self))

  unittest.TextTestRunner._makeResult = _makeResult

  try:
    import parallel_testsuite
    orig_integrate = parallel_testsuite.BufferedParallelTestResult.integrate_result

    def integrate_result(self, overall):
      recorder.parallel_elapsed = getattr(self, 'elapsed', None) or getattr(self, 'test_duration', 0.0)
      try:
        return orig_integrate(self, overall)
      finally:
        recorder.parallel_elapsed = None

    parallel_testsuite.BufferedParallelTestResult.integrate_result = integrate_result
  except ImportError:
    pass

  # Two BrowserCore classes in one serial run (sockets_browser, then dsock_sockets) both bind
  # port 8888: the series releases the port in HttpServerThread.stop() ("Release the btest
  # server's port when a browser test class ends"), so nothing is patched here.

  # Our extension suites: imported next to upstream's test*.py modules; serial like sockets_*.
  orig_modules = runner.get_and_import_modules

  def get_and_import_modules():
    mods = orig_modules()
    for name in extension_modules:
      __import__(name)
      mods.append(sys.modules[name])
    return mods

  runner.get_and_import_modules = get_and_import_modules

  # Upstream expands `suite.*pattern*` selectors against get_all_tests(), which only lists its
  # own suite names (core modes and misc modes): add every TestCase class of our modules, so
  # `dsock_sockets.*real_program*` selects as upstream's selectors do.
  orig_all_tests = runner.get_all_tests

  def get_all_tests(modules):
    tests = orig_all_tests(modules)
    for m in modules:
      if m.__name__ not in extension_modules:
        continue
      for name, cls in vars(m).items():
        if isinstance(cls, type) and issubclass(cls, unittest.TestCase) and cls.__module__ == m.__name__:
          tests += [f'{name}.{t}' for t in dir(cls) if t.startswith('test_')]
    return tests

  runner.get_all_tests = get_all_tests
  orig_parallel = runner.use_parallel_suite
  runner.use_parallel_suite = lambda m: False if m.__name__ in extension_modules else orig_parallel(m)


def _teardown_classes(recorder):
  """After an interrupt unittest never reaches tearDownClass: stop btest servers (their
  threads are not daemons) and browsers ourselves."""
  for cls in recorder.classes:
    server = getattr(cls, 'harness_server', None)
    if server is None:
      continue
    try:
      cls.tearDownClass()
    except Exception as e:  # noqa: BLE001
      print(f'dsock: tearDownClass({cls.__name__}) failed: {e}', file=sys.stderr)


def main(config_json):
  cfg = json.loads(config_json)
  started_at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')
  t0 = time.perf_counter()
  for k, v in cfg['env'].items():
    if v is None:
      os.environ.pop(k, None)
    else:
      os.environ[k] = v
  sys.executable = cfg['python']
  multiprocessing.set_executable(cfg['python'])
  test_dir = os.path.join(cfg['checkout'], 'test')
  extension_modules = []
  for d in cfg.get('extensions', []):
    sys.path.insert(0, d)
    for f in sorted(glob.glob(os.path.join(d, 'test*.py'))):
      extension_modules.append(os.path.splitext(os.path.basename(f))[0])
  sys.path.insert(0, test_dir)
  os.chdir(cfg['checkout'])
  sys.argv = [os.path.join(test_dir, 'runner.py')] + list(cfg['argv'])
  recorder = Recorder(cfg.get('timeout') or 0)

  # Ctrl-C and SIGTERM (e.g. a CI timeout) unwind the run as KeyboardInterrupt, so browsers
  # and servers are stopped and finished tests still reported.
  def on_interrupt(_signum, _frame):
    recorder.interrupted = True
    raise KeyboardInterrupt

  signal.signal(signal.SIGINT, on_interrupt)
  signal.signal(signal.SIGTERM, on_interrupt)
  # Deliver those signals to the main thread only: a signal taken by another thread (the btest
  # server's) would wake nothing until the main thread's blocking wait times out.
  orig_thread_start = threading.Thread.start

  def thread_start(self):
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
      orig_thread_start(self)
    finally:
      signal.pthread_sigmask(signal.SIG_SETMASK, old)

  threading.Thread.start = thread_start
  code = 1
  interrupted = False
  try:
    import runner  # noqa: E402 - reads sys.argv/env at import and in main()
    _install_hooks(runner, recorder, extension_modules)
    code = runner.main()
  except SystemExit as e:
    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    if not isinstance(e.code, int) and e.code is not None:
      print(e.code, file=sys.stderr)
  except KeyboardInterrupt:
    interrupted = True
    code = 130
    print('dsock: interrupted; stopping browsers and servers', file=sys.stderr)
    _teardown_classes(recorder)
  except BaseException:  # noqa: BLE001 - report, then let Rust decide the exit status
    traceback.print_exc()
    code = 2
    _teardown_classes(recorder)
  finally:
    Recorder._disarm()
  out = {
    'runner_exit': code if isinstance(code, int) else 1,
    'interrupted': interrupted,
    'started_at': started_at,
    'wall_seconds': round(time.perf_counter() - t0, 3),
    'tests': recorder.records,
  }
  os.makedirs(os.path.dirname(os.path.abspath(cfg['results'])), exist_ok=True)
  with open(cfg['results'], 'w', encoding='utf-8') as f:
    json.dump(out, f, indent=1)
  sys.stdout.flush()
  sys.stderr.flush()
  return out['runner_exit']
