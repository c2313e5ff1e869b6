// Pre-js for the DIRECT_SOCKETS tests in test_sockets_browser.py.
//
// Direct Sockets (https://wicg.github.io/direct-sockets/) only exists in
// Chromium Isolated Web Apps whose permissions policy allows it. Anywhere else
// the test reports itself skipped, with the reason, and never as passing;
// EMTEST_REQUIRE_DIRECT_SOCKETS (Module['requireDirectSockets']) turns that
// into a failure.
//
// The socket tests are plain POSIX programs shared with the node suite and
// with native builds: they print "done" once every check passed, and that
// line is reported as the result.
if (!(typeof ENVIRONMENT_IS_PTHREAD != 'undefined' && ENVIRONMENT_IS_PTHREAD)) {
  if (typeof TCPSocket == 'undefined' || typeof UDPSocket == 'undefined') {
    Module['noInitialRun'] = true;
    // Report from preRun: the reporting code (browser_reporting.js, another
    // pre-js) has not run yet at this point.
    Module['preRun'] = [].concat(Module['preRun'] || [], () => {
      var missing = 'Direct Sockets (TCPSocket/UDPSocket) is not available: this page is not a Chromium Isolated Web App with the direct-sockets permissions policy';
      if (Module['requireDirectSockets']) {
        reportResultToServer(`error: ${missing}`);
      } else {
        skipTest(missing);
      }
    });
  }
  var directSocketsPrint = Module['print'];
  Module['print'] = (text) => {
    (directSocketsPrint || console.log)(text);
    // A transfer test found damaged data: the TCP send pump's counters (see
    // tcpNewStats in libsockfs_direct.js) tell whether writes it could not
    // check were involved.
    if (text.includes('mismatch') && typeof directSockHelpers != 'undefined') {
      console.log(`tcp send stats: ${JSON.stringify(directSockHelpers.tcpSendStats)}`);
    }
    if (text === 'done') maybeReportResultToServer('done');
  };
}
