// Raw Direct Sockets ceilings, without Emscripten: how fast can JS alone push
// UDP datagrams through one UDPSocket, depending on how writes are issued?
// The answer separates what the backend could gain from what Chromium caps.
//
//   probe.html?mode=udp-write&port=<dsbench udp port>&count=N&size=1200&inflight=K
//
// inflight=1 awaits every write() before the next (the backend's pump);
// inflight=K keeps up to K write() promises outstanding (awaiting writer.ready
// too). Prints "DSBENCH PROBE {json}" with the write rate seen by JS; the native
// dsbench server's STAT (read by the caller) says how many actually arrived.
'use strict';
(async function () {
  const p = new URLSearchParams(location.search);
  const mode = p.get('mode') || 'udp-write';
  const port = Number(p.get('port'));
  const count = Number(p.get('count') || 10000);
  const size = Number(p.get('size') || 1200);
  const inflight = Number(p.get('inflight') || 1);
  const out = (o) => console.log('DSBENCH PROBE ' + JSON.stringify(o));
  try {
    if (mode !== 'udp-write') throw new Error('unknown mode ' + mode);
    const sock = new UDPSocket({ remoteAddress: '127.0.0.1', remotePort: port });
    const { writable } = await sock.opened;
    const w = writable.getWriter();
    const payload = new Uint8Array(size);
    // A DATA header the dsbench server counts and echoes: magic, kind=1, seq, t.
    const dv = new DataView(payload.buffer);
    dv.setUint32(0, 0x31425344, true);
    dv.setUint32(4, 1, true);
    const t0 = performance.now();
    const pending = new Set();
    let failed = 0;
    for (let i = 0; i < count; i++) {
      dv.setBigUint64(8, BigInt(i), true);
      const data = payload.slice();
      await w.ready;
      const pr = w.write({ data }).catch(() => { failed++; });
      pending.add(pr);
      pr.finally(() => pending.delete(pr));
      if (pending.size >= inflight) await Promise.race(pending);
    }
    await Promise.all(pending);
    const ms = performance.now() - t0;
    out({ mode, count, size, inflight, failed, ms, writes_per_s: count / (ms / 1000) });
    w.releaseLock();
    await sock.close();
  } catch (e) {
    out({ mode, error: String(e) });
  }
  console.log('DSBENCH EXIT probe');
})();
