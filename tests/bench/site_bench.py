#!/usr/bin/env python3
"""The site benchmark (on demand, never a test). One lighttpd (tests/site/sitelib.py: the
real trackport-fcgi, dispatcher and memcached on loopback) serves four things that wrk
measures one after the other, one run each:

  status, running job   GET /jobs/<token>/status of a job that converts during the run
                        (answered from memcached alone)
  status, finished job  the same for a done job (answered from SQLite)
  static file           /style.css, lighttpd alone
  FastCGI hello         a bare libfcgi program (site_bench.c) that lighttpd spawns the same
                        way as trackport-fcgi (bin-path, unix socket, same max-procs)

The table (req/s, latency, ratio to the hello) is printed and written to
tests/bench/out/site_bench.md. The target is status >= 50% of the hello.

A second part (archive_bench, written to tests/bench/out/site_bench_archive.md) converts the
2,000 trackers x 1,000 frames file of converter_bench.py (2M keyframes, every exporter) and
a small corpus file, reports what the archives cost each job (time in the child, bytes on
disk), then measures the time to the first byte of the big job's all.zip once it is done,
and the latency of another job's status and of /health (sequential requests, p50/p99/max)
while two clients download that archive again and again. Targets: p99 under 50 ms, first
byte within 1 s.

  site_bench.py BUILD_DIR [--duration S] [--connections N] [--threads N]
                          [--part all|status|archive] [--download-seconds S]
"""
import argparse
import datetime
import http.client
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(SOURCE, 'tests', 'site'))
from sitelib import Site  # noqa: E402

sys.path.insert(0, HERE)
from converter_bench import write_tsv  # noqa: E402

SAMPLE = os.path.join(SOURCE, '..', 'shared', 'corpus', 'samples', 'nuke', '018.nk')

HELLO_BLOCK = '''
$HTTP["url"] == "/bench/hello" {
  fastcgi.server = ( "" => ( "hello" => (
    "socket"      => "@RUN_DIR@/bench-hello.sock",
    "bin-path"    => "%s",
    "max-procs"   => %d,
    "check-local" => "disable",
  )))
}
'''


def build_hello(build):
    out = os.path.join(build, 'tests', 'bench', 'site_bench_hello')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    flags = subprocess.run(['pkg-config', '--cflags', '--libs', 'fcgi'], capture_output=True,
                           text=True)
    libs = flags.stdout.split() if flags.returncode == 0 and flags.stdout.strip() else ['-lfcgi']
    subprocess.run(['cc', '-std=c11', '-O2', '-Wall', '-Wextra', '-Werror',
                    os.path.join(HERE, 'site_bench.c'), '-o', out] + libs, check=True)
    return out


def long_input(path):
    """A tiny file that converts for several seconds: two keyframes per tracker, filled in
    by the lerp edit, then slipped before frame 0 and trimmed away, so nothing is written."""
    with open(path, 'w') as f:
        f.write('# width\t1920\n# height\t1080\ntracker\tframe\tx\ty\tresidual\n')
        for t in range(300):
            f.write('T%d\t0\t10\t10\t0\nT%d\t9000000\t1900\t1000\t0\n' % (t, t))


def wrk(url, duration, connections, threads):
    cmd = ['wrk', '-t%d' % threads, '-c%d' % connections, '-d%ds' % duration, '--latency',
           '-H', 'Accept: application/json', url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
    rps = re.search(r'Requests/sec:\s+([\d.]+)', out)
    lat = re.search(r'Latency\s+([\d.]+\w+)', out)
    p99 = re.search(r'99%\s+([\d.]+\w+)', out)
    bad = re.search(r'Non-2xx or 3xx responses:\s+(\d+)', out)
    total = re.search(r'(\d+) requests in', out)
    return {
        'rps': float(rps.group(1)) if rps else 0.0,
        'latency': lat.group(1) if lat else '?',
        'p99': p99.group(1) if p99 else '?',
        'bad': int(bad.group(1)) if bad else 0,
        'requests': int(total.group(1)) if total else 0,
        'raw': out,
    }


def machine():
    """When and where: date, architecture, CPUs, load average, lighttpd's version."""
    return '%s, %s, %d CPUs (load average %.1f), %s' % (
        datetime.datetime.now().strftime('%Y-%m-%d %H:%M'), platform.machine(), os.cpu_count(),
        os.getloadavg()[0], subprocess.run(['lighttpd', '-v'], capture_output=True,
                                           text=True).stdout.split(' - ')[0].strip())


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100.0))] if v else float('nan')


def sample_latency(site, path, stop, out):
    """Sequential GETs of path until stop is set; appends each answer's time in ms (a
    non-200 answer counts as an error, kept apart)."""
    while not stop.is_set():
        start = time.perf_counter()
        try:
            r = site.request('GET', path, headers={'Accept': 'application/json'}, timeout=30)
            ok = r.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
        ms = (time.perf_counter() - start) * 1000
        out.append(ms if ok else -1.0)
        time.sleep(0.005)


def first_byte(site, path):
    """Seconds to the first byte of the body of path, and the answer's status."""
    conn = http.client.HTTPConnection('127.0.0.1', site.port, timeout=60)
    start = time.perf_counter()
    conn.request('GET', path)
    r = conn.getresponse()
    r.read(1)
    took = time.perf_counter() - start
    conn.close()
    return took, r.status


def download_loop(url, stop, totals):
    """Downloads url to /dev/null again and again until stop is set (curl, one at a time)."""
    while not stop.is_set():
        out = subprocess.run(['curl', '-s', '-o', os.devnull, '-w', '%{size_download}', url],
                             capture_output=True, text=True)
        try:
            totals.append(int(float(out.stdout or 0)))
        except ValueError:
            pass


def run_job(site, path, fields):
    """Uploads, waits until final; returns (status JSON, seconds from upload to done)."""
    start = time.time()
    code, data, body = site.upload(path, fields, timeout=600)
    assert code == 202, body[:300]
    s = site.wait_final(data['token'], timeout=1800)
    assert s and s['state'] == 'done', s
    return s, time.time() - start


def latency_row(name, values):
    ok = [v for v in values if v >= 0]
    return '| %s | %d | %.1f | %.1f | %.1f | %d |' % (name, len(ok), pct(ok, 50), pct(ok, 99),
                                                     max(ok) if ok else float('nan'),
                                                     len(values) - len(ok))


def archive_bench(build, args):
    work = os.path.join(build, 'tests', 'bench', 'site_bench_archive')
    # The big job writes 2.6 GB of outputs: this site allows it (the default bound is 2 GB).
    site = Site(build, work, max_procs=args.max_procs, max_children=1, max_upload=256 << 20,
                extra_conf='job_max_output_mb = 8192\n')
    site.start()
    lines = []
    try:
        big = os.path.join(work, 'big.tsv')
        write_tsv(big, 2000, 1000)
        small, small_job_s = run_job(site, SAMPLE, [('importer', 'nukescript'),
                                                    ('width', '1920'), ('height', '1080')])
        bigs, big_job_s = run_job(site, big, [('importer', 'tsv')])
        token = bigs['token']
        zip_path = '/jobs/%s/all.zip' % token
        fb_s, fb_status = first_byte(site, zip_path)

        def costs(name, s, wall):
            outs = sum(o['bytes'] for o in s['outputs'])
            all_zip = s['archives'][0]['bytes']
            per_app = sum(a['bytes'] for a in s['archives'][1:])
            t = s.get('timings') or {}
            return '| %s | %d | %.1f MB | %.2f s | %.2f s | %.1f MB | %.1f MB (%d) | %.0f%% | %.1f s |' % (
                name, s['summary']['keyframes'], outs / 1e6, t.get('convert_ms', 0) / 1000.0,
                t.get('archives_ms', 0) / 1000.0, all_zip / 1e6, per_app / 1e6,
                len(s['archives']) - 1, 100.0 * (all_zip + per_app) / max(outs, 1), wall)

        # Latency on the idle site, then while two clients download the big archive.
        def measure(downloads):
            stop = threading.Event()
            status_ms, health_ms, totals = [], [], []
            threads = [threading.Thread(target=sample_latency,
                                        args=(site, '/jobs/%s/status' % small['token'], stop,
                                              status_ms)),
                       threading.Thread(target=sample_latency,
                                        args=(site, '/health', stop, health_ms))]
            threads += [threading.Thread(target=download_loop,
                                         args=(site.url(zip_path), stop, totals))
                        for _ in range(downloads)]
            started = time.time()
            for th in threads:
                th.start()
            time.sleep(args.download_seconds)
            stop.set()
            for th in threads:
                th.join()
            return status_ms, health_ms, sum(totals) / max(time.time() - started, 1e-9)

        idle_status, idle_health, _ = measure(0)
        busy_status, busy_health, rate = measure(2)
    finally:
        site.stop()
    lines += [
        '# Site benchmark: archives',
        '',
        '%s; lighttpd max-procs %d for trackport-fcgi; one converter child; '
        'archive_level 1 (deflate); X-Sendfile downloads.' % (machine(), args.max_procs),
        '',
        'What the archives cost a job (in the converter child, after the outputs): all.zip '
        'compresses every output; the archives per application copy its compressed entries.',
        '',
        '| job | keyframes | outputs | convert | archives | all.zip | per application | '
        'archives / outputs | upload to done |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
        costs('018.nk (small)', small, small_job_s),
        costs('2,000 x 1,000 TSV (big)', bigs, big_job_s),
        '',
        'First byte of the big job\'s all.zip once the job is done: %.1f ms (HTTP %d; target '
        'under 1 s: %s).' % (fb_s * 1000, fb_status, 'met' if fb_s < 1 and fb_status == 200
                             else 'NOT met'),
        '',
        'Latency (ms) of sequential requests, on the idle site and for %d s while two clients '
        'download the big all.zip over and over (%.0f MB/s together):' % (
            args.download_seconds, rate / 1e6),
        '',
        '| request | answers | p50 | p99 | max | errors |',
        '|---|---:|---:|---:|---:|---:|',
        latency_row('status of another job, idle', idle_status),
        latency_row('/health, idle', idle_health),
        latency_row('status of another job, 2 downloads', busy_status),
        latency_row('/health, 2 downloads', busy_health),
        '',
    ]
    worst = max(pct([v for v in busy_status if v >= 0], 99),
                pct([v for v in busy_health if v >= 0], 99))
    lines.append('Target: p99 under 50 ms during the downloads: %s (worst p99 %.1f ms).' % (
        'met' if worst < 50 else 'NOT met', worst))
    text = '\n'.join(lines) + '\n'
    print(text)
    out_dir = os.path.join(HERE, 'out')
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, 'site_bench_archive.md'), 'w') as f:
        f.write(text)
    shutil.rmtree(work, ignore_errors=True)
    return 0


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument('build')
    ap.add_argument('--duration', type=int, default=5)
    ap.add_argument('--connections', type=int, default=16)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--max-procs', type=int, default=2)
    ap.add_argument('--part', choices=('all', 'status', 'archive'), default='all')
    ap.add_argument('--download-seconds', type=int, default=20)
    args = ap.parse_args(argv[1:])
    build = os.path.abspath(args.build)
    if args.part == 'archive':
        return archive_bench(build, args)
    if not shutil.which('wrk'):
        print('site_bench: wrk is not installed (make deps)')
        return 1
    hello = build_hello(build)
    work = os.path.join(build, 'tests', 'bench', 'site_bench_work')
    site = Site(build, work, max_procs=args.max_procs, max_children=1,
                extra_lighttpd=HELLO_BLOCK % (hello, args.max_procs))
    site.start()
    rows = []
    notes = []
    try:
        r = site.request('GET', '/bench/hello')
        assert r.status == 200, 'the hello answered %d' % r.status
        # A finished job.
        code, data, body = site.upload(SAMPLE, [('importer', 'nukescript'), ('width', '1920'),
                                                ('height', '1080')])
        assert code == 202, body
        done = site.wait_final(data['token'])
        assert done['state'] == 'done', done
        # A job that runs for the whole measurement.
        path = os.path.join(work, 'long.tsv')
        long_input(path)
        code, data, body = site.upload(path, [('importer', 'tsv'), ('exporters', 'tsv'),
                                              ('edit.lerp', '1'), ('edit.slip', '-300000000'),
                                              ('edit.trim', '1')])
        assert code == 202, body
        running = data['token']
        deadline = time.time() + 30
        while time.time() < deadline:
            _, s = site.get_json('/jobs/%s/status' % running)
            if s['state'] == 'running' and s.get('percent', 0) > 0:
                break  # live progress (the state from SQLite, the percent from memcached)
            time.sleep(0.02)
        else:
            raise RuntimeError('the long job never showed live progress: %r' % s)

        # The long job keeps one core busy: the running job's status is compared with a
        # hello measured under the same load, the rest with a hello on an idle machine.
        plan = [
            ('status, running job (memcached)', '/jobs/%s/status' % running),
            ('bare FastCGI hello, while the job runs', '/bench/hello'),
            ('status, finished job (SQLite)', '/jobs/%s/status' % done['token']),
            ('static file (/style.css)', '/style.css'),
            ('bare FastCGI hello', '/bench/hello'),
        ]
        for name, url_path in plan:
            wrk(site.url(url_path), 1, args.connections, args.threads)  # warm-up
            res = wrk(site.url(url_path), args.duration, args.connections, args.threads)
            res['name'] = name
            rows.append(res)
            if name.startswith(('status, running', 'bare FastCGI hello, while')):
                _, s = site.get_json('/jobs/%s/status' % running)
                if s['state'] != 'running' or 'input_name' in s:
                    notes.append('The long job was no longer running (or memcached had no fresh '
                                 'value) at the end of its run: %s.' % s['state'])
            if name.startswith('bare FastCGI hello, while'):
                # The rest is measured on an idle machine.
                site.request('POST', '/jobs/%s/cancel' % running,
                             headers={'Accept': 'application/json'})
                site.wait_final(running)
                time.sleep(1)
    finally:
        site.stop()

    hello_rps = next(r['rps'] for r in rows if r['name'] == 'bare FastCGI hello') or 1.0
    busy_rps = next(r['rps'] for r in rows if r['name'].startswith('bare FastCGI hello, while'))
    busy_rps = busy_rps or 1.0

    def base(r):
        return busy_rps if r['name'].startswith(('status, running', 'bare FastCGI hello, while')) \
            else hello_rps
    lines = [
        '# Site benchmark',
        '',
        '%s; wrk -t%d -c%d -d%ds (after a 1 s warm-up), one run each; '
        'lighttpd max-procs %d for trackport-fcgi and for the hello.' % (
            machine(), args.threads, args.connections, args.duration, args.max_procs),
        '',
        '"vs hello": against the hello measured in the same conditions (while the long job '
        'converts, for the running job; on an idle site otherwise).',
        '',
        '| endpoint | req/s | mean latency | p99 latency | non-2xx | vs hello |',
        '|---|---:|---:|---:|---:|---:|',
    ]
    for r in rows:
        lines.append('| %s | %.0f | %s | %s | %d | %.0f%% |' % (
            r['name'], r['rps'], r['latency'], r['p99'], r['bad'], 100 * r['rps'] / base(r)))
    status_ratio = min(r['rps'] / base(r) for r in rows if r['name'].startswith('status'))
    lines += ['', 'Target: status >= 50%% of the bare FastCGI hello: %s (worst status %.0f%%).'
              % ('met' if status_ratio >= 0.5 else 'NOT met', 100 * status_ratio)]
    lines += [''] + notes if notes else []
    text = '\n'.join(lines) + '\n'
    print(text)
    out_dir = os.path.join(HERE, 'out')
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, 'site_bench.md'), 'w') as f:
        f.write(text)
    if args.part == 'all':
        return archive_bench(build, args)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
