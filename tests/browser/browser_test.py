#!/usr/bin/env python3
"""The page in a real headless Chromium: starts the site (tests/site/sitelib.py), installs
playwright-core and axe-core from package-lock.json into the build tree (npm ci, only when
the lock changed), runs browser_test.js against the site, and compares the outputs it
downloaded with direct `trackport` runs of the same samples, sizes and edits in the same
order.

  browser_test.py BUILD_DIR CORPUS_DIR OUT_DIR

Screenshots and downloads land in OUT_DIR. Prints which check groups ran and which were
skipped (parts of the site a probe did not find), then "N passed, M failed".
Environment: TP_CHROMIUM (default /usr/bin/chromium), TP_NPM (default npm).
"""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'site'))
from sitelib import Checks, Site, finish_site  # noqa: E402

SAMPLES = {
    'nuke': 'samples/nuke/018.nk',                                  # needs the comp size
    'carries_size': 'samples/flame_stabilizer/fromTracksperanto.stabilizer',  # 720 x 576
    'offframe': 'samples/shake_text/two_shake_trackers.txt',        # x 2100-2550
    'bad': 'samples/shake_script/shake_tracker_with_no_anim.shk',   # no usable tracker
    'batch': ['samples/shake_text/two_shake_trackers.txt', 'samples/shake_text/one_shake_tracker.txt',
              'samples/shake_text/one_shake_tracker_from_first.txt'],
}
MAX_UPLOAD = 2 << 20
LONG_HEAD = 'samples/flame_stabilizer/Flame_Stabilizer_2012.stabilizer'  # 1st tracker past 64 KiB
# What the page sent for each download, as command-line arguments in the same order.
CLI_RUNS = {
    'keyboard': ('nuke', ['-f', 'nukescript', '-w', '1920', '-h', '1080']),
    'crop_then_undistort': ('offframe', ['-f', 'shaketext', '-w', '1920', '-h', '1080',
                                         '--crop', '200,0,0,0', '--undistort', '0.05']),
    'undistort_then_crop': ('offframe', ['-f', 'shaketext', '-w', '1920', '-h', '1080',
                                         '--undistort', '0.05', '--crop', '200,0,0,0']),
}


def install_playwright(build):
    """node_modules for browser_test.js under BUILD_DIR/tests/browser_node; returns its path.
    npm ci runs only when the lock file differs from the one installed last."""
    dest = os.path.join(build, 'tests', 'browser_node')
    lock = os.path.join(HERE, 'package-lock.json')
    stamp = os.path.join(dest, 'package-lock.json')
    modules = os.path.join(dest, 'node_modules')
    with open(lock, 'rb') as f:
        want = f.read()
    if os.path.isdir(os.path.join(modules, 'playwright-core')) and os.path.exists(stamp):
        with open(stamp, 'rb') as f:
            if f.read() == want:
                return modules
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    for name in ('package.json', 'package-lock.json'):
        shutil.copy(os.path.join(HERE, name), os.path.join(dest, name))
    npm = os.environ.get('TP_NPM', 'npm')
    # --ignore-scripts: playwright-core needs no install step (the system's Chromium is used).
    run = subprocess.run([npm, 'ci', '--ignore-scripts', '--no-audit', '--no-fund'], cwd=dest,
                         capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        raise RuntimeError('npm ci failed:\n' + run.stdout + run.stderr)
    return modules


def check_api(t, site, corpus):
    """What the page builds on: limits in /api/formats, the comp size from /api/detect, and a
    detect request that reads only a bounded head of what it is sent."""
    r, f = site.get_json('/api/formats')
    t.check(f.get('limits') == {'max_upload_bytes': MAX_UPLOAD, 'retention_seconds': 168 * 3600},
            '/api/formats limits: %r' % f.get('limits'))
    with open(os.path.join(corpus, SAMPLES['carries_size']), 'rb') as fh:
        head = fh.read()
    r = site.request('POST', '/api/detect?name=a.stabilizer', body=head,
                     headers={'Content-Type': 'application/octet-stream'})
    t.check(r.status == 200 and r.json().get('comp_size') == [720, 576],
            '/api/detect of a Flame file: %d %r' % (r.status, r.body[:200]))
    with open(os.path.join(corpus, SAMPLES['nuke']), 'rb') as fh:
        head = fh.read()
    r = site.request('POST', '/api/detect?name=a.nk', body=head,
                     headers={'Content-Type': 'application/octet-stream'})
    t.check(r.status == 200 and r.json().get('comp_size') is None and r.json().get('needs_size'),
            '/api/detect of a Nuke script: %r' % r.body[:200])
    # Only the head is read: a file whose first tracker ends past it gives no size, however
    # long the body sent.
    with open(os.path.join(corpus, LONG_HEAD), 'rb') as fh:
        big = fh.read() + b'\n' * (1 << 20)
    r = site.request('POST', '/api/detect?name=a.stabilizer', body=big,
                     headers={'Content-Type': 'application/octet-stream'})
    t.check(r.status == 200 and r.json().get('importer') == 'flamestabilizer' and
            r.json().get('comp_size') is None,
            '/api/detect of a long body: %d %r' % (r.status, r.body[:200]))


def check_edit_refusal(t, site, corpus):
    """A refused edit names its field and its position among the edit fields, which is how
    the page marks it."""
    fields = [('width', '1920'), ('height', '1080'), ('edit.slip', '3'), ('edit.prefix', ''),
              ('edit.crop', '200,left'), ('edit.flip', '1')]
    status, data, body = site.upload(os.path.join(corpus, SAMPLES['offframe']), fields)
    t.check(status == 400 and data and data.get('field') == 'edit.crop' and data.get('index') == 2,
            'a refused --crop: %d %r' % (status, body[:300]))


def main(argv):
    build, corpus, out = (os.path.abspath(a) for a in argv[1:4])
    t = Checks()
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    with open(os.path.join(corpus, 'manifest.json')) as f:
        manifest = {e['sample']: e for e in json.load(f)}
    modules = install_playwright(build)
    big_file = os.path.join(out, 'too_big.txt')
    with open(big_file, 'wb') as f:
        f.write(b'0 0 0\n' * ((MAX_UPLOAD + (1 << 20)) // 6))

    site = Site(build, os.path.join(out, 'site'), max_upload=MAX_UPLOAD,
                extra_conf='rlimit_as_mb = 0\n')
    site.start()
    result = None
    try:
        check_api(t, site, corpus)
        check_edit_refusal(t, site, corpus)
        samples = {k: ([os.path.join(corpus, p) for p in v] if isinstance(v, list)
                       else os.path.join(corpus, v)) for k, v in SAMPLES.items()}
        config = {
            'site': site.url(''), 'out': out, 'samples': samples, 'big_file': big_file,
            'dispatcher_pid': site.dispatcher_pid(), 'max_upload_bytes': MAX_UPLOAD,
            'nuke_trackers': manifest[SAMPLES['nuke']]['trackers'],
            'axe': os.path.join(modules, 'axe-core', 'axe.min.js'),
        }
        t.check(config['dispatcher_pid'] > 0, 'no dispatcher runs')
        with open(os.path.join(out, 'config.json'), 'w') as f:
            json.dump(config, f)
        env = dict(os.environ)
        env['NODE_PATH'] = modules
        # The sanitizers' options are for the site's programs, not for Chromium.
        for var in ('ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS'):
            env.pop(var, None)
        run = subprocess.run(['node', os.path.join(HERE, 'browser_test.js'),
                              os.path.join(out, 'config.json')],
                             env=env, capture_output=True, text=True, timeout=540)
        lines = run.stdout.strip().splitlines()
        for line in lines[:-1]:
            print(line)
        if run.stderr.strip():
            print(run.stderr.strip()[-3000:])
        try:
            result = json.loads(lines[-1]) if lines else None
        except ValueError:
            print(lines[-1])
        if t.check(result is not None, 'browser_test.js printed no result'):
            t.passed += result['passed']
            t.failed += result['failed']
            for name in result['ran']:
                print('ran:     %s' % name)
            for name in result['skipped']:
                print('skipped: %s' % name)
    finally:
        finish_site(t, site)

    # Each download equals what the command line writes for the same file, size and edits.
    got = (result or {}).get('downloads', {})
    for key, (sample, args) in CLI_RUNS.items():
        dl = got.get(key)
        if not t.check(dl and os.path.exists(dl['path']), 'nothing was downloaded for %s' % key):
            continue
        direct = os.path.join(out, 'direct-' + key)
        os.makedirs(direct)
        subprocess.run([site.trackport] + args + ['--output-dir', direct,
                                                  os.path.join(corpus, SAMPLES[sample])],
                       capture_output=True, check=True)
        ref = os.path.join(direct, dl['name'])
        if t.check(os.path.exists(ref), 'the command line wrote no %s' % dl['name']):
            with open(ref, 'rb') as a, open(dl['path'], 'rb') as b:
                t.check(a.read() == b.read(), '%s (%s) differs from the command line\'s'
                        % (dl['name'], key))
    orders = [got.get(k) for k in ('crop_then_undistort', 'undistort_then_crop')]
    if all(orders):
        with open(orders[0]['path'], 'rb') as a, open(orders[1]['path'], 'rb') as b:
            t.check(a.read() != b.read(), 'the order of the edits made no difference')
    shots = sorted(f for f in os.listdir(out) if f.endswith('.png'))
    t.check(len(shots) >= 14 and all(os.path.getsize(os.path.join(out, f)) > 10000 for f in shots),
            'screenshots: %r' % shots)
    print('screenshots and downloads in %s' % out)
    return t.summary()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
