// Drives the web console in headless Chromium for Gateway.WebTests (BrowserTests.cs). Each step prints one JSON line
// on stdout; after a step that changes an output it waits for a line on stdin, so the test can read the simulated
// board's line in between. Settings come from the environment: GATEWAY_URL, VIEWER_TOKEN, OPERATOR_TOKEN, ARTIFACTS,
// CHROMIUM (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

const url = process.env.GATEWAY_URL;
const artifacts = process.env.ARTIFACTS;
const stepTimeout = 15000;
const lines = createInterface({ input: process.stdin });
const input = lines[Symbol.asyncIterator]();
const emit = (step, data) => process.stdout.write(JSON.stringify({ step, ...data }) + '\n');
const proceed = async () => { const next = await input.next(); if (next.done || next.value !== 'next') throw new Error('the test said stop'); };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // root in a container has no user namespace sandbox
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-default-apps', '--disable-sync'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requests = [];
  const consoleErrors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('websocket', (ws) => requests.push(ws.url()));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  const scriptErrors = [];
  page.on('pageerror', (e) => scriptErrors.push(String(e)));
  page.setDefaultTimeout(stepTimeout);
  const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  const switchState = async () => page.$eval('input[data-output="relay"]', (b) => b.checked);

  // Load: the login form, nothing else reachable yet.
  await page.goto(url);
  await page.waitForSelector('#token', { state: 'visible' });
  await shot('01-login');
  emit('loaded', { title: await page.title(), consoleHidden: await page.$eval('#console', (e) => e.hidden) });

  // A wrong token is refused and the console stays hidden.
  await page.fill('#token', 'not-the-right-token-at-all');
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
  await shot('02-wrong-token');
  emit('wrong-token', { error: await page.textContent('#login-error'), consoleHidden: await page.$eval('#console', (e) => e.hidden) });

  // The viewer logs in (keyboard only: type, Enter), charts fill with live points, status shows.
  await page.focus('#token');
  await page.keyboard.type(process.env.VIEWER_TOKEN);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#console', { state: 'visible' });
  await page.waitForFunction(() => {
    const env = document.querySelector('canvas[data-series="env/temperature"]');
    return env && Number(env.dataset.points) >= 3 && document.querySelectorAll('canvas[data-series]').length >= 5;
  });
  await page.waitForSelector('#health li');
  await page.waitForSelector('#outbox dd');
  const charts = await page.$$eval('canvas[data-series]', (cs) => cs.map((c) => ({ series: c.dataset.series, points: Number(c.dataset.points), label: c.getAttribute('aria-label') })));
  const values = await page.$$eval('#now tbody tr', (rows) => rows.map((r) => r.textContent));
  const health = await page.$$eval('#health li', (li) => li.map((l) => l.textContent));
  const outbox = await page.textContent('#outbox');
  const cookieVisible = await page.evaluate(() => document.cookie);
  await shot('03-viewer-live');
  emit('viewer-live', { charts, values, health, outbox, cookieVisible, session: await page.textContent('#session-info') });

  // A reload keeps the session (the cookie) and starts with the charts already filled from the outbox (/api/recent),
  // not empty: the first time the chart shows any point it shows every reading so far.
  const pointsBefore = await page.$eval('canvas[data-series="env/temperature"]', (c) => Number(c.dataset.points));
  await page.reload();
  await page.waitForSelector('#console', { state: 'visible' });
  await page.waitForFunction(() => {
    const env = document.querySelector('canvas[data-series="env/temperature"]');
    return env && Number(env.dataset.points) >= 1;
  });
  const pointsAfter = await page.$eval('canvas[data-series="env/temperature"]', (c) => Number(c.dataset.points));
  await shot('03b-reloaded');
  emit('reloaded', { pointsBefore, pointsAfter });

  // The viewer's key may not run output.set: the switch (operated from the keyboard) is refused and stays off.
  await page.focus('input[data-output="relay"]');
  await page.keyboard.press('Space');
  await page.waitForSelector('[data-result="relay"][data-code]');
  await shot('04-viewer-refused');
  emit('viewer-toggle', { code: await page.getAttribute('[data-result="relay"]', 'data-code'), text: await page.textContent('[data-result="relay"]'), checked: await switchState() });
  await proceed();

  // Log out, log in as the operator, switch the relay on and off again.
  await page.click('#logout');
  await page.waitForSelector('#token', { state: 'visible' });
  await page.fill('#token', process.env.OPERATOR_TOKEN);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#console', { state: 'visible' });
  for (const [name, want] of [['operator-on', true], ['operator-off', false]]) {
    await page.waitForFunction((w) => document.querySelector('input[data-output="relay"]').checked !== w, want);
    await page.evaluate(() => delete document.querySelector('[data-result="relay"]').dataset.code);
    await page.focus('input[data-output="relay"]');
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-result="relay"][data-code]');
    await shot(name === 'operator-on' ? '05-operator-on' : '06-operator-off');
    emit(name, { code: await page.getAttribute('[data-result="relay"]', 'data-code'), text: await page.textContent('[data-result="relay"]'), checked: await switchState() });
    await proceed();
  }

  // On a phone-sized screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await shot('07-phone');
  const phone = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth }));
  emit('done', { requests, consoleErrors, scriptErrors, phone });
} finally {
  await browser.close();
  lines.close(); // stdin would keep node running
  process.stdin.destroy();
}
