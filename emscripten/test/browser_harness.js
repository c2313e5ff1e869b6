// The browser test harness page (browser_harness.html, served as /run_harness):
// polls the test server for the next test page and loads it into the iframe.
// A file rather than an inline script, so that the page also works under a
// Content Security Policy without 'unsafe-inline' (EMTEST_BROWSER_IWA).

var counter = 0;
async function check() {
  try {
    const rsp = await fetch('/check');
    const responseText = await rsp.text();

    const COMMAND_PREFIX = 'COMMAND:';
    if (responseText.startsWith(COMMAND_PREFIX)) {
      var url = responseText.substr(COMMAND_PREFIX.length);
      iframe.src = url;
      document.getElementById('count').textContent = counter++;
    }
    // Polling for the next test to start: we just keep asking if we
    // should load a new page, since the iframe doesn't currently have
    // a way to tell us it completed (even if it did, we'd need to poll
    // the server to know when the next test page is ready to load).
    // (A timeout value of 100msecs has been seen to stall test
    //  browser.test_audio_worklet_worker on Chrome)
    setTimeout(check, 200);
  } catch {
    document.body.textContent = 'Tests complete. View log in console.';
    // Attempt to close the main window.  This works on chrome
    // but fails on firefox with: `Scripts may not close windows that
    // were not opened by script.`
    window.close();
  }
}
document.addEventListener('DOMContentLoaded', check);
