// The page that runs dsbench.js (an Emscripten build of dsbench.c) inside the
// benchmark's Isolated Web App. The program's argv comes from ?args=<JSON array>;
// its stdout/stderr go to the console, where iwa-serve.mjs picks them up.
'use strict';
// IWAs enforce Trusted Types: Emscripten's `new Worker(url)` (pthreads) and the
// script element below need a default policy (idempotent: the dev proxy may add one).
if (self.trustedTypes && !self.trustedTypes.defaultPolicy) {
  self.trustedTypes.createPolicy('default', { createHTML: s => s, createScript: s => s, createScriptURL: s => s });
}
(function () {
  const params = new URLSearchParams(location.search);
  let args = [];
  try { args = JSON.parse(params.get('args') || '[]'); } catch (e) { console.error('DSBENCH PAGE bad ?args=: ' + e); }
  self.Module = {
    arguments: args,
    print: line => console.log(line),
    printErr: line => console.error(line),
    onExit: code => console.log('DSBENCH PROCESS EXIT ' + code),
    onAbort: what => console.error('DSBENCH PROCESS ABORT ' + what),
  };
  // -sDIRECT_SOCKETS builds: the TCP send pump's counters (drops detected and re-sent, see
  // tcpSendStats in libsockfs_direct.js), printed whenever they change.
  let lastStats = '';
  setInterval(() => {
    const stats = JSON.stringify(self.directSockHelpers?.tcpSendStats ?? null);
    if (stats !== lastStats && stats !== 'null') console.log('DSBENCH TCP-SEND-STATS ' + stats);
    lastStats = stats;
  }, 500);
  const s = document.createElement('script');
  s.src = 'dsbench.js';
  s.onerror = () => console.error('DSBENCH PAGE could not load dsbench.js');
  document.body.appendChild(s);
})();
