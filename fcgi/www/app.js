/*
 * app.js — the trackport page: choose files, see what their format carries, set the
 * formats and an ordered list of edits, upload, follow the conversions, then check the
 * results (comp size, frames, edits, an off-frame warning, the preview and its trackers)
 * and download them by application.
 *
 * The address is the page's state: /jobs/<token> shows one job (a reload, a bookmark, a
 * shared link shows the same), ./#jobs=<t>,<t>... shows a batch, ./ the form. The user's
 * recent jobs live in localStorage (no accounts). Everything talks to the site's JSON:
 *   GET  api/formats              importers, exporters (application, note), edit flags, limits
 *   POST api/detect?name=         the file's first 64 KiB -> its importer and comp size
 *   POST jobs                     the upload (multipart), answered 202 {token, page_url}
 *   POST jobs/<t>/reconvert       the same fields without the file: a new job on t's input
 *   GET  jobs/<t>/status          {state, percent, message, error, summary, outputs, ...}
 *   GET  jobs/<t>/trackers.json   [{name, first, last, keyframes, outside}]
 *   POST jobs/<t>/cancel          answers the new state
 * Fields a site may not have yet (summary, archives, trackers_url, application, limits)
 * are optional: the page shows what it gets. Relative URLs resolve from the site's root.
 */
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const TOKEN_RE = /\/jobs\/([A-Za-z0-9_-]{22})\/?$/;
  const FINAL = ['done', 'failed', 'cancelled'];
  const HEAD_BYTES = 65536;
  const RECENT_KEY = 'trackport.recent';
  const RECENT_MAX = 30;
  const PRESETS = [
    ['HD', 1920, 1080], ['UHD', 3840, 2160], ['2K DCI', 2048, 1080], ['4K DCI', 4096, 2160],
    ['Full aperture 2K', 2048, 1556], ['Full aperture 4K', 4096, 3112],
  ];
  const TIMES = ' \u00d7 ';

  /* Each edit: what it does (the label), Tracksperanto's flag and its own description, one
     line of help, and how its value is checked before sending. */
  const EDITS = {
    'xscale': { label: 'Scale horizontally', tsp: 'Scale the comp by a specified factor',
      help: 'Multiplies the comp width and every x by this factor (2 doubles them).', check: 'number', ph: '2' },
    'yscale': { label: 'Scale vertically', tsp: 'Scale the comp by a specified factor',
      help: 'Multiplies the comp height and every y by this factor.', check: 'number', ph: '2' },
    'slip': { label: 'Move in time', tsp: 'Slip all the tracker keyframes in time',
      help: 'Moves every keyframe this many frames later; a negative number moves them earlier.', check: 'integer', ph: '10' },
    'trim': { label: 'Drop keyframes before the first frame', tsp: 'Remove all the keyframes that are on frames below 1',
      help: 'Useful after moving in time: what landed before the first frame is removed.' },
    'golden': { label: 'Reset residuals', tsp: 'Reset residual of all the trackers to zero',
      help: 'Marks every keyframe as exact (residual 0, full correlation).' },
    'min-length': { label: 'Drop short trackers', tsp: 'Remove trackers that have less than the specified number of keyframes',
      help: 'Trackers with fewer keyframes than this are left out.', check: 'integer', ph: '5' },
    'prefix': { label: 'Prefix tracker names', tsp: 'Prefix tracker names with text',
      help: 'Puts this text and an underscore before every tracker name.', check: 'text', ph: 'shot12' },
    'autoslip': { label: 'Start on the first frame', tsp: 'Move all the keyframes in time so that the track starts at frame 1',
      help: 'Moves all trackers in time together so the earliest keyframe is on the first frame.' },
    'lerp': { label: 'Fill gaps', tsp: 'Interpolate missing keyframes of all the trackers',
      help: 'Adds the missing frames inside each tracker by straight-line interpolation.' },
    'flip': { label: 'Mirror left to right', tsp: 'Mirrors all the tracker paths horizontally',
      help: 'x becomes comp width minus x.' },
    'flop': { label: 'Mirror top to bottom', tsp: 'Mirror all the tracker paths vertically',
      help: 'y becomes comp height minus y.' },
    'reformat-x': { label: 'Resize to a width', tsp: 'Reformat the comp to this width and scale all tracks to it',
      help: 'The comp becomes this many pixels wide and the tracks scale with it.', check: 'positive', ph: '1920' },
    'reformat-y': { label: 'Resize to a height', tsp: 'Reformat the comp to this height and scale all tracks to it',
      help: 'The comp becomes this many pixels high and the tracks scale with it.', check: 'positive', ph: '1080' },
    'xshift': { label: 'Move right', tsp: 'Move the points left or right',
      help: 'Adds this many pixels to every x; a negative number moves left.', check: 'number', ph: '10' },
    'yshift': { label: 'Move up', tsp: 'Move the points up or down',
      help: 'Adds this many pixels to every y; a negative number moves down.', check: 'number', ph: '10' },
    'pad': { label: 'Grow the comp by a fraction of its size (negative values cut it)',
      tsp: 'Pad or crop the image by a fraction of it\u2019s original size',
      help: 'LEFT,RIGHT,TOP,BOTTOM: 0.1,0,0,0 makes the comp 10% wider and moves every x left by 10% of the width, as Tracksperanto does.',
      check: 'numbers4', ph: '0.1,0,0,0' },
    'crop': { label: 'Grow the comp by pixels (negative values cut it)',
      tsp: 'Crop or pad the image by a specified number of pixels',
      help: 'LEFT,RIGHT,TOP,BOTTOM: 200,0,0,0 makes a 1920 wide comp 2120 wide and moves every x 200 px left, as Tracksperanto does; -200,0,0,0 cuts it to 1720.',
      check: 'integers4', ph: '200,0,0,0' },
    'undistort': { label: 'Remove lens distortion', tsp: 'Remove lens distortion using the Syntheyes algorithm',
      help: 'K or K,KCUBE: the SynthEyes lens coefficients of the plate.', check: 'lens', ph: '0.05' },
    'distort': { label: 'Add lens distortion', tsp: 'Add lens distortion using the Syntheyes algorithm',
      help: 'K or K,KCUBE: the SynthEyes lens coefficients to apply.', check: 'lens', ph: '0.05' },
  };

  const CHECKS = {
    number: [/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, 'Give a number, for example 1.5.'],
    integer: [/^[-+]?\d+$/, 'Give a whole number, for example 10 or -5.'],
    positive: [/^\+?[1-9]\d*$/, 'Give a whole number of pixels, for example 1920.'],
    text: [/\S/, 'Give the text to put before the names.'],
    numbers4: [/^\s*[-+]?[\d.]+(\s*,\s*[-+]?[\d.]+){0,3}\s*$/, 'Give up to four numbers separated by commas: left, right, top, bottom; sides left out are 0 (for example 0.1,0,0,0).'],
    integers4: [/^\s*[-+]?\d+(\s*,\s*[-+]?\d+){0,3}\s*$/, 'Give up to four whole numbers of pixels separated by commas: left, right, top, bottom; sides left out are 0 (for example 200,0,0,0).'],
    lens: [/^\s*[-+]?[\d.]+([eE][-+]?\d+)?(\s*,\s*[-+]?[\d.]+([eE][-+]?\d+)?)?\s*$/, 'Give one or two numbers separated by a comma: K, or K,KCUBE (for example 0.05).'],
  };

  const st = {
    formats: null,       // /api/formats answer
    formatsLoading: null, // its promise
    files: [],           // the chosen Files
    detected: [],        // /api/detect answers, parallel to files
    detectSeq: 0,        // ignores answers for files no longer chosen
    reuse: null,         // {token, name}: convert the stored input of this job again
    token: null,         // the job shown
    job: null,           // its last status
    pollTimer: null,
    pollFailures: 0,
    shownFinal: null,    // the token whose final state was rendered
    batch: null,         // tokens of the batch shown
    batchTimer: null,
    editSeq: 0,
  };

  // ---------------------------------------------------------------- helpers

  function formatBytes(n) {
    if (n == null) return '';
    if (n < 1024) return n + ' B';
    const units = ['KB', 'MB', 'GB'];
    let v = n / 1024, i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (v < 10 ? v.toFixed(1).replace(/\.0$/, '') : Math.round(v)) + ' ' + units[i];
  }

  function formatDuration(s) {
    const units = [[86400, 'day'], [3600, 'hour'], [60, 'minute']];
    for (const [n, word] of units)
      if (s >= n && s % n === 0) return plural(s / n, word);
    for (const [n, word] of units)
      if (s >= n) return plural(Math.round(s / n), word);
    return plural(s, 'second');
  }

  function plural(n, word) {
    return n + ' ' + word + (n === 1 ? '' : 's');
  }

  function setText(el, text) {
    el.textContent = text == null ? '' : String(text);
  }

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      if (k === 'className') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    if (text != null) e.textContent = text;
    return e;
  }

  function showError(id, text) {
    const e = $(id);
    setText(e, text);
    e.hidden = !text;
  }

  function sizeText(s) {
    return Array.isArray(s) && s.length === 2 ? s[0] + TIMES + s[1] : '';
  }

  function limits() {
    const f = st.formats || {};
    const l = f.limits || {};
    return { maxUpload: l.max_upload_bytes || f.max_upload_bytes || 0, retention: l.retention_seconds || 0 };
  }

  // An error answer's sentence, whatever its form, in the page's words.
  function errorText(status, body) {
    let o = null;
    try { o = JSON.parse(body); } catch (e) { /* not JSON */ }
    if (o && o.error) return o.error;
    if (status === 413) {
      const max = limits().maxUpload;
      return 'The file is larger than this site accepts' + (max ? ' (' + formatBytes(max) + ' at most).' : '.');
    }
    if (status === 0) return 'The server could not be reached. Check your connection and try again.';
    return 'The server answered ' + status + '. Please try again.';
  }

  function errorJson(body) {
    try { return JSON.parse(body) || {}; } catch (e) { return {}; }
  }

  // ---------------------------------------------------------------- recent jobs

  function recentLoad() {
    try {
      const list = JSON.parse(localStorage.getItem(RECENT_KEY) || '[]');
      return Array.isArray(list) ? list.filter((j) => j && typeof j.token === 'string') : [];
    } catch (e) {
      return [];
    }
  }

  function recentSave(list) {
    try { localStorage.setItem(RECENT_KEY, JSON.stringify(list.slice(0, RECENT_MAX))); } catch (e) { /* full or off */ }
  }

  function recentAdd(job) {
    const list = recentLoad().filter((j) => j.token !== job.token);
    list.unshift(job);
    recentSave(list);
  }

  function recentUpdate(token, fields) {
    const list = recentLoad();
    const j = list.find((x) => x.token === token);
    if (!j) return;
    let changed = false;
    for (const k in fields) if (fields[k] != null && j[k] !== fields[k]) { j[k] = fields[k]; changed = true; }
    if (changed) recentSave(list);
  }

  function stateWords(state) {
    return { queued: 'waiting', running: 'converting', done: 'done', failed: 'failed', cancelled: 'cancelled' }[state] || state || '';
  }

  function renderRecent() {
    const list = recentLoad();
    const ul = $('recent-list');
    ul.textContent = '';
    for (const j of list) {
      const li = el('li', { className: 'job-item' });
      const a = el('a', { href: 'jobs/' + j.token }, j.name || j.token);
      const meta = el('span', { className: 'job-meta' });
      const when = j.created ? new Date(j.created) : null;
      setText(meta, when ? when.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }) : '');
      const badge = el('span', { className: 'state state-' + (j.state || 'queued') }, stateWords(j.state));
      li.append(a, badge, meta);
      ul.appendChild(li);
    }
    $('recent').hidden = list.length === 0 || $('upload').hidden;
  }

  // ---------------------------------------------------------------- the form

  function importerInfo(name) {
    if (!st.formats || !name) return null;
    const n = String(name).toLowerCase();
    return st.formats.importers.find((i) => i.name.toLowerCase() === n) || null;
  }

  // Whether the size must be asked: a chosen importer that needs it, or any chosen file
  // detected as one; for a reconversion, whatever the importer it was read with.
  function needSize() {
    const chosen = importerInfo($('importer').value);
    if (chosen) return !!chosen.needs_size;
    if (st.reuse && !st.files.length) {
      const imp = importerInfo(st.reuse.importer);
      return imp ? !!imp.needs_size : !!st.reuse.width;
    }
    return st.detected.some((d) => d && d.importer && d.needs_size);
  }

  function updateSize() {
    const need = needSize();
    $('size').hidden = !need;
    $('width').required = need;
    $('height').required = need;
    markPresets($('size'), $('width').value, $('height').value);
  }

  function updateConvert() {
    const n = st.files.length;
    $('convert').disabled = !n && !st.reuse;
    setText($('convert'), n > 1 ? 'Convert ' + n + ' files' : st.reuse && !n ? 'Convert again' : 'Convert');
  }

  function buildPresets(box, wInput, hInput, after) {
    for (const [name, w, h] of PRESETS) {
      const b = el('button', { type: 'button', className: 'preset', 'aria-pressed': 'false',
        'data-w': String(w), 'data-h': String(h) });
      b.append(el('span', { className: 'preset-name' }, name), ' ', el('span', { className: 'preset-size' }, w + TIMES + h));
      b.addEventListener('click', () => {
        wInput.value = String(w);
        hInput.value = String(h);
        markPresets(box, w, h);
        if (after) after();
      });
      box.appendChild(b);
    }
    const mark = () => markPresets(box, wInput.value, hInput.value);
    wInput.addEventListener('input', mark);
    hInput.addEventListener('input', mark);
  }

  function markPresets(scope, w, h) {
    for (const b of scope.querySelectorAll('.preset'))
      b.setAttribute('aria-pressed', String(b.dataset.w === String(w) && b.dataset.h === String(h)));
  }

  function exporterInfo(name) {
    if (!st.formats || !name) return null;
    const n = String(name).toLowerCase();
    return st.formats.exporters.find((e) => e.name.toLowerCase() === n) || null;
  }

  // Groups items by the application that reads them, the best-known applications first.
  const APP_ORDER = ['Nuke', 'Flame/Smoke', '3DEqualizer', 'PFTrack', 'SynthEyes', 'Maya', 'After Effects',
    '3ds Max', 'Softimage', 'MatchMover', 'boujou', 'Scripting'];
  function groupBy(items, key) {
    const groups = new Map();
    for (const it of items) {
      const k = key(it) || 'Other';
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(it);
    }
    const rank = (k) => (APP_ORDER.indexOf(k) + 1 || APP_ORDER.length + 1);
    return new Map(Array.from(groups).sort((x, y) => rank(x[0]) - rank(y[0])));
  }

  function updateFormatsCount() {
    const boxes = Array.from(document.querySelectorAll('#exporters input[data-exporter]'));
    const n = boxes.filter((b) => b.checked).length;
    setText($('formats-count'), '(' + (n === boxes.length ? 'all ' + n : n + ' of ' + boxes.length) + ')');
  }

  function buildForm() {
    const f = st.formats;
    const sel = $('importer');
    for (const imp of f.importers) {
      const o = el('option', { value: imp.name }, imp.description + ' (' + imp.name + ')');
      sel.appendChild(o);
    }
    const ex = $('exporters');
    for (const [app, list] of groupBy(f.exporters, (e) => e.application)) {
      const fs = el('fieldset', { className: 'group' });
      fs.appendChild(el('legend', null, app));
      for (const e of list) {
        const id = 'exp-' + e.name;
        const row = el('div', { className: 'check' });
        const c = el('input', { type: 'checkbox', id, value: e.name, 'data-exporter': '1' });
        c.checked = true;
        c.addEventListener('change', updateFormatsCount);
        const l = el('label', { for: id }, e.description);
        row.append(c, l);
        if (e.note) row.appendChild(el('span', { className: 'note' }, e.note));
        fs.appendChild(row);
      }
      ex.appendChild(fs);
    }
    updateFormatsCount();
    const choice = $('edit-choice');
    for (const t of f.tools) {
      const info = EDITS[t.flag] || {};
      choice.appendChild(el('option', { value: t.flag }, (info.label || t.help) + ' (--' + t.flag + ')'));
    }
    if (!f.tools.length) $('edits-box').hidden = true;
    showChoiceHelp();
    updateEditsCount();
    buildPresets($('size').querySelector('.presets'), $('width'), $('height'));
    const l = limits();
    setText($('limit-note'), l.maxUpload ? 'Up to ' + formatBytes(l.maxUpload) + ' per file.' : '');
    if (l.retention)
      setText($('footer'), 'Files are kept for ' + formatDuration(l.retention) +
        ' after the conversion, then removed. Nothing you upload is shared.');
  }

  function toolInfo(flag) {
    const t = (st.formats && st.formats.tools.find((x) => x.flag === flag)) || { flag, kind: 'text', help: '' };
    const info = EDITS[flag] || {};
    return {
      flag, kind: t.kind, label: info.label || t.help || flag, tsp: info.tsp || '',
      help: info.help || t.help || '', check: info.check || (t.kind === 'switch' ? null : t.kind === 'integer' ? 'integer' : t.kind === 'number' ? 'number' : 'text'),
      ph: info.ph || '',
    };
  }

  function showChoiceHelp() {
    const flag = $('edit-choice').value;
    if (!flag) return;
    const t = toolInfo(flag);
    setText($('edit-choice-help'), t.help);
  }

  function updateEditsCount() {
    const n = $('edit-list').children.length;
    setText($('edits-count'), n ? '(' + plural(n, 'edit') + ')' : '(none)');
    const items = Array.from($('edit-list').children);
    items.forEach((li, i) => {
      li.querySelector('[data-up]').disabled = i === 0;
      li.querySelector('[data-down]').disabled = i === items.length - 1;
      setText(li.querySelector('.edit-step'), String(i + 1));
    });
  }

  // One entry of the ordered edit list.
  function addEdit(flag, value, focus) {
    const t = toolInfo(flag);
    const id = 'edit-' + (++st.editSeq);
    const li = el('li', { className: 'edit', 'data-flag': flag });
    const head = el('div', { className: 'edit-head' });
    head.append(el('span', { className: 'edit-step', 'aria-hidden': 'true' }),
      el('span', { className: 'edit-label', id: id + '-label' }, t.label),
      el('code', { className: 'flag' }, '--' + flag));
    li.appendChild(head);
    if (t.tsp) li.appendChild(el('p', { className: 'tsp', id: id + '-tsp' }, 'Tracksperanto: \u201c' + t.tsp + '\u201d'));
    li.appendChild(el('p', { className: 'edit-help', id: id + '-help' }, t.help));
    const body = el('div', { className: 'edit-body' });
    if (t.kind !== 'switch') {
      const input = el('input', { type: 'text', id, 'data-value': '1', 'aria-labelledby': id + '-label',
        'aria-describedby': id + '-help ' + id + '-err', placeholder: t.ph, autocomplete: 'off',
        spellcheck: 'false' });
      if (t.check === 'integer' || t.check === 'positive') input.setAttribute('inputmode', 'numeric');
      if (value != null) input.value = value;
      input.addEventListener('input', () => markEdit(li, ''));
      body.appendChild(input);
    }
    const tools = el('div', { className: 'edit-tools' });
    const mk = (label, what, data) => {
      const b = el('button', { type: 'button', className: 'small-button', 'aria-label': label + ': ' + t.label }, what);
      b.setAttribute(data, '1');
      tools.appendChild(b);
      return b;
    };
    mk('Move up', '\u2191 Up', 'data-up').addEventListener('click', () => moveEdit(li, -1));
    mk('Move down', '\u2193 Down', 'data-down').addEventListener('click', () => moveEdit(li, 1));
    mk('Remove', 'Remove', 'data-remove').addEventListener('click', () => removeEdit(li));
    body.appendChild(tools);
    li.appendChild(body);
    li.appendChild(el('p', { className: 'field-error', id: id + '-err', role: 'alert', hidden: '' }));
    $('edit-list').appendChild(li);
    updateEditsCount();
    if (focus) (li.querySelector('input') || li.querySelector('[data-remove]')).focus();
    return li;
  }

  function moveEdit(li, by) {
    const list = $('edit-list');
    const focused = document.activeElement;
    if (by < 0 && li.previousElementSibling) list.insertBefore(li, li.previousElementSibling);
    else if (by > 0 && li.nextElementSibling) list.insertBefore(li.nextElementSibling, li);
    updateEditsCount();
    // Keep the focus on the button pressed unless it became disabled at the end of the list.
    if (focused && li.contains(focused)) (focused.disabled ? li.querySelector('[data-remove]') : focused).focus();
  }

  function removeEdit(li) {
    const next = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    updateEditsCount();
    (next ? next.querySelector('[data-remove]') : $('edit-choice')).focus();
  }

  function markEdit(li, text) {
    const err = li.querySelector('.field-error');
    setText(err, text);
    err.hidden = !text;
    li.classList.toggle('invalid', !!text);
    const input = li.querySelector('input');
    if (input) {
      if (text) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }

  function editItems() {
    return Array.from($('edit-list').children).map((li) => {
      const input = li.querySelector('input');
      return { li, flag: li.dataset.flag, value: input ? input.value.trim() : '1', input };
    });
  }

  // Checks the edits in the page's words; marks each bad one; returns the first bad or null.
  function checkEdits() {
    let first = null;
    for (const e of editItems()) {
      const t = toolInfo(e.flag);
      let problem = '';
      if (e.input && !e.value) problem = 'Give a value or remove this edit.';
      else if (e.input && CHECKS[t.check] && !CHECKS[t.check][0].test(e.value)) problem = CHECKS[t.check][1];
      markEdit(e.li, problem);
      if (problem && !first) first = e;
    }
    return first;
  }

  // Marks the edit a 400 answer names: by its index among the edit fields, else by flag.
  function markServerEdit(body) {
    const o = errorJson(body);
    const items = editItems();
    let item = null;
    if (typeof o.index === 'number' && items[o.index]) item = items[o.index];
    const flag = typeof o.field === 'string' && o.field.startsWith('edit.') ? o.field.slice(5) : null;
    if (item && flag && item.flag !== flag) item = null;
    if (!item) {
      const named = flag || ((o.error || '').match(/--([a-z-]+)/) || [])[1];
      if (named) item = items.find((e) => e.flag === named) || null;
    }
    if (!item) return false;
    const text = (o.error || 'This edit was refused.').replace(/--[a-z-]+/, 'This edit').replace(/^This edit/, 'This edit');
    markEdit(item.li, text);
    $('edits-box').open = true;
    (item.input || item.li.querySelector('[data-remove]')).focus();
    return true;
  }

  // Loads the formats once, however many callers wait for them; a failure may be retried.
  function loadFormats() {
    if (!st.formatsLoading) {
      st.formatsLoading = fetch('api/formats', { headers: { Accept: 'application/json' } })
        .then((r) => {
          if (!r.ok) throw new Error('formats: ' + r.status);
          return r.json();
        })
        .then((f) => {
          st.formats = f;
          buildForm();
          return f;
        })
        .catch((e) => {
          st.formatsLoading = null;
          throw e;
        });
    }
    return st.formatsLoading;
  }

  async function detectOne(file) {
    try {
      const r = await fetch('api/detect?name=' + encodeURIComponent(file.name), {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream', Accept: 'application/json' },
        body: file.slice(0, HEAD_BYTES),
      });
      return await r.json();
    } catch (e) {
      return { importer: null, failed: true };
    }
  }

  function describeDetected(d) {
    if (!d) return 'Looking at the file\u2026';
    if (d.failed) return 'The format could not be checked here; the site detects it after the upload.';
    if (!d.importer) {
      const m = d.message || 'The format could not be recognised.';
      return /choose/i.test(m) ? m : m + ' Choose how to read it below.';
    }
    let s = d.description + ' (' + d.importer + ')';
    if (d.needs_size) s += '. This format does not record the comp size.';
    else if (d.comp_size) s += '. Comp size from the file: ' + sizeText(d.comp_size) + '.';
    else s += '. It records the comp size; it is read during the conversion.';
    return s;
  }

  function renderDetected() {
    const out = $('detected');
    if (!st.files.length) {
      out.hidden = true;
      return;
    }
    out.hidden = false;
    const unknown = st.detected.some((d) => d && !d.importer);
    out.className = 'detected' + (unknown ? ' unknown' : '');
    if (st.files.length === 1) {
      setText(out, (st.detected[0] && st.detected[0].importer ? 'Detected format: ' : '') + describeDetected(st.detected[0]));
      return;
    }
    out.textContent = '';
    const ul = el('ul', { className: 'detected-list' });
    st.files.forEach((f, i) => {
      const li = el('li');
      li.append(el('span', { className: 'mono' }, f.name), document.createTextNode(': ' + describeDetected(st.detected[i])));
      ul.appendChild(li);
    });
    out.appendChild(ul);
  }

  async function detectAll() {
    const seq = ++st.detectSeq;
    st.detected = st.files.map(() => null);
    renderDetected();
    updateSize();
    await Promise.all(st.files.map(async (f, i) => {
      const d = await detectOne(f);
      if (seq !== st.detectSeq) return;
      st.detected[i] = d;
      renderDetected();
      updateSize();
    }));
  }

  function tooLarge() {
    const max = limits().maxUpload;
    return max ? st.files.filter((f) => f.size > max) : [];
  }

  function limitMessage(big) {
    const max = limits().maxUpload;
    const f = big[0];
    return (big.length > 1 ? big.length + ' files are' : f.name + ' is ' + formatBytes(f.size) + ', which is') +
      ' larger than this site accepts: ' + formatBytes(max) + ' per file at most. Nothing was uploaded.';
  }

  function chooseFiles(files) {
    st.files = Array.from(files || []).filter((f) => f);
    showError('form-error', '');
    const info = $('file-info');
    info.textContent = '';
    for (const f of st.files) {
      const li = el('li');
      li.append(el('span', { className: 'mono' }, f.name), document.createTextNode(' \u2014 ' + formatBytes(f.size)));
      info.appendChild(li);
    }
    info.hidden = !st.files.length;
    if (st.files.length) setReuse(null);
    updateConvert();
    const big = tooLarge();
    if (big.length) showError('form-error', limitMessage(big));
    if (!st.files.length) {
      st.detected = [];
      renderDetected();
      updateSize();
      return;
    }
    detectAll();
  }

  function settings() {
    const s = { importer: $('importer').value || null, width: null, height: null, exporters: null, edits: [] };
    if (!$('size').hidden) {
      s.width = $('width').value.trim();
      s.height = $('height').value.trim();
    }
    const boxes = Array.from(document.querySelectorAll('#exporters input[data-exporter]'));
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    if (chosen.length && chosen.length < boxes.length) s.exporters = chosen;
    s.edits = editItems().map((e) => [e.flag, e.value]);
    return s;
  }

  function formData(s, file) {
    const fd = new FormData();
    if (s.importer) fd.append('importer', s.importer);
    if (s.width) fd.append('width', String(s.width));
    if (s.height) fd.append('height', String(s.height));
    if (s.exporters) fd.append('exporters', s.exporters.join(','));
    for (const [flag, value] of s.edits) fd.append('edit.' + flag, value);
    if (file) fd.append('file', file, file.name);   // last: the small fields arrive first
    return fd;
  }

  function validate() {
    if (!st.files.length && !st.reuse) return 'Choose a tracking file first.';
    if (st.files.some((f) => f.size === 0)) return 'This file is empty: ' + st.files.find((f) => f.size === 0).name + '.';
    const big = tooLarge();
    if (big.length) return limitMessage(big);
    if (!$('size').hidden) {
      const bad = ['width', 'height'].filter((id) => !/^[1-9][0-9]*$/.test($(id).value.trim()));
      for (const id of ['width', 'height']) {
        if (bad.includes(id)) $(id).setAttribute('aria-invalid', 'true');
        else $(id).removeAttribute('aria-invalid');
      }
      if (bad.length) {
        $(bad[0]).focus();
        return 'Give the comp width and height in whole pixels, or pick a common size.';
      }
    }
    const boxes = document.querySelectorAll('#exporters input[data-exporter]');
    if (boxes.length && !Array.from(boxes).some((b) => b.checked)) {
      $('formats-box').open = true;
      return 'Choose at least one format to write.';
    }
    const bad = checkEdits();
    if (bad) {
      $('edits-box').open = true;
      (bad.input || bad.li).focus();
      return 'An edit needs another value: see the marked edit.';
    }
    return null;
  }

  // Sends one upload (or a reconversion); resolves to {token, page_url} or rejects with
  // {status, body}.
  function send(url, fd, progress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      xhr.setRequestHeader('Accept', 'application/json');
      if (progress) xhr.upload.onprogress = (e) => { if (e.lengthComputable) progress(e.loaded / e.total); };
      xhr.onload = () => {
        if (xhr.status === 202 || xhr.status === 200) {
          const o = errorJson(xhr.responseText);
          if (o.token) return resolve(o);
        }
        reject({ status: xhr.status, body: xhr.responseText });
      };
      xhr.onerror = () => reject({ status: 0, body: '' });
      xhr.send(fd);
    });
  }

  function refused(e) {
    if (e.status === 400 && markServerEdit(e.body)) {
      showError('form-error', 'An edit was refused: see the marked edit.');
      return;
    }
    if ((e.status === 404 || e.status === 405) && st.reuse && !st.files.length) {
      showError('form-error', 'This site cannot convert a stored file again; choose the file to upload it again.');
      return;
    }
    showError('form-error', errorText(e.status, e.body));
  }

  async function submit(ev) {
    ev.preventDefault();
    const problem = validate();
    if (problem) {
      showError('form-error', problem);
      return;
    }
    showError('form-error', '');
    const s = settings();
    const button = $('convert');
    button.disabled = true;
    const files = st.files.slice();
    const made = [];
    try {
      if (!files.length) {
        setText(button, 'Sending\u2026');
        const o = await send('jobs/' + st.reuse.token + '/reconvert', formData(s, null));
        recentAdd({ token: o.token, name: st.reuse.name, created: Date.now(), state: 'queued', settings: s, from: st.reuse.token });
        made.push(o);
      }
      for (let i = 0; i < files.length; i++) {
        const f = files[i];
        const o = await send('jobs', formData(s, f), (p) => setText(button,
          'Uploading ' + (files.length > 1 ? (i + 1) + ' of ' + files.length + ' ' : '') + Math.floor(100 * p) + '%'));
        recentAdd({ token: o.token, name: f.name, created: Date.now(), state: 'queued', settings: s });
        made.push(o);
      }
    } catch (e) {
      refused(e);
      if (made.length) showError('form-error', $('form-error').textContent + ' ' + made.length + ' of ' + files.length + ' files were sent: see your recent conversions.');
      renderRecent();
      return;
    } finally {
      button.disabled = false;
      updateConvert();
    }
    setReuse(null);
    if (made.length === 1) openJob(made[0].token, made[0].page_url, true);
    else openBatch(made.map((o) => o.token), true);
  }

  function setReuse(reuse) {
    st.reuse = reuse;
    $('reuse').hidden = !reuse;
    if (reuse) setText($('reuse-name'), reuse.name || 'the earlier file');
    updateConvert();
    updateSize();
  }

  function resetFormFiles() {
    $('file').value = '';
    st.files = [];
    st.detected = [];
    $('file-info').hidden = true;
    renderDetected();
  }

  // Sets the form to the settings s ({importer, width, height, exporters, edits}).
  function applySettings(s) {
    $('importer').value = s.importer && importerInfo(s.importer) ? importerInfo(s.importer).name : '';
    $('width').value = s.width || '';
    $('height').value = s.height || '';
    const chosen = s.exporters && s.exporters.length ? s.exporters.map((x) => String(x).toLowerCase()) : null;
    for (const b of document.querySelectorAll('#exporters input[data-exporter]'))
      b.checked = !chosen || chosen.includes(b.value.toLowerCase());
    updateFormatsCount();
    $('edit-list').textContent = '';
    for (const [flag, value] of s.edits || []) addEdit(flag, value === '1' && toolInfo(flag).kind === 'switch' ? null : value, false);
    updateEditsCount();
    if ((s.edits || []).length) $('edits-box').open = true;
    if (chosen) $('formats-box').open = true;
  }

  function showForm(push) {
    stopPolling();
    stopBatch();
    st.token = null;
    st.job = null;
    st.shownFinal = null;
    $('job').hidden = true;
    $('batch').hidden = true;
    $('upload').hidden = false;
    document.title = 'trackport \u2014 convert 2D tracking files';
    if (push) history.pushState({}, '', './');
    renderRecent();
    return loadFormats().catch(() => showError('form-error', 'The list of formats could not be loaded. Reload the page to try again.'));
  }

  // "Try again with other settings": the form, filled with the job's settings, converting
  // the stored input again.
  async function retry() {
    const s = st.job || {};
    const sum = s.summary || {};
    const stored = (recentLoad().find((j) => j.token === st.token) || {}).settings || {};
    const token = st.token;
    const name = s.input_name || '';
    await showForm(true);
    resetFormFiles();
    const settingsNow = {
      importer: sum.importer || s.importer || stored.importer || null,
      width: (sum.comp_in && sum.comp_in[0]) || stored.width || s.width || null,
      height: (sum.comp_in && sum.comp_in[1]) || stored.height || s.height || null,
      exporters: stored.exporters || null,
      edits: Array.isArray(sum.edits) ? sum.edits : stored.edits || [],
    };
    applySettings(settingsNow);
    setReuse({ token, name, importer: settingsNow.importer, width: settingsNow.width });
    $('importer').focus();
  }

  // ---------------------------------------------------------------- one job

  function stopPolling() {
    if (st.pollTimer) clearTimeout(st.pollTimer);
    st.pollTimer = null;
  }

  function resetJobView() {
    setBar(0, '');
    setText($('message'), 'Waiting for the server\u2026');
    showError('job-error', '');
    $('results').hidden = true;
    $('cancel').hidden = true;
    $('retry').hidden = true;
    $('again').hidden = true;
    $('offframe').hidden = true;
    $('tracker-box').hidden = true;
    $('preview').textContent = '';
    $('downloads').textContent = '';
    $('facts').textContent = '';
    setText($('job-title'), 'Converting');
  }

  function setBar(percent, state) {
    const p = Math.max(0, Math.min(100, Math.round(percent || 0)));
    const bar = $('bar');
    bar.setAttribute('aria-valuenow', String(p));
    bar.setAttribute('aria-valuetext', state === 'cancelled' ? 'Cancelled at ' + p + '%' : state === 'failed' ? 'Failed' : p + '%');
    bar.className = 'bar' + (FINAL.includes(state) ? ' ' + state : '');
    $('bar-fill').style.width = p + '%';
    setText($('percent'), state === 'cancelled' ? 'Cancelled' : state === 'failed' ? 'Failed' : p + '%');
  }

  function openJob(token, pageUrl, push) {
    stopPolling();
    stopBatch();
    st.token = token;
    st.job = null;
    st.shownFinal = null;
    st.pollFailures = 0;
    if (push) history.pushState({ token }, '', pageUrl || 'jobs/' + token);
    $('upload').hidden = true;
    $('batch').hidden = true;
    $('job').hidden = false;
    $('recent').hidden = true;
    resetJobView();
    poll();
  }

  async function poll() {
    const token = st.token;
    if (!token) return;
    let delay = 500;
    try {
      // The formats name the applications, edits and limits the job is shown with.
      await loadFormats().catch(() => null);
      if (token !== st.token) return;
      const r = await fetch('jobs/' + token + '/status', { cache: 'no-store', headers: { Accept: 'application/json' } });
      if (token !== st.token) return;
      const body = await r.text();
      if (r.status === 404) {
        showError('job-error', errorText(404, body));
        setText($('job-title'), 'No such conversion');
        setText($('message'), '');
        $('again').hidden = false;
        return;
      }
      if (!r.ok) throw new Error(errorText(r.status, body));
      const s = JSON.parse(body);
      st.pollFailures = 0;
      render(s);
      if (FINAL.includes(s.state)) return;
      delay = s.poll_ms || delay;
    } catch (e) {
      if (token !== st.token) return;
      st.pollFailures++;
      setText($('message'), 'Lost contact with the server; trying again\u2026');
      delay = Math.min(5000, 500 * st.pollFailures);
    }
    st.pollTimer = setTimeout(poll, delay);
  }

  function render(s) {
    st.job = Object.assign({}, st.job || {}, s);
    const name = s.input_name || (st.job && st.job.input_name) || '';
    if (name) {
      setText($('job-title'), name);
      document.title = name + ' \u2014 trackport';
    }
    const running = s.state === 'queued' || s.state === 'running';
    setBar(s.state === 'done' ? 100 : s.percent, s.state);
    setText($('message'), s.state === 'cancelled' ? 'Cancelled. Nothing more will be written for this conversion.' :
      s.state === 'failed' ? '' : s.message || (s.state === 'queued' ? 'Waiting in the queue' : ''));
    $('cancel').hidden = !running;
    $('retry').hidden = running;
    $('again').hidden = running;
    recentUpdate(st.token, { state: s.state, name: name || null });
    if (!FINAL.includes(s.state) || st.shownFinal === st.token + s.state) return;
    st.shownFinal = st.token + s.state;
    if (s.state === 'failed') {
      showError('job-error', s.error || 'The conversion failed.');
      $('job-error').focus();
    } else if (s.state === 'cancelled') {
      showError('job-error', s.error && s.error !== 'Cancelled' ? s.error : 'This conversion was cancelled.');
    } else if (s.state === 'done') {
      showResults(s);
    }
  }

  function fact(dl, term, value) {
    if (value == null || value === '') return;
    const div = el('div', { className: 'fact' });
    div.append(el('dt', null, term));
    const dd = el('dd');
    if (value instanceof Node) dd.appendChild(value);
    else setText(dd, value);
    div.appendChild(dd);
    dl.appendChild(div);
  }

  function rangeText(r) {
    return Array.isArray(r) && r.length === 2 ? (r[0] === r[1] ? 'frame ' + r[0] : 'frames ' + r[0] + '\u2013' + r[1]) : '';
  }

  function changed(a, b, text) {
    const ta = text(a), tb = text(b);
    if (!ta) return tb;
    if (!tb || ta === tb) return ta;
    return ta + ' \u2192 ' + tb;
  }

  function showFacts(s) {
    const sum = s.summary || {};
    const dl = $('facts');
    dl.textContent = '';
    const trackers = sum.trackers != null ? sum.trackers : s.trackers;
    const keyframes = sum.keyframes != null ? sum.keyframes : s.keyframes;
    if (trackers != null) fact(dl, 'Found', plural(trackers, 'tracker') + ' with ' + plural(keyframes, 'keyframe'));
    const imp = importerInfo(sum.importer || s.importer);
    fact(dl, 'Read as', imp ? imp.description : s.importer_description || sum.importer || s.importer);
    const compOut = sum.comp_out || (s.width && s.height ? [s.width, s.height] : null);
    fact(dl, 'Comp size', changed(sum.comp_in, compOut, sizeText));
    fact(dl, 'Frames', changed(sum.frames_in, sum.frames_out, rangeText));
    if (Array.isArray(sum.edits)) {
      if (!sum.edits.length) fact(dl, 'Edits applied', 'none');
      else {
        const ol = el('ol', { className: 'applied' });
        for (const [flag, value] of sum.edits) {
          const t = toolInfo(flag);
          const li = el('li');
          li.append(el('code', null, '--' + flag + (t.kind === 'switch' ? '' : ' ' + value)),
            el('span', { className: 'dim' }, ' ' + t.label));
          ol.appendChild(li);
        }
        fact(dl, 'Edits applied, in order', ol);
        dl.lastChild.classList.add('wide');
      }
    }
  }

  // A size to suggest for a reconversion: the smallest common size larger both ways than
  // the one used, of the same shape if there is one (HD tracks on a UHD plate are the
  // usual mistake).
  function suggestSize(comp) {
    if (!comp) return [null, null];
    const bigger = PRESETS.filter(([, w, h]) => w > comp[0] && h > comp[1])
      .sort((a, b) => a[1] * a[2] - b[1] * b[2]);
    const aspect = comp[0] / comp[1];
    const same = bigger.filter(([, w, h]) => Math.abs(w / h - aspect) < 0.01 * aspect);
    const pick = same[0] || bigger[0];
    return pick ? [pick[1], pick[2]] : [comp[0], comp[1]];
  }

  function showOffFrame(s) {
    const sum = s.summary || {};
    const box = $('offframe');
    if (!(sum.outside > 0) || !sum.keyframes || !sum.comp_out) {
      box.hidden = true;
      return false;
    }
    setText($('offframe-text'), sum.outside + ' of ' + sum.keyframes + ' keyframes lie outside ' + sizeText(sum.comp_out) +
      ' \u2014 is the comp size right?' + (sum.outside === sum.keyframes ? ' None of the points is inside the frame.' : ''));
    // A format that records its comp size is read at that size whatever is given: there the
    // size cannot be corrected by converting again, only where the file was made.
    const imp = importerInfo(sum.importer || s.importer);
    const fixed = !!(imp && !imp.needs_size);
    $('offframe').querySelector('.resize').hidden = fixed;
    setText($('offframe-note'), fixed ? 'The ' + imp.description + ' records its own comp size, so it cannot be ' +
      'given here: check the size set where the file was exported.' : '');
    $('offframe-note').hidden = !fixed;
    const [w, h] = suggestSize(sum.comp_in || sum.comp_out);
    $('re-width').value = w || '';
    $('re-height').value = h || '';
    markPresets(box, w, h);
    showError('resize-error', '');
    box.hidden = false;
    return true;
  }

  // Convert the same input again at the size in the warning, everything else as it was.
  async function resize() {
    const s = st.job || {};
    const sum = s.summary || {};
    const w = $('re-width').value.trim(), h = $('re-height').value.trim();
    if (!/^[1-9][0-9]*$/.test(w) || !/^[1-9][0-9]*$/.test(h)) {
      showError('resize-error', 'Give the comp width and height in whole pixels, or pick a common size.');
      $('re-width').focus();
      return;
    }
    const stored = (recentLoad().find((j) => j.token === st.token) || {}).settings || {};
    const formats = Array.from(new Set((s.outputs || []).map((o) => o.format).filter(Boolean)));
    const settingsNow = {
      importer: sum.importer || s.importer || stored.importer || null,
      width: w, height: h,
      exporters: formats.length && st.formats && formats.length < st.formats.exporters.length ? formats : null,
      edits: Array.isArray(sum.edits) ? sum.edits : stored.edits || [],
    };
    const button = $('resize');
    button.disabled = true;
    try {
      const o = await send('jobs/' + st.token + '/reconvert', formData(settingsNow, null));
      recentAdd({ token: o.token, name: s.input_name || '', created: Date.now(), state: 'queued', settings: settingsNow, from: st.token });
      openJob(o.token, o.page_url, true);
    } catch (e) {
      showError('resize-error', e.status === 404 || e.status === 405 ?
        'This site cannot convert a stored file again; use \u201cConvert another file\u201d and upload it with the new size.' :
        errorText(e.status, e.body));
    } finally {
      button.disabled = false;
    }
  }

  function downloadRow(o) {
    const li = el('li', { className: 'file' });
    const ex = exporterInfo(o.format);
    const what = el('div', { className: 'file-what' });
    what.appendChild(el('span', { className: 'file-format' }, o.description || (ex && ex.description) || o.format));
    const note = o.note || (ex && ex.note);
    if (note) what.appendChild(el('span', { className: 'note' }, note));
    const a = el('a', { href: o.url, download: o.name, className: 'file-name' }, o.name);
    li.append(what, a, el('span', { className: 'file-size' }, formatBytes(o.bytes)));
    return li;
  }

  function showDownloads(s) {
    const archives = Array.isArray(s.archives) ? s.archives : [];
    const all = archives.find((a) => a.application == null) || null;
    const zip = $('zip');
    zip.href = all ? all.url : s.zip_url;
    setText(zip, 'Download every format (.zip' + (all && all.bytes ? ', ' + formatBytes(all.bytes) : '') + ')');
    const box = $('downloads');
    box.textContent = '';
    const outputs = (s.outputs || []).map((o) => {
      const ex = exporterInfo(o.format);
      return Object.assign({}, o, { application: o.application || (ex && ex.application) || 'Other' });
    });
    for (const [app, list] of groupBy(outputs, (o) => o.application)) {
      const sec = el('section', { className: 'app-group' });
      const head = el('div', { className: 'app-head' });
      head.appendChild(el('h4', null, app));
      const z = archives.find((a) => a.application === app);
      if (z) {
        const a = el('a', { href: z.url, download: z.name, className: 'button small-button' },
          'All ' + app + ' files (.zip' + (z.bytes ? ', ' + formatBytes(z.bytes) : '') + ')');
        head.appendChild(a);
      }
      sec.appendChild(head);
      const ul = el('ul', { className: 'files' });
      for (const o of list) ul.appendChild(downloadRow(o));
      sec.appendChild(ul);
      box.appendChild(sec);
    }
  }

  function showResults(s) {
    $('results').hidden = false;
    showFacts(s);
    showOffFrame(s);
    showDownloads(s);
    loadPreview(s);
    // Whoever waited for the results (keyboard, screen reader) is taken to them.
    $('results-title').focus({ preventScroll: false });
  }

  function trackersFromSvg(svg) {
    const out = [];
    for (const t of svg.querySelectorAll('title')) {
      const m = (t.textContent || '').match(/^(.*): (\d+) keyframes?, frames? (-?\d+) to (-?\d+)$/);
      if (m) out.push({ name: m[1], keyframes: Number(m[2]), first: Number(m[3]), last: Number(m[4]) });
    }
    return out;
  }

  function showTrackers(list, haveOutside) {
    const box = $('tracker-box');
    if (!list.length) {
      box.hidden = true;
      return;
    }
    const tbody = $('trackers').querySelector('tbody');
    tbody.textContent = '';
    $('trackers').classList.toggle('no-outside', !haveOutside);
    for (const t of list) {
      const tr = el('tr');
      tr.append(el('th', { scope: 'row' }, t.name), el('td', { className: 'num' }, String(t.first)),
        el('td', { className: 'num' }, String(t.last)), el('td', { className: 'num' }, String(t.keyframes)),
        el('td', { className: 'num' + (t.outside > 0 ? ' bad' : '') }, haveOutside ? String(t.outside) : ''));
      tbody.appendChild(tr);
    }
    setText($('tracker-count'), '(' + list.length + ')');
    box.hidden = false;
  }

  async function loadTrackers(s, svg) {
    if (s.trackers_url) {
      try {
        const r = await fetch(s.trackers_url, { headers: { Accept: 'application/json' } });
        if (r.ok) {
          const list = await r.json();
          if (st.job && s.token === st.job.token && Array.isArray(list)) {
            showTrackers(list, list.some((t) => t.outside != null));
            return;
          }
        }
      } catch (e) { /* fall back on the preview's titles */ }
    }
    if (svg && st.job && s.token === st.job.token) showTrackers(trackersFromSvg(svg), false);
  }

  async function loadPreview(s) {
    const fig = $('preview');
    fig.textContent = s.preview_url ? 'Drawing the trackers\u2026' : '';
    let svgEl = null;
    if (s.preview_url) try {
      const r = await fetch(s.preview_url);
      const text = await r.text();
      if (s.token !== st.token) return;
      if (!r.ok) throw new Error(errorText(r.status, text));
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const svg = doc.documentElement;
      if (!svg || svg.nodeName !== 'svg' || doc.querySelector('parsererror'))
        throw new Error('The preview could not be read.');
      svgEl = document.importNode(svg, true);
      svgEl.setAttribute('role', 'img');
      const sum = s.summary || {};
      svgEl.setAttribute('aria-label', 'Trackers drawn over the ' + (sizeText(sum.comp_out) || 'comp') +
        ' frame; the list of trackers below gives their names and frames.');
      fig.textContent = '';
      fig.appendChild(svgEl);
      fig.appendChild(el('figcaption', { className: 'message' },
        'The frame is drawn as a box. Names and frames: open the list of trackers below (or point at a path).'));
    } catch (e) {
      if (s.token !== st.token) return;
      setText(fig, e.message || 'The preview could not be drawn.');
    }
    loadTrackers(s, svgEl);
  }

  async function cancel() {
    const token = st.token;
    if (!token) return;
    $('cancel').disabled = true;
    try {
      const r = await fetch('jobs/' + token + '/cancel', { method: 'POST', headers: { Accept: 'application/json' } });
      const body = await r.text();
      const o = errorJson(body);
      if (token === st.token && o.state && FINAL.includes(o.state)) render(Object.assign({ percent: st.job ? st.job.percent : 0 }, o));
      else if (!r.ok && r.status !== 409) showError('job-error', errorText(r.status, body));
    } catch (e) {
      showError('job-error', errorText(0, ''));
    }
    $('cancel').disabled = false;
    if (token !== st.token || (st.job && FINAL.includes(st.job.state) && st.job.state !== 'cancelled')) return;
    stopPolling();
    poll();
  }

  // ---------------------------------------------------------------- a batch

  function stopBatch() {
    if (st.batchTimer) clearTimeout(st.batchTimer);
    st.batchTimer = null;
    st.batch = null;
  }

  function openBatch(tokens, push) {
    stopPolling();
    stopBatch();
    st.token = null;
    st.batch = tokens;
    if (push) history.pushState({ batch: tokens }, '', './#jobs=' + tokens.join(','));
    $('upload').hidden = true;
    $('job').hidden = true;
    $('batch').hidden = false;
    $('recent').hidden = true;
    setText($('batch-title'), 'Converting ' + tokens.length + ' files');
    document.title = tokens.length + ' files \u2014 trackport';
    const ul = $('batch-list');
    ul.textContent = '';
    loadFormats().catch(() => null);
    const names = new Map(recentLoad().map((j) => [j.token, j.name]));
    for (const t of tokens) {
      const li = el('li', { className: 'job-item', 'data-token': t });
      const a = el('a', { href: 'jobs/' + t }, names.get(t) || t);
      const bar = el('div', { className: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0',
        'aria-label': 'Progress of ' + (names.get(t) || t) });
      bar.appendChild(el('div', { className: 'bar-fill' }));
      li.append(a, el('span', { className: 'state' }, 'waiting'), bar, el('span', { className: 'job-meta' }));
      ul.appendChild(li);
    }
    $('batch-title').focus();
    pollBatch();
  }

  async function pollBatch() {
    const tokens = st.batch;
    if (!tokens) return;
    let pending = 0;
    let delay = 500;
    await Promise.all(tokens.map(async (t) => {
      const li = $('batch-list').querySelector('[data-token="' + t + '"]');
      if (li.dataset.state && FINAL.includes(li.dataset.state)) return;
      pending++;
      try {
        const r = await fetch('jobs/' + t + '/status', { cache: 'no-store', headers: { Accept: 'application/json' } });
        if (!r.ok) return;
        const s = await r.json();
        if (st.batch !== tokens) return;
        li.dataset.state = s.state;
        const p = s.state === 'done' ? 100 : Math.round(s.percent || 0);
        const bar = li.querySelector('.bar');
        bar.setAttribute('aria-valuenow', String(p));
        bar.className = 'bar' + (FINAL.includes(s.state) ? ' ' + s.state : '');
        bar.firstChild.style.width = p + '%';
        const badge = li.querySelector('.state');
        badge.className = 'state state-' + s.state;
        setText(badge, stateWords(s.state));
        if (s.input_name) setText(li.querySelector('a'), s.input_name);
        const sum = s.summary || {};
        let meta = s.state === 'failed' ? (s.error || 'The conversion failed.') : s.message || '';
        if (s.state === 'done') {
          const n = sum.trackers != null ? sum.trackers : s.trackers;
          meta = (n != null ? plural(n, 'tracker') + ', ' : '') + plural((s.outputs || []).length, 'file');
          if (sum.outside > 0) meta += ' \u2014 ' + sum.outside + ' of ' + sum.keyframes + ' keyframes outside the comp';
        }
        setText(li.querySelector('.job-meta'), meta);
        recentUpdate(t, { state: s.state });
        if (s.poll_ms) delay = s.poll_ms;
      } catch (e) { /* the next round asks again */ }
    }));
    if (st.batch !== tokens || pending === 0) return;
    st.batchTimer = setTimeout(pollBatch, delay);
  }

  // ---------------------------------------------------------------- wiring

  function route(push) {
    const m = location.pathname.match(TOKEN_RE);
    const b = location.hash.match(/^#jobs=([A-Za-z0-9_,-]+)$/);
    if (m) openJob(m[1], null, false);
    else if (b) {
      showForm(false).then(() => openBatch(b[1].split(',').filter((t) => /^[A-Za-z0-9_-]{22}$/.test(t)), false));
    } else {
      setReuse(null);
      showForm(push);
    }
  }

  function init() {
    const drop = $('drop');
    $('file').addEventListener('change', (e) => chooseFiles(e.target.files));
    ['dragenter', 'dragover'].forEach((t) => drop.addEventListener(t, (e) => {
      e.preventDefault();
      drop.classList.add('over');
    }));
    ['dragleave', 'drop'].forEach((t) => drop.addEventListener(t, (e) => {
      e.preventDefault();
      drop.classList.remove('over');
    }));
    drop.addEventListener('drop', (e) => {
      const files = e.dataTransfer && e.dataTransfer.files;
      if (files && files.length) chooseFiles(files);
    });
    $('importer').addEventListener('change', updateSize);
    $('upload').addEventListener('submit', submit);
    $('cancel').addEventListener('click', cancel);
    $('retry').addEventListener('click', retry);
    $('resize').addEventListener('click', resize);
    $('reuse-cancel').addEventListener('click', () => { setReuse(null); $('file').focus(); });
    buildPresets($('offframe').querySelector('.presets'), $('re-width'), $('re-height'));
    $('edit-choice').addEventListener('change', showChoiceHelp);
    $('edit-add').addEventListener('click', () => {
      if ($('edit-choice').value) addEdit($('edit-choice').value, null, true);
    });
    for (const a of document.querySelectorAll('[data-home]')) a.addEventListener('click', (e) => {
      e.preventDefault();
      resetFormFiles();
      setReuse(null);
      showForm(true).then(() => $('file').focus());
    });
    const setAll = (v) => {
      document.querySelectorAll('#exporters input[data-exporter]').forEach((b) => { b.checked = v; });
      updateFormatsCount();
    };
    $('all-formats').addEventListener('click', () => setAll(true));
    $('no-formats').addEventListener('click', () => setAll(false));
    $('recent-clear').addEventListener('click', () => {
      recentSave([]);
      renderRecent();
      $('file').focus();
    });
    window.addEventListener('popstate', () => route(false));
    route(false);
  }

  init();
})();
