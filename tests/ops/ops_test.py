#!/usr/bin/env python3
"""Operating the site, through the real site (lighttpd spawning trackport-fcgi, memcached,
SQLite; tests/site/sitelib.py): the admin's refusals, the job log, the metrics.

  auth      with lighttpd's auth block: 401 without a password; with one, the page embeds
            the user's anti-forgery token (forms and the X-Trackport-CSRF header); a POST
            without the token, with another's, with Origin: null (no Referer: a sandboxed
            frame or a data: page) or from a foreign origin is refused with 403 and changes
            nothing; with the token, retry and purge act.
  noauth    the auth block missing: /admin/ and /metrics answer 403 saying why, POSTs too;
            web_admin_without_auth = true serves the page.
  log       every event of jobs' lives (enqueued, started, done, failed, retried by the
            dispatcher and by hand, cancelled, purged) is one line in log_file, with the
            token, its level and its figures, whichever process caused it.

  page      the admin page: failed jobs listed once, Retry offered only where it can help,
            live progress of running jobs, pause and resume claiming, bulk retry and cancel,
            filters by state and queue, search by token or file name, pagination.
  ctl       trackportctl as root on a data_dir another user owns acts as that user (every
            file it makes is theirs, the input read with root's rights); as a third user it
            refuses naming the owner; list has a header, status reads as text, errors name
            the valid states and commands, exit statuses as --help says. No server needed.
  metrics   GET /metrics parsed by an independent parser of the text format (Debian's
            python3-prometheus-client): jobs by queue and state, queue depth, oldest age,
            children, the duration histogram, bytes, retries, failures by reason,
            memcached errors (memcached stopped mid-run); 401 without the password.

  ops_test.py SCENARIO BUILD_DIR CORPUS_DIR WORK_DIR      Prints "N passed, M failed".
"""
import base64
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'site'))
from sitelib import Checks, Site, finish_site  # noqa: E402

# Converter children under AddressSanitizer cannot live within an address-space limit.
SITE_CONF = 'rlimit_as_mb = 0\n'

AUTH_BLOCK = re.compile(r'\$HTTP\["url"\] =~ "\^/\(admin\|metrics\)\(/\|\$\)" \{.*?\n\}\n',
                        re.S)


class NoAuthSite(Site):
    """The site with lighttpd's auth block for /admin and /metrics taken out."""

    def start_lighttpd(self):
        with open(self.lighttpd_conf) as f:
            text = f.read()
        stripped = AUTH_BLOCK.sub('', text)
        assert stripped != text, 'the auth block was not found in the test config'
        with open(self.lighttpd_conf, 'w') as f:
            f.write(stripped)
        super().start_lighttpd()


class HookSite(Site):
    """The site with the test build of the dispatcher, which honours the jobs' test hooks
    (crash, sleep), a trackportctl that may set them, and the corpus sample the scenarios
    convert (a 3DEqualizer export: its size is in the file)."""

    def __init__(self, t, build, corpus, work, extra_conf, **kw):
        super().__init__(build, work, extra_conf=SITE_CONF + extra_conf, **kw)
        self.t = t
        self.dispatcher = os.path.join(self.build, 'dispatcher', 'trackport-dispatcher-test')
        self.ctl_bin = os.path.join(self.build, 'dispatcher', 'trackportctl-test')
        with open(os.path.join(corpus, 'manifest.json')) as f:
            self.entry = next(e for e in json.load(f)
                              if e['sample'].startswith('samples/3de_v3/'))
        self.sample = os.path.join(corpus, self.entry['sample'])
        self.opts = {'importer': self.entry['importer'].lower()}

    def ctl(self, *argv):
        """trackportctl-test on this site's config; its output. A failure fails a check."""
        r = subprocess.run([self.ctl_bin, '--config', self.config] + list(argv),
                           capture_output=True, text=True, timeout=60)
        self.t.check(r.returncode == 0, 'trackportctl %s: %s' % (argv[0], r.stderr.strip()))
        return r.stdout.strip()

    def enqueue(self, test=None):
        """A job of the sample queued by trackportctl, with test hooks when given."""
        opts = dict(self.opts, test=test) if test else self.opts
        return self.ctl('enqueue', self.sample, '--options', json.dumps(opts))


def auth_header(site, user='admin'):
    raw = '%s:%s' % (user, site.admin_password)
    return 'Basic ' + base64.b64encode(raw.encode()).decode()


def failed_job(site, corpus):
    """A job that fails (a file no importer reads), for retry."""
    path = os.path.join(site.work, 'garbage.txt')
    with open(path, 'w') as f:
        f.write('this is not tracking data\n')
    code, data, body = site.upload(path, [('importer', 'shaketext')])
    if code != 202:
        return None
    s = site.wait_final(data['token'])
    return data['token'] if s and s['state'] == 'failed' else None


def post(site, path, headers, body='', auth=None):
    h = {'Content-Type': 'application/x-www-form-urlencoded', 'Accept': 'application/json'}
    if auth:
        h['Authorization'] = auth
    h.update(headers)
    return site.request('POST', path, body=body, headers=h)


def scenario_auth(t, build, corpus, work):
    site = Site(build, work, extra_conf=SITE_CONF)
    site.start()
    try:
        r = site.request('GET', '/admin/')
        t.check(r.status == 401, '/admin/ without a password: 401 from lighttpd (%d)' % r.status)
        auth = auth_header(site)
        r = site.request('GET', '/admin/', headers={'Authorization': auth})
        t.check(r.status == 200, '/admin/ with the password: 200 (%d)' % r.status)
        token = r.header('X-Trackport-CSRF') or ''
        t.check(re.fullmatch(r'[0-9a-f]{64}', token) is not None, 'the page sends its token')
        t.check(('name="csrf" value="%s"' % token).encode() in r.body,
                'the purge form embeds the token')
        r2 = site.request('GET', '/admin/', headers={'Authorization': auth})
        t.check(r2.header('X-Trackport-CSRF') == token, 'the token is stable for the user')
        t.check(os.path.exists(os.path.join(site.data, 'admin.secret')),
                'the secret is kept in data_dir')

        job = failed_job(site, corpus)
        t.check(job is not None, 'a failed job to retry')
        r = site.request('GET', '/admin/', headers={'Authorization': auth})
        t.check(r.body.count(('name="csrf" value="%s"' % token).encode()) >= 3,
                'every form (pause, bulk, purge) carries the token')

        retry = '/admin/jobs/%s/retry' % job
        refusals = [
            ('no token', {}, ''),
            ('a wrong token', {}, 'csrf=' + '0' * 64),
            ('Origin: null without Referer', {'Origin': 'null'}, 'csrf=' + token),
            ('Origin: null with our Referer',
             {'Origin': 'null', 'Referer': site.url('/admin/')}, 'csrf=' + token),
            ('a foreign Origin', {'Origin': 'http://evil.example'}, 'csrf=' + token),
        ]
        for what, headers, body in refusals:
            r = post(site, retry, headers, body, auth)
            t.check(r.status == 403, 'retry with %s: 403 (%d %s)' % (what, r.status, r.body[:120]))
            r = post(site, '/admin/purge', headers, body + '&all=1', auth)
            t.check(r.status == 403, 'purge all with %s: 403 (%d)' % (what, r.status))
        s = site.get_json('/jobs/%s/status' % job)[1]
        t.check(s and s['state'] == 'failed', 'the refused retries changed nothing: %s'
                % (s and s['state']))
        r = post(site, retry, {'Origin': 'null'}, 'csrf=' + token, auth)
        t.check(b'Origin: null' in r.body, 'the refusal of Origin: null says why')
        r = post(site, retry, {}, '', auth)
        t.check(b'anti-forgery' in r.body, 'the refusal of a missing token says why')

        # Another user's token does not pass for this one.
        with open(os.path.join(site.run, 'admin.users'), 'a') as f:
            f.write('other:%s\n' % site.admin_password)
        other = auth_header(site, 'other')
        r = site.request('GET', '/admin/', headers={'Authorization': other})
        other_token = r.header('X-Trackport-CSRF') or ''
        t.check(other_token and other_token != token, "each user has a token of their own")
        r = post(site, retry, {}, 'csrf=' + other_token, auth)
        t.check(r.status == 403, "another user's token is refused (%d)" % r.status)

        # With the token (form field, or the header scripts use) the actions go through.
        r = post(site, retry, {'Origin': 'http://127.0.0.1:%d' % site.port}, 'csrf=' + token,
                 auth)
        t.check(r.status == 200, 'retry with the token and our Origin: 200 (%d %s)'
                % (r.status, r.body[:200]))
        s = site.wait_final(job)
        t.check(s and s['state'] == 'failed', 'the retried job ran again and failed again')
        r = post(site, '/admin/purge', {'X-Trackport-CSRF': token}, 'all=1', auth)
        t.check(r.status == 200 and json.loads(r.body).get('deleted', 0) >= 1,
                'purge all with the header token: %d %s' % (r.status, r.body[:100]))
    finally:
        finish_site(t, site)


def scenario_noauth(t, build, corpus, work):
    site = NoAuthSite(build, os.path.join(work, 'off'), extra_conf=SITE_CONF)
    site.start()
    try:
        r = site.request('GET', '/admin/')
        t.check(r.status == 403, '/admin/ without an auth block: 403 (%d)' % r.status)
        t.check(b'authenticated' in r.body and b'web_admin_without_auth' in r.body,
                'the 403 says why and what to set: %s' % r.body[:300])
        r = site.request('GET', '/admin/', headers={'Accept': 'application/json'})
        t.check(r.status == 403 and 'error' in r.json(), 'as JSON too')
        r = post(site, '/admin/purge', {}, 'all=1')
        t.check(r.status == 403, 'purge without an auth block: 403 (%d)' % r.status)
        r = site.request('GET', '/metrics')
        t.check(r.status == 403, '/metrics without an auth block: 403 (%d)' % r.status)
    finally:
        finish_site(t, site)
    site = NoAuthSite(build, os.path.join(work, 'on'),
                      extra_conf=SITE_CONF + 'web_admin_without_auth = true\n')
    site.start()
    try:
        r = site.request('GET', '/admin/')
        t.check(r.status == 200, 'web_admin_without_auth = true serves the page (%d)'
                % r.status)
        token = r.header('X-Trackport-CSRF') or ''
        r = post(site, '/admin/purge', {}, 'all=1')
        t.check(r.status == 403, 'a POST still needs the token (%d)' % r.status)
        r = post(site, '/admin/purge', {}, 'all=1&csrf=' + token)
        t.check(r.status == 200, 'with it, the purge goes through (%d)' % r.status)
    finally:
        finish_site(t, site)
    site = NoAuthSite(build, os.path.join(work, 'public'),
                      extra_conf=SITE_CONF + 'web_metrics_public = true\n')
    site.start()
    try:
        r = site.request('GET', '/metrics')
        t.check(r.status == 200, 'web_metrics_public = true serves /metrics (%d)' % r.status)
        r = site.request('GET', '/admin/')
        t.check(r.status == 403, 'but not /admin/ (%d)' % r.status)
    finally:
        finish_site(t, site)


LOG_LINE = re.compile(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) trackport-(\w+)\[(\d+)\] '
                      r'(error|warn|info|debug): (.*)$')
EVENT = re.compile(r'^job ([A-Za-z0-9_-]{22}) (\w+)(.*)$')


def job_events(path):
    """{token: [(event, level, who, details)]} of the job lines of a log file, in order."""
    out = {}
    with open(path) as f:
        for line in f:
            m = LOG_LINE.match(line.rstrip('\n'))
            if not m:
                continue
            e = EVENT.match(m.group(5))
            if e:
                out.setdefault(e.group(1), []).append((e.group(2), m.group(4), m.group(2),
                                                       e.group(3).strip()))
    return out


def details(text):
    """key=value pairs of an event's details (values may be quoted)."""
    return dict(re.findall(r'(\w+)=("[^"]*"|code \S+|signal \S+|\S+)', text))


def scenario_log(t, build, corpus, work):
    log = os.path.join(work, 'dispatcher.log')
    site = HookSite(t, build, corpus, work,
                    'log_file = %s\nretry_backoff_ms = 10\nmax_attempts = 3\n' % log)
    entry, sample, ctl = site.entry, site.sample, site.ctl
    site.start()
    try:
        code, data, _ = site.upload(sample, [('importer', entry['importer'])])
        good = data['token']
        crash = site.enqueue({'crash_until': 1})
        bad = failed_job(site, corpus)
        slow = site.enqueue({'sleep_ms': 30000})
        for token in (good, crash):
            s = site.wait_final(token)
            t.check(s and s['state'] == 'done', 'job %s done' % token)
        deadline = time.time() + 30
        while time.time() < deadline and site.get_json('/jobs/%s/status' % slow)[1]['state'] != 'running':
            time.sleep(0.05)
        r = site.request('POST', '/jobs/%s/cancel' % slow, headers={'Accept': 'application/json'})
        t.check(r.status == 200, 'cancel of the slow job (%d)' % r.status)
        auth = auth_header(site)
        token = site.request('GET', '/admin/', headers={'Authorization': auth}).header(
            'X-Trackport-CSRF')
        r = post(site, '/admin/jobs/%s/retry' % bad, {}, 'csrf=%s' % token, auth)
        t.check(r.status == 200, 'admin retry of the failed job (%d)' % r.status)
        s = site.wait_final(bad)
        t.check(s and s['state'] == 'failed', 'the retried bad job failed again')
        site.wait_final(slow)
        out = ctl('purge', '--older-than', '0')
        t.check(out.startswith('purged'), 'trackportctl purge: %s' % out)
    finally:
        finish_site(t, site)

    events = job_events(log)
    names = {tok: [e[0] for e in evs] for tok, evs in events.items()}
    t.check(names.get(good) == ['enqueued', 'started', 'done', 'purged'],
            'an uploaded job: %s' % names.get(good))
    t.check(names.get(crash) == ['enqueued', 'started', 'retried', 'started', 'done', 'purged'],
            'a job whose first attempt crashed: %s' % names.get(crash))
    t.check(names.get(bad) == ['enqueued', 'started', 'failed', 'retried', 'started', 'failed',
                               'purged'], 'a bad file retried by hand: %s' % names.get(bad))
    t.check(names.get(slow) == ['enqueued', 'started', 'cancelled', 'purged'],
            'a cancelled job: %s' % names.get(slow))
    ev = {tok: {(e[0], i): e for i, e in enumerate(evs)} for tok, evs in events.items()}

    def find(tok, name, nth=0):
        found = [e for e in events.get(tok, []) if e[0] == name]
        return found[nth] if len(found) > nth else ('', '', '', '')
    d = details(find(good, 'done')[3])
    t.check(d.get('trackers') == str(entry['trackers']) and
            d.get('keyframes') == str(entry['keyframes']) and int(d.get('bytes', 0)) > 0 and
            'duration_ms' in d, 'done carries trackers, keyframes, bytes, duration: %s' % d)
    d = details(find(good, 'enqueued')[3])
    t.check(d.get('by') == 'upload' and d.get('queue') == 'default' and 'file' in d,
            'enqueued names queue, file and source: %s' % d)
    d = details(find(crash, 'started', 1)[3])
    t.check(d.get('attempt') == '2/3' and d.get('pid', '').isdigit(),
            'the second start names its attempt and pid: %s' % d)
    d = details(find(crash, 'retried')[3])
    t.check(d.get('exit', '').startswith('signal') and 'message' in d and 'retry_in_ms' in d,
            'an automatic retry names the exit status and the message: %s' % d)
    f = find(bad, 'failed')
    d = details(f[3])
    t.check(f[1] == 'warn' and 'message' in d and d.get('exit', '').startswith('code'),
            'failed is a warning with the message and the exit status: %s' % (f,))
    t.check('by=admin' in find(bad, 'retried')[3], 'a retry by hand says who')
    t.check('by=web' in find(slow, 'cancelled')[3], 'a cancel says who')
    t.check('by=trackportctl' in find(good, 'purged')[3], 'a purge says who')
    whos = {e[2] for evs in events.values() for e in evs}
    t.check({'fcgi', 'dispatcher', 'child', 'ctl'} <= whos,
            'the site, the dispatcher, its children and trackportctl all write there: %s' % whos)
    del ev


def scrape(t, site, auth):
    """{(name, frozenset(labels.items())): value} of GET /metrics, parsed by
    prometheus_client; also the response."""
    from prometheus_client.parser import text_string_to_metric_families
    r = site.request('GET', '/metrics', headers={'Authorization': auth})
    t.check(r.status == 200, '/metrics with the password: 200 (%d)' % r.status)
    t.check((r.header('Content-Type') or '').startswith('text/plain; version=0.0.4'),
            'the text format content type: %s' % r.header('Content-Type'))
    samples = {}
    try:
        for family in text_string_to_metric_families(r.body.decode('utf-8')):
            for sm in family.samples:
                samples[(sm.name, frozenset(sm.labels.items()))] = sm.value
    except Exception as e:  # the parser's own error names the bad line
        t.check(False, 'prometheus_client cannot parse /metrics: %s' % e)
    return samples


def scenario_metrics(t, build, corpus, work):
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        # Debian's python3-prometheus-client, when this interpreter is not Debian's python3.
        sys.path.append('/usr/lib/python3/dist-packages')
    try:
        import prometheus_client  # noqa: F401,F811
    except ImportError:
        print('skipped: python3-prometheus-client is not installed (.ci/install-deps)')
        return 77
    site = HookSite(t, build, corpus, work, 'retry_backoff_ms = 10\nmax_attempts = 3\n')
    entry, sample = site.entry, site.sample
    site.start()
    try:
        r = site.request('GET', '/metrics')
        t.check(r.status == 401, '/metrics without a password: 401 (%d)' % r.status)
        auth = auth_header(site)
        before = scrape(t, site, auth)
        t.check(before.get(('trackport_dispatcher_up', frozenset())) == 1, 'dispatcher_up 1')
        t.check(before.get(('trackport_job_duration_seconds_count', frozenset())) == 0,
                'no duration observed yet')
        code, data, _ = site.upload(sample, [('importer', entry['importer'])])
        good = data['token']
        crash = site.enqueue({'crash_until': 1})
        bad = failed_job(site, corpus)
        for token in (good, crash):
            s = site.wait_final(token)
            t.check(s and s['state'] == 'done', 'job %s done' % token)
        t.check(bad is not None, 'a job failed for bad input')
        m = scrape(t, site, auth)

        def v(name, **labels):
            return m.get((name, frozenset(labels.items())))
        t.check(v('trackport_jobs', queue='default', state='done') == 2, 'jobs done: 2 (%s)'
                % v('trackport_jobs', queue='default', state='done'))
        t.check(v('trackport_jobs', queue='default', state='failed') == 1, 'jobs failed: 1')
        t.check(v('trackport_jobs', queue='default', state='queued') == 0, 'jobs queued: 0')
        t.check(v('trackport_queue_depth') == 0, 'queue depth 0')
        t.check(v('trackport_oldest_queued_job_age_seconds') == 0, 'no job waits')
        t.check(v('trackport_running_children') == 0, 'no child runs')
        t.check(v('trackport_job_events_total', event='enqueued') == 3, 'enqueued 3: %s'
                % v('trackport_job_events_total', event='enqueued'))
        t.check(v('trackport_job_events_total', event='started') == 4, 'started 4 (a retry)')
        t.check(v('trackport_job_events_total', event='done') == 2, 'done events 2')
        t.check(v('trackport_job_retries_total') == 1, 'retries 1')
        t.check(v('trackport_job_failures_total', reason='bad_input') == 1, 'bad_input 1')
        t.check(v('trackport_job_failures_total', reason='crashed') == 0, 'crashed 0')
        t.check(v('trackport_job_duration_seconds_count') == 2, 'two durations observed')
        buckets = sorted((float(dict(k[1])['le']), val) for k, val in m.items()
                         if k[0] == 'trackport_job_duration_seconds_bucket')
        t.check(len(buckets) >= 5 and buckets[-1] == (float('inf'), 2) and
                all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])),
                'cumulative buckets ending at +Inf = 2: %s' % buckets)
        t.check(v('trackport_job_duration_seconds_sum') > 0, 'durations sum > 0')
        t.check(v('trackport_converted_bytes_total') > 0, 'bytes converted > 0')
        t.check(v('trackport_converted_trackers_total') == 2 * entry['trackers'],
                'trackers converted: %s' % v('trackport_converted_trackers_total'))
        t.check(v('trackport_converted_keyframes_total') == 2 * entry['keyframes'],
                'keyframes converted')
        t.check(v('trackport_memcached_errors_total') == 0, 'no memcached error yet')
        t.check(v('trackport_sqlite_errors_total') == 0, 'no SQLite error')

        # memcached gone: progress writes fail and are counted; the job still converts.
        site.stop_memcached()
        code, data, _ = site.upload(sample, [('importer', entry['importer'])])
        s = site.wait_final(data['token'])
        t.check(s and s['state'] == 'done', 'a job converts without memcached')
        m = scrape(t, site, auth)
        t.check((m.get(('trackport_memcached_errors_total', frozenset())) or 0) > 0,
                'memcached errors counted: %s' % m.get(('trackport_memcached_errors_total',
                                                        frozenset())))
    finally:
        finish_site(t, site)


def scenario_page(t, build, corpus, work):
    site = HookSite(t, build, corpus, work, 'poll_interval_ms = 50\n', max_children=2)

    def state(token):
        return site.get_json('/jobs/%s/status' % token)[1]['state']

    def wait_state(token, want, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline and state(token) != want:
            time.sleep(0.05)
        return state(token)

    site.start()
    try:
        auth = auth_header(site)

        def page(query=''):
            return site.request('GET', '/admin/' + query,
                                headers={'Authorization': auth}).body.decode()
        token = site.request('GET', '/admin/', headers={'Authorization': auth}).header(
            'X-Trackport-CSRF')
        bad = failed_job(site, corpus)
        slow = site.enqueue({'sleep_ms': 60000})
        t.check(wait_state(slow, 'running') == 'running',
                'the slow job runs')
        # Live progress: the test hook reports "Waiting (test)" through memcached.
        deadline = time.time() + 20
        while time.time() < deadline and 'Waiting (test)' not in page():
            time.sleep(0.1)
        t.check('Waiting (test)' in page(), 'a running job shows its live progress')
        body = page()
        t.check(body.count('/jobs/%s"' % bad) == 1, 'a failed job is listed once')
        t.check('/admin/jobs/%s/retry' % bad not in body,
                'no Retry for a job whose input is bad')
        t.check('retrying cannot help' in body, 'the page says why')
        t.check('http-equiv="refresh"' in body and 'http-equiv="refresh"' not in page('?refresh=0'),
                'the page refreshes itself unless refresh=0')

        # Bulk cancel of the running job; then Retry is offered for it.
        r = post(site, '/admin/bulk', {}, 'csrf=%s&action=cancel&token=%s' % (token, slow), auth)
        t.check(r.status == 200 and json.loads(r.body)['done'] == 1, 'bulk cancel: %s' % r.body)
        t.check(wait_state(slow, 'cancelled') == 'cancelled', 'the slow job is cancelled')
        t.check('/admin/jobs/%s/retry' % slow in page(), 'Retry is offered for a cancelled job')
        r = post(site, '/admin/bulk', {}, 'action=cancel&token=%s' % slow, auth)
        t.check(r.status == 403, 'bulk without the token: 403')

        # Pause: new jobs wait; resume: they run.
        r = post(site, '/admin/pause', {}, 'csrf=' + token, auth)
        t.check(r.status == 200, 'pause (%d)' % r.status)
        t.check('paused' in page() and 'Resume claiming' in page(), 'the page says paused')
        queued = [site.enqueue() for _ in range(52)]
        time.sleep(0.5)  # ten dispatcher turns: a claim would have happened
        t.check(state(queued[0]) == 'queued', 'nothing is claimed while paused')
        # Pagination over the 52 queued jobs plus the others.
        first = page('?state=queued&refresh=0')
        t.check(first.count('<tr><td><input type="checkbox"') == 50 and 'page=1' in first,
                'page 1 of queued jobs: 50 rows and a link to the next')
        second = page('?state=queued&page=1&refresh=0')
        t.check(second.count('<tr><td><input type="checkbox"') == 2, 'page 2: the other 2')
        # Search by token prefix and by file name; filter by state and queue.
        found = page('?q=%s&refresh=0' % queued[3][:10])
        t.check('/jobs/%s"' % queued[3] in found and found.count('<code>') <= 2,
                'search by token prefix finds the job')
        found = page('?state=failed&q=GARBAGE&refresh=0')
        t.check('/jobs/%s"' % bad in found, 'search by file name (any case) with a state')
        t.check('/jobs/%s"' % bad not in page('?state=done&q=garbage&refresh=0'),
                'the state filter applies to the search')
        t.check('/jobs/%s"' % queued[0] not in page('?queue=other&refresh=0'),
                'the queue filter applies')
        r = post(site, '/admin/resume', {}, 'csrf=' + token, auth)
        t.check(r.status == 200, 'resume (%d)' % r.status)
        t.check(wait_state(queued[0], 'done', 60) == 'done', 'after resume the jobs run')
        # Bulk retry: the cancelled job goes back; the bad one is skipped.
        r = post(site, '/admin/bulk', {}, 'csrf=%s&action=retry&token=%s&token=%s'
                 % (token, slow, bad), auth)
        d = json.loads(r.body)
        t.check(d['done'] == 1 and d['skipped'] == 1, 'bulk retry: %s' % d)
        t.check(state(bad) == 'failed', 'the bad job stays failed')
        post(site, '/admin/bulk', {}, 'csrf=%s&action=cancel&token=%s' % (token, slow), auth)
        for q in queued:
            site.wait_final(q)
    finally:
        finish_site(t, site)


def scenario_ctl(t, build, corpus, work):
    import pwd
    import shutil
    if os.geteuid() != 0 or not shutil.which('setpriv'):
        print('skipped: acting as the site\'s user needs root (and setpriv for the third user)')
        return 77
    shutil.rmtree(work, ignore_errors=True)
    data = os.path.join(work, 'data')
    os.makedirs(data)
    os.chmod(work, 0o755)
    owner = pwd.getpwnam('nobody')
    os.chown(data, owner.pw_uid, owner.pw_gid)
    conf = os.path.join(work, 'trackport.conf')
    with open(conf, 'w') as f:
        f.write('data_dir = %s\nmemcached_servers =\n' % data)
    ctl = os.path.join(build, 'dispatcher', 'trackportctl')
    with open(os.path.join(corpus, 'manifest.json')) as f:
        entry = next(e for e in json.load(f) if e['sample'].startswith('samples/3de_v3/'))
    # An input only root may read.
    private = os.path.join(work, 'private.txt')
    shutil.copy(os.path.join(corpus, entry['sample']), private)
    os.chmod(private, 0o600)

    def run(argv, user=None):
        cmd = [ctl, '--config', conf] + argv
        if user:
            who = pwd.getpwnam(user)
            cmd = ['setpriv', '--reuid', str(who.pw_uid), '--regid', str(who.pw_gid),
                   '--clear-groups'] + cmd
        # LeakSanitizer cannot stop the world of a process that changed its credentials
        # (it is no longer dumpable): leaks are checked by the other scenarios.
        env = dict(os.environ)
        env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':detect_leaks=0'
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)

    r = run(['enqueue', private, '-f', entry['importer']])
    t.check(r.returncode == 0, 'root enqueues into a folder of nobody: %s' % r.stderr)
    token = r.stdout.strip()
    wrong = [os.path.join(dp, n) for dp, dn, fn in os.walk(data) for n in dn + fn
             if os.lstat(os.path.join(dp, n)).st_uid != owner.pw_uid]
    t.check(not wrong, 'everything root made there belongs to nobody: %s' % wrong)
    t.check(os.path.exists(os.path.join(data, 'jobs', token)), 'the job folder exists')
    r = run(['list'], user='daemon')
    t.check(r.returncode == 1 and 'belongs to nobody' in r.stderr and 'sudo -u nobody' in r.stderr,
            'another user is refused, naming the owner: %s' % r.stderr.strip())
    r = run(['list'], user='nobody')
    t.check(r.returncode == 0, 'the owner itself may: %s' % r.stderr.strip())
    lines = r.stdout.splitlines()
    t.check(lines and lines[0].split()[:3] == ['TOKEN', 'STATE', 'QUEUE'] and
            'CREATED' in lines[0] and 'DURATION' in lines[0], 'list has a header: %s'
            % (lines[:1],))
    t.check(any(line.startswith(token) and 'queued' in line for line in lines[1:]),
            'list shows the job')
    r = run(['status', token])
    for field in ('state:', 'created:', 'duration:', 'attempts:'):
        t.check(field in r.stdout, 'status prints %s' % field)
    r = run(['list', '--state', 'bogus'])
    t.check(r.returncode == 1 and 'queued, running, done, failed, cancelled' in r.stderr,
            'a bad state names the valid ones: %s' % r.stderr.strip())
    r = run(['frobnicate'])
    t.check(r.returncode == 2 and 'commands: enqueue' in r.stderr,
            'an unknown command names the valid ones: %s' % r.stderr.strip())
    r = run(['--help'])
    t.check(r.returncode == 0 and 'Exit status' in r.stdout, '--help documents exit statuses')
    r = run(['dispatcher'])
    t.check(r.returncode == 3 and 'not running' in r.stdout, 'dispatcher: 3 when none runs')
    r = run(['pause'])
    t.check(r.returncode == 0 and os.path.exists(os.path.join(data, 'paused')) and
            os.stat(os.path.join(data, 'paused')).st_uid == owner.pw_uid, 'pause, as nobody')
    r = run(['resume'])
    t.check(r.returncode == 0 and not os.path.exists(os.path.join(data, 'paused')), 'resume')
    shutil.rmtree(work, ignore_errors=True)


SCENARIOS = {'ctl': scenario_ctl, 'page': scenario_page, 'auth': scenario_auth, 'noauth': scenario_noauth, 'log': scenario_log,
             'metrics': scenario_metrics}


def main(argv):
    scenario, build, corpus, work = argv[1:5]
    t = Checks()
    if SCENARIOS[scenario](t, build, corpus, work) == 77:
        return 77
    return t.summary()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
