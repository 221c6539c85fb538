// dom.js: building elements. Text from the data only ever goes through
// text nodes and attributes: nothing here parses HTML.

export function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  add(el, kids);
  return el;
}

function add(el, kids) {
  for (const kid of kids) {
    if (kid === null || kid === undefined || kid === false) continue;
    if (Array.isArray(kid)) add(el, kid);
    else if (kid instanceof Node) el.append(kid);
    else el.append(document.createTextNode(String(kid)));
  }
}

// Names and free text: isolated, direction from their own first strong
// character, so Arabic-script names read right to left inside any sentence.
export function bdi(text, lang) {
  return h('bdi', { dir: 'auto', lang: lang || null }, text ?? '');
}

export function link(href, ...kids) {
  return h('a', { href }, ...kids);
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// A table from headers and rows (arrays of cells: nodes or text).
export function table(caption, headers, rows) {
  return h('div', { class: 'scroll', role: 'group', 'aria-label': caption, tabindex: '0' },
    h('table', null, h('caption', { class: 'sr' }, caption),
      h('thead', null, h('tr', null, headers.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', null, c)))))));
}

export function badge(kind, text) {
  return h('span', { class: 'badge ' + kind }, text);
}
