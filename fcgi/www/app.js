/*
 * app.js — the trackport page: choose a file, see its format, upload it, follow the
 * conversion, then preview and download the results.
 *
 * The job's URL (/jobs/<token>) is the page's whole state: after an upload the address
 * changes to it without a reload, and loading that address (a reload, a bookmark, a shared
 * link) shows the same job. Everything talks to the site's JSON endpoints:
 *   GET  api/formats          importers (with needs_size), exporters, edit flags
 *   POST api/detect?name=     the file's first 64 KiB -> the importer that would read it
 *   POST jobs                 the upload (multipart), answered 202 {token, status_url, page_url}
 *   GET  jobs/<t>/status      {state, percent, message, error, outputs, ...}, polled
 *   POST jobs/<t>/cancel
 * Relative URLs resolve from the site's root (index.html sets <base>).
 */
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const TOKEN_RE = /\/jobs\/([A-Za-z0-9_-]{22})\/?$/;
  const FINAL = ['done', 'failed', 'cancelled'];
  const HEAD_BYTES = 65536;

  const st = {
    formats: null,       // /api/formats answer
    file: null,          // the chosen File
    detected: null,      // /api/detect answer for it
    detectSeq: 0,        // ignores answers for a file that is no longer chosen
    token: null,         // the job shown
    pollTimer: null,
    pollFailures: 0,
    shownFinal: null,    // the token whose final state was rendered
  };

  // ---------------------------------------------------------------- helpers

  function formatBytes(n) {
    if (n == null) return '';
    if (n < 1024) return n + ' B';
    const units = ['KB', 'MB', 'GB'];
    let v = n / 1024, i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (v < 10 ? v.toFixed(1) : Math.round(v)) + ' ' + units[i];
  }

  function plural(n, word) {
    return n + ' ' + word + (n === 1 ? '' : 's');
  }

  function setText(el, text) {
    el.textContent = text == null ? '' : String(text);
  }

  function showFormError(text) {
    const el = $('form-error');
    setText(el, text);
    el.hidden = !text;
  }

  // Reads an error answer's sentence, whatever its form.
  function errorText(status, body) {
    try {
      const o = JSON.parse(body);
      if (o && o.error) return o.error;
    } catch (e) { /* not JSON */ }
    if (status === 413) return 'The file is larger than this site accepts.';
    if (status === 0) return 'The server could not be reached. Check your connection and try again.';
    return 'The server answered ' + status + '. Please try again.';
  }

  // ---------------------------------------------------------------- the form

  function importerInfo(name) {
    if (!st.formats || !name) return null;
    return st.formats.importers.find((i) => i.name === name) || null;
  }

  function chosenImporter() {
    const v = $('importer').value;
    if (v) return importerInfo(v);
    if (st.detected && st.detected.importer) return importerInfo(st.detected.importer);
    return null;
  }

  function updateSize() {
    const imp = chosenImporter();
    const need = !!(imp && imp.needs_size);
    $('size').hidden = !need;
    $('width').required = need;
    $('height').required = need;
  }

  function updateConvert() {
    $('convert').disabled = !st.file;
  }

  function buildForm() {
    const f = st.formats;
    const sel = $('importer');
    for (const imp of f.importers) {
      const o = document.createElement('option');
      o.value = imp.name;
      o.textContent = imp.description + ' (' + imp.name + ')';
      sel.appendChild(o);
    }
    const ex = $('exporters');
    for (const e of f.exporters) {
      const l = document.createElement('label');
      const c = document.createElement('input');
      c.type = 'checkbox';
      c.value = e.name;
      c.checked = true;
      c.dataset.exporter = '1';
      l.appendChild(c);
      l.appendChild(document.createTextNode(' ' + e.description));
      l.title = e.name + ' \u2192 *_' + e.suffix;
      ex.appendChild(l);
    }
    const tools = $('tools');
    for (const t of f.tools) {
      const l = document.createElement('label');
      const input = document.createElement('input');
      input.dataset.flag = t.flag;
      input.title = t.help;
      if (t.kind === 'switch') {
        input.type = 'checkbox';
        l.className = 'switch';
        l.appendChild(input);
        l.appendChild(document.createTextNode(t.help + ' (' + t.flag + ')'));
      } else {
        input.type = t.kind === 'number' || t.kind === 'integer' ? 'number' : 'text';
        if (t.kind === 'number') input.step = 'any';
        if (t.kind === 'integer') input.step = '1';
        l.appendChild(document.createTextNode(t.help + ' (' + t.flag + ')'));
        l.appendChild(input);
      }
      tools.appendChild(l);
    }
    if (!f.tools.length) tools.textContent = 'No edits are available.';
  }

  async function loadFormats() {
    if (st.formats) return st.formats;
    const r = await fetch('api/formats', { headers: { Accept: 'application/json' } });
    if (!r.ok) throw new Error('formats: ' + r.status);
    st.formats = await r.json();
    buildForm();
    return st.formats;
  }

  async function detect(file) {
    const seq = ++st.detectSeq;
    const out = $('detected');
    out.hidden = false;
    out.className = 'detected';
    setText(out, 'Looking at the file\u2026');
    st.detected = null;
    updateSize();
    try {
      const r = await fetch('api/detect?name=' + encodeURIComponent(file.name), {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream', Accept: 'application/json' },
        body: file.slice(0, HEAD_BYTES),
      });
      const o = await r.json();
      if (seq !== st.detectSeq) return;
      st.detected = o;
      if (o.importer) {
        setText(out, 'Detected format: ' + o.description + ' (' + o.importer + ')' +
          (o.needs_size ? '. It does not record the comp size.' : '.'));
      } else {
        out.className = 'detected unknown';
        setText(out, (o.message || 'The format could not be recognised.') +
          ' Choose how to read it below.');
      }
    } catch (e) {
      if (seq !== st.detectSeq) return;
      out.className = 'detected unknown';
      setText(out, 'The format could not be checked before upload; it will be detected on the server.');
    }
    updateSize();
  }

  function chooseFile(file) {
    st.file = file || null;
    showFormError('');
    const info = $('file-info');
    if (!file) {
      info.hidden = true;
      $('detected').hidden = true;
      updateConvert();
      return;
    }
    setText(info, file.name + ' \u2014 ' + formatBytes(file.size));
    info.hidden = false;
    updateConvert();
    if (st.formats && st.formats.max_upload_bytes && file.size > st.formats.max_upload_bytes) {
      showFormError('This file is ' + formatBytes(file.size) + '; the site accepts files up to ' +
        formatBytes(st.formats.max_upload_bytes) + '.');
    }
    detect(file);
  }

  function formData() {
    const fd = new FormData();
    const imp = $('importer').value;
    if (imp) fd.append('importer', imp);
    if (!$('size').hidden) {
      fd.append('width', $('width').value.trim());
      fd.append('height', $('height').value.trim());
    }
    const boxes = Array.from(document.querySelectorAll('#exporters input[data-exporter]'));
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    if (chosen.length && chosen.length < boxes.length) fd.append('exporters', chosen.join(','));
    for (const input of document.querySelectorAll('#tools input[data-flag]')) {
      if (input.type === 'checkbox') {
        if (input.checked) fd.append('edit.' + input.dataset.flag, '1');
      } else if (input.value.trim() !== '') {
        fd.append('edit.' + input.dataset.flag, input.value.trim());
      }
    }
    fd.append('file', st.file, st.file.name);   // last: the small fields arrive first
    return fd;
  }

  function validate() {
    if (!st.file) return 'Choose a tracking file first.';
    if (st.file.size === 0) return 'This file is empty.';
    if (!$('size').hidden) {
      const w = $('width').value.trim(), h = $('height').value.trim();
      if (!/^[1-9][0-9]*$/.test(w) || !/^[1-9][0-9]*$/.test(h))
        return 'Give the comp width and height in whole pixels (for example 1920 and 1080).';
    }
    const boxes = document.querySelectorAll('#exporters input[data-exporter]');
    if (boxes.length && !Array.from(boxes).some((b) => b.checked))
      return 'Choose at least one format to write.';
    return null;
  }

  function submit(ev) {
    ev.preventDefault();
    const problem = validate();
    if (problem) {
      showFormError(problem);
      return;
    }
    showFormError('');
    const button = $('convert');
    button.disabled = true;
    const xhr = new XMLHttpRequest();
    xhr.open('POST', 'jobs');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable)
        setText(button, 'Uploading ' + Math.floor((100 * e.loaded) / e.total) + '%');
    };
    xhr.onload = () => {
      setText(button, 'Convert');
      button.disabled = false;
      if (xhr.status === 202 || xhr.status === 200) {
        let o = null;
        try { o = JSON.parse(xhr.responseText); } catch (e) { /* handled below */ }
        if (o && o.token) {
          openJob(o.token, o.page_url, true);
          return;
        }
      }
      showFormError(errorText(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => {
      setText(button, 'Convert');
      button.disabled = false;
      showFormError(errorText(0, ''));
    };
    xhr.send(formData());
  }

  function showForm(push) {
    stopPolling();
    st.token = null;
    st.shownFinal = null;
    $('job').hidden = true;
    $('upload').hidden = false;
    document.title = 'trackport \u2014 convert 2D tracking files';
    if (push) history.pushState({}, '', './');
    loadFormats().catch(() => showFormError('The list of formats could not be loaded. Reload the page to try again.'));
  }

  // ---------------------------------------------------------------- the job

  function stopPolling() {
    if (st.pollTimer) clearTimeout(st.pollTimer);
    st.pollTimer = null;
  }

  function resetJobView() {
    setBar(0, '');
    setText($('message'), 'Waiting for the server\u2026');
    $('job-error').hidden = true;
    $('results').hidden = true;
    $('cancel').hidden = true;
    $('again').hidden = true;
    $('preview').textContent = '';
    $('outputs').querySelector('tbody').textContent = '';
    setText($('job-title'), 'Converting');
  }

  function setBar(percent, state) {
    const p = Math.max(0, Math.min(100, Math.round(percent || 0)));
    const bar = $('bar');
    bar.setAttribute('aria-valuenow', String(p));
    bar.className = 'bar' + (state === 'done' ? ' done' : state === 'failed' ? ' failed' : '');
    $('bar-fill').style.width = p + '%';
    setText($('percent'), p + '%');
  }

  function openJob(token, pageUrl, push) {
    stopPolling();
    st.token = token;
    st.shownFinal = null;
    st.pollFailures = 0;
    if (push) history.pushState({ token }, '', pageUrl || 'jobs/' + token);
    $('upload').hidden = true;
    $('job').hidden = false;
    resetJobView();
    poll();
  }

  async function poll() {
    const token = st.token;
    if (!token) return;
    let delay = 500;
    try {
      const r = await fetch('jobs/' + token + '/status', {
        cache: 'no-store',
        headers: { Accept: 'application/json' },
      });
      if (token !== st.token) return;
      const body = await r.text();
      if (r.status === 404) {
        showJobError(errorText(404, body));
        setText($('job-title'), 'No such conversion');
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

  function showJobError(text) {
    const el = $('job-error');
    setText(el, text);
    el.hidden = !text;
  }

  function render(s) {
    const name = s.input_name || '';
    if (name) {
      setText($('job-title'), name);
      document.title = name + ' \u2014 trackport';
    }
    const running = s.state === 'queued' || s.state === 'running';
    setBar(s.state === 'done' ? 100 : s.percent, s.state);
    setText($('message'), s.message || (s.state === 'queued' ? 'Waiting in the queue' : ''));
    $('cancel').hidden = !running;
    $('again').hidden = running;
    if (!FINAL.includes(s.state) || st.shownFinal === s.token) return;
    st.shownFinal = s.token;
    if (s.state === 'failed') {
      showJobError(s.error || 'The conversion failed.');
    } else if (s.state === 'cancelled') {
      showJobError(s.error && s.error !== 'Cancelled' ? s.error : 'This conversion was cancelled.');
    } else if (s.state === 'done') {
      showResults(s);
    }
  }

  function showResults(s) {
    const parts = [];
    if (s.trackers != null) parts.push(plural(s.trackers, 'tracker') + ' with ' + plural(s.keyframes, 'keyframe'));
    if (s.importer_description) parts.push('read as ' + s.importer_description);
    if (s.width && s.height) parts.push('comp ' + s.width + ' \u00d7 ' + s.height);
    setText($('summary'), parts.length ? 'Found ' + parts.join(', ') + '.' : '');
    const zip = $('zip');
    zip.href = s.zip_url;
    const tbody = $('outputs').querySelector('tbody');
    tbody.textContent = '';
    for (const o of s.outputs || []) {
      const tr = document.createElement('tr');
      const td1 = document.createElement('td');
      setText(td1, o.description || o.format);
      const td2 = document.createElement('td');
      const a = document.createElement('a');
      a.href = o.url;
      a.setAttribute('download', o.name);
      setText(a, o.name);
      td2.appendChild(a);
      const td3 = document.createElement('td');
      td3.className = 'num';
      setText(td3, formatBytes(o.bytes));
      tr.append(td1, td2, td3);
      tbody.appendChild(tr);
    }
    $('results').hidden = false;
    loadPreview(s);
  }

  async function loadPreview(s) {
    const fig = $('preview');
    fig.textContent = 'Drawing the trackers\u2026';
    try {
      const r = await fetch(s.preview_url);
      const text = await r.text();
      if (s.token !== st.token) return;
      if (!r.ok) throw new Error(errorText(r.status, text));
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const svg = doc.documentElement;
      if (!svg || svg.nodeName !== 'svg' || doc.querySelector('parsererror'))
        throw new Error('The preview could not be read.');
      fig.textContent = '';
      fig.appendChild(document.importNode(svg, true));
      const cap = document.createElement('figcaption');
      cap.className = 'message';
      setText(cap, 'Hover over a tracker to see its name and frames.');
      fig.appendChild(cap);
    } catch (e) {
      if (s.token !== st.token) return;
      setText(fig, e.message || 'The preview could not be drawn.');
    }
  }

  async function cancel() {
    const token = st.token;
    if (!token) return;
    $('cancel').disabled = true;
    try {
      const r = await fetch('jobs/' + token + '/cancel', {
        method: 'POST',
        headers: { Accept: 'application/json' },
      });
      if (!r.ok && r.status !== 409) showJobError(errorText(r.status, await r.text()));
    } catch (e) {
      showJobError(errorText(0, ''));
    }
    $('cancel').disabled = false;
    stopPolling();
    poll();
  }

  // ---------------------------------------------------------------- wiring

  function route(push) {
    const m = location.pathname.match(TOKEN_RE);
    if (m) openJob(m[1], null, false);
    else showForm(push);
  }

  function init() {
    const drop = $('drop');
    $('file').addEventListener('change', (e) => chooseFile(e.target.files[0]));
    ['dragenter', 'dragover'].forEach((t) => drop.addEventListener(t, (e) => {
      e.preventDefault();
      drop.classList.add('over');
    }));
    ['dragleave', 'drop'].forEach((t) => drop.addEventListener(t, (e) => {
      e.preventDefault();
      drop.classList.remove('over');
    }));
    drop.addEventListener('drop', (e) => {
      const f = e.dataTransfer && e.dataTransfer.files[0];
      if (f) chooseFile(f);
    });
    $('importer').addEventListener('change', updateSize);
    $('upload').addEventListener('submit', submit);
    $('cancel').addEventListener('click', cancel);
    $('again').addEventListener('click', (e) => {
      e.preventDefault();
      showForm(true);
    });
    const setAll = (v) => document.querySelectorAll('#exporters input[data-exporter]')
      .forEach((b) => { b.checked = v; });
    $('all-formats').addEventListener('click', () => setAll(true));
    $('no-formats').addEventListener('click', () => setAll(false));
    window.addEventListener('popstate', () => route(false));
    route(false);
  }

  init();
})();
