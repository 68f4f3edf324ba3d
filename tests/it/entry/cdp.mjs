// Drives headless Chromium over --remote-debugging-pipe (fd 3: commands to Chromium, fd 4:
// replies and events, NUL-separated JSON) for the entry-point tests. Node's standard library
// only. Two jobs:
//
//   node cdp.mjs har  CHROMIUM API_BASE PAGE_PORT OUT.har
//     Serves a page on http://127.0.0.1:PAGE_PORT whose script calls API_BASE/prod/items with
//     fetch() (POST, JSON body, X-Trace-Id, credentials: 'include'; the browser holds the cookie
//     sid=42 for the API host), records the Network domain's events and writes them as a HAR 1.2
//     file shaped like DevTools' "Save all as HAR" (wire headers from *ExtraInfo events,
//     _resourceType, _initiator, log.browser = the Chromium version).
//
//   node cdp.mjs html CHROMIUM REPORT.html OUT.png
//     Opens the report, clicks every matrix cell, and prints JSON: for each cell its link, the
//     element that became :target and whether it is displayed; the summary text; every network
//     request the page made (there must be none: the report is self-contained). Saves a
//     screenshot with the first blocked cell opened.

import { spawn } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [mode, chromium, ...rest] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'corsprobe-cdp-'));
  const child = spawn(chromium, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-proxy-server', '--disable-extensions', '--remote-debugging-pipe',
    '--window-size=1400,1000', `--user-data-dir=${profile}`, 'about:blank',
  ], {
    // Its own process group, so that closing ends the renderers and the zygote too.
    detached: true,
    stdio: ['ignore', 'ignore',
      process.env.CORSPROBE_CDP_LOG ? fs.openSync(process.env.CORSPROBE_CDP_LOG, 'a') : 'ignore',
      'pipe', 'pipe'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  const toBrowser = child.stdio[3];
  const fromBrowser = child.stdio[4];
  let buf = Buffer.alloc(0);
  let nextId = 0;
  const pending = new Map();
  const events = [];
  fromBrowser.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    let i;
    while ((i = buf.indexOf(0)) >= 0) {
      const msg = JSON.parse(buf.subarray(0, i).toString('utf8'));
      buf = buf.subarray(i + 1);
      if (msg.id !== undefined && pending.has(msg.id)) {
        const { resolve, reject } = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) reject(new Error(`${JSON.stringify(msg.error)}`));
        else resolve(msg.result);
      } else if (msg.method) {
        events.push(msg);
      }
    }
  });
  const send = (method, params = {}, sessionId = undefined) => new Promise((resolve, reject) => {
    const m = { id: ++nextId, method, params };
    if (sessionId) m.sessionId = sessionId;
    pending.set(m.id, { resolve, reject });
    toBrowser.write(JSON.stringify(m) + '\0');
  });
  const close = async () => {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    await Promise.race([exited, sleep(5000)]);
    await sleep(200);
    try { fs.rmSync(profile, { recursive: true, force: true }); } catch { /* best effort */ }
  };
  return { send, events, close };
}

async function openPage(b) {
  const { targetId } = await b.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await b.send('Target.attachToTarget', { targetId, flatten: true });
  return (method, params = {}) => b.send(method, params, sessionId);
}

async function evaluate(s, expression) {
  const r = await s('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
  if (r.exceptionDetails) throw new Error(JSON.stringify(r.exceptionDetails));
  return r.result.value;
}

function headerPairs(obj) {
  const out = [];
  for (const [name, value] of Object.entries(obj || {})) {
    for (const v of String(value).split('\n')) out.push({ name, value: v });
  }
  return out;
}

function cookiesOf(headers) {
  const h = headers.find((x) => x.name.toLowerCase() === 'cookie');
  if (!h) return [];
  return h.value.split(';').map((kv) => kv.trim()).filter(Boolean).map((kv) => {
    const i = kv.indexOf('=');
    return { name: kv.slice(0, i), value: kv.slice(i + 1) };
  });
}

async function har(apiBase, pagePort, outFile) {
  const pageOrigin = `http://127.0.0.1:${pagePort}`;
  const html = `<!DOCTYPE html><title>shop</title><script>
window.done = fetch(${JSON.stringify(apiBase + '/prod/items')}, {
  method: 'POST',
  credentials: 'include',
  headers: { 'Content-Type': 'application/json', 'X-Trace-Id': 'abc123' },
  body: JSON.stringify({ name: 'latte', size: 'tall' }),
}).then((r) => 'status ' + r.status, (e) => String(e));
</script>`;
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise((r) => server.listen(pagePort, '127.0.0.1', r));
  const b = launch();
  try {
    const version = await b.send('Browser.getVersion');
    const s = await openPage(b);
    await s('Network.enable');
    await s('Page.enable');
    await s('Network.setCookie', { name: 'sid', value: '42', url: apiBase });
    await s('Page.navigate', { url: pageOrigin + '/' });
    let outcome = null;
    for (let i = 0; i < 100 && outcome === null; i++) {
      await sleep(100);
      try { outcome = await evaluate(s, 'window.done'); } catch { outcome = null; }
    }
    await sleep(300); // let the last ExtraInfo and loadingFinished events arrive
    const reqs = new Map();
    const get = (id) => { if (!reqs.has(id)) reqs.set(id, { id }); return reqs.get(id); };
    for (const e of b.events) {
      const p = e.params || {};
      switch (e.method) {
        case 'Network.requestWillBeSent': Object.assign(get(p.requestId), { will: p }); break;
        case 'Network.requestWillBeSentExtraInfo': Object.assign(get(p.requestId), { extra: p }); break;
        case 'Network.responseReceived': Object.assign(get(p.requestId), { resp: p }); break;
        case 'Network.responseReceivedExtraInfo': Object.assign(get(p.requestId), { respExtra: p }); break;
        default: break;
      }
    }
    const entries = [];
    for (const r of reqs.values()) {
      if (!r.will) continue;
      const q = r.will.request;
      const headers = headerPairs(r.extra ? r.extra.headers : q.headers);
      const url = new URL(q.url);
      const entry = {
        _initiator: r.will.initiator,
        // DevTools lists a preflight as its own entry, typed by its initiator.
        _resourceType: r.will.initiator && r.will.initiator.type === 'preflight'
          ? 'preflight' : String(r.will.type || 'other').toLowerCase(),
        startedDateTime: new Date((r.will.wallTime || 0) * 1000).toISOString(),
        time: 0,
        request: {
          method: q.method,
          url: q.url,
          httpVersion: 'HTTP/1.1',
          headers,
          queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
          cookies: cookiesOf(headers),
          headersSize: -1,
          bodySize: q.postData ? Buffer.byteLength(q.postData) : 0,
        },
        response: {
          status: r.resp ? r.resp.response.status : 0,
          statusText: r.resp ? r.resp.response.statusText : '',
          httpVersion: 'HTTP/1.1',
          headers: headerPairs(r.respExtra ? r.respExtra.headers : (r.resp ? r.resp.response.headers : {})),
          cookies: [],
          content: { size: 0, mimeType: r.resp ? r.resp.response.mimeType : 'x-unknown' },
          redirectURL: '',
          headersSize: -1,
          bodySize: -1,
        },
        cache: {},
        timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait: 0, receive: 0 },
      };
      if (q.postData) {
        const ct = headers.find((h) => h.name.toLowerCase() === 'content-type');
        entry.request.postData = { mimeType: ct ? ct.value : '', text: q.postData };
      }
      entries.push(entry);
    }
    const doc = {
      log: {
        version: '1.2',
        creator: { name: 'WebInspector', version: '537.36' },
        browser: { name: 'Chromium', version: version.product },
        comment: `captured by tests/it/entry/cdp.mjs; page script outcome: ${outcome}`,
        pages: [],
        entries,
      },
    };
    fs.writeFileSync(outFile, JSON.stringify(doc, null, 2));
    console.log(JSON.stringify({ outcome, entries: entries.length, browser: version.product }));
  } finally {
    await b.close();
    server.close();
  }
}

async function htmlCheck(report, png) {
  const b = launch();
  try {
    const s = await openPage(b);
    await s('Network.enable');
    await s('Page.enable');
    const url = 'file://' + path.resolve(report);
    await s('Page.navigate', { url });
    let ready = false;
    for (let i = 0; i < 100 && !ready; i++) {
      await sleep(50);
      try { ready = await evaluate(s, "document.readyState === 'complete'"); } catch { ready = false; }
    }
    const result = await evaluate(s, `(async () => {
      const cells = [...document.querySelectorAll('table.matrix a.cell')];
      const out = [];
      for (const a of cells) {
        a.click();
        await new Promise((r) => requestAnimationFrame(() => r()));
        const id = (a.getAttribute('href') || '').slice(1);
        const target = document.querySelector(':target');
        const panel = document.getElementById(id);
        out.push({
          href: a.getAttribute('href'),
          outcome: a.dataset.outcome,
          td: a.parentElement.className,
          target: target ? target.id : null,
          displayed: panel ? getComputedStyle(panel).display !== 'none' && panel.offsetHeight > 0 : false,
          hops: panel ? panel.querySelectorAll('.hop').length : 0,
          text: panel ? panel.innerText : '',
        });
      }
      const panels = document.querySelectorAll('section.exchange').length;
      const hidden = [...document.querySelectorAll('section.exchange')]
        .filter((p) => getComputedStyle(p).display !== 'none').length;
      return { title: document.title, summary: document.getElementById('summary').innerText,
               tables: document.querySelectorAll('table.matrix').length, panels, cells: out,
               shownAtOnce: hidden };
    })()`);
    const firstBlocked = result.cells.find((c) => c.outcome === 'blocked') || result.cells[0];
    if (firstBlocked) {
      await evaluate(s, `document.querySelector('a.cell[href="${firstBlocked.href}"]').click(); true`);
      await sleep(100);
    }
    const shot = await s('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true });
    fs.writeFileSync(png, Buffer.from(shot.data, 'base64'));
    const requests = b.events
      .filter((e) => e.method === 'Network.requestWillBeSent')
      .map((e) => e.params.request.url)
      .filter((u) => u !== url);
    console.log(JSON.stringify({ ...result, requests }));
  } finally {
    await b.close();
  }
}

const timer = setTimeout(() => { console.error('cdp.mjs: timed out'); process.exit(3); }, 60000);
try {
  if (mode === 'har') await har(rest[0], Number(rest[1]), rest[2]);
  else if (mode === 'html') await htmlCheck(rest[0], rest[1]);
  else throw new Error(`unknown mode ${mode}`);
} catch (e) {
  console.error(String(e && e.stack || e));
  process.exitCode = 1;
}
clearTimeout(timer);
// Leftover pipe handles must not keep the process alive.
process.exit(process.exitCode ?? 0);
