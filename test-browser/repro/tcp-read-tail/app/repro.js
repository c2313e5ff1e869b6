// Read one connection to its end from a TCPSocket, pausing for `pauseMs` after the first
// chunk (as a reader under backpressure does) and with `echo` writing every chunk back, and
// with `lagMs` waiting that long after every chunk, and report how many bytes came before `done`
// and the size of the last chunk. See ../repro.mjs.
window.readAll = async (port, pauseMs, echo, lagMs) => {
  const socket = new TCPSocket('127.0.0.1', port);
  const { readable, writable } = await socket.opened;
  const reader = readable.getReader();
  const writer = writable.getWriter();
  let total = 0, last = 0, chunks = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.byteLength;
    last = value.byteLength;
    // echo: write each chunk back and wait for it to settle before reading on, as an echo
    // server under backpressure does.
    if (echo) await writer.write(value);
    if (chunks++ === 0 && pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    // lag: a reader that is always behind, so the pipe stays full up to the FIN.
    if (lagMs > 0) await new Promise((r) => setTimeout(r, lagMs));
  }
  socket.close().catch(() => {});
  return { total, last, chunks };
};
