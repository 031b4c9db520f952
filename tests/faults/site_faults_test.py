"""site_faults_test — defects of the site found by injecting faults, one case each:
- lighttpd_sigkill: lighttpd killed with SIGKILL must not leave FastCGI processes or a
  dispatcher behind that a restarted lighttpd would find answering on its socket, and the
  restarted site serves at once;
- non_utf8_name: a file name that is not UTF-8 still gives valid JSON and HTML;
- make_run: conf/run-local.sh (make run) gives lighttpd the request limit that goes with
  the site's upload limit, and removes upload spool files a killed lighttpd left.

usage: site_faults_test.py CASE BUILD WORKDIR
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'site'))
from sitelib import Checks, Site, finish_site, pid_alive  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from harness import wait_until  # noqa: E402

SAMPLE = '# width\t640\n# height\t480\n' + ''.join(
    'a\t%d\t%d.5\t%d.25\t0\n' % (f, 10 + f, 20 + f) for f in range(50))


def convert_one(site, t, what):
    path = os.path.join(site.work, 'sample.tsv')
    with open(path, 'w') as f:
        f.write(SAMPLE)
    code, data, body = site.upload(path)
    if not t.check(code == 202 and data, '%s: upload accepted (%s %r)' % (what, code, body[:200])):
        return
    s = site.wait_final(data['token'])
    t.check(s and s['state'] == 'done', '%s: the job is done (%s)' % (what, s))


def case_lighttpd_sigkill(site, t):
    convert_one(site, t, 'before')
    old_fcgi = site.fcgi_pids()
    old_dispatcher = site.dispatcher_pid()
    t.check(old_fcgi and old_dispatcher, 'FastCGI processes %s and dispatcher %s run'
            % (old_fcgi, old_dispatcher))
    site.seen_pids.update(old_fcgi)
    site.seen_pids.add(old_dispatcher)
    site.lighttpd.kill()
    site.lighttpd.wait(10)
    site.lighttpd = None
    gone = wait_until(lambda: not any(pid_alive(p) for p in old_fcgi + [old_dispatcher]), 15)
    t.check(gone, 'the FastCGI processes and the dispatcher end with their web server: '
            'alive %s' % [p for p in old_fcgi + [old_dispatcher] if pid_alive(p)])
    started = time.time()
    site.start_lighttpd()
    took = time.time() - started
    print('restarted site healthy after %.2f s' % took, flush=True)
    r, health = site.get_json('/health')
    t.check(r.status == 200 and health['dispatcher']['pid'] != old_dispatcher,
            'a new dispatcher serves: %s' % health)
    t.check(not set(site.fcgi_pids()) & set(old_fcgi), 'lighttpd spawned its own processes')
    convert_one(site, t, 'after')


def case_non_utf8_name(site, t):
    path = os.path.join(site.work, 'sample.tsv')
    with open(path, 'w') as f:
        f.write(SAMPLE)
    # curl sends the name's bytes as they are.
    cmd = ['curl', '-sS', '-H', 'Accept: application/json', '-F',
           b'file=@' + path.encode() + b';filename=\xff\xfe.tsv', site.url('/jobs')]
    out = subprocess.run(cmd, capture_output=True, timeout=60).stdout
    try:
        data = json.loads(out.decode('utf-8'))
    except ValueError:
        data = None
    if not t.check(data and 'token' in data, 'the upload is accepted: %r' % out[:300]):
        return
    s = site.wait_final(data['token'])
    t.check(s and s['state'] == 'done', 'the job is done: %s' % s)
    for route, accept in (('/jobs/%s/status', 'application/json'), ('/jobs/%s', 'text/html')):
        r = site.request('GET', route % data['token'], headers={'Accept': accept})
        try:
            text = r.body.decode('utf-8')
            ok = True
        except UnicodeDecodeError as e:
            text, ok = str(e), False
        t.check(r.status == 200 and ok, '%s is valid UTF-8 (%d): %s' % (route, r.status,
                                                                        text[:200]))
        if accept == 'application/json' and ok:
            t.check('\ufffd' in json.loads(text).get('input_name', '\ufffd'),
                    'the bad bytes show as U+FFFD')
    ctl = os.path.join(site.build, 'dispatcher', 'trackportctl')
    run = subprocess.run([ctl, '--config', site.config, 'status', '--json', data['token']],
                         capture_output=True)
    try:
        json.loads(run.stdout.decode('utf-8'))
        ok = True
    except ValueError:
        ok = False
    t.check(run.returncode == 0 and ok, 'trackportctl status --json is valid: %r' % run.stdout[:300])


def case_make_run(site, t):
    """Runs conf/run-local.sh itself (what make run serves) with a small upload limit."""
    site.stop()
    data = os.path.join(site.work, 'local-data')
    spool = os.path.join(data, 'run', 'spool')
    os.makedirs(spool, exist_ok=True)
    stale = os.path.join(spool, 'lighttpd-upload-left-by-a-crash')
    with open(stale, 'w') as f:
        f.write('x' * 1000)
    limit = 300000
    port = __import__('harness').free_port()
    env = dict(os.environ, TP_PORT=str(port), TP_DATA_DIR=data, TP_MAX_UPLOAD_BYTES=str(limit))
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'conf',
                          'run-local.sh')
    log = open(os.path.join(site.work, 'run-local.log'), 'wb')
    p = subprocess.Popen(['bash', script, site.build], env=env, stdout=log, stderr=log,
                         start_new_session=True)
    try:
        site.port = port
        ok = __import__('harness').wait_until(lambda: _healthy(site), 30)
        if not t.check(ok, 'make run serves on port %d' % port):
            return
        t.check(not os.path.exists(stale), 'the spool file a killed lighttpd left is gone')
        rows = []
        while sum(len(r) for r in rows) < limit - 2000:
            rows.append('a\t%d\t%d.5\t%d.25\t0\n' % (len(rows), len(rows) % 500, len(rows) % 400))
        just_under = os.path.join(site.work, 'under.tsv')
        with open(just_under, 'w') as f:
            f.write('# width\t640\n# height\t480\n' + ''.join(rows))
        code, body, raw = site.upload(just_under)
        t.check(code == 202, 'a file just under the site limit is accepted (%d %r)'
                % (code, raw[:200]))
        over = os.path.join(site.work, 'over.tsv')
        with open(over, 'w') as f:
            f.write('# width\t640\n# height\t480\n' + ''.join(rows) + 'x' * 20000)
        code, body, raw = site.upload(over)
        t.check(code == 413 and body and str(limit) in body.get('error', ''),
                'a file just over it gets the site\'s own 413 naming the limit (%d %r)'
                % (code, raw[:200]))
    finally:
        os.killpg(p.pid, signal.SIGINT)
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(5)
        log.close()


def _healthy(site):
    try:
        return site.request('GET', '/health', timeout=2).status == 200
    except OSError:
        return False


def case_lighttpd_sigkill_busy(site, t):
    """The same while a FastCGI process is in the middle of a request (an upload waiting
    for SQLite's write lock): the restarted lighttpd must not hand requests to it."""
    import sqlite3
    import threading
    convert_one(site, t, 'before')
    old_fcgi = site.fcgi_pids()
    site.seen_pids.update(old_fcgi)
    db = [os.path.join(site.data, n) for n in os.listdir(site.data) if n.endswith('.db')][0]
    conn = sqlite3.connect(db, timeout=10, isolation_level=None)
    conn.execute('BEGIN IMMEDIATE')
    path = os.path.join(site.work, 'sample.tsv')
    worker = threading.Thread(target=lambda: site.upload(path, timeout=30))
    worker.start()
    time.sleep(0.5)
    site.lighttpd.kill()
    site.lighttpd.wait(10)
    site.lighttpd = None
    started = time.time()
    site.start_lighttpd()
    took = time.time() - started
    print('restarted site healthy after %.2f s while an old process was busy' % took,
          flush=True)
    t.check(took < 2, 'the restarted site serves within 2 s (%.2f s)' % took)
    t.check(not set(site.fcgi_pids()) & set(old_fcgi), 'lighttpd spawned its own processes')
    conn.execute('ROLLBACK')
    conn.close()
    worker.join(60)
    gone = wait_until(lambda: not any(pid_alive(p) for p in old_fcgi), 30)
    t.check(gone, 'the old FastCGI processes end once their request is answered')
    convert_one(site, t, 'after')


def case_disk_full_upload(site, t):
    """An upload to a full disk is refused as the server's state (507, in words) and leaves
    nothing behind. data_dir is a small tmpfs of its own (needs root to mount)."""
    if not os.path.ismount(site.data):
        print('skipped: data_dir could not be put on a tmpfs of its own (not root?)')
        return
    convert_one(site, t, 'before')
    jobs = os.path.join(site.data, 'jobs')
    before = set(os.listdir(jobs))
    filler = os.path.join(site.data, 'filler')
    with open(filler, 'wb') as f:
        try:
            while True:
                f.write(b'\0' * (1 << 20))
                f.flush()
        except OSError:
            pass
    path = os.path.join(site.work, 'sample.tsv')
    code, data, raw = site.upload(path)
    t.check(code == 507 and data and "disk is full" in data.get('error', ''),
            'a full disk answers 507 saying so: %d %r' % (code, raw[:200]))
    t.check(set(os.listdir(jobs)) == before, 'the refused upload left no job folder')
    os.unlink(filler)
    convert_one(site, t, 'after')


def mount_small_tmpfs(site):
    if os.getuid() == 0:
        subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', site.data],
                       capture_output=True)


CASES = {'lighttpd_sigkill': case_lighttpd_sigkill,
         'disk_full_upload': case_disk_full_upload,
         'lighttpd_sigkill_busy': case_lighttpd_sigkill_busy, 'non_utf8_name': case_non_utf8_name,
         'make_run': case_make_run}


def main(argv):
    if len(argv) != 4 or argv[1] not in CASES:
        print('usage: site_faults_test.py {%s} BUILD WORKDIR' % ','.join(CASES))
        return 2
    prepare = mount_small_tmpfs if argv[1] == 'disk_full_upload' else None
    # ASan reserves terabytes of address space: no address-space limit for the children.
    site = Site(argv[2], argv[3], prepare=prepare, extra_conf='rlimit_as_mb = 0\n')
    t = Checks()
    try:
        site.start()
        CASES[argv[1]](site, t)
    finally:
        finish_site(t, site)
        if os.path.ismount(site.data):
            subprocess.run(['umount', '-l', site.data], capture_output=True)
    return t.summary()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
