// app.js: the web interface of refuge. Hash routes (#/case/ID, ...), pages
// built from the JSON API only, every piece of data inserted as text.
import { api, get, enc, setCsrf, onExpired, onLocked, ApiError } from './api.js';
import { h, bdi, link, clear, table, badge } from './dom.js';
import { t, term, setLang, fmtDate, fmtTime } from './i18n.js';
import { objectForm, TYPE_FIELDS } from './forms.js';

const main = document.getElementById('main');
const bar = document.getElementById('bar');
let me = null;
let encrypted = false; // the store has a key that can be locked (GET /api/lock)
let locked = false; // the unlock page is showing
let firstPage = true; // the first page after loading keeps focus at the top (skip link first)

// The interface language: the account's choice (stored on the server, from
// /api/me) once signed in; before that, or while the account has chosen none,
// this browser's last choice or the browser's own language.
const browserLang = () => localStorage.getItem('refuge.lang') ||
  ((navigator.language || '').toLowerCase().startsWith('ru') ? 'ru' : 'en');
const canWrite = () => me && me.role !== 'viewer';
const canManage = () => me && (me.role === 'admin' || me.role === 'coordinator');

// ---- frame ----

function renderBar() {
  clear(bar);
  const langSel = h('select', { id: 'lang-switch', onchange: (e) => switchLang(e.target.value) },
    h('option', { value: 'en', lang: 'en', selected: document.documentElement.lang === 'en' }, 'English'),
    h('option', { value: 'ru', lang: 'ru', selected: document.documentElement.lang === 'ru' }, 'Русский'));
  const langBox = h('div', { class: 'lang' }, h('label', { for: 'lang-switch' }, t('language')), langSel);
  if (!me) {
    bar.append(h('div', { class: 'brand' }, t('app')), langBox);
    return;
  }
  const q = h('input', { type: 'search', id: 'q', name: 'q', autocomplete: 'off', dir: 'auto' });
  const nav = [['#/', 'dashboard'], ['#/cases', 'cases'], ['#/persons', 'persons'], ['#/sources', 'sources'],
    ['#/risks', 'risks'], ['#/organizations', 'organizations']];
  if (me.can_import) nav.push(['#/import', 'import']);
  if (me.can_admin || me.role === 'coordinator') nav.push(['#/admin', 'admin']);
  bar.append(
    h('a', { class: 'brand', href: '#/' }, t('app')),
    h('nav', { 'aria-label': t('nav') }, h('ul', null, nav.map(([href, key]) => h('li', null, link(href, t(key)))))),
    h('form', { role: 'search', class: 'search', onsubmit: (e) => { e.preventDefault(); if (q.value.trim()) location.hash = '#/search?q=' + enc(q.value.trim()); } },
      h('label', { for: 'q', class: 'sr' }, t('search_label')), q, h('button', { type: 'submit' }, t('search'))),
    langBox,
    h('div', { class: 'who' }, h('span', null, t('signed_in_as', me.user, term('role_', me.role))), ' ',
      encrypted ? h('button', { type: 'button', class: 'secondary', id: 'lock-now', title: t('lock_hint'), onclick: lockNow }, t('lock_now')) : null,
      encrypted ? ' ' : null,
      h('button', { type: 'button', class: 'secondary', id: 'sign-out', onclick: signOut }, t('sign_out'))));
}

async function switchLang(v) {
  setLang(v);
  localStorage.setItem('refuge.lang', v);
  if (me) {
    try {
      me.lang = (await api('PUT', '/api/me', { lang: v })).data.lang;
    } catch (err) {
      if (!me) return; // the session ended: the sign-in page is shown
      say(t('lang_not_saved', err.message));
    }
  }
  renderBar();
  route();
}

// After signing in or reloading: the account's language, else the browser's.
// A choice made before languages were kept per account (in this browser's
// storage under refuge.lang.USER) moves to the account once.
async function applyUserLang() {
  const old = localStorage.getItem('refuge.lang.' + me.user);
  if (old) localStorage.removeItem('refuge.lang.' + me.user);
  if (!me.lang && (old === 'en' || old === 'ru')) {
    try { me.lang = (await api('PUT', '/api/me', { lang: old })).data.lang; } catch { /* kept for this page only */ }
    if (!me) return;
    if (!me.lang) me.lang = old;
  }
  setLang(me.lang || browserLang());
}

function page(title, ...content) {
  clear(main);
  document.title = title + ' · refuge';
  const h1 = h('h1', { tabindex: '-1' }, title);
  main.append(h1, ...content.filter(Boolean));
  if (!firstPage) h1.focus();
  firstPage = false;
  return h1;
}

function section(title, ...content) {
  return h('section', { 'aria-label': title }, h('h2', null, title), ...content);
}

function say(text) {
  const live = document.getElementById('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 50);
}

// ---- signing in and out ----

onExpired(() => {
  const expired = me !== null;
  me = null;
  setCsrf('');
  renderBar();
  showSignin(expired);
});

function showSignin(expired) {
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const msg = h('p', { class: 'error-summary', role: 'alert', hidden: true });
  const form = h('form', { class: 'signin', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const r = await api('POST', '/api/session', { username: user.value, password: pass.value });
      setCsrf(r.data.csrf);
      me = (await api('GET', '/api/me')).data;
      await applyUserLang();
      renderBar();
      route();
    } catch (err) {
      msg.hidden = false;
      msg.textContent = t('sign_in_failed', err.message);
      pass.value = '';
      pass.focus();
    }
  } },
  expired ? h('p', { class: 'notice', role: 'status' }, t('session_ended')) : null, msg,
  h('div', { class: 'field' }, h('label', { for: 'username' }, t('username')), user),
  h('div', { class: 'field' }, h('label', { for: 'password' }, t('password')), pass),
  h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('sign_in'))));
  page(t('sign_in'), form);
}

// ---- the lock of the server's key ----

onLocked(() => { if (!locked) showUnlock(); });

// The server's key is locked: nothing can be read until a passphrase of the
// database unlocks it. The page the user was on stays in the address bar.
function showUnlock() {
  locked = true;
  clear(bar).append(h('div', { class: 'brand' }, t('app')));
  const pass = h('input', { id: 'passphrase', name: 'passphrase', type: 'password', autocomplete: 'off', required: true });
  const msg = h('p', { class: 'error-summary', role: 'alert', hidden: true });
  const form = h('form', { class: 'signin', onsubmit: async (e) => {
    e.preventDefault();
    const value = pass.value;
    pass.value = '';
    try {
      await api('POST', '/api/unlock', { passphrase: value });
    } catch (err) {
      if (err.status === 409) { /* unlocked meanwhile */ } else {
        msg.hidden = false;
        msg.textContent = t('unlock_failed', err.message);
        pass.focus();
        return;
      }
    }
    locked = false;
    try {
      me = (await api('GET', '/api/me')).data;
      if (me.csrf) setCsrf(me.csrf);
    } catch (err) {
      if (err.handled) return; // the session ended meanwhile: the sign-in page is shown
      me = null;
    }
    renderBar();
    route();
  } },
  h('p', null, t('locked_explain')), msg,
  h('div', { class: 'field' }, h('label', { for: 'passphrase' }, t('passphrase')), pass),
  h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('unlock'))));
  page(t('locked_title'), form);
  pass.focus();
}

async function lockNow() {
  try {
    await api('POST', '/api/lock');
  } catch (err) {
    if (!err.handled) say(t('error', err.message));
    return;
  }
  showUnlock();
}

async function signOut() {
  try { await api('DELETE', '/api/session'); } catch { /* signed out either way */ }
  me = null;
  setCsrf('');
  location.hash = '#/';
  renderBar();
  showSignin(false);
}

// ---- helpers for data ----

function primaryName(p) {
  if (!p) return '';
  const n = (p.names || []).find((x) => x.kind === 'primary') || (p.names || [])[0];
  return n ? n.full : p.id;
}

function personLink(id, people) {
  const p = people.get(id);
  return link('#/person/' + enc(id), bdi(p ? primaryName(p) : id, p && p.names && p.names[0] && p.names[0].lang));
}

function dateText(obj, key = 'date') {
  let s = fmtDate(obj[key], key === 'date' && obj.approx);
  if (key === 'date' && obj.end_date) s = t('from_to', s, fmtDate(obj.end_date));
  return s;
}

function yesNo(v) {
  return v === true ? t('yes') : v === false ? t('no') : t('unknown');
}

function sevBadge(sev) {
  return badge('sev-' + sev, term('sev_', sev));
}

function statusBadge(st) {
  return badge('st-' + st, term('st_', st));
}

function safeUrl(u) {
  return /^https?:\/\//i.test(u || '') ? u : null;
}

function dl(pairs) {
  return h('dl', null, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && !v.length))
    .map(([k, v]) => [h('dt', null, t(k)), h('dd', null, Array.isArray(v) ? v.join(', ') : v)]));
}

// ---- pages ----

async function dashboard() {
  const d = await get('/api/dashboard');
  page(t('dashboard'),
    section(t('open_cases'), d.open_cases.length ? h('ul', { class: 'cards' }, d.open_cases.map((c) => h('li', null,
      link('#/case/' + enc(c.id), bdi(c.title || c.id)), ' ',
      c.top ? [sevBadge(c.top.severity), ' ', h('code', null, c.top.rule), ' ', statusBadge(c.top.status)] : h('span', { class: 'muted' }, t('no_findings')),
      ' ', h('span', { class: 'muted' }, t('findings_n', c.findings))))) : h('p', null, t('none')),
    d.open_total > d.open_cases.length ? h('p', null, t('showing_of', d.open_cases.length, d.open_total)) : null),
    section(t('deadlines'), d.deadlines.length ? h('ul', null, d.deadlines.map((x) => h('li', null,
      h('strong', null, t('until', fmtDate(x.until))), ' — ', term('ev_', x.type), ' ', h('code', null, x.event), ' — ',
      link('#/case/' + enc(x.case), x.case)))) : h('p', null, t('none'))),
    section(t('recent'), d.recent.length ? h('ul', null, d.recent.map((c) => h('li', null,
      link('#/case/' + enc(c.id), bdi(c.title || c.id)), ' ', h('span', { class: 'muted' }, t('changed_at', fmtTime(c.changed)))))) : h('p', null, t('none'))));
}

async function listPage(kind, q) {
  const cursor = q.get('cursor');
  const d = await get('/api/' + kind + '?limit=100' + (cursor ? '&cursor=' + enc(cursor) : ''));
  const cols = {
    cases: [['title', (o) => link('#/case/' + enc(o.id), bdi(o.title || o.id))], ['state', (o) => o.state], ['status', (o) => term('cs_', o.status)], ['opened', (o) => fmtDate(o.opened)]],
    persons: [['name', (o) => link('#/person/' + enc(o.id), bdi(primaryName(o)))], ['id', (o) => h('code', null, o.id)], ['nationality', (o) => (o.nationality || []).join(', ')], ['profiles', (o) => (o.profiles || []).join(', ')]],
    sources: [['title', (o) => link('#/edit/sources/' + enc(o.id), bdi(o.title || o.id))], ['publisher', (o) => bdi(o.publisher)], ['date', (o) => fmtDate(o.date)], ['kind', (o) => (o.kind ? term('v_', o.kind) : '')],
      ['reliability', (o) => [o.reliability, o.credibility].filter(Boolean).join(' / ')], ['url', (o) => (safeUrl(o.url) ? h('a', { href: o.url, rel: 'noreferrer noopener', target: '_blank' }, o.url) : o.url || '')]],
    risks: [['id', (o) => link('#/edit/risks/' + enc(o.id), o.id)], ['country', (o) => o.country + (o.region ? ' / ' + o.region : '')], ['profiles', (o) => (o.profiles || []).join(', ')],
      ['harms', (o) => (o.harms || []).map((x) => term('v_', x)).join(', ')], ['period', (o) => t('from_to', fmtDate(o.from), o.to ? fmtDate(o.to) : '…')]],
    organizations: [['name', (o) => link('#/edit/organizations/' + enc(o.id), bdi(o.name || o.id))], ['country', (o) => o.country], ['kind', (o) => (o.kind ? term('v_', o.kind) : '')], ['parent', (o) => o.parent]],
  }[kind];
  const newKey = { cases: 'new_case', persons: 'new_person', sources: 'new_source', risks: 'new_risk', organizations: 'new_organization' }[kind];
  const mayCreate = kind === 'cases' ? canManage() : canWrite();
  page(t(kind),
    mayCreate ? h('p', null, link('#/new/' + kind, t(newKey))) : null,
    d.items.length ? table(t(kind), cols.map((c) => t(c[0])), d.items.map((o) => cols.map((c) => c[1](o) ?? ''))) : h('p', null, t('none')),
    d.next ? h('p', null, link('#/' + kind + '?cursor=' + enc(d.next), t('more'))) : null);
}

// Which form records a missing fact: [event type, field].
const RECORD = {
  presented_without_delay: ['border_crossing', 'presented_to_authorities'],
  came_directly: ['border_crossing', 'from_country'],
  entry_charge: ['charge', 'entry_related'],
  asylum_seeker: ['asylum_application', 'state'],
  lawyer_access_denied: ['legal_assistance', 'provided'],
  risk_in_destination: ['ill_treatment', 'kind'],
  in_detention: ['detention', 'date'],
  planned_removal: ['removal_announced', 'to_country'],
};

function recordHref(caseId, f, events) {
  const [type, field] = RECORD[f] || ['other', 'description'];
  return (finding) => {
    const mine = events.filter((e) => e.type === type && (e.persons || []).includes(finding.person));
    const relied = mine.filter((e) => (finding.facts || []).includes(e.id));
    const ev = (relied.length ? relied : mine).at(-1);
    return ev ? `#/edit/events/${enc(ev.id)}?case=${enc(caseId)}&focus=${field}`
      : `#/new/events?case=${enc(caseId)}&type=${type}&person=${enc(finding.person)}&focus=${field}`;
  };
}

function eventDetails(e, people) {
  const fields = (TYPE_FIELDS[e.type] || []).filter((f) => e[f.name] !== undefined);
  return fields.map((f) => [t(f.label), ': ', f.type === 'tri' ? yesNo(e[f.name]) : f.type === 'date' ? fmtDate(e[f.name])
    : f.type === 'select' ? term('v_', e[f.name]) : bdi(String(e[f.name])), '; ']);
}

async function casePage(id) {
  const base = '/api/cases/' + enc(id);
  const [tl, findings, history, assignees] = await Promise.all([get(base + '/timeline'), get(base + '/findings?explain=1'), get(base + '/history'),
    canManage() ? get(base + '/assignees') : null]);
  const c = tl.case;
  const people = new Map([...(tl.subjects || []), ...(tl.persons || [])].map((p) => [p.id, p]));
  const events = tl.timeline || [];
  const sources = new Map((tl.sources || []).map((s) => [s.id, s]));
  const showEvent = (evId) => {
    const el = document.getElementById('ev-' + evId);
    if (el) { el.scrollIntoView({ block: 'center' }); el.focus(); }
  };
  const tools = [
    canWrite() ? link('#/edit/cases/' + enc(id), t('edit')) : null,
    canWrite() ? link('#/new/events?case=' + enc(id), t('add_event')) : null,
    canWrite() ? link('#/new/actions?case=' + enc(id), t('add_action')) : null,
    link('#/statement/' + enc(id), t('statement')),
    h('a', { href: '/api/export?case=' + enc(id), download: id + '.json' }, t('export')),
  ].filter(Boolean);
  page(c.title || c.id,
    h('p', { class: 'meta' }, badge('cs-' + c.status, term('cs_', c.status || 'open')), ' ', t('state'), ': ', c.state || '—', ' · ', t('opened'), ': ', fmtDate(c.opened),
      (c.tags || []).length ? [' · ', t('tags'), ': ', c.tags.join(', ')] : null,
      assignees ? [' · ', link('#/admin', t('assigned_to')), ': ', assignees.items.length ? assignees.items.map((u) => u.name).join(', ') : t('none')] : null),
    h('ul', { class: 'toolbar' }, tools.map((x) => h('li', null, x))),
    c.summary ? section(t('summary'), h('p', { dir: 'auto' }, c.summary)) : null,
    section(t('subjects'), h('ul', { class: 'cards' }, (tl.subjects || []).map((p) => h('li', null,
      h('h3', null, personLink(p.id, people)),
      h('ul', { class: 'names', 'aria-label': t('names') }, (p.names || []).map((n) => h('li', null, bdi(n.full, n.lang), ' ',
        h('span', { class: 'muted' }, '(' + [n.script, n.lang, n.kind && term('v_', n.kind)].filter(Boolean).join(', ') + ')')))),
      (p.profiles || []).length ? h('p', null, t('profiles'), ': ', p.profiles.join(', ')) : null)))),
    section(t('findings'), findings.length ? h('div', { class: 'findings' }, findings.map((f) => h('article', { class: 'finding', 'data-rule': f.rule, 'data-status': f.status },
      h('h3', null, h('code', null, f.rule), ' ', term('rule_', f.rule), ' — ', personLink(f.person, people)),
      h('p', null, sevBadge(f.severity), ' ', statusBadge(f.status)),
      h('p', { lang: 'en', dir: 'auto' }, f.summary),
      (f.explanation || []).length
        ? h('details', null, h('summary', null, t('basis'), ': ', (f.basis || []).map((b, i) => [i ? ', ' : '', h('code', null, b)])),
          h('ul', { class: 'explanation' }, f.explanation.map((x) => h('li', { lang: 'en', dir: 'auto' }, x))))
        : h('p', null, t('basis'), ': ', (f.basis || []).map((b, i) => [i ? ', ' : '', h('code', null, b)])),
      (f.demands || []).length ? h('p', null, t('demands'), ': ', f.demands.map((d) => term('v_', d)).join(', ')) : null,
      (f.facts || []).length ? h('div', null, h('p', null, t('facts'), ':'), h('ul', { class: 'facts' }, f.facts.map((x) => h('li', null,
        events.some((e) => e.id === x) ? h('button', { type: 'button', class: 'linkish', onclick: () => showEvent(x), 'aria-label': t('go_to_event', x) }, x) : h('code', null, x))))) : null,
      (f.missing || []).length ? h('div', { class: 'missing' }, h('p', null, t('missing'), ':'), h('ul', null, f.missing.map((m) => h('li', null,
        term('fact_', m), ' ', h('code', null, m), ' ',
        canWrite() ? h('a', { class: 'button small', href: recordHref(id, m, events)(f), 'data-fact': m }, t('record'), h('span', { class: 'sr' }, ': ' + term('fact_', m))) : null)))) : null))) : h('p', null, t('none'))),
    section(t('timeline'), events.length ? h('ol', { class: 'timeline' }, events.map((e) => h('li', { id: 'ev-' + e.id, tabindex: '-1' },
      h('span', { class: 'when' + (e.approx ? ' approx' : '') }, dateText(e)), ' ',
      h('strong', null, term('ev_', e.type)), ' ', h('code', { class: 'muted' }, e.id), ' ',
      canWrite() ? link(`#/edit/events/${enc(e.id)}?case=${enc(id)}`, h('span', null, t('edit')), h('span', { class: 'sr' }, ' ' + e.id)) : null,
      h('div', null, (e.persons || []).map((p, i) => [i ? ', ' : '', personLink(p, people)])),
      e.description ? h('p', { dir: 'auto' }, e.description) : null,
      h('p', { class: 'details' }, eventDetails(e, people),
        e.place ? [t('place'), ': ', bdi([e.place.name, e.place.region, e.place.country].filter(Boolean).join(', ')), '; '] : null,
        (e.sources || []).length ? [t('sources'), ': ', e.sources.map((s) => bdi(sources.get(s)?.title || s)).flatMap((x, i) => (i ? ['; ', x] : [x]))] : null)))) : h('p', null, t('none'))),
    section(t('history'), history.length ? table(t('history'), [t('rule'), t('person'), t('status'), t('first_seen'), t('last_seen')],
      history.map((p) => [h('code', null, p.rule), personLink(p.person, people), statusBadge(p.status), fmtTime(p.first_seen),
        p.ended ? t('ended', fmtTime(p.ended)) : t('still_holds')])) : h('p', null, t('no_history'))),
    section(t('actions'), (tl.actions || []).length ? h('ul', null, tl.actions.map((a) => h('li', null,
      h('strong', null, a.kind ? term('v_', a.kind) : ''), ' ', fmtDate(a.date, a.approx), ' ',
      (a.demands || []).length ? [t('demands'), ': ', a.demands.map((d) => term('v_', d)).join(', '), '. '] : null,
      (a.targets || []).length ? [t('targets'), ': ', a.targets.join(', '), '. '] : null,
      a.outcome ? [t('outcome'), ': ', bdi(a.outcome), ' '] : null,
      canWrite() ? link(`#/edit/actions/${enc(a.id)}?case=${enc(id)}`, t('edit'), h('span', { class: 'sr' }, ' ' + a.id)) : null))) : h('p', null, t('none'))),
    section(t('sources'), sources.size ? h('ul', null, [...sources.values()].map((s) => h('li', null,
      bdi(s.title || s.id), ' — ', bdi(s.publisher || ''), ' ', fmtDate(s.date), ' ',
      [s.reliability, s.credibility].filter(Boolean).join(''), ' ',
      safeUrl(s.url) ? h('a', { href: s.url, rel: 'noreferrer noopener', target: '_blank' }, s.url) : null))) : h('p', null, t('none'))));
}

async function personPage(id) {
  const p = (await api('GET', '/api/persons/' + enc(id))).data;
  const ap = await get('/api/persons/' + enc(id) + '/appearances');
  const people = new Map([[p.id, p]]);
  const h1 = page(primaryName(p));
  clear(h1).append(bdi(primaryName(p)));
  main.append(...[
    canWrite() ? h('p', null, link('#/edit/persons/' + enc(id), t('edit'))) : null,
    section(t('names'), table(t('names'), [t('name_full'), t('script'), t('lang'), t('kind')],
      (p.names || []).map((n) => [bdi(n.full, n.lang), n.script || '', n.lang || '', n.kind ? term('v_', n.kind) : '']))),
    section(t('profile'), dl([['sex', p.sex], ['birth_date', p.birth_date && fmtDate(p.birth_date)], ['nationality', p.nationality],
      ['ethnicity', p.ethnicity], ['religion', p.religion], ['origin', p.origin && [p.origin.country, p.origin.region].filter(Boolean).join(' / ')],
      ['profiles', p.profiles], ['sensitive', p.sensitive === undefined ? undefined : yesNo(p.sensitive)]])),
    section(t('appears_in'), ap.cases.length ? h('ul', null, ap.cases.map((c) => h('li', null, link('#/case/' + enc(c.id), bdi(c.title || c.id))))) : h('p', null, t('none'))),
    section(t('events_of'), ap.events.length ? h('ol', { class: 'timeline' }, ap.events.map((e) => h('li', null,
      h('span', { class: 'when' }, dateText(e)), ' ', h('strong', null, term('ev_', e.type)), ' ', h('code', { class: 'muted' }, e.id),
      e.description ? h('p', { dir: 'auto' }, e.description) : null, h('p', { class: 'details' }, eventDetails(e, people))))) : h('p', null, t('none')))].filter(Boolean));
}

const newId = (kind) => ({ cases: 'case', persons: 'p', sources: 'src', risks: 'risk', organizations: 'org', events: 'ev', actions: 'act' }[kind])
  + '-' + Date.now().toString(36);

async function formPage(kind, id, q) {
  const caseId = q.get('case');
  let obj = {};
  let etag = null;
  if (id) {
    const r = await api('GET', '/api/' + kind + '/' + enc(id));
    obj = r.data;
    etag = r.etag;
  } else {
    obj.id = newId(kind);
    if (kind === 'events') {
      obj.type = q.get('type') || 'other';
      if (q.get('person')) obj.persons = [q.get('person')];
      else if (caseId) obj.persons = (await get('/api/cases/' + enc(caseId))).subjects;
    }
    if (kind === 'actions' && caseId) obj.case = caseId;
    if (kind === 'cases') obj.status = 'open';
  }
  const back = caseId ? '#/case/' + enc(caseId) : kind === 'cases' && id ? '#/case/' + enc(id) : kind === 'persons' && id ? '#/person/' + enc(id) : '#/' + kind;
  const form = objectForm(kind, {
    obj, etag, isNew: !id, draftKey: kind + '/' + (id || 'new') + (caseId ? '@' + caseId : ''), cancel: back,
    done: (saved) => {
      say(t('saved'));
      location.hash = caseId ? back : kind === 'cases' ? '#/case/' + enc(saved.id) : kind === 'persons' ? '#/person/' + enc(saved.id) : '#/' + kind;
    },
  });
  const title = t(id ? 'edit_obj' : 'new_obj', t('kind_' + kind)) + (id ? ' ' + id : '');
  page(title, form, id && canWrite() ? h('p', null, h('button', { type: 'button', class: 'danger', onclick: async () => {
    if (!confirm(t('confirm_delete', id))) return;
    try {
      await api('DELETE', '/api/' + kind + '/' + enc(id), undefined, { 'If-Match': etag });
      say(t('deleted'));
      location.hash = caseId && kind !== 'cases' ? back : '#/' + kind;
    } catch (e) { if (!e.handled) alert(e.message); }
  } }, t('delete'))) : null);
  if (q.get('focus')) form.focusField(q.get('focus'));
}

function valueAt(obj, path) {
  let v = obj;
  for (const part of path.match(/[^.[\]]+/g) || []) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[/^\d+$/.test(part) ? Number(part) : part];
  }
  return v;
}

async function importPage() {
  const file = h('input', { type: 'file', id: 'bundle-file', accept: 'application/json,.json' });
  const text = h('textarea', { id: 'bundle-text', rows: '8' });
  const out = h('div', { id: 'import-result', tabindex: '-1' });
  const form = h('form', { class: 'import', onsubmit: async (e) => {
    e.preventDefault();
    clear(out);
    const body = file.files[0] ? await file.files[0].text() : text.value;
    if (!body.trim()) { out.append(h('p', { class: 'error-summary', role: 'alert' }, t('import_empty'))); return; }
    let parsed;
    try { parsed = JSON.parse(body); } catch (err) {
      out.append(h('p', { class: 'error-summary', role: 'alert' }, t('not_json', err.message)));
      return;
    }
    try {
      const r = await api('POST', '/api/import', body);
      out.append(h('p', { class: 'notice', role: 'status' }, t('import_ok', r.data.inserted, r.data.updated, r.data.unchanged)));
    } catch (err) {
      if (err.handled) return;
      const probs = err.problems.length ? err.problems : [{ path: '', message: err.message }];
      out.append(h('div', { class: 'error-summary', role: 'alert' }, h('p', null, t('import_failed', probs.length)),
        h('ul', { class: 'problems' }, probs.map((p) => {
          const v = p.path ? valueAt(parsed, p.path) : undefined;
          const top = /^[a-z]+\[\d+\]/.exec(p.path || '');
          const owner = top ? valueAt(parsed, top[0]) : null;
          return h('li', { 'data-path': p.path || '' }, p.path ? h('code', { class: 'path' }, p.path) : null, p.path ? ': ' : '',
            h('span', { class: 'message' }, p.message),
            v !== undefined && typeof v !== 'object' ? h('span', { class: 'muted' }, ' ', t('value'), ' ', h('code', null, JSON.stringify(v))) : null,
            owner && typeof owner.id === 'string' ? h('span', { class: 'muted' }, ' ', t('in_object'), ' ', h('code', null, owner.id)) : null);
        }))));
    }
    out.focus();
  } },
  h('div', { class: 'field' }, h('label', { for: 'bundle-file' }, t('import_file')), file),
  h('div', { class: 'field' }, h('label', { for: 'bundle-text' }, t('import_text')), text),
  h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('import_do'))));
  page(t('import_title'), form, out, h('p', null, h('a', { href: '/api/export', download: 'refuge-export.json' }, t('export_all'))));
}

async function statementPage(id) {
  const c = await get('/api/cases/' + enc(id));
  const kind = h('select', { id: 'st-kind' }, ['public_statement', 'urgent_action', 'appeal'].map((k) => h('option', { value: k }, t(k))));
  const lng = h('select', { id: 'st-lang' }, h('option', { value: 'en', lang: 'en', selected: document.documentElement.lang === 'en' }, 'English'),
    h('option', { value: 'ru', lang: 'ru', selected: document.documentElement.lang === 'ru' }, 'Русский'));
  const fmt = h('select', { id: 'st-format' }, h('option', { value: 'text' }, 'text'), h('option', { value: 'md' }, 'Markdown'), h('option', { value: 'html' }, 'HTML'));
  const pre = h('pre', { id: 'statement-preview', dir: 'auto' });
  const dlink = h('a', { class: 'button', id: 'download-statement' }, t('download_html'));
  const base = '/api/cases/' + enc(id) + '/statement';
  const update = async () => {
    const qs = `?kind=${kind.value}&lang=${lng.value}`;
    dlink.href = base + qs + '&format=html';
    dlink.setAttribute('download', `${id}-${kind.value}-${lng.value}.html`);
    pre.lang = lng.value;
    try {
      pre.textContent = (await api('GET', base + qs + '&format=' + fmt.value)).text;
    } catch (e) {
      if (!e.handled) pre.textContent = t('error', e.message);
    }
  };
  [kind, lng, fmt].forEach((s) => s.addEventListener('change', update));
  const h1 = page(t('statement_title', ''));
  h1.append(bdi(c.title || id));
  main.append(h('p', null, link('#/case/' + enc(id), bdi(c.title || id))),
    h('div', { class: 'row' }, h('div', { class: 'field' }, h('label', { for: 'st-kind' }, t('st_kind')), kind),
      h('div', { class: 'field' }, h('label', { for: 'st-lang' }, t('st_lang')), lng),
      h('div', { class: 'field' }, h('label', { for: 'st-format' }, t('st_format')), fmt)),
    h('p', null, dlink), section(t('preview'), pre));
  await update();
}

async function adminPage() {
  const users = me.can_admin ? (await get('/api/users')).items : [];
  const cases = (await get('/api/cases?limit=1000')).items;
  const audit = me.can_admin ? await get('/api/audit') : [];
  const content = [];
  if (me.can_admin) {
    const name = h('input', { id: 'nu-name', autocomplete: 'off' });
    const role = h('select', { id: 'nu-role' }, ['researcher', 'viewer', 'coordinator', 'admin'].map((r) => h('option', { value: r }, term('role_', r))));
    const pass = h('input', { id: 'nu-pass', type: 'password', autocomplete: 'new-password' });
    const msg = h('div', { role: 'status' });
    const disable = (u) => h('button', { type: 'button', class: 'secondary small', onclick: async () => {
      if (!confirm(t('confirm_disable', u.name))) return;
      try { await api('DELETE', '/api/users/' + enc(u.name)); say(t('saved')); route(); } catch (err) {
        if (!err.handled) msg.append(h('p', { class: 'error-summary' }, err.message));
      }
    } }, t('disable'), h('span', { class: 'sr' }, ' ' + u.name));
    content.push(section(t('users'), table(t('users'), [t('user'), t('role'), t('disabled'), t('created'), t('action_col')],
      users.map((u) => [u.name, term('role_', u.role), u.disabled ? t('yes') : t('no'), fmtTime(u.created * 1000),
        u.disabled || u.name === me.user ? '' : disable(u)])),
    h('h3', null, t('add_user')),
    h('form', { class: 'row', onsubmit: async (e) => {
      e.preventDefault();
      clear(msg);
      try { await api('POST', '/api/users', { name: name.value, role: role.value, password: pass.value }); say(t('saved')); route(); } catch (err) {
        if (!err.handled) msg.append(h('p', { class: 'error-summary' }, err.path ? [h('code', null, err.path), ': '] : null, err.message));
      }
    } }, h('div', { class: 'field' }, h('label', { for: 'nu-name' }, t('user')), name),
    h('div', { class: 'field' }, h('label', { for: 'nu-role' }, t('role')), role),
    h('div', { class: 'field' }, h('label', { for: 'nu-pass' }, t('password')), pass),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('add_user')))), msg));
  }
  const caseSel = h('select', { id: 'as-case' }, cases.map((c) => h('option', { value: c.id }, c.title || c.id)));
  const userIn = h('input', { id: 'as-user', autocomplete: 'off', list: 'as-users' });
  const current = h('ul', { id: 'assignees' });
  const showAssignees = async () => {
    clear(current);
    if (!caseSel.value) return;
    const list = (await get('/api/cases/' + enc(caseSel.value) + '/assignees')).items;
    if (!list.length) current.append(h('li', null, t('none')));
    for (const u of list) {
      current.append(h('li', null, u.name, ' (', term('role_', u.role), ') ', h('button', { type: 'button', class: 'secondary small', onclick: async () => {
        await api('DELETE', `/api/cases/${enc(caseSel.value)}/assignees/${enc(u.name)}`);
        showAssignees();
      } }, t('unassign'), h('span', { class: 'sr' }, ' ' + u.name))));
    }
  };
  caseSel.addEventListener('change', showAssignees);
  const amsg = h('div', { role: 'status' });
  content.push(section(t('assignment'),
    h('form', { class: 'row', onsubmit: async (e) => {
      e.preventDefault();
      clear(amsg);
      try { await api('PUT', `/api/cases/${enc(caseSel.value)}/assignees/${enc(userIn.value.trim())}`); userIn.value = ''; showAssignees(); } catch (err) {
        if (!err.handled) amsg.append(h('p', { class: 'error-summary' }, err.message));
      }
    } }, h('div', { class: 'field' }, h('label', { for: 'as-case' }, t('case')), caseSel),
    h('div', { class: 'field' }, h('label', { for: 'as-user' }, t('user')), userIn, h('datalist', { id: 'as-users' }, users.map((u) => h('option', { value: u.name })))),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('assign')))), amsg,
    h('h3', null, t('assigned_to')), current));
  if (me.can_admin) {
    const last = audit.slice(-100).reverse();
    content.push(section(t('audit'), table(t('audit'), [t('time'), t('user'), t('action_col'), t('object'), t('detail'), t('address')],
      last.map((a) => [fmtTime(a.time), a.user, a.action || '', [a.kind, a.id].filter(Boolean).join(' '), bdi(a.detail || ''), a.address || '']))));
  }
  page(t('admin'), ...content);
  await showAssignees();
}

async function searchPage(q) {
  const query = q.get('q') || '';
  const d = await get('/api/search?type=all&q=' + enc(query));
  const target = (x) => ({ person: '#/person/', case: '#/case/', event: '#/edit/events/', source: '#/edit/sources/' }[x.type] || '#/') + enc(x.id);
  page(t('results_for', query),
    d.items.length ? h('ul', { class: 'results' }, d.items.map((x) => h('li', null,
      h('span', { class: 'muted' }, x.type === 'event' ? term('ev_', x.name) : t(x.type === 'person' ? 'person' : x.type === 'case' ? 'case' : x.type === 'source' ? 'sources' : 'type')), ': ',
      link(target(x), bdi(x.type === 'event' ? x.id : x.name || x.id)), x.date ? ' · ' + fmtDate(x.date) : '',
      x.why ? h('p', { class: 'muted', dir: 'auto' }, x.why) : null))) : h('p', null, t('no_results')));
  const box = document.getElementById('q');
  if (box) box.value = query;
}

// ---- routing ----

async function route() {
  if (!me) { showSignin(false); return; }
  const hash = location.hash || '#/';
  const [path, qs] = (hash.startsWith('#/') ? hash : '#/').slice(1).split('?');
  const q = new URLSearchParams(qs || '');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  clear(main).append(h('p', { role: 'status' }, t('loading')));
  try {
    if (!parts.length) await dashboard();
    else if (parts[0] === 'case' && parts[1]) await casePage(parts[1]);
    else if (parts[0] === 'person' && parts[1]) await personPage(parts[1]);
    else if (['cases', 'persons', 'sources', 'risks', 'organizations'].includes(parts[0])) await listPage(parts[0], q);
    else if (parts[0] === 'new' && parts[1]) await formPage(parts[1], null, q);
    else if (parts[0] === 'edit' && parts[2]) await formPage(parts[1], parts[2], q);
    else if (parts[0] === 'import') await importPage();
    else if (parts[0] === 'statement' && parts[1]) await statementPage(parts[1]);
    else if (parts[0] === 'admin') await adminPage();
    else if (parts[0] === 'search') await searchPage(q);
    else page(t('not_found'));
  } catch (e) {
    if (e instanceof ApiError && e.handled) return;
    page(t('error', e.message));
  }
}

async function start() {
  document.querySelector('.skip').addEventListener('click', (e) => { e.preventDefault(); main.focus(); });
  setLang(browserLang());
  window.addEventListener('hashchange', route);
  try {
    const lock = (await api('GET', '/api/lock')).data;
    encrypted = lock.encrypted;
    if (lock.locked) {
      showUnlock();
      document.body.dataset.ready = '1';
      return;
    }
  } catch { encrypted = false; }
  try {
    me = (await api('GET', '/api/me')).data;
    if (me.csrf) setCsrf(me.csrf);
    await applyUserLang();
  } catch (e) {
    me = null;
    if (e instanceof ApiError && e.status === 423) { document.body.dataset.ready = '1'; return; }
  }
  renderBar();
  await route();
  document.body.dataset.ready = '1';
}

start();
