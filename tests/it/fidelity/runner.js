// corsprobe fidelity runner: performs one request per spec with fetch() or XMLHttpRequest
// and reports what script can observe. Loaded by the scenario server's page.
function __corsprobeFetch(s) {
  const init = { method: s.method, headers: s.headers, credentials: s.credentials, mode: s.mode };
  if (s.body !== null && s.body !== undefined) init.body = s.body;
  if (s.redirect) init.redirect = s.redirect;
  return fetch(s.url, init).then(
    r => ({ ok: true, type: r.type, status: r.status, redirected: r.redirected,
            headers: [...r.headers.keys()].sort() }),
    e => ({ ok: false, error: String(e) }));
}
function __corsprobeXhr(s) {
  return new Promise(resolve => {
    const x = new XMLHttpRequest();
    try {
      x.open(s.method, s.url);
      x.withCredentials = s.credentials === 'include';
      for (const [n, v] of s.headers) {
        try { x.setRequestHeader(n, v); } catch (e) {}
      }
    } catch (e) { resolve({ ok: false, error: String(e) }); return; }
    x.onload = () => resolve({ ok: true, type: 'xhr', status: x.status,
      headers: x.getAllResponseHeaders().split('\r\n').filter(l => l).map(l => l.split(':')[0].toLowerCase()).sort() });
    x.onerror = () => resolve({ ok: false, error: 'xhr error' });
    // An upload listener sets XHR's use-CORS-preflight flag (a forced preflight).
    if (s.upload) x.upload.onprogress = () => {};
    try { x.send(s.body === undefined ? null : s.body); } catch (e) { resolve({ ok: false, error: String(e) }); }
  });
}
window.__corsprobeRun = async function (specs) {
  return Promise.all(specs.map(async s => {
    const out = [];
    for (let i = 0; i < (s.repeat || 1); i++) {
      out.push(await (s.kind === 'xhr' ? __corsprobeXhr(s) : __corsprobeFetch(s)));
    }
    if (s.then) {
      const t = Object.assign({}, s, { credentials: s.then.credentials || s.credentials,
                                       url: s.url + (s.then.query ? '?' + s.then.query : '') });
      out.push(await (s.kind === 'xhr' ? __corsprobeXhr(t) : __corsprobeFetch(t)));
    }
    return out;
  }));
};
