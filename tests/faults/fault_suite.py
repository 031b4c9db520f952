"""fault_suite — the real site (lighttpd spawning trackport-fcgi, the dispatcher and its
converter children, memcached, SQLite) converting a stream of uploads while faults are
injected, then checked as a user would judge it:

- every upload the site answered 202 ends `done` with outputs byte for byte equal to a
  direct CLI run of the same file, or `failed` with the message a bad file deserves;
- no upload is lost (answered but never stored) or duplicated (stored twice);
- no job is stuck, no partial file or spool file remains, no process outlives the site;
- every status answer is valid JSON.

Faults: SIGKILL of converter children, of the dispatcher and of FastCGI processes; lighttpd
restarted with SIGTERM and with SIGKILL mid-upload and mid-job; memcached stopped and hung;
SQLite's write lock held by another process; a full disk (data_dir on a small tmpfs, where
this machine lets the test mount one); hostile HTTP; slow connections; an upload storm.

usage: fault_suite.py BUILD WORKDIR [--scale small|full] [--only KIND[,KIND]] [--seed N]
Prints the counts and "N passed, M failed".
"""
import argparse
import concurrent.futures
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'site'))
sys.path.insert(0, os.path.join(HERE, '..'))
from harness import Checks, pid_alive, wait_until  # noqa: E402
from sitelib import Site, finish_site  # noqa: E402

SCALES = {
    # uploads per round, rounds per fault kind, storm size, slow connections
    'small': dict(uploads=6, rounds=1, storm=30, slow=40),
    'full': dict(uploads=20, rounds=6, storm=200, slow=400),
}
FINAL = ('done', 'failed', 'cancelled')
# boujou and Flame outputs carry the time they were written.
DATE = re.compile(rb'[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}')


# ------------------------------------------------------------------ inputs


def make_inputs(work, rng):
    """A few tsv files of different sizes (one slow enough to be killed mid-job) and one
    file no importer reads. Returns [(path, expect_ok)]."""
    inputs = []
    for i, (trackers, frames) in enumerate([(3, 40), (8, 150), (12, 300)]):
        path = os.path.join(work, 'inputs', 'shot%d.tsv' % i)
        with open(path, 'w') as f:
            f.write('# width\t1920\n# height\t1080\n')
            for t in range(trackers):
                base_x, base_y = rng.uniform(50, 1800), rng.uniform(50, 1000)
                f.write(''.join('p%d\t%d\t%.4f\t%.4f\t%.3f\n'
                                % (t, fr, base_x + fr * 0.137, base_y - fr * 0.071, 0.25)
                                for fr in range(frames)))
        inputs.append((path, True))
    garbage = os.path.join(work, 'inputs', 'garbage.tsv')
    with open(garbage, 'wb') as f:
        f.write(b'# width\t1920\n# height\t1080\nnot\ta\ttracking\tfile\n' * 20)
    inputs.append((garbage, False))
    return inputs


def reference_outputs(trackport, work, inputs):
    """{input path: {output suffix: bytes}} from the CLI run directly."""
    refs = {}
    for path, ok in inputs:
        if not ok:
            continue
        out = os.path.join(work, 'reference', os.path.basename(path))
        os.makedirs(out, exist_ok=True)
        subprocess.run([trackport, '--output-dir', out, path], check=True,
                       stdout=subprocess.DEVNULL)
        base = os.path.splitext(os.path.basename(path))[0] + '_'
        refs[path] = {}
        for name in os.listdir(out):
            with open(os.path.join(out, name), 'rb') as f:
                refs[path][name[len(base):]] = DATE.sub(b'DATE', f.read())
    return refs


# ------------------------------------------------------------------ the run


class Run:
    def __init__(self, args):
        self.args = args
        self.scale = SCALES[args.scale]
        self.rng = random.Random(args.seed)
        self.work = os.path.abspath(args.work)
        self.build = os.path.abspath(args.build)
        self.trackport = os.path.join(self.build, 'converter', 'trackport')
        self.ctl = os.path.join(self.build, 'dispatcher', 'trackportctl')
        self.lock = threading.Lock()
        self.uploads = []          # dicts: name, input, expect_ok, code, token
        self.counter = 0
        self.faults = {}           # kind -> count injected
        self.bad_json = []
        self.tmpfs = None
        self.t = Checks()

    # -------------------------------------------------------------- site

    def start(self):
        if os.path.exists(self.work):
            self.unmount()
            shutil.rmtree(self.work)
        os.makedirs(os.path.join(self.work, 'inputs'))
        self.inputs = make_inputs(self.work, self.rng)
        self.refs = reference_outputs(self.trackport, self.work, self.inputs)
        # Retries spread over longer than any fault lasts, so that a job caught by one
        # (a full disk for three seconds) still ends done.
        conf = ('rlimit_as_mb = 0\nretry_backoff_ms = 500\nretry_backoff_max_ms = 2000\n'
                'recover_interval_s = 1\nmax_attempts = 10\n')
        self.site = Site(self.build, os.path.join(self.work, 'site'), max_procs=2,
                         max_children=2, max_upload=16 << 20, extra_conf=conf,
                         prepare=self.mount_data)
        self.site.start()

    def mount_data(self, site):
        """data_dir on a small tmpfs of its own, so that the disk can be filled without
        touching the machine's; where mounting is not allowed, the full-disk fault is
        skipped (said in the output)."""
        if os.getuid() != 0 or self.args.only and 'disk_full' not in self.args.only:
            return
        r = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=2g', 'tmpfs', site.data],
                           capture_output=True, text=True)
        if r.returncode == 0:
            self.tmpfs = site.data
        else:
            print('full-disk fault skipped: cannot mount a tmpfs (%s)' % r.stderr.strip())

    def unmount(self):
        data = os.path.join(self.work, 'site', 'data')
        if os.path.ismount(data):
            subprocess.run(['umount', '-l', data], capture_output=True)

    # -------------------------------------------------------------- traffic

    def upload(self):
        """One upload of a random input under a unique name (so that rows can be matched
        to uploads); returns its record."""
        with self.lock:
            self.counter += 1
            n = self.counter
        path, ok = self.rng.choice(self.inputs)
        rec = {'name': 'u%05d_%s' % (n, os.path.basename(path)), 'input': path,
               'expect_ok': ok, 'code': 0, 'token': None}
        code, data, body = self.site.upload(path, filename=rec['name'], timeout=60)
        rec['code'] = code
        if code >= 500:
            rec['body'] = body
        if code == 202 and data:
            rec['token'] = data.get('token')
        with self.lock:
            self.uploads.append(rec)
        return rec

    def poll_status(self, token):
        try:
            r = self.site.request('GET', '/jobs/%s/status' % token,
                                  headers={'Accept': 'application/json'}, timeout=10)
        except OSError:
            return None
        try:
            return json.loads(r.body.decode('utf-8')) if r.status == 200 else None
        except ValueError:
            with self.lock:
                self.bad_json.append((token, r.body[:200]))
            return None

    def traffic(self, count, during):
        """Sends count uploads from four clients while during() injects a fault."""
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(self.upload) for _ in range(count)]
            time.sleep(self.rng.uniform(0.05, 0.3))
            during()
            for f in futures:
                try:
                    rec = f.result(timeout=180)
                except Exception as e:  # noqa: BLE001 (a client error is a result too)
                    print('upload client: %r' % e)
                    continue
                if rec['token']:
                    self.poll_status(rec['token'])

    # -------------------------------------------------------------- faults

    def injected(self, kind):
        self.faults[kind] = self.faults.get(kind, 0) + 1

    def children(self, pid):
        out = subprocess.run(['pgrep', '-P', str(pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def fault_kill_child(self):
        d = self.site.dispatcher_pid()
        kids = wait_until(lambda: self.children(d) if d else [], 5, step=0.01)
        for pid in kids or []:
            try:
                os.kill(pid, signal.SIGKILL)
                self.injected('kill_child')
            except OSError:
                pass

    def fault_kill_dispatcher(self):
        d = self.site.dispatcher_pid()
        if d and pid_alive(d):
            self.site.seen_pids.add(d)
            os.kill(d, signal.SIGKILL)
            self.injected('kill_dispatcher')

    def fault_kill_fcgi(self):
        pids = self.site.fcgi_pids()
        if pids:
            victim = self.rng.choice(pids)
            self.site.seen_pids.add(victim)
            os.kill(victim, signal.SIGKILL)
            self.injected('kill_fcgi')

    def fault_lighttpd_term(self):
        self.site.restart_lighttpd()
        self.injected('lighttpd_term')

    def fault_lighttpd_kill(self):
        self.site.seen_pids.update(self.site.fcgi_pids())
        d = self.site.dispatcher_pid()
        if d:
            self.site.seen_pids.add(d)
        self.site.lighttpd.kill()
        self.site.lighttpd.wait(10)
        self.site.lighttpd = None
        self.injected('lighttpd_kill')
        self.site.start_lighttpd()

    def fault_memcached_stop(self):
        self.site.stop_memcached()
        self.injected('memcached_stop')
        time.sleep(1.5)
        self.site.start_memcached()

    def fault_memcached_hang(self):
        pid = self.site.memcached.pid
        os.kill(pid, signal.SIGSTOP)
        self.injected('memcached_hang')
        time.sleep(2)
        os.kill(pid, signal.SIGCONT)

    def fault_db_lock(self):
        db = self.database()
        conn = sqlite3.connect(db, timeout=10, isolation_level=None)
        conn.execute('BEGIN IMMEDIATE')
        self.injected('db_lock')
        time.sleep(3)
        conn.execute('ROLLBACK')
        conn.close()

    def fault_disk_full(self):
        if not self.tmpfs:
            return
        filler = os.path.join(self.tmpfs, 'filler')
        st = os.statvfs(self.tmpfs)
        with open(filler, 'wb') as f:
            try:
                os.posix_fallocate(f.fileno(), 0, st.f_bavail * st.f_frsize)
            except OSError:
                pass
            chunk = b'\0' * (1 << 20)
            try:
                while True:
                    f.write(chunk)
                    f.flush()
            except OSError:
                pass
        self.injected('disk_full')
        # Children failing on the full disk free their anonymous outputs: keep it full.
        until = time.time() + 3
        with open(filler, 'ab') as f:
            while time.time() < until:
                try:
                    f.write(b'\0' * (1 << 16))
                    f.flush()
                except OSError:
                    time.sleep(0.01)
        os.unlink(filler)

    def fault_hostile_http(self):
        port = self.site.port
        payloads = [
            b'GET /jobs/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n',
            b'POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; '
            b'boundary=zz\r\nContent-Length: 100000\r\n\r\n--zz\r\nContent-Disposition: '
            b'form-data; name="file"; filename="a.tsv"\r\n\r\nhalf',
            b'POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
            b'GET /jobs/' + b'A' * 5000 + b'/status HTTP/1.1\r\nHost: x\r\n\r\n',
            b'\x00\xff\xfe garbage \r\n\r\n',
            b'POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; '
            b'boundary=' + b'b' * 300 + b'\r\nContent-Length: 10\r\n\r\n0123456789',
        ]
        for p in payloads:
            try:
                with socket.create_connection(('127.0.0.1', port), timeout=5) as s:
                    s.sendall(p)
                    s.shutdown(socket.SHUT_WR)
                    s.recv(4096)
            except OSError:
                pass
            self.injected('hostile_http')

    def fault_slow_connections(self):
        """Connections that trickle a request and never finish it, held while uploads go."""
        socks = []
        for _ in range(self.scale['slow']):
            try:
                s = socket.create_connection(('127.0.0.1', self.site.port), timeout=5)
                s.sendall(b'POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n')
                socks.append(s)
            except OSError:
                break
        self.injected('slow_connections')
        time.sleep(2)
        for s in socks:
            try:
                s.sendall(b'X-Slow: 1\r\n')
            except OSError:
                pass
        time.sleep(1)
        for s in socks:
            s.close()

    def storm(self):
        n = self.scale['storm']
        barrier = threading.Barrier(min(n, 50))

        def one(_):
            try:
                barrier.wait(30)
            except threading.BrokenBarrierError:
                pass
            return self.upload()

        with concurrent.futures.ThreadPoolExecutor(min(n, 50)) as pool:
            list(pool.map(one, range(n)))
        self.injected('upload_storm')

    FAULTS = ['kill_child', 'kill_dispatcher', 'kill_fcgi', 'lighttpd_term', 'lighttpd_kill',
              'memcached_stop', 'memcached_hang', 'db_lock', 'disk_full', 'hostile_http',
              'slow_connections']

    # -------------------------------------------------------------- checks

    def database(self):
        for name in os.listdir(self.site.data):
            if name.endswith('.db') or name.endswith('.sqlite'):
                return os.path.join(self.site.data, name)
        raise RuntimeError('no database under %s' % self.site.data)

    def jobs(self):
        run = subprocess.run([self.ctl, '--config', self.site.config, '--json', 'list',
                              '--limit', '1000000'], capture_output=True, timeout=60)
        try:
            listed = json.loads(run.stdout.decode('utf-8'))
        except ValueError:
            self.bad_json.append(('trackportctl list', run.stdout[:200]))
            return []
        return listed if isinstance(listed, list) else listed.get('jobs', [])

    def settle(self, timeout):
        """Waits until every stored job is final, polling their status as the users' pages
        would (a request is also what replaces a dispatcher that was killed); returns the
        jobs."""
        deadline = time.time() + timeout
        while True:
            jobs = self.jobs()
            waiting = [j for j in jobs if j.get('state') not in FINAL]
            if not waiting or time.time() > deadline:
                return jobs
            for j in waiting[:20]:
                self.poll_status(j['token'])
            time.sleep(0.5)

    def outputs_match(self, token, upload_name, input_path):
        """Compares a done job's outputs with the CLI's (some formats write the file's
        name inside: the upload's own name is put back to the input's)."""
        out = os.path.join(self.site.data, 'jobs', token, 'out')
        want = self.refs[input_path]
        mine = os.path.splitext(upload_name)[0].encode()
        theirs = os.path.splitext(os.path.basename(input_path))[0].encode()
        got = {}
        for name in os.listdir(out):
            for suffix in want:
                if name.endswith('_' + suffix):
                    with open(os.path.join(out, name), 'rb') as f:
                        got[suffix] = DATE.sub(b'DATE', f.read().replace(mine, theirs))
        bad = [s for s in want if got.get(s) != want[s]]
        return not bad, bad

    def purge(self):
        """Deletes the checked jobs (trackportctl purge, as an operator would) so that
        the full scale's outputs never fill data_dir's tmpfs by themselves."""
        run = subprocess.run([self.ctl, '--config', self.site.config, 'purge',
                              '--older-than', '0'], capture_output=True, text=True, timeout=120)
        self.t.check(run.returncode == 0, 'trackportctl purge: %s' % run.stderr.strip())

    def check(self, counts):
        """Checks the uploads made since the last check (adding to counts), then forgets
        them."""
        t = self.t
        jobs = self.settle(240)
        by_name = {}
        for j in jobs:
            by_name.setdefault(j.get('input_name'), []).append(j)
        answered = [u for u in self.uploads if u['code'] == 202 and u['token']]
        counts['uploads'] += len(self.uploads)
        counts['answered'] += len(answered)
        for u in self.uploads:
            counts['codes'][u['code']] = counts['codes'].get(u['code'], 0) + 1
        errors = [u for u in self.uploads if u['code'] >= 500 and u['code'] not in (503, 507)]
        t.check(not errors, 'uploads answered with a server error: %s'
                % [(u['name'], u['code'], u.get('body', b'')[:120]) for u in errors[:5]])
        for u in self.uploads:
            rows = by_name.get(u['name'], [])
            if len(rows) > 1:
                counts['duplicated'] += 1
                t.check(False, 'upload %s stored %d times' % (u['name'], len(rows)))
            if u not in answered:
                continue
            if not rows:
                counts['lost'] += 1
                t.check(False, 'answered upload %s (%s) was lost' % (u['name'], u['token']))
                continue
            j = rows[0]
            state = j.get('state')
            if state not in FINAL:
                counts['stuck'] += 1
                t.check(False, 'job %s is stuck %s: %s' % (u['token'], state, j))
            elif u['expect_ok']:
                if state != 'done':
                    counts['wrong'] += 1
                    t.check(False, 'job %s of a good file ended %s: %s'
                            % (u['token'], state, j.get('error')))
                    continue
                counts['done'] += 1
                same, bad = self.outputs_match(u['token'], u['name'], u['input'])
                if not same:
                    counts['wrong'] += 1
                    t.check(False, 'job %s outputs differ from the CLI\'s: %s' % (u['token'], bad))
            else:
                counts['failed'] += 1
                # Bad input fails with the parser's words (a converter error, not a crash);
                # an attempt before it may have been killed by a fault.
                ok = (state == 'failed' and j.get('error') and
                      j.get('error_domain') == 'converter')
                if not ok:
                    counts['wrong'] += 1
                t.check(ok, 'job %s of a bad file: %s %s' % (u['token'], state, j.get('error')))
            s = self.poll_status(u['token'])
            t.check(s is None or s.get('state') == state,
                    'status of %s says %s, the store %s' % (u['token'], s and s.get('state'),
                                                             state))
        partial = []
        for root, _, files in os.walk(os.path.join(self.site.data, 'jobs')):
            partial += [os.path.join(root, f) for f in files if '.partial' in f]
        counts['leftovers'] += len(partial)
        t.check(not partial, 'partial files left: %s' % partial[:5])
        counts['bad_json'] += len(self.bad_json)
        t.check(not self.bad_json, 'invalid JSON answers: %s' % self.bad_json[:3])
        self.uploads = []
        self.bad_json = []

    def after_stop(self, counts):
        spool = os.path.join(self.site.run, 'spool')
        # What a killed lighttpd left is removed where the project starts lighttpd (sitelib,
        # run-local.sh); after a clean stop nothing is left.
        left = os.listdir(spool) if os.path.isdir(spool) else []
        counts['leftovers'] += len(left)
        self.t.check(not left, 'spool files left after stop: %s' % left[:5])
        alive = [p for p in self.site.seen_pids if p and pid_alive(p)]
        mine = subprocess.run(['pgrep', '-f', self.work], capture_output=True,
                              text=True).stdout.split()
        mine = [p for p in mine if int(p) not in (os.getpid(), os.getppid())]
        described = []
        for p in mine:
            try:
                with open('/proc/%s/cmdline' % p, 'rb') as f:
                    described.append('%s %s' % (p, f.read().replace(b'\0', b' ')[:200]))
            except OSError:
                pass
        counts['leftovers'] += len(alive) + len(described)
        self.t.check(not alive and not described,
                     'processes left after stop: %s %s' % (alive, described))


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument('build')
    ap.add_argument('work')
    ap.add_argument('--scale', choices=sorted(SCALES), default='small')
    ap.add_argument('--only', default='')
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args(argv[1:])
    args.only = [k for k in args.only.split(',') if k]
    run = Run(args)
    started = time.time()
    kinds = [k for k in Run.FAULTS if not args.only or k in args.only]
    counts = dict(uploads=0, answered=0, done=0, failed=0, lost=0, duplicated=0, stuck=0,
                  wrong=0, leftovers=0, bad_json=0, codes={})
    run.start()
    try:
        # Checked and purged after each fault, so that the outputs of a full-scale run never
        # fill data_dir's tmpfs by themselves.
        for r in range(run.scale['rounds']):
            for kind in kinds:
                run.traffic(run.scale['uploads'], getattr(run, 'fault_' + kind))
                run.check(counts)
                run.purge()
            if not args.only or 'upload_storm' in args.only:
                run.storm()
                run.check(counts)
                run.purge()
    finally:
        finish_site(run.t, run.site)
        run.unmount()
    counts['faults'] = sum(run.faults.values())
    run.after_stop(counts)
    print('upload answers by status: %s' % sorted(counts['codes'].items()))
    print('faults injected %(faults)d (%(kinds)s); uploads %(uploads)d, answered %(answered)d, '
          'done %(done)d, failed as bad input %(failed)d, lost %(lost)d, duplicated '
          '%(duplicated)d, stuck %(stuck)d, wrong %(wrong)d, leftovers %(leftovers)d, '
          'invalid JSON %(bad_json)d; %(secs).0f s'
          % dict(counts, kinds=', '.join('%s %d' % kv for kv in sorted(run.faults.items())),
                 secs=time.time() - started), flush=True)
    return run.t.summary()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
