// The Isolated Web App identity and manifest that turn a loopback HTTP server into an app where
// the Direct Sockets API exists (https://wicg.github.io/direct-sockets/, "IsolatedContext").
//
// Facts this relies on (measured with Debian Chromium 156, see docs/testing.md):
// - A dev-proxy app is installed with PWA.install {manifestId: 'isolated-app://<id>/'} where <id> is
//   a "dev proxy" Signed Web Bundle ID: lowercase unpadded base32 of 32 arbitrary bytes followed by
//   the type suffix 00 00 02 (56 characters).
// - Install fails without `version`, or without a PNG icon of at least 144px that declares `sizes`.
// - `permissions_policy` must list cross-origin-isolated (else "Frame is not sufficiently isolated"),
//   direct-sockets, loopback-network (127.0.0.1/::1) and local-network (UDP bound mode).

import crypto from 'node:crypto';
import zlib from 'node:zlib';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lowercase, no padding. `bytes`: Buffer|Uint8Array → string. */
export function base32(bytes) {
  let bits = 0, val = 0, out = '';
  for (const b of bytes) {
    val = ((val << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) { out += BASE32[(val >>> (bits - 5)) & 31]; bits -= 5; }
  }
  if (bits > 0) out += BASE32[(val << (5 - bits)) & 31];
  return out;
}

/** Dev-proxy Web Bundle ID for `seed` (any string): base32(sha256(seed) || 00 00 02), 56 chars. */
export function devProxyBundleId(seed) {
  const key = crypto.createHash('sha256').update(String(seed)).digest();
  return base32(Buffer.concat([key, Buffer.from([0x00, 0x00, 0x02])]));
}

/** `isolated-app://<id>/` — the manifest id PWA.install/PWA.launch take (trailing slash included). */
export function manifestIdFor(seed) {
  return `isolated-app://${devProxyBundleId(seed)}/`;
}

/** Where the proxy serves the generated icon (referenced from the manifest). */
export const ICON_PATH = '/__dsock/icon.png';
export const MANIFEST_PATH = '/.well-known/manifest.webmanifest';

/** Permissions-policy features the app asks for; each is required, see the header comment. */
export const PERMISSIONS_POLICY_FEATURES = [
  // (`direct-sockets-private` is "Unrecognized feature" in Chromium 156: not listed.)
  'cross-origin-isolated', 'direct-sockets', 'loopback-network', 'local-network',
];

/**
 * The web app manifest (an object; serve as application/manifest+json).
 * `name`: shown in chrome://web-app-internals. `startUrl`: path inside the app.
 */
export function buildManifest({ name = 'dsock btest', startUrl = '/', features = PERMISSIONS_POLICY_FEATURES } = {}) {
  return {
    name,
    short_name: 'dsock',
    id: '/',
    version: '0.0.1',
    start_url: startUrl,
    scope: '/',
    display: 'standalone',
    icons: [{ src: ICON_PATH, sizes: '256x256', type: 'image/png' }],
    permissions_policy: Object.fromEntries(features.map(f => [f, ['self']])),
  };
}

// CRC-32 (IEEE) for PNG chunks; zlib.crc32 only exists from node 22.2.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A solid-colour RGB PNG of `size`×`size` pixels (Buffer); the app icon. */
export function solidPng(size = 256, rgb = [0x33, 0x66, 0x99]) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit depth, colour type RGB; compression/filter/interlace 0
  const row = Buffer.alloc(1 + size * 3); // filter byte 0, then pixels
  for (let x = 0; x < size; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
