#!/usr/bin/env python3
"""Integration tests of the site: the real lighttpd spawning the real trackport-fcgi (which
starts the real dispatcher), the real memcached, on free loopback ports; requests with curl
and http.client.

  site_test.py SCENARIO BUILD_DIR CORPUS_DIR COMPARE WORK_DIR

Scenarios (one ctest each, so that each stays short and they can run side by side):
  corpus    every corpus sample uploaded; every output, the archive and the preview checked
            against a direct `trackport` run of the same sample
  load      50 concurrent uploads; lighttpd restarted while 20 jobs run (and while uploads
            arrive): every answered upload finishes
  memcached memcached stopped: status, uploads and health still answer
  errors    bad requests: 404, 405, 411, 413, 400 (malformed form, no file, unknown importer,
            path-like names), JSON for JSON clients and a page for browsers; cancel
  lifecycle a job's life through the site and trackportctl alike: the same folder layout and
            modes; cancel through either, and the very next status says cancelled;
            reconvert; SQLite's write lock held by another process for 3 s: status, page
            and downloads answer during the hold, uploads answer 503 (Retry-After) or
            succeed, and leave nothing half-written

Each prints its failures and "N passed, M failed"; the sanitizer reports of every process of
the site fail the test.
"""
import concurrent.futures
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import sys
import threading
import time
import xml.etree.ElementTree as ET
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sitelib  # noqa: E402
from sitelib import Checks, Site, finish_site  # noqa: E402

# Lines that carry a creation date (the same rule as the shared compare tool).
DATE = re.compile(r'(?i)creation ?date|\b(?:mon|tue|wed|thu|fri|sat|sun) \w{3} +\d+ '
                  r'\d\d:\d\d:\d\d \d{4}')
FINAL = ('done', 'failed', 'cancelled')
# Converter processes under AddressSanitizer reserve terabytes of address space: the
# address-space limit is the dispatcher's business and is tested there.
SITE_CONF = 'rlimit_as_mb = 0\n'
# What a browser navigating to a page sends.
BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'


class Env:
    def __init__(self, build, corpus, compare, work):
        self.build = os.path.abspath(build)
        self.corpus = os.path.abspath(corpus)
        self.compare = compare
        self.work = os.path.abspath(work)
        self.trackport = os.path.join(self.build, 'converter', 'trackport')
        with open(os.path.join(self.corpus, 'manifest.json')) as f:
            self.manifest = json.load(f)
        self.refs = {}
        self.refs_lock = threading.Lock()

    def sample(self, entry):
        return os.path.join(self.corpus, entry['sample'])

    def fields(self, entry):
        f = [('importer', entry['importer'])]
        if entry.get('width_given'):
            f += [('width', str(entry['width_given'])), ('height', str(entry['height_given']))]
        return f

    def reference(self, entry):
        """{output name: (sha256, path)} of a direct trackport run of the sample (cached;
        the files stay on disk: the corpus's outputs weigh hundreds of megabytes)."""
        key = entry['sample']
        with self.refs_lock:
            if key in self.refs:
                return self.refs[key]
        out = os.path.join(self.work, 'direct', key.replace('/', '_'))
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        cmd = [self.trackport, '-f', entry['importer'], '--output-dir', out]
        if entry.get('width_given'):
            cmd += ['-w', str(entry['width_given']), '-h', str(entry['height_given'])]
        cmd.append(self.sample(entry))
        run = subprocess.run(cmd, capture_output=True, timeout=300)
        files = {}
        if run.returncode == 0:
            for name in sorted(os.listdir(out)):
                path = os.path.join(out, name)
                with open(path, 'rb') as f:
                    files[name] = (hashlib.sha256(f.read()).hexdigest(), path)
        with self.refs_lock:
            self.refs[key] = files
        return files

    def same_output(self, name, ref, actual):
        """None when the site's output equals the direct run's (ref, from reference()) byte
        for byte, or differs only on lines that carry a creation date (checked with compare
        text); else the reason."""
        if hashlib.sha256(actual).hexdigest() == ref[0]:
            return None
        with open(ref[1], 'rb') as f:
            expected = f.read()
        exp_lines = expected.split(b'\n')
        act_lines = actual.split(b'\n')
        if len(exp_lines) != len(act_lines):
            return '%s: %d lines, the direct run wrote %d' % (name, len(act_lines),
                                                               len(exp_lines))
        for a, b in zip(exp_lines, act_lines):
            if a != b and not DATE.search(a.decode('utf-8', 'replace')):
                return '%s: line %r differs from the direct run\'s %r' % (name, b[:120], a[:120])
        # Every other line is identical. The shared tool says the same, but it tokenizes
        # every number in Python: ask it only about files of reasonable size (the corpus has
        # flame setups of 27 MB).
        if len(actual) > (1 << 20):
            return None
        d = os.path.join(self.work, 'cmp')
        os.makedirs(d, exist_ok=True)
        # Unique names: uploads run in parallel and several may carry the same output.
        fe, pe = tempfile.mkstemp(suffix='.exp', dir=d)
        fa, pa = tempfile.mkstemp(suffix='.act', dir=d)
        try:
            with os.fdopen(fe, 'wb') as f:
                f.write(expected)
            with os.fdopen(fa, 'wb') as f:
                f.write(actual)
            run = subprocess.run([sys.executable, self.compare, 'text', pe, pa],
                                 capture_output=True, text=True)
        finally:
            os.unlink(pe)
            os.unlink(pa)
        return None if run.returncode == 0 else '%s: %s' % (name, run.stdout.strip())


# ---------------------------------------------------------------------------- helpers

def upload_raw(site, body, content_type, headers=None, method='POST', path='/jobs'):
    h = {'Content-Type': content_type, 'Accept': 'application/json'}
    h.update(headers or {})
    return site.request(method, path, body=body, headers=h)


def multipart(fields, file_name, file_data, boundary='tpboundary7MA4YWxkTrZu0gW',
              file_field='file'):
    out = io.BytesIO()
    for k, v in fields:
        out.write(('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                   % (boundary, k, v)).encode())
    if file_name is not None:
        out.write(('--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
                   'Content-Type: application/octet-stream\r\n\r\n'
                   % (boundary, file_field, file_name)).encode())
        out.write(file_data)
        out.write(b'\r\n')
    out.write(('--%s--\r\n' % boundary).encode())
    return out.getvalue(), 'multipart/form-data; boundary=' + boundary


def is_json_error(t, r, status, what, words=None):
    ok = t.check(r.status == status, '%s: status %d, expected %d (%r)'
                 % (what, r.status, status, r.body[:200]))
    ctype = r.header('Content-Type') or ''
    if not t.check(ctype.startswith('application/json'),
                   '%s: answered %s, not JSON' % (what, ctype)):
        return False
    try:
        o = r.json()
    except ValueError:
        return t.check(False, '%s: unreadable JSON %r' % (what, r.body[:200]))
    ok &= t.check(isinstance(o.get('error'), str) and len(o['error']) > 10,
                  '%s: no sentence in "error": %r' % (what, o))
    ok &= t.check(o.get('status') == status, '%s: "status" is %r' % (what, o.get('status')))
    if words:
        ok &= t.check(any(w.lower() in o.get('error', '').lower() for w in words),
                      '%s: the message %r says none of %r' % (what, o.get('error'), words))
    return ok


def is_html_error(t, r, status, what):
    ctype = r.header('Content-Type') or ''
    text = r.body.decode('utf-8', 'replace')
    t.check(r.status == status, '%s (browser): status %d, expected %d' % (what, r.status, status))
    t.check(ctype.startswith('text/html'), '%s (browser): answered %s' % (what, ctype))
    t.check('<html' in text and '</html>' in text and '<p' in text,
            '%s (browser): not a readable page: %r' % (what, text[:200]))
    t.check(not text.lstrip().startswith('{'), '%s (browser): JSON instead of a page' % what)


def files_under(root):
    out = set()
    for d, _, names in os.walk(root):
        for n in names:
            out.add(os.path.join(d, n))
    return out


def check_job_outputs(t, env, site, entry, status, check_zip=True, check_preview=True):
    """Downloads every output of a done job (and its archive and preview) and compares them
    with a direct run of the sample."""
    what = entry['sample']
    ref = env.reference(entry)
    outputs = status.get('outputs') or []
    names = [o['name'] for o in outputs]
    t.check(sorted(names) == sorted(ref), '%s: outputs %s, the direct run wrote %s'
            % (what, sorted(names), sorted(ref)))
    t.check(status.get('trackers') == entry['trackers'] and
            status.get('keyframes') == entry['keyframes'],
            '%s: %r trackers, %r keyframes; expected %d, %d' % (
                what, status.get('trackers'), status.get('keyframes'), entry['trackers'],
                entry['keyframes']))
    got = {}
    for o in outputs:
        r = site.request('GET', o['url'])
        if not t.check(r.status == 200, '%s: %s answered %d' % (what, o['url'], r.status)):
            continue
        got[o['name']] = hashlib.sha256(r.body).hexdigest()
        t.check(len(r.body) == o['bytes'], '%s: %s is %d bytes, status said %d'
                % (what, o['name'], len(r.body), o['bytes']))
        disp = r.header('Content-Disposition') or ''
        t.check('attachment' in disp and o['name'] in disp,
                '%s: %s has Content-Disposition %r' % (what, o['name'], disp))
        if o['name'] in ref:
            problem = env.same_output(o['name'], ref[o['name']], r.body)
            t.check(problem is None, '%s: %s' % (what, problem))
    if check_zip:
        r = site.request('GET', status['zip_url'])
        if t.check(r.status == 200 and (r.header('Content-Type') or '').startswith(
                'application/zip'), '%s: all.zip answered %d' % (what, r.status)):
            try:
                z = zipfile.ZipFile(io.BytesIO(r.body))
                t.check(z.testzip() is None, '%s: all.zip is damaged' % what)
                members = {i.filename: hashlib.sha256(z.read(i)).hexdigest()
                           for i in z.infolist()}
                t.check(sorted(members) == sorted(got), '%s: all.zip holds %s'
                        % (what, sorted(members)))
                for n, digest in got.items():
                    t.check(members.get(n) == digest, '%s: %s in all.zip differs' % (what, n))
            except zipfile.BadZipFile as e:
                t.check(False, '%s: all.zip: %s' % (what, e))
    if check_preview:
        r = site.request('GET', status['preview_url'])
        if t.check(r.status == 200 and (r.header('Content-Type') or '').startswith(
                'image/svg+xml'), '%s: preview.svg answered %d %r' % (what, r.status,
                                                                     r.body[:200])):
            try:
                root = ET.fromstring(r.body)
                t.check(root.tag.endswith('svg'), '%s: preview root is %s' % (what, root.tag))
                titles = [e.text or '' for e in root.iter() if e.tag.endswith('title')]
                t.check(any(re.search(r'\d', x) for x in titles),
                        '%s: preview has no frame numbers to show on hover' % what)
            except ET.ParseError as e:
                t.check(False, '%s: preview.svg is not XML: %s' % (what, e))


# ---------------------------------------------------------------------------- scenarios

def scenario_corpus(env, t):
    site = Site(env.build, os.path.join(env.work, 'site'), max_procs=2, max_children=2,
                extra_conf=SITE_CONF)
    site.start()
    # The archive of every sample would deflate ~700 MB: check it on the first sample of each
    # importer.
    zip_for = {}
    for e in env.manifest:
        if e['status'] == 'ok':
            zip_for.setdefault(e['importer'], e['sample'])
    zip_for = set(zip_for.values())
    try:
        def one(entry):
            code, data, body = site.upload(env.sample(entry), env.fields(entry))
            if not t.check(code == 202 and data and data.get('token'),
                           '%s: upload answered %d %r' % (entry['sample'], code, body[:200])):
                return
            s = site.wait_final(data['token'], timeout=240)
            if not t.check(s and s['state'] in FINAL, '%s: not finished: %r'
                           % (entry['sample'], s)):
                return
            if entry['status'] == 'error':
                t.check(s['state'] == 'failed', '%s: %s, expected failed' % (entry['sample'],
                                                                           s['state']))
                err = s.get('error') or ''
                t.check('tracker' in err.lower() and len(err) < 300 and '\n' not in err,
                        '%s: unclear error %r' % (entry['sample'], err))
                t.check(not s.get('outputs'), '%s: a failed job lists outputs'
                        % entry['sample'])
                r = site.request('GET', '/jobs/%s/all.zip' % data['token'],
                                 headers={'Accept': 'application/json'})
                t.check(r.status == 404, '%s: all.zip of a failed job: %d' % (entry['sample'],
                                                                              r.status))
                return
            if not t.check(s['state'] == 'done', '%s: %s: %r' % (entry['sample'], s['state'],
                                                              s.get('error'))):
                return
            t.check(s['percent'] == 100, '%s: done at %r%%' % (entry['sample'], s['percent']))
            check_job_outputs(t, env, site, entry, s, check_zip=entry['sample'] in zip_for)
            r = site.request('GET', s['page_url'], headers={'Accept': 'text/html'})
            t.check(r.status == 200 and b'id="job"' in r.body,
                    '%s: the job page answered %d' % (entry['sample'], r.status))

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            for f in [pool.submit(one, e) for e in env.manifest]:
                f.result()

        # An upload without an importer: the format is detected on the server.
        entry = next(e for e in env.manifest if e['sample'].endswith('nuke/018.nk'))
        code, data, _ = site.upload(env.sample(entry), env.fields(entry)[1:])
        s = site.wait_final(data['token']) if code == 202 else None
        t.check(s and s['state'] == 'done' and s.get('importer', '').lower() == 'nukescript',
                'detected upload: %r' % s)

        # A subset of exporters and an edit.
        code, data, _ = site.upload(env.sample(entry), env.fields(entry) + [
            ('exporters', 'tsv,nukescript'), ('edit.prefix', 'shot')])
        s = site.wait_final(data['token']) if code == 202 else None
        if t.check(s and s['state'] == 'done', 'subset upload: %r' % s):
            t.check(sorted(o['format'] for o in s['outputs']) == ['nukescript', 'tsv'],
                    'subset: %r' % [o['format'] for o in s['outputs']])
            tsv = next((o for o in s['outputs'] if o['format'] == 'tsv'), None)
            body = site.request('GET', tsv['url']).body if tsv else b''
            t.check(b'\nshot_' in body, 'the prefix edit was not applied')

        # /api/formats lists what the CLI lists, with needs_size.
        r, f = site.get_json('/api/formats')
        t.check(r.status == 200 and sorted(i['name'] for i in f['importers']) ==
                sorted(sitelib.registered(env.trackport, 'importers')),
                '/api/formats importers differ from the CLI\'s')
        t.check(sorted(e['name'] for e in f['exporters']) ==
                sorted(sitelib.registered(env.trackport, 'exporters')),
                '/api/formats exporters differ from the CLI\'s')
        nuke = next((i for i in f['importers'] if i['name'] == 'nukescript'), {})
        t.check(nuke.get('needs_size') is True, 'nukescript does not need a size: %r' % nuke)
        r, h = site.get_json('/health')
        t.check(r.status == 200 and h['ok'] and h['memcached']['ok'] and
                h['dispatcher']['alive'], '/health: %r' % h)
        # The static page is lighttpd's.
        r = site.request('GET', '/')
        t.check(r.status == 200 and b'app.js' in r.body, 'GET / answered %d' % r.status)
    finally:
        finish_site(t, site)


def make_big_tsv(path, trackers, frames):
    import math
    with open(path, 'w') as f:
        f.write('# width\t1920\n# height\t1080\ntracker\tframe\tx\ty\tresidual\n')
        for tr in range(trackers):
            for fr in range(frames):
                f.write('T%d\t%d\t%.6f\t%.6f\t0.100000\n' % (
                    tr, fr, 960 + 500 * math.sin(fr * 0.01 + tr),
                    540 + 300 * math.cos(fr * 0.013 + tr)))


def scenario_load(env, t):
    site = Site(env.build, os.path.join(env.work, 'site'), max_procs=4, max_children=2,
                max_upload=16 << 20, extra_conf=SITE_CONF)
    site.start()
    try:
        # Four FastCGI processes each started a dispatcher; all but one lost the race for
        # the lock and exited. Their parents reap them without waiting for a request.
        deadline = time.time() + 10
        while time.time() < deadline and site.zombie_children():
            time.sleep(0.05)
        t.check(not site.zombie_children(), 'unreaped children of the FastCGI processes: %r'
                % site.zombie_children())

        # The dispatcher is tied to the FastCGI process that started it: when that one is
        # killed outright, the dispatcher stops too, and the next request to any other
        # FastCGI process starts a replacement.
        first = site.dispatcher_pid()
        with open('/proc/%d/stat' % first) as f:
            parent = int(f.read().rsplit(') ', 1)[-1].split()[1])
        t.check(parent in site.fcgi_pids(), 'the dispatcher is a FastCGI process\'s child')
        os.kill(parent, signal.SIGKILL)
        deadline = time.time() + 20
        while time.time() < deadline and sitelib.pid_alive(first):
            time.sleep(0.05)
        t.check(not sitelib.pid_alive(first), 'the dispatcher outlived its FastCGI parent')
        replacement = 0
        deadline = time.time() + 20
        while time.time() < deadline and not replacement:
            r, h = site.get_json('/health')
            if r.status == 200 and h['dispatcher']['alive'] and h['dispatcher']['pid'] != first:
                replacement = h['dispatcher']['pid']
            else:
                time.sleep(0.1)
        t.check(replacement, 'no replacement dispatcher after its parent was killed')
        site.seen_pids.add(replacement)

        # 50 uploads at once, of 50 different samples where there are that many.
        ok_entries = [e for e in env.manifest if e['status'] == 'ok']
        chosen = [ok_entries[i % len(ok_entries)] for i in range(50)]
        barrier = threading.Barrier(50)

        def one(entry):
            barrier.wait(60)
            code, data, body = site.upload(env.sample(entry), env.fields(entry))
            if not t.check(code == 202 and data, 'concurrent upload of %s: %d %r'
                           % (entry['sample'], code, body[:200])):
                return
            s = site.wait_final(data['token'], timeout=240)
            if t.check(s and s['state'] == 'done', 'concurrent %s: %r' % (entry['sample'], s)):
                check_job_outputs(t, env, site, entry, s, check_zip=False, check_preview=False)

        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            for f in [pool.submit(one, e) for e in chosen]:
                f.result()

        # Restart lighttpd while 20 jobs run or wait: every one finishes, none is lost.
        big = os.path.join(env.work, 'long_take.tsv')
        make_big_tsv(big, 20, 4000)
        entry = {'sample': big, 'importer': 'tsv', 'trackers': 20, 'keyframes': 80000}
        tokens = []
        for _ in range(20):
            code, data, body = site.upload(big, [('importer', 'tsv')])
            if t.check(code == 202, 'upload before the restart: %d %r' % (code, body[:200])):
                tokens.append(data['token'])
        deadline = time.time() + 60
        running = 0
        while time.time() < deadline and not running:
            running = sum(1 for tok in tokens
                          if site.get_json('/jobs/%s/status' % tok)[1]['state'] == 'running')
            time.sleep(0.02)
        t.check(running > 0, 'no job was running before the restart')
        old_dispatcher = site.dispatcher_pid()

        # Uploads keep coming during the restart; every one that was answered must finish.
        stop_uploading = threading.Event()
        answered = []

        def keep_uploading():
            small = next(e for e in env.manifest if e['sample'].endswith('nuke/018.nk'))
            while not stop_uploading.is_set():
                try:
                    code, data, _ = site.upload(env.sample(small), env.fields(small), timeout=20)
                except subprocess.TimeoutExpired:
                    continue
                if code == 202 and data:
                    answered.append(data['token'])
                time.sleep(0.01)

        uploader = threading.Thread(target=keep_uploading)
        uploader.start()
        time.sleep(0.3)
        site.restart_lighttpd()
        time.sleep(0.3)
        stop_uploading.set()
        uploader.join()
        new_dispatcher = site.dispatcher_pid()
        t.check(new_dispatcher and new_dispatcher != old_dispatcher,
                'the dispatcher was not replaced (%d, then %d)' % (old_dispatcher,
                                                                  new_dispatcher))
        t.check(len(answered) > 0, 'no upload was answered around the restart')
        for tok in tokens:
            s = site.wait_final(tok, timeout=170)
            t.check(s and s['state'] == 'done', 'job %s after the restart: %r' % (tok, s))
        s = site.wait_final(tokens[0])
        if s and s['state'] == 'done':
            check_job_outputs(t, env, site, entry, s, check_zip=False, check_preview=False)
        for tok in answered:
            s = site.wait_final(tok, timeout=60)
            t.check(s and s['state'] == 'done', 'upload answered around the restart, %s: %r'
                    % (tok, s))
        r, h = site.get_json('/health')
        t.check(r.status == 200 and h['queue_depth'] == 0 and h['running'] == 0,
                'after the restart: %r' % h)
    finally:
        finish_site(t, site)


def scenario_memcached(env, t):
    site = Site(env.build, os.path.join(env.work, 'site'), max_procs=2, max_children=1,
                max_upload=16 << 20, extra_conf=SITE_CONF)
    site.start()
    try:
        entry = next(e for e in env.manifest if e['sample'].endswith('nuke/018.nk'))
        code, data, _ = site.upload(env.sample(entry), env.fields(entry))
        done = site.wait_final(data['token']) if code == 202 else None
        t.check(done and done['state'] == 'done', 'first job: %r' % done)

        big = os.path.join(env.work, 'long_take.tsv')
        make_big_tsv(big, 20, 4000)
        code, data, _ = site.upload(big, [('importer', 'tsv')])
        long_token = data['token'] if code == 202 else None
        # Live progress comes from memcached: the database holds only 0, 50 and 100.
        seen_live = False
        deadline = time.time() + 60
        while long_token and time.time() < deadline:
            r, s = site.get_json('/jobs/%s/status' % long_token)
            if s['state'] == 'running' and s['percent'] not in (0, 50, 100) and s['message']:
                seen_live = True
                break
            if s['state'] in FINAL:
                break
            time.sleep(0.01)
        t.check(seen_live, 'no live progress seen while memcached ran')

        site.stop_memcached()
        for tok in (data and long_token, done and done['token']):
            if not tok:
                continue
            r, s = site.get_json('/jobs/%s/status' % tok)
            t.check(r.status == 200 and s['state'] in ('queued', 'running', 'done'),
                    'status without memcached: %d %r' % (r.status, s))
        r, h = site.get_json('/health')
        t.check(h is not None and h['memcached']['ok'] is False and h['database']['ok'],
                '/health without memcached: %r' % h)
        s = site.wait_final(long_token, timeout=170) if long_token else None
        t.check(s and s['state'] == 'done' and s['percent'] == 100,
                'long job without memcached: %r' % s)
        # Uploads work and finish without memcached.
        code, data, _ = site.upload(env.sample(entry), env.fields(entry))
        s = site.wait_final(data['token']) if code == 202 else None
        if t.check(s and s['state'] == 'done', 'upload without memcached: %r' % s):
            check_job_outputs(t, env, site, entry, s)
        # And memcached coming back is used again, once the clients' backoff after a failure
        # (a second) has passed.
        site.start_memcached()
        code, data, _ = site.upload(env.sample(entry), env.fields(entry))
        s = site.wait_final(data['token']) if code == 202 else None
        t.check(s and s['state'] == 'done', 'upload after memcached came back: %r' % s)
        deadline = time.time() + 20
        while time.time() < deadline:
            r, h = site.get_json('/health')
            if h is not None and h['memcached']['ok'] is True:
                break
            time.sleep(0.2)
        t.check(h is not None and h['memcached']['ok'] is True,
                '/health after memcached came back: %r' % h)
        code, data, _ = site.upload(big, [('importer', 'tsv')])
        seen_live = False
        deadline = time.time() + 60
        while code == 202 and time.time() < deadline:
            r, s = site.get_json('/jobs/%s/status' % data['token'])
            if s['state'] == 'running' and s['percent'] not in (0, 50, 100) and s['message']:
                seen_live = True
            if s['state'] in FINAL:
                break
            time.sleep(0.01)
        t.check(seen_live, 'no live progress once memcached came back')
    finally:
        finish_site(t, site)


def scenario_errors(env, t):
    max_upload = 4 << 20
    site = Site(env.build, os.path.join(env.work, 'site'), max_procs=2, max_children=1,
                max_upload=max_upload, extra_conf=SITE_CONF)
    site.start()
    try:
        entry = next(e for e in env.manifest if e['sample'].endswith('nuke/018.nk'))
        with open(env.sample(entry), 'rb') as f:
            nuke = f.read()
        fields = env.fields(entry)
        code, data, _ = site.upload(env.sample(entry), fields)
        good = site.wait_final(data['token']) if code == 202 else None
        t.check(good and good['state'] == 'done', 'a good upload: %r' % good)
        token = good['token'] if good else 'x'

        # Unknown tokens: well-formed and not.
        for path in ('/jobs/AAAAAAAAAAAAAAAAAAAAAA/status', '/jobs/AAAAAAAAAAAAAAAAAAAAAA',
                     '/jobs/not-a-token/status', '/jobs/AAAAAAAAAAAAAAAAAAAAAA/files/x.nk',
                     '/jobs/AAAAAAAAAAAAAAAAAAAAAA/all.zip',
                     '/jobs/AAAAAAAAAAAAAAAAAAAAAA/preview.svg', '/jobs/%s/files/nope.txt' % token,
                     '/jobs/%s/files/..%%2ftrackport.db' % token, '/nowhere-at-all/x',
                     '/api/nothing'):
            r = site.request('GET', path, headers={'Accept': 'application/json'})
            if path == '/nowhere-at-all/x':  # lighttpd's own 404: no file there
                t.check(r.status == 404, '%s: %d' % (path, r.status))
                continue
            is_json_error(t, r, 404, 'GET ' + path)
        r = site.request('GET', '/jobs/AAAAAAAAAAAAAAAAAAAAAA', headers={'Accept': BROWSER})
        is_html_error(t, r, 404, 'unknown job page')
        r = site.request('POST', '/jobs/AAAAAAAAAAAAAAAAAAAAAA/cancel',
                         headers={'Accept': 'application/json'})
        is_json_error(t, r, 404, 'cancel of an unknown job')

        # Methods.
        r = site.request('PUT', '/jobs/%s/status' % token, body=b'x',
                         headers={'Accept': 'application/json'})
        is_json_error(t, r, 405, 'PUT status')
        t.check('GET' in (r.header('Allow') or ''), '405 without Allow: %r' % r.headers)
        r = site.request('GET', '/jobs', headers={'Accept': 'application/json'})
        is_json_error(t, r, 405, 'GET /jobs')

        # Oversized: just over the application's limit (its own 413), and far over lighttpd's.
        big = os.path.join(env.work, 'big.nk')
        with open(big, 'wb') as f:
            f.write(nuke * (max_upload // len(nuke) + 1))
        code, data, body = site.upload(big, fields)
        t.check(code == 413 and data and 'larger' in data.get('error', ''),
                'oversize upload: %d %r' % (code, body[:200]))
        code, _, body = site.upload(big, fields, accept_json=False, accept=BROWSER)
        t.check(code == 413 and b'<html' in body, 'oversize upload (browser): %d' % code)
        huge = os.path.join(env.work, 'huge.nk')
        with open(huge, 'wb') as f:
            f.truncate(max_upload + (6 << 20))
        code, _, _ = site.upload(huge, fields)
        t.check(code == 413, 'upload over lighttpd\'s limit: %d' % code)

        # Malformed forms.
        body, ctype = multipart(fields, '018.nk', nuke)
        r = upload_raw(site, body[:len(body) // 2], ctype)
        is_json_error(t, r, 400, 'truncated form', ['form', 'upload'])
        r = upload_raw(site, body.replace(b'tpboundary', b'otherboundary'), ctype)
        is_json_error(t, r, 400, 'wrong boundary', ['form', 'upload', 'file'])
        r = upload_raw(site, body, 'multipart/form-data')
        is_json_error(t, r, 400, 'no boundary', ['multipart', 'form'])
        r = upload_raw(site, nuke, 'application/octet-stream')
        is_json_error(t, r, 400, 'not a form', ['multipart'])
        r = upload_raw(site, b'garbage\r\n\r\n--x', 'multipart/form-data; boundary=x')
        is_json_error(t, r, 400, 'garbage form')
        r = upload_raw(site, body[:len(body) // 2], ctype, headers={'Accept': BROWSER})
        is_html_error(t, r, 400, 'truncated form')

        # Missing file, empty file, file under another field name.
        body, ctype = multipart(fields, None, None)
        r = upload_raw(site, body, ctype)
        is_json_error(t, r, 400, 'no file', ['file'])
        body, ctype = multipart(fields, '018.nk', b'')
        r = upload_raw(site, body, ctype)
        is_json_error(t, r, 400, 'empty file', ['empty'])
        code, data, body = site.upload(None, fields)
        t.check(code == 400 and data and 'file' in data.get('error', ''),
                'curl without a file: %d %r' % (code, body[:200]))

        # Unknown importer, exporter, edit; bad sizes.
        for bad, words in (([('importer', 'NoSuchFormat')], ['importer', 'format']),
                           ([('importer', 'nukescript'), ('width', '1920')], ['width']),
                           ([('importer', 'nukescript'), ('width', 'wide'),
                             ('height', '1080')], ['width']),
                           (fields + [('exporters', 'nosuchexporter')], ['exporter', 'format']),
                           (fields + [('edit.nosuchedit', '1')], ['edit'])):
            code, data, body = site.upload(env.sample(entry), bad)
            t.check(code == 400 and data and any(w in data.get('error', '').lower()
                                                 for w in words),
                    '%r: %d %r' % (bad, code, body[:200]))
        code, _, body = site.upload(env.sample(entry), [('importer', 'NoSuchFormat')],
                                    accept_json=False, accept=BROWSER)
        t.check(code == 400 and b'<html' in body, 'unknown importer (browser): %d' % code)

        # Path-like file names: refused (400) or stored under a fixed name, never used as a
        # path; nothing appears outside the job's folder.
        jobs_dir = os.path.join(site.data, 'jobs')
        before = files_under(site.work)
        before_jobs = set(os.listdir(jobs_dir))
        evil = ['../../evil.nk', '/tmp/evil.nk', 'a/../../evil.nk', '..\\..\\evil.nk', '..',
                'sub/dir/evil.nk', '.', '..evil.nk', 'evil\x01.nk']
        accepted = []
        for name in evil:
            body, ctype = multipart(fields, name, nuke)
            r = upload_raw(site, body, ctype)
            if r.status == 202:
                accepted.append((name, r.json()['token']))
            else:
                is_json_error(t, r, 400, 'file name %r' % name, ['name'])
        for name, tok in accepted:
            s = site.wait_final(tok)
            t.check(s and s['state'] == 'done', '%r: %r' % (name, s))
            for o in s.get('outputs') or []:
                t.check('/' not in o['name'] and '\\' not in o['name'] and
                        not o['name'].startswith('.'), 'output named %r' % o['name'])
        new_jobs = set(os.listdir(jobs_dir)) - before_jobs
        t.check(new_jobs == {tok for _, tok in accepted},
                'job folders left by refused uploads: %s' % (new_jobs - {tok for _, tok in
                                                                         accepted}))
        after = files_under(site.work)
        allowed = tuple(os.path.join(jobs_dir, tok) + '/' for tok in new_jobs) + (
            os.path.join(site.run, ''), os.path.join(site.data, 'trackport.db'),
            os.path.join(site.data, 'dispatcher.'), site.san_dir)
        stray = [p for p in after - before if not p.startswith(allowed)]
        t.check(not stray, 'files written outside the job folders: %s' % stray)
        for d in (os.path.dirname(site.work), '/tmp'):
            t.check(not os.path.exists(os.path.join(d, 'evil.nk')), 'evil.nk in %s' % d)

        # Cancel: a queued job (the only converter is busy with a long one), then again.
        big_tsv = os.path.join(env.work, 'long_take.tsv')
        make_big_tsv(big_tsv, 10, 4000)
        code, data, _ = site.upload(big_tsv, [('importer', 'tsv')])
        first = data['token']
        code, data, _ = site.upload(big_tsv, [('importer', 'tsv')])
        second = data['token']
        r = site.request('POST', '/jobs/%s/cancel' % second, headers={'Accept': 'application/json'})
        t.check(r.status == 200 and r.json().get('state') == 'cancelled',
                'cancel: %d %r' % (r.status, r.body[:200]))
        s = site.wait_final(second)
        t.check(s and s['state'] == 'cancelled', 'cancelled job: %r' % s)
        r = site.request('DELETE', '/jobs/%s/cancel' % second,
                         headers={'Accept': 'application/json'})
        is_json_error(t, r, 409, 'second cancel')
        r = site.request('DELETE', '/jobs/%s/cancel' % first,
                         headers={'Accept': 'application/json'})
        t.check(r.status in (200, 409), 'cancel of a running job: %d' % r.status)
        s = site.wait_final(first)
        t.check(s and s['state'] in ('cancelled', 'done'), 'first long job: %r' % s)
        r = site.request('GET', '/jobs/%s/files/x' % second, headers={'Accept': 'application/json'})
        t.check(r.status == 404, 'files of a cancelled job: %d' % r.status)

        # An upload from a browser form: 303 to the job page.
        code, _, _ = site.upload(env.sample(entry), fields, accept_json=False, accept=BROWSER)
        t.check(code == 303, 'form upload from a browser: %d' % code)

        # /admin is behind lighttpd's auth.
        r = site.request('GET', '/admin/')
        t.check(r.status == 401, '/admin/ without a password: %d' % r.status)
    finally:
        finish_site(t, site)


def job_tree(site, token):
    """{path relative to the job folder: (kind, mode)} of every entry in it."""
    root = os.path.join(site.data, 'jobs', token)
    tree = {'.': ('dir', os.stat(root).st_mode & 0o7777)}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            st = os.lstat(p)
            tree[os.path.relpath(p, root)] = ('dir' if n in dirs else 'file',
                                              st.st_mode & 0o7777)
    return tree


HOLD_LOCK = r"""
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute('BEGIN IMMEDIATE')
print('held %.6f' % time.monotonic(), flush=True)
time.sleep(float(sys.argv[2]))
released = time.monotonic()
db.execute('ROLLBACK')
print('released %.6f' % released, flush=True)
"""


def scenario_lifecycle(env, t):
    site = Site(env.build, os.path.join(env.work, 'site'), max_procs=2, max_children=1,
                max_upload=32 << 20, extra_conf=SITE_CONF)
    site.start()
    ctl = os.path.join(env.build, 'dispatcher', 'trackportctl')

    def run_ctl(*argv):
        r = subprocess.run([ctl, '--config', site.config] + list(argv), capture_output=True,
                           text=True, timeout=60)
        return r.returncode, r.stdout, r.stderr

    try:
        entry = next(e for e in env.manifest if e['sample'].endswith('nuke/018.nk'))
        fields = env.fields(entry)

        # 1. The site and trackportctl store a job the same way.
        code, data, _ = site.upload(env.sample(entry), fields)
        via_site = data['token'] if code == 202 else None
        argv = ['enqueue', env.sample(entry), '-f', entry['importer']]
        if entry.get('width_given'):
            argv += ['-w', str(entry['width_given']), '-h', str(entry['height_given'])]
        rc, out, err = run_ctl(*argv)
        via_ctl = out.strip() if rc == 0 else None
        t.check(via_site and via_ctl, 'both submissions accepted: %r %r' % (data, err))
        done = site.wait_final(via_site) if via_site else None
        other = site.wait_final(via_ctl) if via_ctl else None
        t.check(done and done['state'] == 'done' and other and other['state'] == 'done',
                'both jobs done: %r %r' % (done, other))
        if done and other:
            a, b = job_tree(site, via_site), job_tree(site, via_ctl)
            t.check(a == b, 'same folder layout and modes:\n site %r\n ctl  %r' % (a, b))
            t.check(a.get('input') == ('file', 0o640) and a.get('.') == ('dir', 0o750),
                    'the stored input is "input" (0640) in a 0750 folder: %r' % a)

        # 2. Cancel a running job through the site, then one through trackportctl: the very
        # next status answer says cancelled.
        big = os.path.join(env.work, 'long_take.tsv')
        make_big_tsv(big, 250, 1500)
        for how in ('site', 'trackportctl'):
            code, data, _ = site.upload(big, [('importer', 'tsv')])
            token = data['token']
            running = None
            deadline = time.time() + 60
            while time.time() < deadline:
                r, s = site.get_json('/jobs/%s/status' % token)
                if s and s['state'] == 'running' and s['percent'] > 0:
                    running = s
                    break
                time.sleep(0.02)
            t.check(running is not None, '%s: the long job runs' % how)
            if how == 'site':
                r = site.request('POST', '/jobs/%s/cancel' % token,
                                 headers={'Accept': 'application/json'})
                answer = r.json() if r.status == 200 else None
                t.check(answer and answer['state'] == 'cancelled' and
                        answer['message'] == 'Cancelled',
                        'the cancel answers the new state: %d %r' % (r.status, r.body[:300]))
            else:
                rc, out, err = run_ctl('cancel', token, '--json')
                t.check(rc == 0 and json.loads(out).get('state') == 'cancelled',
                        'trackportctl cancel: %d %r %r' % (rc, out, err))
            r, s = site.get_json('/jobs/%s/status' % token)
            t.check(s and s['state'] == 'cancelled',
                    '%s: the next status says cancelled: %r' % (how, s))
            final = site.wait_final(token)
            t.check(final and final['state'] == 'cancelled', '%s: stays cancelled' % how)
            rc, out, _ = run_ctl('status', token, '--json')
            st = json.loads(out) if rc == 0 else {}
            t.check(st.get('error_domain') == 'jobs' and
                    st.get('error_name') == 'JOBS_ERR_CANCELLED',
                    '%s: the stored error is named: %r' % (how, st))
            out_dir = os.path.join(site.data, 'jobs', token, 'out')
            # the killed child's partial outputs are gone once the dispatcher reaped it
            leftovers = wait_until_gone(out_dir)
            t.check(not leftovers, '%s: partial files left: %s' % (how, leftovers))

        # 3. Reconvert: a new job on the same stored input, the old one untouched.
        if done:
            before = site.get_json('/jobs/%s/status' % via_site)[1]
            body, ctype = multipart([('exporters', 'tsv')] + fields, None, None)
            r = upload_raw(site, body, ctype, path='/jobs/%s/reconvert' % via_site)
            made = r.json().get('token') if r.status == 202 else None
            t.check(made and made != via_site, 'reconvert: %d %r' % (r.status, r.body[:300]))
            if made:
                again = site.wait_final(made)
                t.check(again and again['state'] == 'done' and
                        [o['format'] for o in again['outputs']] == ['tsv'],
                        'the new job converts with the new options: %r' % again)
                with open(os.path.join(site.data, 'jobs', via_site, 'input'), 'rb') as f:
                    old_bytes = f.read()
                with open(os.path.join(site.data, 'jobs', made, 'input'), 'rb') as f:
                    t.check(f.read() == old_bytes, 'the same input bytes')
                after = site.get_json('/jobs/%s/status' % via_site)[1]
                t.check(after == before, 'the old job is unchanged')
            body, ctype = multipart(fields, '018.nk', b'x')
            r = upload_raw(site, body, ctype, path='/jobs/%s/reconvert' % via_site)
            is_json_error(t, r, 400, 'reconvert with a file', ['file'])
            body, ctype = multipart(fields, None, None)
            r = upload_raw(site, body, ctype, path='/jobs/AAAAAAAAAAAAAAAAAAAAAA/reconvert')
            is_json_error(t, r, 404, 'reconvert of an unknown job')
            r = site.request('GET', '/jobs/%s/reconvert' % via_site,
                             headers={'Accept': 'application/json'})
            is_json_error(t, r, 405, 'GET reconvert')

        # 4. Another process holds the write lock for 3 s.
        if done:
            jobs_dir = os.path.join(site.data, 'jobs')
            jobs_before = set(os.listdir(jobs_dir))
            rc, out, _ = run_ctl('stats', '--json')
            rows_before = sum(json.loads(out)[k] for k in FINAL + ('queued', 'running'))
            holder = subprocess.Popen([sys.executable, '-c', HOLD_LOCK,
                                       os.path.join(site.data, 'trackport.db'), '3'],
                                      stdout=subprocess.PIPE, text=True)
            try:
                held = holder.stdout.readline()
                t.check(held.startswith('held'), 'the lock is held: %r' % held)
                finished = {}       # what -> (monotonic time answered, status)
                output = done['outputs'][0]['url']

                def read(what, path, accept):
                    r = site.request('GET', path, headers={'Accept': accept})
                    finished[what] = (time.monotonic(), r.status)

                with open(env.sample(entry), 'rb') as f:
                    form = multipart(fields, '018.nk', f.read())

                def upload(n):
                    r = upload_raw(site, form[0], form[1])
                    data = r.json() if r.body else None
                    finished['upload %d' % n] = (time.monotonic(), r.status, data,
                                                 r.header('Retry-After'))

                for i in range(3):
                    read('status %d' % i, '/jobs/%s/status' % via_site, 'application/json')
                read('page', '/jobs/%s' % via_site, BROWSER)
                read('download', output, '*/*')
                with concurrent.futures.ThreadPoolExecutor(4) as pool:
                    for f in [pool.submit(upload, n) for n in range(2)] + \
                             [pool.submit(read, 'status during uploads',
                                          '/jobs/%s/status' % via_site, 'application/json')]:
                        f.result()
                read('status after uploads', '/jobs/%s/status' % via_site, 'application/json')
                released = float(holder.stdout.readline().split()[1])
            finally:
                holder.wait(30)
            for what, got in sorted(finished.items()):
                print('  %-24s answered %4.0f ms before the release' %
                      (what, (released - got[0]) * 1000))
                t.check(got[0] < released, '%s answered during the hold' % what)
                if what.startswith('upload'):
                    t.check(got[1] in (202, 503), '%s: %r' % (what, got[1:]))
                else:
                    t.check(got[1] == 200, '%s: %d' % (what, got[1]))
            accepted = {got[2]['token'] for what, got in finished.items()
                        if what.startswith('upload') and got[1] == 202}
            new = set(os.listdir(jobs_dir)) - jobs_before
            t.check(new == accepted, 'folders of refused uploads: %s' % (new - accepted))
            rc, out, _ = run_ctl('stats', '--json')
            rows = sum(json.loads(out)[k] for k in FINAL + ('queued', 'running'))
            t.check(rows == rows_before + len(accepted), 'rows: %d, then %d with %d accepted'
                    % (rows_before, rows, len(accepted)))
            for tok in accepted:
                s = site.wait_final(tok)
                t.check(s and s['state'] == 'done', 'an upload accepted during the hold: %r'
                        % s)
            refused = [got for what, got in finished.items()
                       if what.startswith('upload') and got[1] == 503]
            for got in refused:
                t.check(got[2] and 'busy' in got[2].get('error', '').lower(),
                        'a refused upload says why: %r' % (got[2],))
                t.check(got[3] and got[3].isdigit(), 'with Retry-After: %r' % (got[3],))
    finally:
        finish_site(t, site)


def wait_until_gone(out_dir, timeout=30):
    """The .partial- files left in out_dir once they are gone or after timeout."""
    deadline = time.time() + timeout
    while True:
        left = [n for n in (os.listdir(out_dir) if os.path.isdir(out_dir) else [])
                if '.partial-' in n]
        if not left or time.time() > deadline:
            return left
        time.sleep(0.05)


SCENARIOS = {
    'corpus': scenario_corpus,
    'load': scenario_load,
    'memcached': scenario_memcached,
    'errors': scenario_errors,
    'lifecycle': scenario_lifecycle,
}


def main(argv):
    if len(argv) != 6 or argv[1] not in SCENARIOS:
        print(__doc__)
        return 2
    scenario, build, corpus, compare, work = argv[1:6]
    env = Env(build, corpus, compare, work)
    shutil.rmtree(env.work, ignore_errors=True)
    os.makedirs(env.work)
    t = Checks()
    started = time.time()
    SCENARIOS[scenario](env, t)
    print('%s: %.1f s' % (scenario, time.time() - started))
    return t.summary()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
