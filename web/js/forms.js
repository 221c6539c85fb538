// forms.js: the forms that create and edit every kind of object. Fields
// follow the bundle format (docs/data-model.md); event fields follow the
// chosen type. Problems from the API are shown beside the field their
// `path` names. What is typed is kept in sessionStorage until it is saved,
// so an expired session loses nothing.
import { api, ApiError, enc } from './api.js';
import { h, clear } from './dom.js';
import { t, term } from './i18n.js';

const V = {
  source_kind: ['report', 'testimony', 'news', 'official_statement', 'court_document', 'other'],
  name_kind: ['primary', 'native', 'alias', 'transliteration', 'former'],
  org_kind: ['state_authority', 'court', 'police', 'ngo', 'un_agency', 'other'],
  case_status: ['open', 'monitoring', 'closed'],
  outcome: ['recognised', 'complementary', 'refused', 'inadmissible', 'withdrawn'],
  mode: ['deportation', 'extradition', 'handover', 'other'],
  access_to: ['asylum_procedure', 'lawyer', 'unhcr', 'family', 'consular'],
  action_kind: ['public_statement', 'urgent_action', 'appeal', 'letter', 'meeting', 'litigation'],
  reliability: ['A', 'B', 'C', 'D', 'E', 'F'],
  credibility: ['1', '2', '3', '4', '5', '6'],
  detention: ['pretrial', 'immigration', 'administrative', 'camp', 'other'],
  ill_treatment: ['torture', 'beating', 'arbitrary_detention', 'enforced_disappearance', 'forced_indoctrination', 'other'],
  unhcr: ['registered', 'recognised', 'mandate_refugee'],
};

export const EVENT_TYPES = ['flight', 'border_crossing', 'asylum_application', 'asylum_decision', 'arrest',
  'detention', 'release', 'charge', 'conviction', 'acquittal', 'removal_announced', 'removal_requested',
  'removal_ordered', 'removal_cancelled', 'removal', 'legal_assistance', 'access_denied', 'ill_treatment',
  'unhcr', 'other'];

// Fields of particular event types (shared/spec/bundle.md).
const F = {
  from_country: { name: 'from_country', type: 'text', label: 'from_country' },
  to_country: { name: 'to_country', type: 'text', label: 'to_country' },
  by_country: { name: 'by_country', type: 'text', label: 'by_country' },
  state: { name: 'state', type: 'text', label: 'asylum_state' },
  irregular: { name: 'irregular', type: 'tri', label: 'irregular' },
  presented: { name: 'presented_to_authorities', type: 'tri', label: 'presented_to_authorities' },
  presented_on: { name: 'presented_on', type: 'date', label: 'presented_on' },
  outcome: { name: 'outcome', type: 'select', options: V.outcome, label: 'ev_outcome' },
  final: { name: 'final', type: 'tri', label: 'final' },
  appeal_until: { name: 'appeal_until', type: 'date', label: 'appeal_until' },
  offence: { name: 'offence', type: 'text', label: 'offence' },
  law: { name: 'law', type: 'text', label: 'law' },
  sentence: { name: 'sentence', type: 'text', label: 'sentence' },
  entry_related: { name: 'entry_related', type: 'tri', label: 'entry_related' },
  mode: { name: 'mode', type: 'select', options: V.mode, label: 'mode' },
  provided: { name: 'provided', type: 'tri', label: 'provided' },
  to: { name: 'to', type: 'select', options: V.access_to, label: 'to' },
  alleged: { name: 'alleged', type: 'tri', label: 'alleged' },
};
const kindOf = (opts) => ({ name: 'kind', type: 'select', options: opts, label: 'kind' });
export const TYPE_FIELDS = {
  flight: [F.from_country],
  border_crossing: [F.from_country, F.to_country, F.irregular, F.presented, F.presented_on],
  asylum_application: [F.state],
  asylum_decision: [F.outcome, F.final, F.appeal_until],
  detention: [kindOf(V.detention)],
  charge: [F.offence, F.law, F.entry_related],
  conviction: [F.offence, F.sentence, F.entry_related],
  removal_announced: [F.to_country],
  removal_requested: [F.to_country, F.by_country, F.appeal_until],
  removal_ordered: [F.to_country, F.appeal_until],
  removal_cancelled: [F.to_country],
  removal: [F.to_country, F.mode],
  legal_assistance: [F.provided],
  access_denied: [F.to],
  ill_treatment: [kindOf(V.ill_treatment), F.alleged],
  unhcr: [kindOf(V.unhcr)],
};
const ALL_TYPE_FIELDS = [...new Set(Object.values(TYPE_FIELDS).flat().map((f) => f.name))];

const idf = { name: 'id', type: 'id', label: 'id' };
export const SPECS = {
  sources: [idf, { name: 'title', type: 'text', label: 'title' }, { name: 'publisher', type: 'text', label: 'publisher' },
    { name: 'date', type: 'date', label: 'date' }, { name: 'url', type: 'text', label: 'url' },
    { name: 'kind', type: 'select', options: V.source_kind, label: 'kind' },
    { name: 'reliability', type: 'select', options: V.reliability, label: 'reliability' },
    { name: 'credibility', type: 'select', options: V.credibility, label: 'credibility' }],
  persons: [idf, { name: 'names', type: 'names', label: 'names' }, { name: 'sex', type: 'text', label: 'sex' },
    { name: 'birth_date', type: 'date', label: 'birth_date' }, { name: 'nationality', type: 'list', label: 'nationality' },
    { name: 'ethnicity', type: 'text', label: 'ethnicity' }, { name: 'religion', type: 'text', label: 'religion' },
    { name: 'origin', type: 'place', label: 'origin', parts: ['country', 'region'] },
    { name: 'profiles', type: 'list', label: 'profiles' }, { name: 'sensitive', type: 'tri', label: 'sensitive' },
    { name: 'sources', type: 'list', label: 'sources_ids' }],
  organizations: [idf, { name: 'name', type: 'text', label: 'name' }, { name: 'country', type: 'text', label: 'country' },
    { name: 'kind', type: 'select', options: V.org_kind, label: 'kind' }, { name: 'parent', type: 'text', label: 'parent' }],
  cases: [idf, { name: 'title', type: 'text', label: 'title' }, { name: 'state', type: 'text', label: 'state' },
    { name: 'subjects', type: 'list', label: 'subjects_ids' }, { name: 'opened', type: 'date', label: 'opened' },
    { name: 'status', type: 'select', options: V.case_status, label: 'status', vocab: 'cs_' },
    { name: 'summary', type: 'textarea', label: 'summary' }, { name: 'tags', type: 'list', label: 'tags' }],
  events: [idf, { name: 'type', type: 'select', options: EVENT_TYPES, label: 'type', vocab: 'ev_', required: true },
    { name: 'date', type: 'date', label: 'date', approx: true }, { name: 'end_date', type: 'date', label: 'end_date' },
    { name: 'place', type: 'place', label: 'place', parts: ['country', 'region', 'name'] },
    { name: 'persons', type: 'list', label: 'persons_ids' }, { name: 'by', type: 'text', label: 'by' },
    { name: 'official', type: 'text', label: 'official' }, { name: 'description', type: 'textarea', label: 'description' },
    { name: 'sources', type: 'list', label: 'sources_ids' }],
  risks: [idf, { name: 'country', type: 'text', label: 'country' }, { name: 'region', type: 'text', label: 'region' },
    { name: 'profiles', type: 'list', label: 'profiles' }, { name: 'harms', type: 'list', label: 'harms' },
    { name: 'from', type: 'date', label: 'from' }, { name: 'to', type: 'date', label: 'to_date' },
    { name: 'sources', type: 'list', label: 'sources_ids' }],
  actions: [idf, { name: 'case', type: 'text', label: 'case_id' },
    { name: 'kind', type: 'select', options: V.action_kind, label: 'kind' },
    { name: 'date', type: 'date', label: 'date', approx: true }, { name: 'targets', type: 'list', label: 'targets' },
    { name: 'demands', type: 'list', label: 'demands' }, { name: 'outcome', type: 'textarea', label: 'outcome' }],
};

const DATE_RE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
let uid = 0;

function fieldBox(f, control, extra) {
  const err = h('p', { class: 'field-error', id: control.id + '-err', hidden: true });
  control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), err.id].filter(Boolean).join(' '));
  return h('div', { class: 'field', 'data-field': f.name },
    h('label', { for: control.id }, t(f.label)), control, extra, err);
}

function hint(id, text) {
  return h('p', { class: 'hint', id }, text);
}

// One form control for field f with the object's value v; returns the box
// and a reader that puts the value back into an object.
function control(f, v, obj) {
  const id = 'f' + (++uid) + '-' + f.name;
  if (f.type === 'select') {
    const sel = h('select', { id, name: f.name },
      f.required ? null : h('option', { value: '' }, '—'),
      f.options.map((o) => h('option', { value: o, selected: o === v }, term(f.vocab || 'v_', o))));
    if (v && !f.options.includes(v)) sel.append(h('option', { value: v, selected: true }, v));
    return { box: fieldBox(f, sel), read: (o) => set(o, f.name, sel.value || undefined), el: sel };
  }
  if (f.type === 'tri') {
    const cur = v === true ? 'true' : v === false ? 'false' : '';
    const sel = h('select', { id, name: f.name },
      [['', t('unknown')], ['true', t('yes')], ['false', t('no')]].map(([val, label]) =>
        h('option', { value: val, selected: val === cur }, label)));
    return { box: fieldBox(f, sel), read: (o) => set(o, f.name, sel.value === '' ? undefined : sel.value === 'true'), el: sel };
  }
  if (f.type === 'textarea') {
    const ta = h('textarea', { id, name: f.name, rows: '4', dir: 'auto' });
    ta.value = v ?? '';
    return { box: fieldBox(f, ta), read: (o) => set(o, f.name, ta.value.trim() || undefined), el: ta };
  }
  if (f.type === 'list') {
    const hid = id + '-hint';
    const inp = h('input', { id, name: f.name, type: 'text', 'aria-describedby': hid, dir: 'auto', autocomplete: 'off' });
    inp.value = (v || []).join(', ');
    return {
      box: fieldBox(f, inp, hint(hid, t('list_hint'))), el: inp,
      read: (o) => { const l = inp.value.split(/[,\n]/).map((x) => x.trim()).filter(Boolean); set(o, f.name, l.length ? l : undefined); },
    };
  }
  if (f.type === 'date') {
    const hid = id + '-hint';
    const inp = h('input', { id, name: f.name, type: 'text', inputmode: 'numeric', 'aria-describedby': hid, autocomplete: 'off', placeholder: 'YYYY-MM-DD' });
    inp.value = v ?? '';
    let approx = null;
    if (f.approx) {
      const aid = id + '-approx';
      approx = h('span', { class: 'inline' }, h('input', { type: 'checkbox', id: aid, name: 'approx', checked: obj.approx === true }),
        h('label', { for: aid }, t('approx')));
    }
    const box = fieldBox(f, inp, [hint(hid, t('date_hint')), approx]);
    return {
      box, el: inp,
      check: () => (inp.value.trim() && !DATE_RE.test(inp.value.trim()) ? t('bad_date') : null),
      read: (o) => {
        set(o, f.name, inp.value.trim() || undefined);
        if (approx) set(o, 'approx', approx.querySelector('input').checked ? true : undefined);
      },
    };
  }
  if (f.type === 'place') {
    const cur = v || {};
    const inputs = f.parts.map((p) => {
      const pid = id + '-' + p;
      const inp = h('input', { id: pid, type: 'text', name: f.name + '.' + p, dir: 'auto', autocomplete: 'off' });
      inp.value = cur[p] ?? '';
      return [p, inp, h('div', { class: 'sub' }, h('label', { for: pid }, t(p)), inp)];
    });
    const err = h('p', { class: 'field-error', id: id + '-err', hidden: true });
    const box = h('fieldset', { class: 'field', 'data-field': f.name }, h('legend', null, t(f.label)),
      inputs.map((x) => x[2]), err);
    return {
      box, el: inputs[0][1],
      read: (o) => {
        const p = { ...(o[f.name] || {}) };
        for (const [k, inp] of inputs) { if (inp.value.trim()) p[k] = inp.value.trim(); else delete p[k]; }
        set(o, f.name, Object.keys(p).length ? p : undefined);
      },
    };
  }
  if (f.type === 'names') {
    const rows = h('div', { class: 'names' });
    const addRow = (n) => {
      const rid = 'f' + (++uid);
      const mk = (k, label, el) => h('div', { class: 'sub' }, h('label', { for: rid + k }, t(label)), el);
      const full = h('input', { id: rid + 'full', type: 'text', dir: 'auto', value: n.full ?? '', autocomplete: 'off' });
      const script = h('input', { id: rid + 'script', type: 'text', value: n.script ?? '', size: '5', autocomplete: 'off' });
      const lng = h('input', { id: rid + 'lang', type: 'text', value: n.lang ?? '', size: '4', autocomplete: 'off' });
      const kind = h('select', { id: rid + 'kind' }, h('option', { value: '' }, '—'),
        V.name_kind.map((k) => h('option', { value: k, selected: k === n.kind }, term('v_', k))));
      const row = h('div', { class: 'name-row' }, mk('full', 'name_full', full), mk('script', 'script', script),
        mk('lang', 'lang', lng), mk('kind', 'kind', kind),
        h('button', { type: 'button', class: 'secondary', onclick: () => row.remove() }, t('remove')));
      row.read = () => {
        const o = { ...n, full: full.value.trim() };
        for (const [k, el] of [['script', script], ['lang', lng], ['kind', kind]]) { if (el.value.trim()) o[k] = el.value.trim(); else delete o[k]; }
        return o;
      };
      rows.append(row);
    };
    (v && v.length ? v : [{ kind: 'primary' }]).forEach(addRow);
    const err = h('p', { class: 'field-error', id: id + '-err', hidden: true });
    const box = h('fieldset', { class: 'field', 'data-field': f.name }, h('legend', null, t('names')), rows,
      h('button', { type: 'button', class: 'secondary', onclick: () => addRow({}) }, t('add_name')), err);
    return {
      box, el: null,
      read: (o) => { const l = [...rows.children].map((r) => r.read()).filter((n) => n.full); set(o, 'names', l.length ? l : undefined); },
    };
  }
  const inp = h('input', { id, name: f.name, type: 'text', dir: f.type === 'id' ? 'ltr' : 'auto', autocomplete: 'off' });
  inp.value = v ?? '';
  return { box: fieldBox(f, inp), read: (o) => set(o, f.name, inp.value.trim() || undefined), el: inp };
}

function set(o, k, v) {
  if (v === undefined) delete o[k];
  else o[k] = v;
}

// Shows problems beside their fields (the first segment of each `path`);
// the rest, and a summary, at the top of the form.
export function showProblems(form, summary, problems) {
  form.querySelectorAll('.field-error').forEach((p) => { p.hidden = true; p.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  clear(summary);
  if (!problems.length) { summary.hidden = true; return; }
  summary.hidden = false;
  summary.append(h('p', null, t('form_errors', problems.length)),
    h('ul', null, problems.map((p) => h('li', null, p.path ? h('code', null, p.path) : null, p.path ? ': ' : '', p.message))));
  let first = null;
  for (const p of problems) {
    const top = String(p.path || '').split(/[.[]/)[0];
    const box = top && form.querySelector(`[data-field="${CSS.escape(top)}"]`);
    if (!box) continue;
    const err = box.querySelector('.field-error');
    err.hidden = false;
    err.append(h('span', { class: 'path' }, p.path), ' ', p.message, ' ');
    const ctl = box.querySelector('input, select, textarea');
    if (ctl) { ctl.setAttribute('aria-invalid', 'true'); first = first || ctl; }
  }
  summary.focus();
}

// Builds the form for a kind. opts: {obj, etag, isNew, draftKey, focus, done(obj)}
export function objectForm(kind, opts) {
  const obj = structuredClone(opts.obj || {});
  const draftKey = 'refuge.draft:' + opts.draftKey;
  const draft = sessionStorage.getItem(draftKey);
  let restored = false;
  if (draft) {
    let saved = null;
    try { saved = JSON.parse(draft); } catch { sessionStorage.removeItem(draftKey); }
    if (saved && typeof saved === 'object') {
      // The draft is the whole object as it was being edited: fields cleared there stay cleared.
      for (const k of Object.keys(obj)) if (!(k in saved) && k !== 'id') delete obj[k];
      Object.assign(obj, saved);
      restored = true;
    }
  }
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
  const fieldsBox = h('div', { class: 'fields' });
  const typeBox = h('div', { class: 'fields' });
  const form = h('form', { novalidate: true, class: 'object-form', 'data-kind': kind });
  let controls = [];
  let typeControls = [];

  const renderType = () => {
    clear(typeBox);
    typeControls = (TYPE_FIELDS[obj.type] || []).map((f) => control(f, obj[f.name], obj));
    typeControls.forEach((c) => typeBox.append(c.box));
  };
  for (const f of SPECS[kind]) {
    const c = control(f, obj[f.name], obj);
    if (f.type === 'id' && !opts.isNew) { c.el.readOnly = true; }
    controls.push(c);
    fieldsBox.append(c.box);
    if (kind === 'events' && f.name === 'type') {
      fieldsBox.append(typeBox);
      c.el.addEventListener('change', () => { collect(); obj.type = c.el.value; renderType(); });
    }
  }
  if (kind === 'events') renderType();

  function collect() {
    for (const c of [...controls, ...typeControls]) c.read(obj);
    if (kind === 'events') {
      const own = new Set((TYPE_FIELDS[obj.type] || []).map((f) => f.name));
      for (const k of ALL_TYPE_FIELDS) if (!own.has(k) && !(k === 'kind' && own.has('kind'))) delete obj[k];
    }
    return obj;
  }

  const saveDraft = () => sessionStorage.setItem(draftKey, JSON.stringify(collect()));
  form.addEventListener('input', saveDraft);
  form.addEventListener('change', saveDraft);

  const submit = h('button', { type: 'submit' }, t('save'));
  form.append(...[summary, restored ? h('p', { class: 'notice', role: 'status' }, t('draft_restored')) : null, fieldsBox,
    h('div', { class: 'buttons' }, submit, h('a', { href: opts.cancel || '#/', class: 'button secondary', onclick: () => sessionStorage.removeItem(draftKey) }, t('cancel')))].filter(Boolean));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    collect();
    const local = [...controls, ...typeControls].filter((c) => c.check).map((c) => [c, c.check()]).filter((x) => x[1])
      .map(([c, m]) => ({ path: c.el.name, message: m }));
    if (local.length) { showProblems(form, summary, local); return; }
    submit.disabled = true;
    try {
      const r = opts.isNew
        ? await api('POST', '/api/' + kind, obj)
        : await api('PUT', '/api/' + kind + '/' + enc(obj.id), obj, { 'If-Match': opts.etag || '*' });
      sessionStorage.removeItem(draftKey);
      opts.done(r.data || obj);
    } catch (e) {
      if (e instanceof ApiError && !e.handled) {
        showProblems(form, summary, e.problems.length ? e.problems : [{ path: '', message: e.message }]);
      }
    } finally {
      submit.disabled = false;
    }
  });
  form.focusField = (name) => {
    const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (el) { el.focus(); el.closest('.field')?.classList.add('wanted'); }
  };
  return form;
}
