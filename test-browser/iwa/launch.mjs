// Launch headless Chromium with a page running inside an Isolated Web App (dev-proxy mode), where
// TCPSocket / UDPSocket / TCPServerSocket exist and loopback traffic is permitted.
//
//   import { startIwa } from './iwa/launch.mjs';
//   const iwa = await startIwa({ proxyTarget: 'http://localhost:8888', url: '/run_harness' });
//   ... iwa.appUrl, iwa.page (with attach: true) ...
//   await iwa.close();
//
// The dance (each step measured on Chromium 156; see docs/testing.md):
// 1. a loopback dev proxy serves the manifest and the app (proxy.mjs);
// 2. Chromium starts with --remote-debugging-pipe: the CDP `PWA` domain exists only for pipe clients;
// 3. PWA.install {manifestId: isolated-app://<dev-proxy id>/, installUrlOrBundleUrl: proxy URL};
// 4. Browser.setPermission loopback-network + local-network (headless never prompts);
// 5. PWA.launch {manifestId, url} opens an app window at `url`.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import puppeteer from 'puppeteer-core';

import { buildManifest, manifestIdFor } from './manifest.mjs';
import { startDevProxy } from './proxy.mjs';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Flags always passed (doc: chromium-direct-sockets.md, "Launch Chromium"). */
export const BASE_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage', '--password-store=basic'];

/** Features always enabled; merged with any --enable-features the caller passes, because a
 *  second --enable-features switch replaces the first instead of adding to it. */
export const REQUIRED_FEATURES = ['IsolatedWebApps', 'IsolatedWebAppDevMode'];

/** Permissions granted to the app origin with Browser.setPermission. */
export const GRANTS = ['loopback-network', 'local-network'];

// Flags a caller (e.g. upstream's ChromeConfig) may pass that would break the pipe/IWA setup.
const DROPPED_FLAG = /^--?(remote-debugging-(port|pipe|address)|headless|user-data-dir|start-maximized|app|kiosk)(=|$)/;

/**
 * Merge caller flags with ours. `flags`: string[] of Chromium switches (URLs excluded).
 * Returns {flags: string[], features: string[], userDataDir?: string, headless?: string}.
 */
export function mergeFlags(flags = []) {
  const features = [...REQUIRED_FEATURES];
  const out = [];
  let userDataDir;
  let headless;
  for (const f of flags) {
    const m = /^--enable-features=(.*)$/.exec(f);
    if (m) { for (const x of m[1].split(',').filter(Boolean)) if (!features.includes(x)) features.push(x); continue; }
    const u = /^--user-data-dir=(.*)$/.exec(f);
    if (u) { userDataDir = u[1]; continue; }
    if (/^--headless(=|$)/.test(f)) { headless = f; continue; }
    if (DROPPED_FLAG.test(f)) continue;
    if (!out.includes(f) && !BASE_FLAGS.includes(f)) out.push(f);
  }
  return { flags: [...BASE_FLAGS, ...out, `--enable-features=${features.join(',')}`], features, userDataDir, headless };
}

const PROFILE_PREFIX = 'dsock-iwa-';

/** Remove temp profiles `dsock-iwa-<pid>-*` whose process is gone (left by a SIGKILL). */
export function sweepStaleProfiles(dir = os.tmpdir()) {
  let names = [];
  try { names = fs.readdirSync(dir); } catch { return 0; }
  let removed = 0;
  for (const n of names) {
    const m = new RegExp(`^${PROFILE_PREFIX}(\\d+)-`).exec(n);
    if (!m) continue;
    try { process.kill(Number(m[1]), 0); continue; } catch (e) { if (e.code === 'EPERM') continue; }
    fs.rmSync(path.join(dir, n), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** Throw an Error naming the fix when `exe` is not an executable Chromium. */
export function checkChromium(exe) {
  try { fs.accessSync(exe, fs.constants.X_OK); } catch {
    throw new Error(`Chromium not found at ${exe}: install it with \`apt-get install -y chromium\` ` +
      '(or `dsock toolchain`), or pass --chromium=PATH / set DSOCK_CHROMIUM');
  }
  return exe;
}

/** `chromium --version` output, e.g. "Chromium 156.0.8078.79 built on Debian ...", or null. */
export function chromiumVersion(exe = DEFAULT_CHROMIUM) {
  const r = spawnSync(exe, ['--version'], { encoding: 'utf8', timeout: 20000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * Start the proxy, Chromium and the app.
 * Options:
 *  - proxyTarget: http URL everything is forwarded to (btest server), XOR appDir: static directory;
 *  - url: where the app window opens: a path ('/run_harness') or an absolute URL whose origin is
 *    the target's (it is rebased onto the app origin); default '/';
 *  - chromium: executable (default $DSOCK_CHROMIUM or /usr/bin/chromium);
 *  - flags: extra Chromium switches (merged, see mergeFlags); headless: '--headless=new' | null;
 *  - userDataDir: profile dir (default: a fresh temp dir, removed by close());
 *  - attach: also return a puppeteer Page for the app window (`page`);
 *  - onConsole(msg: string): app console / page errors (requires attach);
 *  - log(msg): harness diagnostics; dumpio: forward Chromium's stderr;
 *  - timeoutMs: bound for install + launch (default 60000);
 *  - routes, injectScripts: passed to startDevProxy (in-memory pages, scripts injected into HTML).
 * Returns {browser, pid, proxy, manifestId, origin, appUrl, targetId, page, timings, close()}.
 * close() is idempotent and never throws; it kills Chromium by pid if a clean close takes > 1.5 s.
 */
export async function startIwa(opts = {}) {
  const {
    proxyTarget, appDir, url = '/', chromium = process.env.DSOCK_CHROMIUM || DEFAULT_CHROMIUM,
    flags = [], headless = '--headless=new', attach = false, onConsole, log = () => {},
    dumpio = false, timeoutMs = 60000, name, routes, injectScripts,
  } = opts;
  const t0 = performance.now();
  const timings = {};
  checkChromium(chromium);
  const merged = mergeFlags(flags);
  let userDataDir = opts.userDataDir || merged.userDataDir;
  const ownProfile = !userDataDir;
  let dropProfile = () => {};
  if (ownProfile) {
    sweepStaleProfiles();
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${PROFILE_PREFIX}${process.pid}-`));
    // Also on process.exit() during startup (a signal while Chromium launches): Chromium itself
    // exits when its CDP pipe closes, the profile would stay behind.
    dropProfile = () => fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
    process.once('exit', dropProfile);
  } else fs.mkdirSync(userDataDir, { recursive: true });

  let appPath = url;
  if (/^https?:/.test(url)) { const u = new URL(url); appPath = u.pathname + u.search + u.hash; }

  const proxy = await startDevProxy({
    target: proxyTarget, appDir, log, routes, injectScripts,
    manifest: buildManifest({ name: name || (proxyTarget ? `dsock btest ${proxyTarget}` : 'dsock app'), startUrl: appPath }),
  });
  timings.proxyMs = performance.now() - t0;
  let browser = null;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    const proc = browser && browser.process();
    if (browser) {
      await Promise.race([browser.close().catch(() => {}), new Promise(r => setTimeout(r, 1500))]);
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        try { process.kill(proc.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
    await proxy.close().catch(() => {});
    dropProfile();
    process.removeListener('exit', dropProfile);
  };

  try {
    const args = [...(headless ? [merged.headless || headless] : []), ...merged.flags, `--user-data-dir=${userDataDir}`];
    log(`launching ${chromium} ${args.join(' ')}`);
    browser = await puppeteer.launch({
      executablePath: chromium, headless: false, ignoreDefaultArgs: true, args, pipe: true,
      dumpio, protocolTimeout: timeoutMs, timeout: timeoutMs, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
    timings.launchMs = performance.now() - t0;
    const manifestId = manifestIdFor(`dsock:${proxy.port}:${process.pid}:${Date.now()}`);
    const origin = manifestId.slice(0, -1);
    const bcdp = await browser.target().createCDPSession();
    const first = (await browser.pages())[0] || await browser.newPage();
    const cdp = await first.createCDPSession();
    try {
      await cdp.send('PWA.install', { manifestId, installUrlOrBundleUrl: proxy.url });
    } catch (e) {
      throw new Error(`PWA.install of the dev-proxy app failed: ${e.message} ` +
        '(needs Chromium with IsolatedWebApps,IsolatedWebAppDevMode and a CDP pipe)');
    }
    timings.installMs = performance.now() - t0;
    for (const permission of GRANTS) {
      await bcdp.send('Browser.setPermission', { permission: { name: permission }, setting: 'granted', origin });
    }
    const appUrl = origin + (appPath.startsWith('/') ? appPath : '/' + appPath);
    const { targetId } = await cdp.send('PWA.launch', { manifestId, url: appUrl });
    timings.launchAppMs = performance.now() - t0;
    // The blank start page is not needed any more; the app window is its own target.
    await first.close().catch(() => {});
    let page = null;
    if (attach) {
      const target = await browser.waitForTarget(t => t._targetId === targetId || (t.url() || '').startsWith(origin),
        { timeout: timeoutMs });
      page = await target.asPage();
      if (onConsole) {
        page.on('console', m => onConsole(`[console.${m.type()}] ${m.text()}`));
        page.on('pageerror', e => onConsole(`[pageerror] ${e.message}`));
        page.on('requestfailed', r => onConsole(`[requestfailed] ${r.url()} ${r.failure()?.errorText || ''}`));
      }
    }
    return { browser, pid: browser.process()?.pid, proxy, manifestId, origin, appUrl, targetId, page, timings, userDataDir, close };
  } catch (e) {
    await close();
    throw e;
  }
}
