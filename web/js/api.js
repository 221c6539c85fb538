// api.js: the JSON API. Every write carries the session's CSRF token; a 401
// hands control to onExpired (the app keeps drafts and asks to sign in), a
// 423 to onLocked (the server's key is locked: the app asks for a
// passphrase). Such errors are `handled`: callers show nothing more.

let csrf = sessionStorage.getItem('refuge.csrf') || '';
let expiredHandler = () => {};
let lockedHandler = () => {};

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || 'HTTP ' + status);
    this.status = status;
    this.handled = false;
    this.code = e.code;
    this.path = e.path;
    this.problems = (body && body.problems) || (e.path ? [{ path: e.path, message: e.message }] : []);
  }
}

export function setCsrf(token) {
  csrf = token || '';
  if (csrf) sessionStorage.setItem('refuge.csrf', csrf);
  else sessionStorage.removeItem('refuge.csrf');
}

export function onExpired(fn) {
  expiredHandler = fn;
}

export function onLocked(fn) {
  lockedHandler = fn;
}

// api('GET', '/api/cases') -> {data, etag, status, text}
export async function api(method, path, body, headers = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (method !== 'GET' && method !== 'HEAD') h['X-CSRF-Token'] = csrf;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method, headers: h, credentials: 'same-origin',
    body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
  });
  const type = res.headers.get('Content-Type') || '';
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (type.startsWith('application/json') && text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (res.status === 401 && path !== '/api/session' && path !== '/api/unlock') {
    expiredHandler();
    const e = new ApiError(401, data);
    e.handled = true;
    throw e;
  }
  if (res.status === 423) {
    lockedHandler();
    const e = new ApiError(423, data);
    e.handled = true;
    throw e;
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return { data, text, status: res.status, etag: res.headers.get('ETag') };
}

export const get = (path) => api('GET', path).then((r) => r.data);
export const enc = encodeURIComponent;
