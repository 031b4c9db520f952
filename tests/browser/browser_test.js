/*
 * browser_test.js — the trackport page in a real headless Chromium, driven by playwright-core,
 * stage by stage as a matchmover would use it. browser_test.py starts the site and runs this:
 *
 *   node browser_test.js CONFIG.json
 *
 * CONFIG: {site, out, corpus, samples: {...}, big_file, dispatcher_pid, max_upload_bytes,
 * axe}. Screenshots (NN-stage.png) go to OUT. Checks that need parts of the site a deployment
 * may not have yet (the status JSON's summary and archives, trackers.json, the reconvert
 * route) run when a probe finds them; every check group is reported as run or skipped.
 * Prints failures, then one JSON line {passed, failed, ran, skipped, downloads}.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const CHROMIUM = process.env.TP_CHROMIUM || '/usr/bin/chromium';
const STEP_MS = 60000;
const JOB_URL_RE = /\/jobs\/[A-Za-z0-9_-]{22}$/;

let passed = 0;
let failed = 0;
const ran = [];
const skipped = [];
const downloads = {};
let shotNo = 0;

function check(ok, what) {
  if (ok) passed++;
  else {
    failed++;
    console.log('FAIL: ' + what);
  }
  return ok;
}

function group(name, present, why) {
  if (present) ran.push(name);
  else skipped.push(name + ' (' + why + ')');
  return present;
}

async function text(page, sel) {
  return ((await page.textContent(sel)) || '').replace(/\s+/g, ' ').trim();
}

async function shot(page, name) {
  shotNo++;
  const file = path.join(cfg.out, String(shotNo).padStart(2, '0') + '-' + name + '.png');
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
}

// The page fits its viewport: nothing scrolls sideways.
async function noSideScroll(page, what) {
  const m = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: innerWidth,
    body: document.body.scrollWidth }));
  check(m.sw <= m.iw && m.body <= m.iw, what + ' scrolls sideways at ' + m.iw + ' px: ' + JSON.stringify(m));
}

// axe-core injected into the page: no serious or critical violation.
async function axe(page, what) {
  await page.addScriptTag({ path: cfg.axe });
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '));
  });
  check(found.length === 0, 'axe on ' + what + ': ' + found.join(' | '));
}

async function formReady(page) {
  await page.waitForSelector('#upload:not([hidden])');
  await page.waitForFunction(() => document.querySelectorAll('#importer option').length > 5);
}

async function detected(page) {
  await page.waitForFunction(() => {
    const d = document.getElementById('detected');
    return !d.hidden && !/Looking at the file/.test(d.textContent);
  });
  return text(page, '#detected');
}

async function waitFinal(page) {
  await page.waitForFunction(() => /\b(done|failed|cancelled)\b/.test(document.getElementById('bar').className));
}

async function status(page, token) {
  const r = await page.request.get(cfg.site + '/jobs/' + token + '/status', { headers: { Accept: 'application/json' } });
  return r.json();
}

function tokenOf(url) {
  return url.slice(-22);
}

// Presses Tab until the focused element matches sel (the keyboard is the only input).
async function tabTo(page, sel, max = 80, key = 'Tab') {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), sel)) return true;
  }
  return false;
}

async function addEdit(page, flag, value) {
  await page.selectOption('#edit-choice', flag);
  await page.click('#edit-add');
  if (value != null) await page.fill('#edit-list > li:last-child input', value);
}

async function downloadLink(page, selector, key) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const file = path.join(cfg.out, key + '-' + dl.suggestedFilename());
  await dl.saveAs(file);
  downloads[key] = { path: file, name: dl.suggestedFilename() };
  return downloads[key];
}

// Uploads one file with a size from the presets or fields, and the edits given; returns the
// job's token once it is final.
async function convert(page, file, opts) {
  await page.goto(cfg.site + '/');
  await formReady(page);
  await page.setInputFiles('#file', file);
  await detected(page);
  if (opts.width) {
    await page.fill('#width', String(opts.width));
    await page.fill('#height', String(opts.height));
  }
  if (opts.edits && opts.edits.length) {
    await page.click('#edits-box > summary');
    for (const [flag, value] of opts.edits) await addEdit(page, flag, value);
  }
  await page.click('#convert');
  await page.waitForURL(JOB_URL_RE);
  await waitFinal(page);
  return tokenOf(page.url());
}

async function main() {
  fs.mkdirSync(cfg.out, { recursive: true });
  const S = cfg.samples;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The CI machine runs tests as root, where Chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  const pageErrors = [];
  let stopped = false;
  try {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
    const narrow = await browser.newContext({ acceptDownloads: true, viewport: { width: 375, height: 800 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const phone = await narrow.newPage();
    for (const p of [page, phone]) {
      p.setDefaultTimeout(STEP_MS);
      p.on('pageerror', (e) => pageErrors.push(String(e)));
    }
    const posts = [];
    page.on('request', (r) => { if (r.method() === 'POST' && /\/jobs(\/|$)/.test(new URL(r.url()).pathname)) posts.push(r.url()); });

    // ------------------------------------------------ the empty page
    await page.goto(cfg.site + '/');
    await formReady(page);
    check(await page.isDisabled('#convert'), 'Convert is enabled before a file is chosen');
    check(await page.isHidden('#size'), 'the size is asked before a file is chosen');
    const limitMb = Math.round(cfg.max_upload_bytes / 1048576) + ' MB';
    check((await text(page, '#limit-note')).includes(limitMb), 'the limit is not stated: ' + await text(page, '#limit-note'));
    check(/kept for 7 days/.test(await text(page, 'footer')), 'the footer says ' + await text(page, 'footer'));
    await shot(page, 'empty');
    await axe(page, 'the empty page');
    await phone.goto(cfg.site + '/');
    await formReady(phone);
    await noSideScroll(phone, 'the empty page');
    await shot(phone, 'empty-375px');

    // ------------------------------------------------ focus is visible on the file input
    await page.keyboard.press('Tab');
    check(await tabTo(page, '#file'), 'the file input cannot be reached with Tab');
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.getElementById('drop'));
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor };
    });
    check(ring.style !== 'none' && ring.width >= 2, 'no visible focus on the file input: ' + JSON.stringify(ring));
    await shot(page, 'file-input-focused');

    // ------------------------------------------------ what the format carries
    await page.setInputFiles('#file', S.carries_size);
    const carries = await detected(page);
    check(/Comp size from the file: 720 × 576/.test(carries), 'a Flame file\'s size is not shown: ' + carries);
    check(await page.isHidden('#size'), 'the size is asked for a format that carries it');
    await page.setInputFiles('#file', S.nuke);
    check(/Nuke/.test(await detected(page)), 'Nuke not detected');
    check(await page.isVisible('#size'), 'the comp size is not asked for a Nuke script');
    const presets = await page.$$eval('#size .preset', (bs) => bs.map((b) => b.textContent.replace(/\s+/g, ' ').trim()));
    for (const want of ['HD 1920 × 1080', 'UHD 3840 × 2160', '2K DCI 2048 × 1080', '4K DCI 4096 × 2160', '2048 × 1556', '4096 × 3112'])
      check(presets.some((p) => p.includes(want)), 'no preset ' + want + ' in ' + JSON.stringify(presets));
    await page.click('#size .preset:has-text("UHD")');
    check(await page.inputValue('#width') === '3840' && await page.inputValue('#height') === '2160',
      'the UHD preset did not fill the fields');
    check(await page.getAttribute('#size .preset:has-text("UHD")', 'aria-pressed') === 'true', 'the chosen preset is not marked');
    await shot(page, 'size-presets');

    // ------------------------------------------------ the limit, refused before upload
    await page.setInputFiles('#file', cfg.big_file);
    await page.waitForSelector('#form-error:not([hidden])');
    const postsBefore = posts.length;
    await page.click('#convert');
    const limitText = await text(page, '#form-error');
    check(limitText.includes(limitMb) && /larger than this site accepts/.test(limitText),
      'the limit message: ' + limitText);
    check(posts.length === postsBefore && !JOB_URL_RE.test(page.url()), 'a file over the limit was sent');
    await shot(page, 'over-the-limit');

    // ------------------------------------------------ an edit refused marks its field
    await page.setInputFiles('#file', S.offframe);
    await detected(page);
    await page.click('#size .preset:has-text("HD")');
    await page.click('#edits-box > summary');
    await addEdit(page, 'slip', '3');
    await addEdit(page, 'crop', '200,left');
    await page.click('#convert');
    const cropError = await text(page, '#edit-list > li:nth-child(2) .field-error');
    check(/whole numbers of pixels/.test(cropError) && !/--crop/.test(cropError), 'bad crop: ' + cropError);
    check(await page.getAttribute('#edit-list > li:nth-child(2) input', 'aria-invalid') === 'true', 'the bad edit is not marked');
    check(await page.evaluate(() => document.activeElement === document.querySelector('#edit-list > li:nth-child(2) input')),
      'focus is not on the bad edit');
    check(!JOB_URL_RE.test(page.url()), 'a bad edit was sent');
    const cropLabel = await text(page, '#edit-list > li:nth-child(2) .edit-label');
    check(/grow/i.test(cropLabel) && /cut/i.test(cropLabel), '--crop is labelled ' + cropLabel);
    check(/Crop or pad the image by a specified number of pixels/.test(await text(page, '#edit-list > li:nth-child(2) .tsp')),
      '--crop lacks Tracksperanto\'s wording');
    await shot(page, 'edit-refused');
    // The site's own refusal, for a value the page lets through, marks the field too.
    await page.fill('#edit-list > li:nth-child(2) input', '200,0,0,0');
    await page.fill('#edit-list > li:nth-child(1) input', '99999999999');
    await page.click('#convert');
    await page.waitForSelector('#edit-list > li.invalid, #job:not([hidden])');
    if (!JOB_URL_RE.test(page.url())) {
      const serverError = await text(page, '#edit-list > li:nth-child(1) .field-error');
      check(serverError.length > 0 && !/--slip/.test(serverError), 'the site\'s refusal of --slip: ' + serverError);
    }
    // Reordering: up/down/remove act on the list.
    await page.click('#edit-list > li:nth-child(2) [data-up]');
    check(JSON.stringify(await page.$$eval('#edit-list > li', (ls) => ls.map((l) => l.dataset.flag))) === '["crop","slip"]',
      'moving --crop up did not reorder the list');
    await page.click('#edit-list > li:nth-child(2) [data-remove]');
    check((await page.$$('#edit-list > li')).length === 1, 'remove left the edit in the list');

    // ------------------------------------------------ a running job, then cancelled
    process.kill(cfg.dispatcher_pid, 'SIGSTOP');
    stopped = true;
    await page.goto(cfg.site + '/');
    await formReady(page);
    await page.setInputFiles('#file', S.offframe);
    await detected(page);
    await page.click('#size .preset:has-text("HD")');
    await page.click('#convert');
    await page.waitForURL(JOB_URL_RE);
    const queuedUrl = page.url();
    await page.waitForSelector('#cancel:not([hidden])');
    await shot(page, 'running');
    await axe(page, 'a running job');
    await phone.goto(queuedUrl);
    await phone.waitForSelector('#cancel:not([hidden])');
    await noSideScroll(phone, 'a running job');
    await shot(phone, 'running-375px');
    await page.click('#cancel');
    await page.waitForSelector('#bar.cancelled');
    check(await page.isHidden('#cancel') && await page.isVisible('#retry'), 'a cancelled job still offers Cancel');
    check(/cancelled/i.test(await text(page, '#percent')) && /cancelled/i.test(await text(page, '#job-error')),
      'the cancelled job reads ' + await text(page, '#percent') + ' / ' + await text(page, '#job-error'));
    await page.reload();
    await page.waitForSelector('#bar.cancelled');
    check((await status(page, tokenOf(queuedUrl))).state === 'cancelled', 'the site does not say cancelled');
    await shot(page, 'cancelled');
    process.kill(cfg.dispatcher_pid, 'SIGCONT');
    stopped = false;

    // ------------------------------------------------ keyboard only: upload and download
    await page.goto(cfg.site + '/');
    await formReady(page);
    check(await tabTo(page, '#file'), 'Tab does not reach the file input');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
    await chooser.setFiles(S.nuke);
    await detected(page);
    check(await tabTo(page, '#size .preset[data-w="1920"][data-h="1080"]'), 'Tab does not reach the HD preset');
    await page.keyboard.press('Enter');
    check(await tabTo(page, '#convert'), 'Tab does not reach Convert');
    await page.keyboard.press('Enter');
    await page.waitForURL(JOB_URL_RE);
    const nukeUrl = page.url();
    await page.waitForSelector('#results:not([hidden])');
    check(await page.evaluate(() => document.activeElement && document.activeElement.id === 'results-title'),
      'focus did not move to the results');
    check(await tabTo(page, 'a.file-name[download$="_nuke.nk"]', 200), 'Tab does not reach the Nuke download');
    const [kdl] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    downloads.keyboard = { path: path.join(cfg.out, 'keyboard-' + kdl.suggestedFilename()), name: kdl.suggestedFilename() };
    await kdl.saveAs(downloads.keyboard.path);
    check(/_nuke\.nk$/.test(kdl.suggestedFilename()), 'the keyboard download is ' + kdl.suggestedFilename());
    // The preview's trackers are a list reachable without hovering.
    check(await tabTo(page, '#tracker-box > summary', 200, 'Shift+Tab'), 'Tab does not reach the list of trackers');
    await page.keyboard.press('Enter');
    const rows = await page.$$eval('#trackers tbody tr', (trs) => trs.map((tr) => Array.from(tr.cells).map((c) => c.textContent)));
    check(rows.length === cfg.nuke_trackers && rows.every((r) => r[0] && /^-?\d+$/.test(r[1]) && /^-?\d+$/.test(r[2])),
      'the tracker list: ' + JSON.stringify(rows.slice(0, 3)) + ' (' + rows.length + ' rows)');
    await shot(page, 'results-keyboard');
    await axe(page, 'the results');
    await phone.goto(nukeUrl);
    await phone.waitForSelector('#results:not([hidden])');
    await phone.waitForSelector('#preview svg');
    await noSideScroll(phone, 'the results');
    const fileCol = await phone.$$eval('.file-name', (as) => Math.min(...as.map((a) => a.getBoundingClientRect().width)));
    check(fileCol >= 120, 'the File column is ' + fileCol + ' px wide at 375 px');
    const section = await phone.$eval('#job', (e) => e.getBoundingClientRect().height);
    check(section < 6000, 'the results are ' + section + ' px tall at 375 px');
    await shot(phone, 'results-375px');

    // ------------------------------------------------ grouped downloads
    const groups = await page.$$eval('.app-group', (gs) => gs.map((g) => ({
      app: g.querySelector('h4').textContent, files: g.querySelectorAll('.file').length,
      zip: (g.querySelector('.app-head a') || {}).href || null })));
    const apps = ['Nuke', 'Flame/Smoke', '3DEqualizer', 'PFTrack', 'SynthEyes', 'Maya', 'After Effects',
      '3ds Max', 'Softimage', 'MatchMover', 'boujou', 'Fusion', 'Scripting'];
    check(groups.length >= 10 && groups.every((g) => apps.includes(g.app) && g.files > 0),
      'download groups: ' + JSON.stringify(groups.map((g) => g.app)));
    check(/\/all\.zip$/.test(await page.getAttribute('#zip', 'href') || ''), 'no all.zip link');
    const nukeStatus = await status(page, tokenOf(nukeUrl));
    if (group('per-application zips (archives)', Array.isArray(nukeStatus.archives), 'the status has no archives')) {
      check(groups.every((g) => g.zip), 'a group without its zip: ' + JSON.stringify(groups));
      const nukeZip = groups.find((g) => g.app === 'Nuke');
      const r = await page.request.get(nukeZip.zip);
      const body = await r.body();
      check(r.ok() && body.slice(0, 2).toString() === 'PK', 'the Nuke zip: ' + r.status());
    }

    // ------------------------------------------------ the off-frame warning and another size
    const offToken = await convert(page, S.offframe, { width: 1920, height: 1080 });
    const off = await status(page, offToken);
    await page.waitForSelector('#results:not([hidden])');
    if (group('off-frame warning', off.summary && off.summary.outside != null, 'the status has no summary')) {
      const warn = await text(page, '#offframe-text');
      check(new RegExp('^' + off.summary.outside + ' of 72 keyframes lie outside 1920 × 1080 — is the comp size right\\?').test(warn) &&
        off.summary.outside > 0, 'the warning reads ' + JSON.stringify(warn));
      check(await page.isVisible('#resize'), 'no "Convert again with another size"');
      await shot(page, 'off-frame-warning');
      await page.click('#offframe .preset:has-text("UHD")');
      await page.click('#resize');
      await page.waitForFunction((t) => !location.pathname.endsWith(t) ||
        !document.getElementById('resize-error').hidden, offToken);
    }
    if (group('reconvert with another size', off.summary && off.summary.outside > 0 && !page.url().endsWith(offToken),
      !(off.summary && off.summary.outside > 0) ? 'the status has no summary' :
        'the site has no reconvert route: ' + (await text(page, '#resize-error')).slice(0, 80))) {
      await page.waitForURL(JOB_URL_RE);
      await waitFinal(page);
      const again = await status(page, tokenOf(page.url()));
      check(again.state === 'done' && JSON.stringify(again.summary.comp_in) === '[3840,2160]' && again.summary.outside === 0,
        'the reconversion: ' + JSON.stringify(again.summary));
      check(again.input_name === off.input_name, 'the reconversion read ' + again.input_name);
      check(await page.isHidden('#offframe'), 'the warning stayed after the right size');
      const before = await status(page, offToken);
      check(JSON.stringify(before.summary) === JSON.stringify(off.summary), 'the first job changed');
      await shot(page, 'reconverted-size');
    }

    // ------------------------------------------------ retry with other settings, same input
    await page.goto(cfg.site + '/');
    await formReady(page);
    await page.setInputFiles('#file', S.bad);
    await detected(page);
    if (await page.isVisible('#size')) await page.click('#size .preset:has-text("HD")');
    await page.click('#convert');
    await page.waitForURL(JOB_URL_RE);
    const badToken = tokenOf(page.url());
    await page.waitForSelector('#job-error:not([hidden])');
    const jobError = await text(page, '#job-error');
    check(/tracker/i.test(jobError) && !/\{|errno|null|undefined/.test(jobError), 'the failure reads ' + JSON.stringify(jobError));
    check(await page.isVisible('#retry'), 'a failed job does not offer "Try again with other settings"');
    await shot(page, 'failed');
    await page.click('#retry');
    await page.waitForSelector('#reuse:not([hidden])');
    check((await text(page, '#reuse-name')).includes(path.basename(S.bad)), 'the retry does not name the stored file');
    check(!(await page.isDisabled('#convert')), 'Convert is disabled for a retry without a new file');
    await page.selectOption('#importer', 'shakescript');
    await shot(page, 'retry-form');
    await page.click('#convert');
    await page.waitForSelector('#job:not([hidden]), #form-error:not([hidden])');
    if (group('retry with other settings on the stored input', JOB_URL_RE.test(page.url()) && tokenOf(page.url()) !== badToken,
      'the site has no reconvert route: ' + (await text(page, '#form-error')).slice(0, 80))) {
      await waitFinal(page);
      const retried = await status(page, tokenOf(page.url()));
      check(retried.input_name === path.basename(S.bad), 'the retry read ' + retried.input_name);
      check((await status(page, badToken)).state === 'failed', 'the failed job changed');
      await shot(page, 'retried');
    }

    // ------------------------------------------------ ordered edits, as the CLI applies them
    const orders = { crop_then_undistort: [['crop', '200,0,0,0'], ['undistort', '0.05']],
      undistort_then_crop: [['undistort', '0.05'], ['crop', '200,0,0,0']] };
    for (const [key, edits] of Object.entries(orders)) {
      const t = await convert(page, S.offframe, { width: 1920, height: 1080, edits });
      await page.waitForSelector('#results:not([hidden])');
      await downloadLink(page, 'a.file-name[download$="_shake_trackers.txt"]', key);
      const s = await status(page, t);
      if (group('applied edits and frame range shown (' + key + ')', s.summary && Array.isArray(s.summary.edits),
        'the status has no summary')) {
        check(JSON.stringify(s.summary.edits.map((e) => e[0])) === JSON.stringify(edits.map((e) => e[0])),
          'the site applied ' + JSON.stringify(s.summary.edits));
        const applied = await page.$$eval('.applied li code', (cs) => cs.map((c) => c.textContent));
        check(JSON.stringify(applied) === JSON.stringify(s.summary.edits.map(([f, v]) => '--' + f + ' ' + v)),
          'applied edits shown: ' + JSON.stringify(applied));
        const facts = await text(page, '#facts');
        check(facts.includes('frames ' + s.summary.frames_out[0] + '–' + s.summary.frames_out[1]), 'the frame range: ' + facts);
        check(facts.includes('1920 × 1080 → 2120 × 1080'), 'the comp size in and out: ' + facts);
        if (key === 'crop_then_undistort') await shot(page, 'edits-applied');
      }
    }

    // ------------------------------------------------ a batch of three files, dropped at once
    await page.goto(cfg.site + '/');
    await formReady(page);
    const batch = S.batch.map((f) => ({ name: path.basename(f), text: fs.readFileSync(f, 'latin1') }));
    await page.evaluate((files) => {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(new File([f.text], f.name, { type: 'text/plain' }));
      document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, batch);
    await detected(page);
    check((await page.$$('#file-info li')).length === 3, 'the three dropped files are not listed');
    await page.click('#size .preset:has-text("HD")');
    check(/Convert 3 files/.test(await text(page, '#convert')), 'the button reads ' + await text(page, '#convert'));
    await page.click('#convert');
    await page.waitForSelector('#batch:not([hidden])');
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#batch-list .job-item'))
      .every((li) => /^(done|failed|cancelled)$/.test(li.dataset.state || '')));
    const items = await page.$$eval('#batch-list .job-item', (ls) => ls.map((l) => ({ name: l.querySelector('a').textContent,
      state: l.dataset.state, href: l.querySelector('a').getAttribute('href') })));
    check(items.length === 3 && items.every((i) => i.state === 'done') &&
      JSON.stringify(items.map((i) => i.name).sort()) === JSON.stringify(batch.map((f) => f.name).sort()),
      'the batch: ' + JSON.stringify(items));
    await shot(page, 'batch');

    // ------------------------------------------------ recent jobs after a reload
    await page.goto(cfg.site + '/');
    await page.reload();
    await formReady(page);
    await page.waitForSelector('#recent:not([hidden])');
    const recent = await page.$$eval('#recent-list li', (ls) => ls.map((l) => ({ name: l.querySelector('a').textContent,
      href: l.querySelector('a').getAttribute('href'), state: l.querySelector('.state').textContent })));
    for (const i of items)
      check(recent.some((r) => r.href === i.href && r.name === i.name && r.state === 'done'), 'not in the recent list: ' + i.name);
    check(recent.some((r) => r.href.endsWith(tokenOf(queuedUrl)) && r.state === 'cancelled'), 'the cancelled job is not listed');
    check(recent.some((r) => r.href.endsWith(badToken) && r.state === 'failed'), 'the failed job is not listed as failed');
    await shot(page, 'recent-after-reload');

    // A mistyped job address says so in words.
    await page.goto(cfg.site + '/jobs/AAAAAAAAAAAAAAAAAAAAAA');
    check(/no such conversion/i.test(await page.textContent('body')), 'unknown job page');

    check(pageErrors.length === 0, 'errors in the page: ' + pageErrors.join(' | '));
    await context.close();
    await narrow.close();
  } finally {
    if (stopped) process.kill(cfg.dispatcher_pid, 'SIGCONT');
    await browser.close();
  }
  console.log(JSON.stringify({ passed, failed, ran, skipped, downloads }));
}

main().catch((e) => {
  if (cfg.dispatcher_pid) try { process.kill(cfg.dispatcher_pid, 'SIGCONT'); } catch (x) { /* gone */ }
  console.log('FAIL: ' + (e && e.stack ? e.stack : e));
  console.log(JSON.stringify({ passed, failed: failed + 1, ran, skipped, downloads }));
  process.exit(1);
});
