// Browser tests of the Databus web interface (issue 3): Debian's chromium
// driven by playwright-core. Usage:
//   node browser_test.js BASE_URL [SCREENSHOT_DIR]
// BASE_URL is a `databus run --demo` on a fresh data directory (clients root
// and demo with their default users, which --demo lets the web serve). With
// SCREENSHOT_DIR, screenshots of the main pages are written there
// (docs/img). Exits non-zero on the first failed check. Every wait is bounded.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const base = process.argv[2];
const shots = process.argv[3];
const passenger = 'databus.passenger.demo.demo_passenger_1';
const patience = 20000;  // ms; reached only when something is wrong.

// `config` without the pushers of its first passenger (a valid configuration).
function first0(config) {
  const copy = JSON.parse(JSON.stringify(config));
  copy.passengers[0].pushers = [];
  return copy;
}

async function shoot(page, name) {
  if (!shots) return;
  await page.screenshot({ path: path.join(shots, name + '.png'), fullPage: true });
}

// Clicks a form's submit button and waits until the page it leads to (after
// the server's redirect) has loaded.
async function submit(page, target) {
  await Promise.all([page.waitForEvent('framenavigated'), page.click(target)]);
  await page.waitForLoadState('load');
}

async function login(page, client, user, password) {
  await page.goto(base + '/login');
  await page.fill('#client', client);
  await page.fill('#username', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL('**/c/' + client + '/dashboard'), page.click('button[type=submit]')]);
}

async function logout(page) {
  await Promise.all([page.waitForURL('**/login'), page.click('header form[action="/logout"] button')]);
}

// Reloads `url` until `selector` appears (the dispatcher drives on its own
// schedule).
async function reload_until(page, url, selector) {
  const deadline = Date.now() + patience;
  for (;;) {
    await page.goto(url);
    if (await page.locator(selector).count() > 0) return;
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + selector + ' at ' + url);
    await page.waitForTimeout(250);
  }
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'databus-chromium-'));
  // A fresh profile (--user-data-dir) each run, as a persistent context.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 800 },
  });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(patience);
    page.on('dialog', (dialog) => dialog.accept());  // data-confirm forms.
    const failures = [];
    page.on('pageerror', (e) => failures.push(String(e)));
    // Requests cut short by the next navigation (net::ERR_ABORTED) are normal.
    page.on('requestfailed', (r) => {
      const why = r.failure() ? r.failure().errorText : '';
      if (!why.includes('ERR_ABORTED')) failures.push('request failed: ' + r.url() + ' ' + why);
    });
    // Anything the Content-Security-Policy blocked would be a broken page.
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) failures.push('console: ' + m.text());
    });

    // Log in; the alias is on top.
    await page.goto(base + '/');
    await shoot(page, 'login');
    await login(page, 'demo', 'demo', 'demo');
    assert.equal(await page.textContent('#system-alias'), 'Browser test');

    // The dashboard (the first page) moves by itself: a drive expedited in
    // another tab raises its drive count and writes lines into its live
    // tail, with no reload (the marker set on its window stays).
    const box = 'section.card:has(h2:text-is("' + passenger + '"))';
    await page.waitForSelector(box + ' .flow .flow-queue');
    const drives = async () => Number(await page.textContent(box + ' .total-drives'));
    const drives_before = await drives();
    await page.evaluate(() => { window.__not_reloaded = true; });
    const tab = await page.context().newPage();
    await tab.goto(base + '/c/demo/passengers');
    await submit(tab, 'tr:has-text("' + passenger + '") button:text("Expedite")');
    await tab.close();
    const moved = Date.now() + patience;
    while (await drives() <= drives_before) {
      if (Date.now() > moved) throw new Error('the dashboard never showed the expedited drive');
      await page.waitForTimeout(250);
    }
    await page.waitForSelector('ol.tail li.tail-info');
    assert.equal(await page.evaluate(() => window.__not_reloaded), true);
    // Each box links to the queue filtered by its passenger type.
    assert.match(await page.getAttribute(box + ' .flow-queue a.flow-count', 'href'),
                 /\/c\/demo\/queue\?passenger=.*&filter=incomplete/);
    assert.ok(await page.locator(box + ' svg.chart polyline').count() >= 4);
    await shoot(page, 'dashboard');

    await page.goto(base + '/c/demo/passengers');
    await shoot(page, 'passengers');
    // Per passenger type the failing and quarantined entries (none in the demo).
    const counts = 'tr:has-text("' + passenger + '")';
    assert.equal((await page.textContent(counts + ' .count-quarantined')).trim(), '0');
    assert.equal((await page.textContent(counts + ' .count-failing')).trim(), '0');

    // Expedite.
    await submit(page, 'tr:has-text("' + passenger + '") button:text("Expedite")');
    assert.match(await page.textContent('#flash'), /Expedited/);

    // The demo queue fills; open an entry.
    const queue = base + '/c/demo/queue?passenger=' + encodeURIComponent(passenger);
    await reload_until(page, queue, '#queue a:text("ID_1_1")');
    await shoot(page, 'queue');
    // The drive pulled: each puller of the type has a green "ok" badge, its
    // last pull in the title.
    await page.goto(base + '/c/demo/passengers');
    const badges = counts + ' .badge.health';
    assert.ok(await page.locator(badges).count() > 0);
    for (const badge of await page.locator(badges).all()) {
      assert.equal((await badge.textContent()).trim(), 'ok');
      assert.match(await badge.getAttribute('title'), /^Last pull: /);
    }
    await page.goto(queue);
    await page.click('#queue a:text("ID_1_1")');
    await page.waitForSelector('#steps');
    const entry = page.url();

    // Flip a status: once the demo pusher has completed it, make it
    // incomplete. A flip is refused (409) while a drive of the type runs, so
    // try again until it lands.
    const pusher_button = '#steps tr:has-text("demo_pusher_1") button';
    const deadline = Date.now() + patience;
    for (;;) {
      await reload_until(page, entry, pusher_button + ':text-is("complete")');
      await submit(page, pusher_button);
      if (await page.locator('#flash').count() > 0) break;
      if (Date.now() > deadline) throw new Error('the status flip was never accepted');
      await page.waitForTimeout(250);
    }
    assert.equal((await page.textContent(pusher_button)).trim(), 'incomplete');
    await shoot(page, 'entry');

    // View an attachment.
    await page.click('#attachments a:text("puller1_file1.txt")');
    assert.equal(await page.textContent('#attachment-text'), 'Lorem Ipsum');

    // Logs: the drive's log is listed and opens.
    await page.goto(base + '/c/demo/logs');
    await page.locator('#logs a').first().click();
    await page.waitForSelector('#log');
    await shoot(page, 'log');

    // Edit and save customizing; a backup appears.
    await page.goto(base + '/c/demo/customizing');
    const backups_before = await page.locator('#backups tbody tr', { hasText: '__databus__' }).count();
    await page.click('#nodes a:text("__databus__")');
    const config = JSON.parse(await page.inputValue('#node-text'));
    config.log_life_span = 3;
    await page.fill('#node-text', JSON.stringify(config, null, 2));
    await submit(page, '#save');
    assert.match(await page.textContent('#flash'), /Saved/);
    assert.equal(JSON.parse(await page.inputValue('#node-text')).log_life_span, 3);
    await shoot(page, 'customizing');
    // Invalid JSON is refused with the reason, and the text is kept.
    await page.fill('#node-text', '{"log_life_span": "many"}');
    await submit(page, '#save');
    assert.equal(await page.locator('#save-error').count(), 1);
    await page.goto(base + '/c/demo/customizing');
    const backups_after = await page.locator('#backups tbody tr', { hasText: '__databus__' }).count();
    assert.equal(backups_after, backups_before + 1);
    // The editor checks the text as it is typed against the schema of the
    // component specs (GET /api/v1/schema): a bad port, an unknown setting.
    await page.goto(base + '/c/demo/customizing/__databus__');
    const typed = JSON.parse(await page.inputValue('#node-text'));
    typed.passengers[0].pushers = [{ module: 'databus.pusher.smtp', host: 'mail', port: 99999,
      from: 'a@b.c', to: ['d@e.f'], colour: 'red' }];
    await page.fill('#node-text', JSON.stringify(typed, null, 2));
    await page.waitForSelector('#schema-problems li', { timeout: patience });
    const hints = await page.textContent('#schema-problems');
    assert.match(hints, /passengers\[0\]\.pushers\[0\]\.port: must be at most 65535/);
    assert.match(hints, /passengers\[0\]\.pushers\[0\]\.colour: unknown key/);
    await page.fill('#node-text', '{"log_life_span": 1,\n  "passengers": [}');
    await page.waitForFunction(() => /line 2, column 18: malformed JSON/.test(
      document.getElementById('schema-problems').textContent), null, { timeout: patience });
    await page.fill('#node-text', JSON.stringify(first0(typed), null, 2));
    await page.waitForFunction(() => document.getElementById('schema-problems').hidden,
      null, { timeout: patience });
    // Two tabs edit one node: the later save is refused (409), its text kept
    // and the current version shown above it (docs/api.md, "Edit conflicts").
    const other = await page.context().newPage();
    await page.goto(base + '/c/demo/customizing/__databus__');
    await other.goto(base + '/c/demo/customizing/__databus__');
    const first = JSON.parse(await page.inputValue('#node-text'));
    first.log_life_span = 4;
    await page.fill('#node-text', JSON.stringify(first, null, 2));
    await submit(page, '#save');
    const second = JSON.parse(await other.inputValue('#node-text'));
    second.log_life_span = 5;
    await other.fill('#node-text', JSON.stringify(second, null, 2));
    await submit(other, '#save');
    assert.match(await other.textContent('#save-error'), /was saved at .* by demo@demo/);
    assert.equal(await other.locator('#current-version').count(), 1);
    assert.equal(JSON.parse(await other.inputValue('#node-text')).log_life_span, 5);
    await shoot(other, 'customizing-conflict');
    await other.close();

    await page.goto(base + '/c/demo/users');
    await shoot(page, 'users');
    await page.goto(base + '/about');
    await shoot(page, 'about');
    await logout(page);

    // Pause and resume as root.
    await login(page, 'root', 'root', 'root');
    await page.goto(base + '/system');
    await submit(page, 'form[action="/system/pause"] button');
    assert.equal((await page.textContent('#dispatcher-state')).trim(), 'paused');
    await shoot(page, 'system');
    await submit(page, 'form[action="/system/resume"] button');
    assert.equal((await page.textContent('#dispatcher-state')).trim(), 'running');
    await logout(page);

    // Logged out means logged out: pages send us back to the login page.
    await page.goto(base + '/c/root/passengers');
    assert.match(page.url(), /\/login/);

    // A narrow screen still shows everything (responsive layout).
    if (shots) {
      await page.setViewportSize({ width: 390, height: 800 });
      await login(page, 'demo', 'demo', 'demo');
      await page.waitForSelector('ol.tail li');
      await shoot(page, 'dashboard-mobile');
      await page.goto(base + '/c/demo/passengers');
      await shoot(page, 'passengers-mobile');
    }
    assert.deepEqual(failures, []);
    console.log('browser tests passed');
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
