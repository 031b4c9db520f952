/*
 * browser_test.js — the trackport page in a real headless Chromium, driven by playwright-core.
 * browser_test.py starts the site and runs this; it checks what a person would see and do.
 *
 *   node browser_test.js SITE_URL NUKE_SAMPLE WIDTH HEIGHT BAD_SAMPLE OUT_DIR
 *
 * Uploads NUKE_SAMPLE (a format without a comp size), follows the bar to 100%, checks the
 * plot, the output list and the archive link, downloads one output into OUT_DIR, reloads the
 * job's address, then uploads BAD_SAMPLE (no usable tracker) and reads the error. Screenshots
 * go to OUT_DIR. Prints failures, then one JSON line {passed, failed, download, name}.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const [siteUrl, nukeSample, width, height, badSample, outDir] = process.argv.slice(2);
const CHROMIUM = process.env.TP_CHROMIUM || '/usr/bin/chromium';
const STEP_MS = 60000;

let passed = 0;
let failed = 0;
function check(ok, what) {
  if (ok) passed++;
  else {
    failed++;
    console.log('FAIL: ' + what);
  }
  return ok;
}

async function text(page, sel) {
  return (await page.textContent(sel)) || '';
}

// Records every value the progress bar shows, from the page's side.
function watchBar() {
  window.__bar = [];
  const bar = document.getElementById('bar');
  new MutationObserver(() => window.__bar.push(Number(bar.getAttribute('aria-valuenow'))))
    .observe(bar, { attributes: true, attributeFilter: ['aria-valuenow'] });
}

async function chooseAndCheckSize(page, file) {
  await page.setInputFiles('#file', file);
  await page.waitForFunction(() => {
    const d = document.getElementById('detected');
    return !d.hidden && !/Looking at the file/.test(d.textContent);
  }, null, { timeout: STEP_MS });
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The CI machine runs tests as root, where Chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  let download = null;
  let downloadName = null;
  const consoleErrors = [];
  try {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 1000 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text() + ' (' + m.location().url + ')');
    });
    page.on('response', (r) => { if (r.status() >= 400) consoleErrors.push(r.status() + ' ' + r.url()); });
    page.setDefaultTimeout(STEP_MS);

    // The form, once the formats are loaded.
    await page.goto(siteUrl + '/');
    await page.waitForSelector('#upload:not([hidden])');
    await page.waitForFunction(() => document.querySelectorAll('#importer option').length > 5);
    check(await page.isDisabled('#convert'), 'Convert is enabled before a file is chosen');
    check(await page.isHidden('#size'), 'the size is asked before a file is chosen');

    // Choose the Nuke script: its format is detected, and the comp size asked.
    await chooseAndCheckSize(page, nukeSample);
    const detected = await text(page, '#detected');
    check(/Nuke/i.test(detected), 'detected format shown as: ' + detected);
    check(await page.isVisible('#size'), 'the comp size is not asked for a Nuke script');
    check((await text(page, '#file-info')).includes(path.basename(nukeSample)),
      'the chosen file is not named on the page');

    // Submitting without the size says what is missing, in words.
    await page.click('#convert');
    const formError = await text(page, '#form-error');
    check(/width and height/i.test(formError), 'no size: the page said ' + JSON.stringify(formError));
    check(!/\/jobs\//.test(page.url()), 'uploaded without a size');

    // Upload with the size and follow the job.
    await page.fill('#width', width);
    await page.fill('#height', height);
    await page.evaluate(watchBar);
    await page.click('#convert');
    await page.waitForURL(/\/jobs\/[A-Za-z0-9_-]{22}$/);
    const jobUrl = page.url();
    await page.waitForFunction(() => document.getElementById('bar').getAttribute('aria-valuenow') === '100');
    const values = await page.evaluate(() => window.__bar);
    check(values.length > 0 && values[values.length - 1] === 100, 'the bar showed ' + JSON.stringify(values));
    check(values.every((v, i) => i === 0 || v >= values[i - 1]), 'the bar went backwards: ' + JSON.stringify(values));
    await page.waitForSelector('#results:not([hidden])');
    check((await text(page, '#percent')).trim() === '100%', 'percent reads ' + await text(page, '#percent'));
    check(/tracker/.test(await text(page, '#summary')), 'summary: ' + await text(page, '#summary'));

    // The plot: one path per tracker, frame numbers in the hover titles.
    await page.waitForSelector('#preview svg');
    const plot = await page.evaluate(() => {
      const svg = document.querySelector('#preview svg');
      const titles = Array.from(svg.querySelectorAll('title')).map((t) => t.textContent);
      const box = svg.getBoundingClientRect();
      return { titles, shapes: svg.querySelectorAll('path, polyline, circle, line').length,
        width: box.width, height: box.height };
    });
    check(plot.shapes > 0 && plot.width > 100 && plot.height > 50, 'the plot: ' + JSON.stringify(plot).slice(0, 300));
    check(plot.titles.some((t) => /\d/.test(t)), 'no frame numbers on hover: ' + plot.titles.slice(0, 5));

    // The outputs: format, link, size; and the archive.
    const rows = await page.$$eval('#outputs tbody tr', (trs) => trs.map((tr) => {
      const a = tr.querySelector('a');
      return { format: tr.cells[0].textContent, name: a && a.textContent, href: a && a.href,
        size: tr.cells[2].textContent };
    }));
    check(rows.length >= 10, rows.length + ' outputs listed');
    check(rows.every((r) => r.name && r.href.includes('/files/') && /\d/.test(r.size) && r.format),
      'an output row lacks its name, link or size: ' + JSON.stringify(rows[0]));
    const zipHref = await page.getAttribute('#zip', 'href');
    check(/\/all\.zip$/.test(zipHref || ''), 'archive link: ' + zipHref);
    await page.screenshot({ path: path.join(outDir, 'job-done.png'), fullPage: true });

    // Download one output the way a person does: clicking its link.
    const row = rows.find((r) => /_nuke\.nk$/.test(r.name)) || rows[0];
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.click(`#outputs a:text-is("${row.name}")`),
    ]);
    downloadName = dl.suggestedFilename();
    download = path.join(outDir, 'download-' + downloadName);
    await dl.saveAs(download);
    check(downloadName === row.name, 'downloaded as ' + downloadName + ', listed as ' + row.name);

    // The job's address is the state: a reload shows the same results.
    await page.reload();
    await page.waitForSelector('#results:not([hidden])');
    check(page.url() === jobUrl, 'the reload moved to ' + page.url());
    const again = await page.$$eval('#outputs tbody tr', (trs) => trs.length);
    check(again === rows.length, 'after a reload: ' + again + ' outputs, before ' + rows.length);
    check(await page.isVisible('#preview svg'), 'no plot after a reload');

    // Back to the form without a reload, then a file with no usable tracker.
    await page.click('#again');
    await page.waitForSelector('#upload:not([hidden])');
    check(!/\/jobs\//.test(page.url()), '"Convert another file" stayed on ' + page.url());
    await chooseAndCheckSize(page, badSample);
    if (await page.isVisible('#size')) {
      await page.fill('#width', width);
      await page.fill('#height', height);
    }
    await page.click('#convert');
    await page.waitForURL(/\/jobs\/[A-Za-z0-9_-]{22}$/);
    await page.waitForSelector('#job-error:not([hidden])');
    const jobError = await text(page, '#job-error');
    check(/tracker/i.test(jobError) && !/\{|errno|null|undefined/.test(jobError),
      'the failure reads ' + JSON.stringify(jobError));
    check(await page.isHidden('#results'), 'a failed job shows results');
    await page.screenshot({ path: path.join(outDir, 'job-failed.png'), fullPage: true });

    check(consoleErrors.length === 0, 'errors in the page: ' + consoleErrors.join(' | '));

    // A mistyped job address says so in words (the browser logs the 404 itself).
    await page.goto(siteUrl + '/jobs/AAAAAAAAAAAAAAAAAAAAAA');
    const missing = await page.textContent('body');
    check(/no such conversion/i.test(missing), 'unknown job page: ' + missing.slice(0, 200));

    // The job's address opened afresh (a bookmark, a shared link) shows the results.
    await page.goto(jobUrl);
    await page.waitForSelector('#results:not([hidden])');
    check((await page.$$eval('#outputs tbody tr', (trs) => trs.length)) === rows.length,
      'the job opened afresh lists other outputs');
    await context.close();
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify({ passed, failed, download, name: downloadName }));
}

main().catch((e) => {
  console.log('FAIL: ' + (e && e.stack ? e.stack : e));
  console.log(JSON.stringify({ passed, failed: failed + 1, download: null, name: null }));
  process.exit(1);
});
