#!/usr/bin/env python3
"""jobs_integration.py — the dispatcher end to end: a real memcached on a free loopback port
(started here, stopped by PID), a real SQLite file, the test build of trackport-dispatcher
(which honours the "test" hooks: crash, hang, sleep, exit) and trackportctl. No mocks.

Scenarios (one per ctest test, --scenario NAME):
  corpus       200 jobs from the corpus samples, enqueued at once: every one done (or failed
               with the converter's message for the error samples) with outputs identical to
               a direct `trackport` run; progress seen in memcached while they run.
  faults       a child killed with SIGKILL mid-job is retried and ends done; a child that
               always crashes ends failed after max_attempts with the signal recorded; a
               child hanging past its TTR is killed and retried; a cancelled child is stopped.
  recovery     the dispatcher killed with SIGKILL while children run: a new one recovers
               every job; none lost, none run twice.
  nomemcached  memcached stopped mid-run: every job completes, status comes from SQLite.
  lifetime     two dispatchers on one data_dir: only one runs; SIGTERM lets children finish;
               the lifeline pipe; purge.
  partials     a child killed mid-write on every attempt (its outputs exceed rlimit_fsize_mb:
               SIGXFSZ) ends failed with the signal and a named error, and leaves no
               .partial- file behind.

Every process's stderr is collected; any sanitizer report in it fails the test.
Prints "N passed, M failed"; exit status 1 on any failure.
"""
import argparse
import concurrent.futures
import filecmp
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from harness import Checks, free_port, pid_alive, wait_until, writing_into  # noqa: E402

SANITIZER_PATTERNS = re.compile(
    r'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|'
    r'ThreadSanitizer|MemorySanitizer')
ONLY = 'nukescript,pftrack5,tsv'   # exporters of the repeated corpus jobs (disk and time)
BIG = 300 * 1024                   # bytes: a corpus sample this large runs with ONLY
EVENTUALLY = 150                   # seconds: a generous deadline, never a speed assertion


# ------------------------------------------------------------------ memcached

class Memcached:
    def __init__(self, work):
        self.port = free_port()
        self.proc = None
        self.work = work

    def start(self):
        cmd = ['memcached', '-l', '127.0.0.1', '-p', str(self.port), '-U', '0', '-m', '64']
        if os.getuid() == 0:
            cmd += ['-u', 'root']
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                with socket.create_connection(('127.0.0.1', self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError('memcached does not listen on %d' % self.port)

    def stop(self):
        if self.proc:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
            self.proc = None

    def get_many(self, keys):
        """The text protocol's multi-get: {key: value bytes} of the keys that exist."""
        out = {}
        if not keys:
            return out
        with socket.create_connection(('127.0.0.1', self.port), timeout=5) as s:
            s.sendall(('get %s\r\n' % ' '.join(keys)).encode())
            buf = b''
            while not buf.endswith(b'END\r\n'):
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        pos = 0
        while True:
            eol = buf.find(b'\r\n', pos)
            if eol < 0:
                break
            line = buf[pos:eol].split()
            if not line or line[0] != b'VALUE':
                break
            n = int(line[3])
            out[line[1].decode()] = buf[eol + 2:eol + 2 + n]
            pos = eol + 2 + n + 2
        return out


class ProgressWatcher(threading.Thread):
    """Polls the progress keys of the given tokens while jobs run; keeps what it saw."""

    def __init__(self, mc, tokens):
        super().__init__(daemon=True)
        self.mc = mc
        self.tokens = tokens          # a list the main thread may append to
        self.seen = {}                # token -> list of parsed values (changes only)
        self.stop_flag = False
        self.errors = 0

    def run(self):
        while not self.stop_flag:
            tokens = list(self.tokens)
            for i in range(0, len(tokens), 100):
                keys = ['trackport:job:%s' % t for t in tokens[i:i + 100]]
                try:
                    values = self.mc.get_many(keys)
                except OSError:
                    self.errors += 1
                    continue
                for k, v in values.items():
                    try:
                        value = json.loads(v)
                    except ValueError:
                        value = {'unparsable': v.decode('utf-8', 'replace')}
                    history = self.seen.setdefault(k[len('trackport:job:'):], [])
                    if not history or history[-1] != value:
                        history.append(value)
            time.sleep(0.01)


# ------------------------------------------------------------------ the job system

class JobSystem:
    def __init__(self, args, name, checks, memcached=True, extra_conf=None):
        self.args = args
        self.c = checks
        self.work = os.path.abspath(args.work)
        if os.path.exists(self.work):
            shutil.rmtree(self.work)
        self.data = os.path.join(self.work, 'data')
        self.logs = os.path.join(self.work, 'logs')
        os.makedirs(self.data)
        os.makedirs(self.logs)
        self.mc = Memcached(self.work) if memcached else None
        self.dispatchers = []   # (Popen, log path)
        self.asan = b'__asan_init' in open(args.dispatcher, 'rb').read()
        conf = {
            'data_dir': self.data,
            'memcached_servers': '127.0.0.1:%d' % (self.mc.port if self.mc else free_port()),
            'dispatcher_binary': args.dispatcher,
            'log_level': 'debug',
            'max_children': '2',
            'poll_interval_ms': '200',
            'recover_interval_s': '1',
            'retry_backoff_ms': '100',
            'retry_backoff_max_ms': '400',
            'kill_grace_ms': '300',
            'lease_grace_s': '30',
            'progress_interval_ms': '20',
            # generous for a loaded machine under sanitizers: a put that times out is
            # skipped by design, and this test wants to see the final values
            'memcached_timeout_ms': '1000',
            # AddressSanitizer reserves terabytes of address space: no RLIMIT_AS under it.
            'rlimit_as_mb': '0' if self.asan else '4096',
            'rlimit_fsize_mb': '512',
        }
        conf.update(extra_conf or {})
        self.config = os.path.join(self.work, 'trackport.conf')
        with open(self.config, 'w') as f:
            for k, v in conf.items():
                f.write('%s = %s\n' % (k, v))
        self.ctl_log = os.path.join(self.logs, 'trackportctl.log')
        if self.mc:
            self.mc.start()

    # -------------------------------------------------------------- processes

    def start_dispatcher(self, lifeline=None):
        log = os.path.join(self.logs, 'dispatcher-%d.log' % len(self.dispatchers))
        cmd = [self.args.dispatcher, '--config', self.config]
        kw = {}
        if lifeline is not None:
            cmd += ['--lifeline', str(lifeline)]
            kw['pass_fds'] = (lifeline,)
        with open(log, 'w') as err:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=err, **kw)
        self.dispatchers.append((p, log))
        return p

    def wait_dispatcher_ready(self, p):
        """Until p holds the lock and listens on its socket."""
        sock = os.path.join(self.data, 'dispatcher.sock')
        return wait_until(lambda: self.lock_holder() == p.pid and os.path.exists(sock), 30)

    def stop_dispatcher(self, p, sig=signal.SIGTERM):
        if p.poll() is None:
            os.kill(p.pid, sig)
        try:
            return p.wait(60)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.wait(10)
            return None

    def lock_holder(self):
        rc, out, _ = self.ctl(['dispatcher', '--json'])
        try:
            d = json.loads(out)
        except ValueError:
            return 0
        return d['pid'] if d.get('running') else 0

    def ctl(self, argv, timeout=60):
        cmd = [self.args.ctl, '--config', self.config] + argv
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if r.stderr:
            with open(self.ctl_log, 'a') as f:
                f.write('$ %s\n%s' % (' '.join(argv), r.stderr))
        return r.returncode, r.stdout, r.stderr

    def ctl_json(self, argv):
        rc, out, err = self.ctl(argv + ['--json'])
        if rc not in (0, 3):
            raise RuntimeError('trackportctl %s: %d %s' % (' '.join(argv), rc, err))
        return json.loads(out)

    def enqueue(self, path, importer=None, width=None, height=None, only=None, options=None,
                ttr=None, max_attempts=None, priority=None):
        argv = ['enqueue', path]
        if importer:
            argv += ['-f', importer]
        if width:
            argv += ['-w', str(width), '-h', str(height)]
        if only:
            argv += ['--only', only]
        if options is not None:
            argv += ['--options', json.dumps(options)]
        if ttr:
            argv += ['--ttr', str(ttr)]
        if max_attempts:
            argv += ['--max-attempts', str(max_attempts)]
        if priority is not None:
            argv += ['--priority', str(priority)]
        rc, out, err = self.ctl(argv)
        if rc != 0:
            raise RuntimeError('enqueue %s: %s' % (path, err))
        return out.strip()

    def status(self, token):
        return self.ctl_json(['status', token])

    def wait_final(self, tokens, timeout=EVENTUALLY):
        """Until every token is final; returns {token: status}."""
        pending = set(tokens)
        done = {}
        deadline = time.time() + timeout
        while pending and time.time() < deadline:
            for t in list(pending):
                s = self.status(t)
                if s['state'] in ('done', 'failed', 'cancelled'):
                    done[t] = s
                    pending.discard(t)
            if pending:
                time.sleep(0.1)
        for t in pending:
            done[t] = self.status(t)
        return done

    def wait_all_idle(self, timeout=EVENTUALLY):
        def idle():
            st = self.ctl_json(['stats'])
            return st['queued'] == 0 and st['running'] == 0
        return wait_until(idle, timeout, 0.2)

    def wait_running_child(self, token, timeout=60):
        """Until token runs in a child that registered itself; returns its status."""
        def registered():
            s = self.status(token)
            pids = [p.pid for p, _ in self.dispatchers]
            if s['state'] == 'running' and s['worker_pid'] and s['worker_pid'] not in pids \
                    and s.get('message') not in (None, '') and pid_alive(s['worker_pid']):
                return s
            return None
        return wait_until(registered, timeout)

    def job_out(self, token):
        return os.path.join(self.data, 'jobs', token, 'out')

    # -------------------------------------------------------------- the end

    def finish(self):
        """Stops every process started here (by PID), looks for sanitizer reports, and prints
        the logs when a check failed."""
        for p, _ in self.dispatchers:
            if p.poll() is None:
                code = self.stop_dispatcher(p)
                self.c.check(code == 0, 'dispatcher %d stopped by SIGTERM exits 0 (got %s)'
                             % (p.pid, code))
        if self.mc:
            self.mc.stop()
        # children left by a killed dispatcher finish on their own; give them a moment
        time.sleep(0.2)
        reports = []
        for name in sorted(os.listdir(self.logs)):
            with open(os.path.join(self.logs, name), errors='replace') as f:
                text = f.read()
            if SANITIZER_PATTERNS.search(text):
                reports.append(name)
                print('--- sanitizer report in %s:\n%s' % (name, text[-6000:]))
        self.c.check(not reports, 'no sanitizer report in the logs (%s)' % ', '.join(reports))
        if self.c.failed:
            self.dump_logs()

    def dump_logs(self):
        for name in sorted(os.listdir(self.logs)):
            with open(os.path.join(self.logs, name), errors='replace') as f:
                text = f.read()
            print('--- %s (last lines)\n%s' % (name, ''.join(text.splitlines(True)[-40:])))


# ------------------------------------------------------------------ references

def manifest(corpus):
    with open(os.path.join(corpus, 'manifest.json')) as f:
        return json.load(f)


def direct_run(args, entry, out_dir, only=None):
    """Runs trackport itself as a user would; returns (exit code, stderr)."""
    os.makedirs(out_dir, exist_ok=True)
    cmd = [args.trackport, '--output-dir', out_dir]
    if entry.get('importer'):
        cmd += ['-f', entry['importer']]
    if entry.get('width_given'):
        cmd += ['-w', str(entry['width_given']), '-h', str(entry['height_given'])]
    if only:
        cmd += ['--only', only]
    r = subprocess.run(cmd + [os.path.join(args.corpus, entry['sample'])], capture_output=True,
                       text=True, timeout=300)
    return r.returncode, r.stderr


# boujou and Flame files carry the time they were written ("Mon Nov 23 11:41:51 2026"):
# the only bytes a later run may change.
DATE_STAMP = re.compile(rb'[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}')


def same_but_dates(a, b):
    with open(a, 'rb') as fa, open(b, 'rb') as fb:
        x, y = fa.read(), fb.read()
    return len(x) == len(y) and DATE_STAMP.sub(b'DATE', x) == DATE_STAMP.sub(b'DATE', y)


def compare_outputs(c, what, status, out_dir, ref_dir):
    """The job's outputs are exactly the reference files, byte for byte, and its result
    JSON names them with their sizes."""
    want = sorted(os.listdir(ref_dir))
    got = sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else []
    if not c.check(got == want, '%s: output files %s == %s' % (what, got[:5], want[:5])):
        return False
    _, mismatch, errors = filecmp.cmpfiles(ref_dir, out_dir, want, shallow=False)
    mismatch = [n for n in mismatch if not same_but_dates(os.path.join(ref_dir, n),
                                                          os.path.join(out_dir, n))]
    ok = c.check(not mismatch and not errors, '%s: identical outputs (differ: %s %s)'
                 % (what, mismatch[:3], errors[:3]))
    result = status.get('result') or {}
    listed = sorted((o['name'], o['bytes']) for o in result.get('outputs', []))
    sizes = sorted((n, os.path.getsize(os.path.join(out_dir, n))) for n in want)
    ok &= c.check(listed == sizes, '%s: result lists the outputs with their sizes' % what)
    return ok


# ------------------------------------------------------------------ scenarios

def scenario_corpus(args, c):
    entries = manifest(args.corpus)
    js = JobSystem(args, 'corpus', c)
    T0 = time.time()
    try:
        # The plan: every sample once, with every exporter (the largest ones, a few MB
        # each, with three exporters, to keep disk and time in check), then repeats of the
        # smaller samples with three exporters up to 200 jobs.
        size = {i: os.path.getsize(os.path.join(args.corpus, e['sample']))
                for i, e in enumerate(entries)}
        plan = [(i, None if size[i] < BIG else ONLY) for i in range(len(entries))]
        small = [i for i in range(len(entries)) if size[i] < BIG]
        plan += [(small[k % len(small)], ONLY) for k in range(200 - len(plan))]
        # References: one direct run per sample as planned first; the repeats' three files
        # are the same subset of that run.
        refs = os.path.join(js.work, 'reference')
        ref_of = {}
        for i, only in plan[:len(entries)]:
            e = entries[i]
            d = os.path.join(refs, '%03d' % i)
            code, err = direct_run(args, e, d, only)
            ref_of[i] = (d, code, err.strip())
            if e['status'] == 'ok':
                c.check(code == 0, 'direct run of %s succeeds (%s)' % (e['sample'], err))
            else:
                c.check(code != 0 and err, 'direct run of %s fails with a message' % e['sample'])
        print('references made in %.1f s' % (time.time() - T0), flush=True)
        only_ref = os.path.join(refs, 'only')
        d = js.start_dispatcher()
        c.check(js.wait_dispatcher_ready(d), 'the dispatcher starts')
        watcher = ProgressWatcher(js.mc, [])
        watcher.start()
        t0 = time.time()
        # Four enqueuers at once, as several FastCGI processes would be.
        def enqueue(item):
            i, only = item
            e = entries[i]
            token = js.enqueue(os.path.join(args.corpus, e['sample']), e.get('importer'),
                               e.get('width_given'), e.get('height_given'), only)
            watcher.tokens.append(token)
            return token, i, only
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            jobs = list(pool.map(enqueue, plan))
        print('200 jobs enqueued in %.1f s' % (time.time() - t0), flush=True)
        c.check(js.wait_all_idle(), 'the queue drains')
        print('all final after %.1f s' % (time.time() - t0), flush=True)
        watcher.stop_flag = True
        watcher.join(30)
        # the values as they stay, read once everything is final in SQLite
        final_mc = {}
        for k in range(0, len(jobs), 100):
            keys = ['trackport:job:%s' % t for t, _, _ in jobs[k:k + 100]]
            for key, v in js.mc.get_many(keys).items():
                final_mc[key[len('trackport:job:'):]] = json.loads(v)

        stats = js.ctl_json(['stats'])
        n_err = sum(1 for _, i, _ in jobs if entries[i]['status'] != 'ok')
        c.check(stats['done'] == 200 - n_err and stats['failed'] == n_err,
                'stats: %d done, %d failed (got %s)' % (200 - n_err, n_err, stats))
        listed = js.ctl_json(['list', '--state', 'failed'])
        c.check(len(listed) == n_err, 'list --state failed lists the %d error jobs' % n_err)

        statuses = {j['token']: j for j in js.ctl_json(['list', '--limit', '1000'])}
        running_seen = 0
        midway_seen = 0
        for token, i, only in jobs:
            e = entries[i]
            what = '%s (%s)' % (e['sample'], token)
            s = statuses[token]
            ref_dir, _, ref_err = ref_of[i]
            history = watcher.seen.get(token, [])
            running_seen += any(v.get('state') == 'running' for v in history)
            midway_seen += any(v.get('state') == 'running' and 0 < v.get('percent', 0) < 100
                               for v in history)
            last = final_mc.get(token, {})
            c.check(last.get('state') == s['state'] and last.get('v') == 1,
                    '%s: memcached ends with the final state %s (saw %s)'
                    % (what, s['state'], last))
            if e['status'] == 'ok':
                if not c.check(s['state'] == 'done', '%s: done (got %s: %s)'
                               % (what, s['state'], s.get('error'))):
                    continue
                c.check(s['attempts'] == 1 and s['percent'] == 100,
                        '%s: one attempt, 100 %%' % what)
                if only and only != plan[i][1]:
                    sub = os.path.join(only_ref, '%03d' % i)
                    if not os.path.isdir(sub):
                        os.makedirs(sub)
                        suffixes = ('_nuke.nk', '_pftrack_v5.2dt', '_tracks.tsv')
                        for name in os.listdir(ref_dir):
                            if name.endswith(suffixes):
                                shutil.copy(os.path.join(ref_dir, name), sub)
                    compare_outputs(c, what, s, js.job_out(token), sub)
                else:
                    compare_outputs(c, what, s, js.job_out(token), ref_dir)
                c.check(s['result']['trackers'] == e['trackers'] and
                        s['result']['keyframes'] == e['keyframes'],
                        '%s: trackers and keyframes as in the manifest' % what)
            else:
                message = ref_err.split(': ', 1)[-1]
                c.check(s['state'] == 'failed' and s.get('error') == message,
                        '%s: failed with "%s" (got %s: %s)' % (what, message, s['state'],
                                                               s.get('error')))
                c.check(s['attempts'] == 1, '%s: bad input is not retried' % what)
                c.check(s.get('exit_code') == 0 and not s.get('exit_signal'),
                        '%s: the child exited 0 after recording the failure' % what)
        print('progress seen running for %d jobs, between 0 and 100 %% for %d'
              % (running_seen, midway_seen), flush=True)
        c.check(running_seen > 0, 'progress of running jobs seen in memcached')
        c.check(midway_seen > 0, 'a percentage between 0 and 100 seen in memcached')
        c.check(watcher.errors == 0, 'memcached answered every poll')
    finally:
        js.finish()
        if not c.failed:
            shutil.rmtree(js.data, ignore_errors=True)   # several hundred MB of outputs
            shutil.rmtree(os.path.join(js.work, 'reference'), ignore_errors=True)


def small_sample(args):
    """A quick, valid corpus sample with its importer and size."""
    for e in manifest(args.corpus):
        if e['status'] == 'ok' and e['sample'].endswith('.nk') and e['keyframes'] < 2000:
            return e
    return [e for e in manifest(args.corpus) if e['status'] == 'ok'][0]


def small_options(e, test=None):
    """The job options that convert sample e into ONLY, with test hooks when given."""
    opts = {'importer': e['importer'].lower(), 'width': e.get('width_given') or 0,
            'height': e.get('height_given') or 0, 'exporters': ONLY.split(',')}
    if test:
        opts['test'] = test
    return opts


def enqueue_small(js, e, **kw):
    return js.enqueue(os.path.join(js.args.corpus, e['sample']), e.get('importer'),
                      e.get('width_given'), e.get('height_given'), ONLY, **kw)


def check_small_done(js, c, e, token, what, status=None):
    s = status or js.status(token)
    ref = os.path.join(js.work, 'reference-small')
    if not os.path.isdir(ref):
        direct_run(js.args, e, ref, ONLY)
    ok = c.check(s['state'] == 'done', '%s: done (got %s: %s)' % (what, s['state'],
                                                                  s.get('error')))
    if ok:
        compare_outputs(c, what, s, js.job_out(token), ref)
    return s


def scenario_faults(args, c):
    js = JobSystem(args, 'faults', c)
    e = small_sample(args)
    try:
        d = js.start_dispatcher()
        c.check(js.wait_dispatcher_ready(d), 'the dispatcher starts')

        # 1. SIGKILL of a child mid-job: retried, ends done.
        killed = enqueue_small(js, e, ttr=120, max_attempts=3,
                               options=small_options(e, {'sleep_ms': 3000}))
        s = js.wait_running_child(killed)
        if c.check(s is not None, 'the sleeping job runs in its own child'):
            child = s['worker_pid']
            with open('/proc/%d/limits' % child) as f:
                limits = f.read()
            c.check(re.search(r'Max file size\s+536870912\s', limits) is not None,
                    'the child runs under rlimit_fsize_mb')
            os.kill(child, signal.SIGKILL)
        s = js.wait_final([killed])[killed]
        check_small_done(js, c, e, killed, 'job whose child was killed', s)
        c.check(s['attempts'] == 2, 'the killed attempt was retried once (attempts %d)'
                % s['attempts'])

        # 2. A child that always crashes: failed after max_attempts, the signal recorded.
        crash = js.enqueue(os.path.join(args.corpus, e['sample']), e.get('importer'),
                           e.get('width_given'), e.get('height_given'), max_attempts=3,
                           options={'importer': e['importer'].lower(),
                                    'test': {'crash_until': 99}})
        # 3. A child hanging past its TTR (SIGTERM ignored): killed, retried, done.
        hang = enqueue_small(js, e, ttr=1, max_attempts=3,
                             options=small_options(e, {'hang_until': 1}))
        # 4. A child that always hangs: failed with the time limit in the message.
        hang_always = js.enqueue(os.path.join(args.corpus, e['sample']), ttr=1, max_attempts=2,
                                 options={'importer': e['importer'].lower(),
                                          'test': {'hang_until': 99}})
        # 5. A child exiting without a result once: retried, done.
        exit_once = enqueue_small(js, e, max_attempts=3,
                                  options=small_options(e, {'exit_until': 1}))
        final = js.wait_final([crash, hang, hang_always, exit_once])

        s = final[crash]
        c.check(s['state'] == 'failed' and s['attempts'] == 3,
                'always-crashing job: failed after 3 attempts (got %s, %d)'
                % (s['state'], s['attempts']))
        c.check(s.get('exit_signal') == signal.SIGABRT,
                'always-crashing job: signal %d recorded (got %s)' % (signal.SIGABRT,
                                                                      s.get('exit_signal')))
        err = s.get('error') or ''
        c.check('crashed' in err and 'signal 6' in err and 'given up' in err,
                'always-crashing job: a message a person understands (%r)' % err)

        s = check_small_done(js, c, e, hang, 'job that hung once', final[hang])
        c.check(s['attempts'] == 2, 'the hanging attempt was killed and retried (attempts %d)'
                % s['attempts'])

        s = final[hang_always]
        err = s.get('error') or ''
        c.check(s['state'] == 'failed' and s['attempts'] == 2,
                'always-hanging job: failed after 2 attempts (got %s, %d)'
                % (s['state'], s['attempts']))
        c.check('longer than its limit of 1 s' in err and 'given up' in err,
                'always-hanging job: the time limit in its message (%r)' % err)
        c.check(s.get('exit_signal') == signal.SIGKILL,
                'always-hanging job: SIGKILL recorded (got %s)' % s.get('exit_signal'))

        s = check_small_done(js, c, e, exit_once, 'job whose child exited once', final[exit_once])
        c.check(s['attempts'] == 2, 'the attempt without a result was retried')

        # 6. Cancel while running: the child is stopped, the job stays cancelled; retry runs it.
        cancel = enqueue_small(js, e, options=small_options(e, {'sleep_ms': 20000}))
        s = js.wait_running_child(cancel)
        if c.check(s is not None, 'the job to cancel runs'):
            child = s['worker_pid']
            rc, out, _ = js.ctl(['cancel', cancel])
            c.check(rc == 0, 'trackportctl cancel succeeds')
            c.check(wait_until(lambda: not pid_alive(child), 30),
                    'the cancelled job\'s child is stopped')
            s = wait_until(lambda: (lambda x: x if x.get('exit_code') is not None else None)(
                js.status(cancel)), 10)
            s = s or js.status(cancel)
            c.check(s['state'] == 'cancelled' and s.get('exit_code') == 77,
                    'cancelled, the child\'s exit recorded (got %s, %s)' % (s['state'],
                                                                           s.get('exit_code')))
            rc, _, _ = js.ctl(['retry', cancel])
            c.check(rc == 0, 'trackportctl retry succeeds')
            s = js.wait_final([cancel])[cancel]
            check_small_done(js, c, e, cancel, 'cancelled then retried job', s)

        with open(js.dispatchers[0][1]) as f:
            log = f.read()
        c.check('past its time to run' in log, 'the dispatcher logs the TTR kill')
        c.check(d.poll() is None, 'the dispatcher survived all of it')
    finally:
        js.finish()


def scenario_recovery(args, c):
    js = JobSystem(args, 'recovery', c, extra_conf={'max_children': '3'})
    e = small_sample(args)
    opts = small_options(e)
    try:
        # long enough to be seen running on a loaded machine under sanitizers
        slow = [enqueue_small(js, e, options=dict(opts, test={'sleep_ms': 8000}))
                for _ in range(6)]
        quick = [enqueue_small(js, e) for _ in range(6)]
        d1 = js.start_dispatcher()
        c.check(js.wait_dispatcher_ready(d1), 'the first dispatcher starts')

        def three_running():
            running = {j['token']: j for j in js.ctl_json(['list', '--state', 'running'])}
            st = [running.get(t, {'state': 'queued', 'worker_pid': 0}) for t in slow[:3]]
            pids = [s['worker_pid'] for s in st]
            if all(s['state'] == 'running' and p and p != d1.pid and pid_alive(p)
                   for s, p in zip(st, pids)):
                return pids
            return None
        children = wait_until(three_running, 60)
        if not c.check(children, 'three children at work'):
            return
        os.kill(d1.pid, signal.SIGKILL)
        d1.wait(10)
        # one orphan dies too: its job must be recovered; the others finish on their own
        os.kill(children[0], signal.SIGKILL)
        c.check(wait_until(lambda: not pid_alive(children[0]), 10), 'the orphan is gone')
        c.check(all(pid_alive(p) for p in children[1:]), 'the other children go on')

        d2 = js.start_dispatcher()
        c.check(js.wait_dispatcher_ready(d2), 'a new dispatcher starts')
        final = js.wait_final(slow + quick)
        for t in slow + quick:
            check_small_done(js, c, e, t, 'job %s' % t, final[t])
        c.check(final[slow[0]]['attempts'] == 2,
                'the job of the killed orphan was recovered and run again (attempts %d)'
                % final[slow[0]]['attempts'])
        for t in slow[1:3]:
            c.check(final[t]['attempts'] == 1,
                    'a job whose orphan lived was left to it (attempts %d)' % final[t]['attempts'])
        for t in slow[3:] + quick:
            c.check(final[t]['attempts'] == 1, 'a queued job ran once')
        stats = js.ctl_json(['stats'])
        c.check(stats['done'] == len(slow + quick) and stats['queued'] == 0 and
                stats['running'] == 0 and stats['failed'] == 0,
                'every job done, none lost (%s)' % stats)
        with open(js.dispatchers[1][1]) as f:
            log = f.read()
        c.check('recovering job %s' % slow[0] in log, 'the new dispatcher logs the recovery')
        for t in slow[1:3]:
            c.check('recovering job %s' % t not in log,
                    'the living orphan of %s was not recovered' % t)

        # the same once more, with the second dispatcher killed while it has claimed jobs
        more = [enqueue_small(js, e, options=dict(opts, test={'sleep_ms': 1500}))
                for _ in range(4)]
        c.check(wait_until(lambda: js.status(more[0])['state'] == 'running', 30),
                'the second batch runs')
        os.kill(d2.pid, signal.SIGKILL)
        d2.wait(10)
        d3 = js.start_dispatcher()
        c.check(js.wait_dispatcher_ready(d3), 'a third dispatcher starts')
        final = js.wait_final(more)
        for t in more:
            check_small_done(js, c, e, t, 'second batch job %s' % t, final[t])
            c.check(final[t]['attempts'] == 1, 'no job of the second batch ran twice')
    finally:
        js.finish()


def scenario_nomemcached(args, c):
    js = JobSystem(args, 'nomemcached', c)
    entries = [x for x in manifest(args.corpus) if x['status'] == 'ok'][:12]
    e = small_sample(args)
    opts = small_options(e)
    try:
        d = js.start_dispatcher()
        c.check(js.wait_dispatcher_ready(d), 'the dispatcher starts')
        slow = enqueue_small(js, e, options=dict(opts, test={'sleep_ms': 3000}))
        s = js.wait_running_child(slow)
        c.check(s is not None, 'a job runs')
        c.check(wait_until(lambda: js.status(slow)['progress_source'] == 'memcached', 10),
                'while memcached runs, live progress comes from it')
        js.mc.stop()
        s = js.status(slow)
        c.check(s['state'] == 'running' and s['progress_source'] == 'sqlite',
                'with memcached down, status of a running job comes from SQLite (%s)'
                % s.get('progress_source'))
        tokens = [js.enqueue(os.path.join(args.corpus, x['sample']), x.get('importer'),
                             x.get('width_given'), x.get('height_given'), ONLY)
                  for x in entries]
        final = js.wait_final([slow] + tokens)
        check_small_done(js, c, e, slow, 'the job running when memcached stopped', final[slow])
        refs = os.path.join(js.work, 'reference')
        for i, (x, t) in enumerate(zip(entries, tokens)):
            s = final[t]
            what = x['sample']
            if c.check(s['state'] == 'done', '%s: done without memcached (%s)'
                       % (what, s.get('error'))):
                ref = os.path.join(refs, '%02d' % i)
                direct_run(args, x, ref, ONLY)
                compare_outputs(c, what, s, js.job_out(t), ref)
            c.check(s['attempts'] == 1, '%s: memcached being down costs no retry' % what)
            c.check(s['progress_source'] == 'sqlite' and s['percent'] == 100 and
                    s.get('message') == 'Done', '%s: the status comes from SQLite' % what)
        c.check(d.poll() is None, 'the dispatcher runs on without memcached')
    finally:
        js.finish()


def scenario_lifetime(args, c):
    # the dispatcher purges on its own every second here (retention: an hour)
    js = JobSystem(args, 'lifetime', c,
                   extra_conf={'purge_interval_s': '1', 'retention_hours': '1'})
    e = small_sample(args)
    opts = small_options(e)
    try:
        d1 = js.start_dispatcher()
        c.check(js.wait_dispatcher_ready(d1), 'the first dispatcher starts')
        d2 = js.start_dispatcher()
        try:
            code = d2.wait(30)
        except subprocess.TimeoutExpired:
            code = None
        c.check(code == 0, 'a second dispatcher on the same data_dir exits at once, status 0')
        c.check(d1.poll() is None and js.lock_holder() == d1.pid,
                'the first one still holds the lock')

        # the running dispatcher does the work: the child's parent is d1
        slow = enqueue_small(js, e, options=dict(opts, test={'sleep_ms': 2500}))
        s = js.wait_running_child(slow)
        if c.check(s is not None, 'a job runs'):
            with open('/proc/%d/stat' % s['worker_pid']) as f:
                ppid = int(f.read().rsplit(')', 1)[1].split()[1])
            c.check(ppid == d1.pid, 'its child belongs to the first dispatcher')
        # SIGTERM: stop claiming, exit; the child finishes its job on its own
        queued = enqueue_small(js, e, priority=5)
        code = js.stop_dispatcher(d1)
        c.check(code == 0, 'SIGTERM stops the dispatcher, status 0')
        s = js.wait_final([slow], 30)[slow]
        check_small_done(js, c, e, slow, 'the job running at SIGTERM', s)
        c.check(s['attempts'] == 1, 'it finished in its first attempt')
        q = js.status(queued)
        c.check(q['state'] in ('queued', 'done'), 'the queued job is still there (%s)'
                % q['state'])

        # a dispatcher tied to a lifeline pipe stops when the pipe's writer goes
        r, w = os.pipe()
        d3 = js.start_dispatcher(lifeline=r)
        os.close(r)
        c.check(js.wait_dispatcher_ready(d3), 'a dispatcher with a lifeline starts')
        s = js.wait_final([queued])[queued]
        check_small_done(js, c, e, queued, 'the job queued at SIGTERM', s)

        # retention: a job finished two hours ago is purged by the dispatcher itself, with
        # its folder and its progress value; the recent one stays
        key = 'trackport:job:%s' % slow
        c.check(key in js.mc.get_many([key]), 'the finished job has a progress value')
        db = sqlite3.connect(os.path.join(js.data, 'trackport.db'), timeout=30)
        with db:
            db.execute('UPDATE jobs SET finished = finished - 7200000 WHERE token = ?', (slow,))
        db.close()
        c.check(wait_until(lambda: js.ctl(['status', slow])[0] != 0, 30),
                'the dispatcher purges a job past the retention period')
        c.check(not os.path.exists(os.path.join(js.data, 'jobs', slow)), 'with its folder')
        c.check(key not in js.mc.get_many([key]), 'and its progress value')
        c.check(js.status(queued)['state'] == 'done', 'a recent job is kept')
        os.close(w)
        try:
            code = d3.wait(30)
        except subprocess.TimeoutExpired:
            code = None
        c.check(code == 0, 'the lifeline\'s end stops the dispatcher, status 0')
        c.check(js.lock_holder() == 0, 'no dispatcher holds the lock any more')

        # purge by the operator: final jobs and their folders go
        c.check(js.mc.get_many(['trackport:job:%s' % queued]), 'the last job has a progress value')
        rc, out, _ = js.ctl(['purge', '--older-than', '0', '--json'])
        c.check(rc == 0 and json.loads(out).get('purged') == 1, 'purge removes the last job')
        c.check(not os.path.exists(os.path.join(js.data, 'jobs', queued)), 'with its folder')
        c.check(not js.mc.get_many(['trackport:job:%s' % queued]), 'and its progress value')
        c.check(js.ctl(['status', queued])[0] != 0, 'a purged token is unknown')
    finally:
        js.finish()


def scenario_partials(args, c):
    """Attempts ended mid-write leave no output behind: a converter killed with SIGKILL while
    it writes, on every attempt, and one that crosses the file-size limit."""
    js = JobSystem(args, 'partials', c, extra_conf={'rlimit_fsize_mb': '1'})
    try:
        d = js.start_dispatcher()
        c.check(js.wait_dispatcher_ready(d), 'the dispatcher starts')
        big = os.path.join(js.work, 'big.tsv')
        with open(big, 'w') as f:
            f.write('tracker\tframe\tx\ty\tresidual\n')
            for tr in range(100):
                for fr in range(600):
                    f.write('T%d\t%d\t%.6f\t%.6f\t0.1\n' % (tr, fr, 100.0 + fr, 200.0 + tr))

        # Past the file-size limit a write fails: the same job would fail the same way, so it
        # fails at once, with a sentence, and is not retried.
        token = js.enqueue(big, 'tsv', 1920, 1080, 'tsv,nukescript,pftrack5', max_attempts=3)
        s = js.wait_final([token])[token]
        c.check(s['state'] == 'failed' and s['attempts'] == 1,
                'a job crossing the file-size limit fails once: %r' % s)
        c.check('file size limit' in (s.get('error') or '') and
                s.get('error_name') == 'TP_ERR_FILE_TOO_BIG',
                'the message names the limit: %r' % s.get('error'))
        out = js.job_out(token)
        left = os.listdir(out) if os.path.isdir(out) else []
        c.check(not left, 'nothing left in the output folder: %s' % left)

        # Killed while writing, on each of three attempts.
        small = os.path.join(js.work, 'small.tsv')
        with open(small, 'w') as f:
            f.write('tracker\tframe\tx\ty\tresidual\n')
            for tr in range(40):
                for fr in range(400):
                    f.write('T%d\t%d\t%.6f\t%.6f\t0.1\n' % (tr, fr, 100.0 + fr, 200.0 + tr))
        token = js.enqueue(small, 'tsv', 1920, 1080, '', max_attempts=3)
        out = js.job_out(token)
        killed = 0
        deadline = time.time() + 120
        while killed < 3 and time.time() < deadline:
            kids = subprocess.run(['pgrep', '-P', str(d.pid)], capture_output=True,
                                  text=True).stdout.split()
            for k in kids:
                if writing_into(int(k), out):
                    os.kill(int(k), signal.SIGKILL)
                    killed += 1
                    wait_until(lambda: not pid_alive(int(k)), 10)
                    break
            time.sleep(0.002)
        c.check(killed == 3, 'three attempts killed mid-write (%d)' % killed)
        s = js.wait_final([token])[token]
        c.check(s['state'] == 'failed' and s['attempts'] == 3 and
                s.get('exit_signal') == signal.SIGKILL,
                'killed on every attempt, the job fails after 3: %r' % s)
        c.check(s.get('error_domain') == 'jobs' and s.get('error_name') == 'JOBS_ERR_UNAVAILABLE',
                'the error is the job system\'s, named: %r' % s)
        left = os.listdir(out) if os.path.isdir(out) else []
        c.check(not left, 'no output, partial or whole, is left: %s' % left)
    finally:
        js.finish()


SCENARIOS = {
    'corpus': scenario_corpus,
    'faults': scenario_faults,
    'recovery': scenario_recovery,
    'nomemcached': scenario_nomemcached,
    'lifetime': scenario_lifetime,
    'partials': scenario_partials,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--scenario', required=True, choices=sorted(SCENARIOS))
    ap.add_argument('--dispatcher', required=True)
    ap.add_argument('--ctl', required=True)
    ap.add_argument('--trackport', required=True)
    ap.add_argument('--corpus', required=True)
    ap.add_argument('--work', required=True)
    args = ap.parse_args()
    c = Checks()
    t0 = time.time()
    try:
        SCENARIOS[args.scenario](args, c)
    except Exception as exc:   # a broken scenario is a failure, never a silent pass
        import traceback
        traceback.print_exc()
        c.check(False, 'scenario %s raised %r' % (args.scenario, exc))
    print('scenario %s took %.1f s' % (args.scenario, time.time() - t0))
    return c.summary()


if __name__ == '__main__':
    sys.exit(main())
