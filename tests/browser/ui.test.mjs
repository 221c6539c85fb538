// ui.test.mjs: the web interface in a real browser (run by run.sh). Signs in,
// works through the example case as a researcher would, runs axe-core on
// every page (in English and Russian) and saves a screenshot of each main
// page. Any failed step, console error, CSP violation or axe violation
// fails the test.
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const { BASE, USER_NAME, USER_PASSWORD, OUT, CHROMIUM, PASSPHRASE } = process.env;
const CASE = 'kz-2019-xuar-asylum-seekers';
const started = Date.now();
let n = 0;

function ok(what) {
  n += 1;
  console.log(`ok ${n} - ${what}`);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 }, locale: 'en-GB' });
const page = await context.newPage();
page.setDefaultTimeout(10000);
const problems = [];
page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push('console: ' + m.text()); });
page.on('pageerror', (e) => problems.push('page error: ' + e.message));

async function ready() {
  await page.waitForFunction(() => document.body.dataset.ready === '1' && !document.querySelector('main [role=status]')?.textContent.match(/^(Loading|Загрузка)/));
}

async function axe(name) {
  await page.evaluate(axeSource);
  const r = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
  const v = r.violations.map((x) => `${x.id}: ${x.nodes.map((nd) => nd.target.join(' ')).join(', ')}`);
  assert.deepEqual(v, [], `axe violations on ${name}`);
  ok(`axe: no violations on ${name}`);
}

async function shot(name) {
  await page.screenshot({ path: `${OUT}/${name}.png`, fullPage: true });
}

async function go(hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForFunction((h) => location.hash === h, hash);
  await ready();
}

async function signIn() {
  await page.fill('#username', USER_NAME);
  await page.fill('#password', USER_PASSWORD);
  await page.click('form.signin button[type=submit]');
  await page.waitForSelector('#sign-out');
  await ready();
}

try {
  // Static files: strong ETag, 304, CSP.
  const first = await page.goto(BASE + '/');
  const etag = first.headers()['etag'];
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  assert.match(first.headers()['content-security-policy'], /script-src 'self'/);
  const again = await page.request.get(BASE + '/', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status(), 304);
  ok('the app shell is served with a strong ETag, 304 on revalidation, and a CSP');

  await page.waitForSelector('#username');
  await axe('sign-in');
  await shot('sign-in');
  await signIn();
  assert.equal(await page.textContent('h1'), 'Dashboard');
  assert.match(await page.textContent('main'), /refoulement-risk/);
  ok('signed in: the dashboard lists the case by its most severe finding');
  await axe('dashboard');
  await shot('dashboard');

  // The case page.
  await page.click(`main a[href="#/case/${CASE}"]`);
  await page.waitForSelector('article.finding[data-rule="refoulement-risk"]');
  await ready();
  assert.match(await page.textContent('article.finding[data-rule="refoulement-risk"]'), /refoulement-risk/);
  assert.match(await page.textContent('#ev-ev-detention .when'), /about October 2019/);
  assert.match(await page.textContent('main'), /Кастер Мұсаханұлы/);
  ok('the case page shows refoulement-risk, approximate dates as such and names in every script');
  await page.screenshot({ path: `${OUT}/case-page-top.png`, fullPage: true, clip: { x: 0, y: 0, width: 1200, height: 1300 } });
  const basis = page.locator('article.finding[data-rule="refoulement-risk"] details').first();
  await basis.locator('summary').focus();
  await page.keyboard.press('Enter');
  assert.match(await basis.locator('ul.explanation').innerText(), /1951 Convention relating to the Status of Refugees, art\. 33\(1\)/);
  ok('the legal basis of a finding opens from the keyboard, with each provision in words');
  await axe('case page');
  await shot('case-page');

  // Record the missing fact: they presented themselves without delay.
  const pen = 'article.finding[data-rule="penalisation-for-entry"]';
  assert.equal(await page.locator(pen + '[data-status="established"]').count(), 0);
  await page.locator(`${pen} a[data-fact="presented_without_delay"]`).first().click();
  await page.waitForSelector('form.object-form');
  await ready();
  assert.equal(await page.evaluate(() => document.activeElement.name), 'presented_to_authorities');
  ok('"record this" opens the crossing with the missing fact\'s field focused');
  await axe('event form');
  await shot('event-form');
  await page.selectOption('select[name="presented_to_authorities"]', 'true');
  await page.click('form.object-form button[type=submit]');
  await page.waitForSelector(`${pen}[data-status="established"]`);
  await ready();
  assert.equal(await page.locator(`${pen}[data-status="incomplete"]`).count(), 0);
  ok('penalisation-for-entry becomes established');

  // Add an event with a partial date; problems show beside their fields.
  await page.click(`a[href="#/new/events?case=${CASE}"]`);
  await page.waitForSelector('form.object-form');
  await ready();
  await page.selectOption('select[name="type"]', 'detention');
  await page.fill('input[name="id"]', 'ev-ui-transfer');
  await page.fill('input[name="date"]', '2020-3');
  await page.click('form.object-form button[type=submit]');
  await page.waitForSelector('[data-field="date"] .field-error:not([hidden])');
  ok('a malformed date is refused beside the date field');
  await page.fill('input[name="date"]', '2020-03');
  await page.check('input[name="approx"]');
  await page.selectOption('select[name="kind"]', 'immigration');
  await page.fill('input[name="persons"]', '');
  await page.click('form.object-form button[type=submit]');
  await page.waitForSelector('[data-field="persons"] .field-error:not([hidden])');
  assert.match(await page.textContent('[data-field="persons"] .field-error'), /required|at least one person/);
  ok('the API\'s problem is shown beside the field its path names');
  await axe('event form with errors');
  await page.fill('input[name="persons"]', 'kaster-musakhanuly, murager-alimuly');

  // The session ends while typing: sign in again and find the input kept.
  await page.fill('textarea[name="description"]', 'Moved to an immigration detention centre.');
  await context.clearCookies();
  await page.click('form.object-form button[type=submit]');
  await page.waitForSelector('form.signin');
  assert.match(await page.textContent('main'), /session has ended/);
  await signIn();
  await page.waitForSelector('form.object-form');
  assert.equal(await page.inputValue('textarea[name="description"]'), 'Moved to an immigration detention centre.');
  assert.equal(await page.inputValue('input[name="date"]'), '2020-03');
  ok('an expired session sends the user to sign in and keeps what they typed');
  await page.click('form.object-form button[type=submit]');
  await page.waitForSelector('#ev-ev-ui-transfer');
  await ready();
  assert.match(await page.textContent('#ev-ev-ui-transfer .when'), /about March 2020/);
  ok('the event with a partial, approximate date is on the timeline as such');

  // Import a bad bundle: every problem with its path.
  await go('#/import');
  const bad = `${OUT}/bad-bundle.json`;
  writeFileSync(bad, JSON.stringify({ format: 'refuge-bundle/1', events: [
    { id: 'ev-bad-date', type: 'detention', date: '2019-13', persons: ['kaster-musakhanuly'] },
    { id: 'ev-bad-person', type: 'arrest', date: '2019-10', persons: ['nobody-known'] }] }));
  await page.setInputFiles('#bundle-file', bad);
  await page.click('form.import button[type=submit]');
  await page.waitForSelector('li[data-path="events[0].date"]');
  const dateProblem = await page.textContent('li[data-path="events[0].date"]');
  assert.match(dateProblem, /not a calendar date/);
  assert.match(dateProblem, /"2019-13"/);
  assert.match(dateProblem, /ev-bad-date/);
  assert.match(await page.textContent('li[data-path^="events[1].persons"]'), /nobody-known/);
  ok('a bad bundle is refused with every error at its path: events[0].date, events[1].persons');
  assert.equal(await (await page.request.get(BASE + '/api/events/ev-bad-person')).status(), 404);
  ok('and nothing of it was imported');
  await axe('import');
  await shot('import');

  // A statement: preview and download.
  await go('#/statement/' + CASE);
  await page.waitForFunction(() => document.querySelector('#statement-preview').textContent.length > 100);
  await page.selectOption('#st-lang', 'ru');
  await page.waitForFunction(() => /[а-я]{4}/.test(document.querySelector('#statement-preview').textContent));
  ok('the statement preview follows the chosen language');
  await axe('statement');
  await shot('statement');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-statement')]);
  const file = `${OUT}/${download.suggestedFilename()}`;
  await download.saveAs(file);
  assert.match(readFileSync(file, 'utf8'), /<html/i);
  ok('the statement downloads as HTML: ' + download.suggestedFilename());

  // The other pages.
  await go('#/person/kaster-musakhanuly');
  assert.match(await page.textContent('main'), /Кастер Мұсаханұлы/);
  assert.match(await page.textContent('main'), /ev-crossing/);
  await axe('person page');
  await shot('person');
  for (const p of ['sources', 'risks', 'organizations', 'persons', 'cases']) {
    await go('#/' + p);
    await axe(p + ' list');
  }
  await shot('sources');
  await go('#/edit/persons/kaster-musakhanuly');
  await axe('person form');

  // A person with a name in Arabic script: it reads right to left.
  await go('#/new/persons');
  await page.fill('input[name="id"]', 'p-ui-arabic');
  await page.locator('.name-row').nth(0).locator('input').nth(0).fill('Abdullah Karim');
  await page.locator('.name-row').nth(0).locator('input').nth(1).fill('Latn');
  await page.click('fieldset[data-field="names"] > button');
  await page.locator('.name-row').nth(1).locator('input').nth(0).fill('عبد الله كريم');
  await page.locator('.name-row').nth(1).locator('input').nth(1).fill('Arab');
  await page.locator('.name-row').nth(1).locator('input').nth(2).fill('ar');
  await page.locator('.name-row').nth(1).locator('select').selectOption('native');
  await page.fill('input[name="profiles"]', 'uighur');
  await page.click('form.object-form button[type=submit]');
  await page.waitForFunction(() => location.hash === '#/person/p-ui-arabic');
  await ready();
  const dirs = await page.evaluate(() => [...document.querySelectorAll('main bdi')].filter((b) => /[\u0600-\u06ff]/.test(b.textContent))
    .map((b) => b.matches(':dir(rtl)')));
  assert.ok(dirs.length > 0 && dirs.every(Boolean), 'Arabic names are isolated and read right to left: ' + JSON.stringify(dirs));
  const latin = await page.evaluate(() => document.querySelector('h1 bdi').matches(':dir(ltr)'));
  assert.ok(latin);
  ok('a new person with an Arabic-script name: the name reads right to left, the Latin one left to right');
  await axe('person page with an Arabic name');
  await shot('person-arabic');
  await go('#/search?q=Kaster');
  assert.match(await page.textContent('main'), /Kaster Musakhanuly/);
  await axe('search');
  await go('#/admin');
  await page.fill('#as-user', 'rita');
  await page.click('#as-user ~ * button, form.row:has(#as-user) button[type=submit]');
  await page.waitForFunction(() => /rita/.test(document.querySelector('#assignees').textContent));
  await axe('administration');
  await shot('admin');
  await go('#/case/' + CASE);
  assert.match(await page.textContent('main .meta'), /Assigned to: rita/);
  ok('an administrator assigns the case to a researcher, and the case page says so');

  // Russian: every page again, no missing words.
  await page.selectOption('#lang-switch', 'ru');
  await ready();
  for (const [hash, name] of [['#/', 'dashboard'], ['#/case/' + CASE, 'case page'], ['#/new/events?case=' + CASE, 'event form'],
    ['#/import', 'import'], ['#/admin', 'administration'], ['#/person/kaster-musakhanuly', 'person page'], ['#/sources', 'sources'],
    ['#/statement/' + CASE, 'statement'], ['#/search?q=Kaster', 'search'], ['#/cases', 'cases'], ['#/risks', 'risks'],
    ['#/organizations', 'organizations'], ['#/persons', 'persons'], ['#/edit/persons/kaster-musakhanuly', 'person form']]) {
    await go(hash);
    await axe(name + ' (ru)');
  }
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  await go('#/');
  assert.equal(await page.textContent('h1'), 'Обзор');
  await shot('dashboard-ru');
  assert.deepEqual(await page.evaluate(() => window.refugeMissing), []);
  ok('the interface speaks Russian with no missing words');
  await page.reload();
  await ready();
  assert.equal(await page.textContent('h1'), 'Обзор');
  ok('the language choice is kept for the user');
  // The choice belongs to the account, not to this browser: signed out, with
  // the browser's storage cleared, the sign-in page follows the browser
  // (en-GB) and signing in brings Russian back.
  const stored = await page.request.get(BASE + '/api/me');
  assert.equal((await stored.json()).lang, 'ru');
  await page.click('#sign-out');
  await page.waitForSelector('form.signin');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.waitForSelector('#username');
  await ready();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.textContent('h1'), 'Sign in');
  await signIn();
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  assert.equal(await page.textContent('h1'), 'Обзор');
  assert.equal(await page.inputValue('#lang-switch'), 'ru');
  ok('the language is the account\'s: signed in again with the browser\'s storage cleared, the interface is Russian');
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/me') && r.request().method() === 'PUT');
  await page.selectOption('#lang-switch', 'en');
  assert.equal((await saved).status(), 200);
  await ready();
  assert.equal((await (await page.request.get(BASE + '/api/me')).json()).lang, 'en');
  ok('the language switcher saves the choice for the account');

  // Phone width.
  await page.setViewportSize({ width: 375, height: 800 });
  await go('#/case/' + CASE);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 5).map((el) => el.tagName + '.' + el.className + ' ' + (el.textContent || '').slice(0, 40)));
  assert.ok(overflow <= 1, `the case page scrolls sideways by ${overflow}px on a phone: ${wide.join(' | ')}`);
  await axe('case page on a phone');
  await page.screenshot({ path: `${OUT}/case-page-phone.png` });
  ok('the case page fits a phone screen');

  // Keyboard: the skip link and the search box work without a mouse.
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.reload();
  await ready();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  await page.focus('#q');
  await page.keyboard.type('Murager');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash.startsWith('#/search'));
  await ready();
  assert.match(await page.textContent('main'), /Murager Alimuly/);
  ok('keyboard: skip link first, search from the keyboard');

  // Lock the server's key: the unlock page asks for a passphrase, a wrong one
  // is refused, the right one brings back the page the user was on, still
  // signed in.
  await go('#/case/' + CASE);
  await page.click('#lock-now');
  await page.waitForSelector('#passphrase');
  await ready();
  assert.equal((await (await page.request.get(BASE + '/api/lock')).json()).locked, true);
  assert.equal((await page.request.get(BASE + '/api/cases/' + CASE)).status(), 423);
  await axe('unlock page');
  await shot('unlock');
  await page.fill('#passphrase', 'not the passphrase');
  await page.click('form.signin button[type=submit]');
  await page.waitForSelector('form.signin [role=alert]:not([hidden])');
  assert.match(await page.textContent('form.signin [role=alert]'), /does not unlock/);
  await page.reload();
  await page.waitForSelector('#passphrase');
  await ready();
  await page.fill('#passphrase', PASSPHRASE);
  await page.click('form.signin button[type=submit]');
  await page.waitForSelector('#sign-out');
  await ready();
  assert.equal(await page.evaluate(() => location.hash), '#/case/' + CASE);
  assert.match(await page.textContent('h1'), /asylum-seekers/);
  ok('lock: the key is erased on request, a reload asks for the passphrase, the right one unlocks and the user is still signed in');

  // Sign out.
  await page.click('#sign-out');
  await page.waitForSelector('form.signin');
  const me = await page.request.get(BASE + '/api/me');
  assert.equal(me.status(), 401);
  ok('signed out');

  assert.deepEqual(problems, [], 'console errors or CSP violations');
  ok('no console errors, no CSP violations');
  console.log(`1..${n}`);
  console.log(`# ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (e) {
  console.log(`not ok ${n + 1} - ${e.message}`);
  console.log(e.stack);
  await page.screenshot({ path: `${OUT}/failure.png`, fullPage: true }).catch(() => {});
  console.log('# page: ' + (await page.textContent('main').catch(() => '?')).slice(0, 1500));
  if (problems.length) console.log('# ' + problems.join('\n# '));
  await browser.close();
  process.exit(1);
}
await browser.close();
