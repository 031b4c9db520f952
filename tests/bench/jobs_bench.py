#!/usr/bin/env python3
"""jobs_bench.py — the job system's benchmark, run on demand (never a test).

Usage: jobs_bench.py BUILD_DIR [--quick]

Measures, in one run on this machine:
  - the store alone (build/tests/jobs_bench store): enqueue, claim, finish per second;
  - the dispatcher (build/dispatcher/trackport-dispatcher, max_children = online CPUs, a real
    memcached): enqueue → child-start latency p50/p99 one job at a time, and end-to-end
    throughput of tiny jobs (a 5-line tsv converted to tsv), fork per job;
  - a submission's insert (write-lock wait and commit) while the dispatcher and its
    children run a backlog of tiny jobs: what the site's lock budget is chosen from;
  - beanstalkd (/usr/bin/beanstalkd) on loopback with a minimal client here: put,
    reserve+delete per second, and put → reserve latency with a waiting consumer.
Writes the table to tests/bench/out/jobs_bench.md and prints it.
Targets: pickup p50 < 5 ms, >= 1,000 tiny jobs/s end to end on 2 cores.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from harness import free_port, wait_port  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TINY_TSV = ('# width\t720\n# height\t576\ntracker\tframe\tx\ty\tresidual\n'
            'tracker1\t0\t0.500000\t0.500000\t0.000000\n'
            'tracker1\t1\t1.500000\t0.750000\t0.000000\n')


def pct(values, p):
    v = sorted(values)
    return v[int(p * (len(v) - 1) + 0.5)]


# ------------------------------------------------------------------ beanstalkd

class Beanstalk:
    def __init__(self, port):
        self.s = socket.create_connection(('127.0.0.1', port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.f = self.s.makefile('rb')

    def cmd(self, line, body=None):
        data = line.encode() + b'\r\n'
        if body is not None:
            data += body + b'\r\n'
        self.s.sendall(data)
        return self.f.readline().split()

    def put(self, body):
        r = self.cmd('put 0 0 60 %d' % len(body), body)
        assert r[0] == b'INSERTED', r
        return int(r[1])

    def reserve(self):
        r = self.cmd('reserve')
        assert r[0] == b'RESERVED', r
        body = self.f.read(int(r[2]) + 2)[:-2]
        return int(r[1]), body

    def delete(self, jid):
        r = self.cmd('delete %d' % jid)
        assert r[0] == b'DELETED', r


def bench_beanstalkd(n, lat_n):
    port = free_port()
    proc = subprocess.Popen(['beanstalkd', '-l', '127.0.0.1', '-p', str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        c = Beanstalk(port)
        body = b'{"exporters":["tsv"],"input":"/bench/input.tsv"}'
        t0 = time.perf_counter()
        for _ in range(n):
            c.put(body)
        t1 = time.perf_counter()
        for _ in range(n):
            jid, _ = c.reserve()
            c.delete(jid)
        t2 = time.perf_counter()
        # put → reserve with a consumer waiting in reserve, one job at a time
        consumer = Beanstalk(port)
        lat = []
        got = threading.Event()

        def consume():
            for _ in range(lat_n):
                jid, b = consumer.reserve()
                lat.append((time.perf_counter() - float(b)) * 1000)
                consumer.delete(jid)
                got.set()
        th = threading.Thread(target=consume)
        th.start()
        for _ in range(lat_n):
            got.clear()
            c.put(repr(time.perf_counter()).encode())
            got.wait(5)
            time.sleep(0.002)
        th.join(10)
        return {'put_per_s': n / (t1 - t0), 'reserve_delete_per_s': n / (t2 - t1),
                'pickup_p50_ms': pct(lat, 0.5), 'pickup_p99_ms': pct(lat, 0.99)}
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(10)


# ------------------------------------------------------------------ trackport

def run_json(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError('%s: %s' % (' '.join(cmd), r.stderr))
    return json.loads(r.stdout.strip().splitlines()[-1])


def bench_dispatcher(build, work, lat_n, tp_n):
    data = os.path.join(work, 'data')
    os.makedirs(os.path.join(data, 'jobs'))   # the site and trackportctl make it
    tiny = os.path.join(work, 'tiny.tsv')
    with open(tiny, 'w') as f:
        f.write(TINY_TSV)
    mc_port = free_port()
    cmd = ['memcached', '-l', '127.0.0.1', '-p', str(mc_port), '-U', '0', '-m', '64']
    if os.getuid() == 0:
        cmd += ['-u', 'root']
    mc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    config = os.path.join(work, 'trackport.conf')
    with open(config, 'w') as f:
        f.write('data_dir = %s\nmemcached_servers = 127.0.0.1:%d\nlog_level = warn\n'
                'max_children = 0\nretention_hours = 0\n' % (data, mc_port))
    disp = None
    try:
        wait_port(mc_port)
        log = open(os.path.join(work, 'dispatcher.log'), 'w')
        disp = subprocess.Popen([os.path.join(build, 'dispatcher', 'trackport-dispatcher'),
                                 '--config', config], stdout=subprocess.DEVNULL, stderr=log)
        sock = os.path.join(data, 'dispatcher.sock')
        deadline = time.time() + 10
        while not os.path.exists(sock) and time.time() < deadline:
            time.sleep(0.01)
        bench = os.path.join(build, 'tests', 'jobs_bench')
        lat = run_json([bench, 'latency', config, tiny, str(lat_n)])
        tp = run_json([bench, 'throughput', config, tiny, str(tp_n)])
        lock = run_json([bench, 'lockwait', config, tiny, str(lat_n * 4)])
        with open('/proc/%d/status' % disp.pid) as f:
            rss = [l.split()[1] for l in f if l.startswith('VmRSS')][0]
        return lat, tp, lock, int(rss)
    finally:
        if disp:
            os.kill(disp.pid, signal.SIGTERM)
            disp.wait(30)
        os.kill(mc.pid, signal.SIGTERM)
        mc.wait(10)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    build = os.path.abspath(sys.argv[1])
    quick = '--quick' in sys.argv
    work = os.path.join(build, 'bench-jobs')
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    n_store = 5000 if quick else 50000
    load_before = os.getloadavg()[0]
    store = run_json([os.path.join(build, 'tests', 'jobs_bench'), 'store',
                      os.path.join(work, 'store.db'), str(n_store)])
    lat, tp, lock, rss = bench_dispatcher(build, work, 50 if quick else 300, 500 if quick else 3000)
    bs = bench_beanstalkd(n_store, 50 if quick else 300)

    cpus = os.cpu_count()
    load_after = os.getloadavg()[0]
    rows = [
        ('queue: enqueue (put) per s', '%.0f' % store['enqueue_per_s'],
         '%.0f' % bs['put_per_s']),
        ('queue: claim (reserve) per s', '%.0f' % store['claim_per_s'], '—'),
        ('queue: finish (delete) per s', '%.0f' % store['finish_per_s'], '—'),
        ('queue: reserve + delete per s',
         '%.0f' % (1 / (1 / store['claim_per_s'] + 1 / store['finish_per_s'])),
         '%.0f' % bs['reserve_delete_per_s']),
        ('pickup latency p50 (ms)', '%.1f' % lat['pickup_p50_ms'], '%.2f' % bs['pickup_p50_ms']),
        ('pickup latency p99 (ms)', '%.1f' % lat['pickup_p99_ms'], '%.2f' % bs['pickup_p99_ms']),
        ('enqueue → done p50 / p99 (ms), tiny job', '%.1f / %.1f' % (lat['done_p50_ms'],
                                                                      lat['done_p99_ms']), '—'),
        ('tiny jobs/s end to end, fork per job (%d queued at once)' % tp['n'],
         '%.0f' % tp['jobs_per_s'], '—'),
        ('dispatcher RSS after the run (KiB)', '%d' % rss, '—'),
        ('submission insert under load p50 / p99 / max (ms), %d tries' % lock['n'],
         '%.2f / %.2f / %.2f' % (lock['insert_p50_ms'], lock['insert_p99_ms'],
                                 lock['insert_max_ms']), '—'),
    ]
    verdict = [
        'pickup p50 < 5 ms: %s (%.1f ms)' % ('met' if lat['pickup_p50_ms'] < 5 else 'NOT met',
                                             lat['pickup_p50_ms']),
        '>= 1,000 tiny jobs/s end to end: %s (%.0f/s on %d CPUs)'
        % ('met' if tp['jobs_per_s'] >= 1000 else 'NOT met', tp['jobs_per_s'], cpus),
    ]
    lines = ['# Job system benchmark (%s, %d CPUs%s)' % (time.strftime('%Y-%m-%d %H:%M'), cpus,
                                                          ', quick' if quick else ''),
             '',
             '| measure | trackport (SQLite store, dispatcher) | beanstalkd (loopback) |',
             '|---|---|---|']
    lines += ['| %s | %s | %s |' % r for r in rows]
    lines += ['', 'Store: %d jobs, each call its own transaction (C, public API); claim plan: %s'
              % (store['n'], store['claim_plan'].strip()),
              'beanstalkd: %d jobs, a Python client on one connection (its per-call overhead '
              'is included); pickup is put → reserve with a consumer waiting.' % n_store,
              'trackport pickup: created → claimed (the dispatcher forks right after the claim), '
              'one job at a time, woken through its socket as the site does.',
              'Tiny job: a 2-keyframe tsv converted to tsv by a forked child with its own SQLite '
              'and memcached connections (real memcached).',
              'Load average (1 min) before / after: %.1f / %.1f on %d CPUs — numbers taken on a '
              'busy machine are CPU-starved; compare rows of the same run.' % (load_before,
                                                                               load_after, cpus),
              ''] + verdict
    text = '\n'.join(lines) + '\n'
    out = os.path.join(HERE, 'out')
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'jobs_bench.md'), 'w') as f:
        f.write(text)
    print(text)
    shutil.rmtree(os.path.join(work, 'data'), ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
