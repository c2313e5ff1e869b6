// Writes `n` chunks of `chunk` bytes to a TCPSocket, chunk i filled with the tag (i+1)&255, each
// write awaited before the next; `gapMs` >= 0 adds a setTimeout between writes. Resolves with the
// number of bytes whose write() resolved. The loopback sink on the other end records what arrives.
window.writeTagged = async (port, n, chunk, gapMs) => {
  const socket = new TCPSocket('127.0.0.1', port);
  const { writable } = await socket.opened;
  const writer = writable.getWriter();
  for (let i = 0; i < n; i++) {
    await writer.ready;
    await writer.write(new Uint8Array(chunk).fill((i + 1) & 255));
    if (gapMs >= 0) await new Promise((r) => setTimeout(r, gapMs));
  }
  // Give the browser time to flush before the caller inspects the sink.
  await new Promise((r) => setTimeout(r, 1000));
  writer.releaseLock();
  return n * chunk;
};
