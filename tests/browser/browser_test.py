#!/usr/bin/env python3
"""The page in a real headless Chromium: starts the site (tests/site/sitelib.py), installs
playwright-core from package-lock.json into the build tree (npm ci, only when the lock
changed), runs browser_test.js against the site, and compares the output it downloaded with
a direct `trackport` run of the same sample.

  browser_test.py BUILD_DIR CORPUS_DIR OUT_DIR

Screenshots and the download land in OUT_DIR. Prints "N passed, M failed".
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

NUKE_SAMPLE = 'samples/nuke/018.nk'
BAD_SAMPLE = 'samples/shake_script/shake_tracker_with_no_anim.shk'


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


def main(argv):
    build, corpus, out = (os.path.abspath(a) for a in argv[1:4])
    t = Checks()
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    with open(os.path.join(corpus, 'manifest.json')) as f:
        entry = next(e for e in json.load(f) if e['sample'] == NUKE_SAMPLE)
    modules = install_playwright(build)

    site = Site(build, os.path.join(out, 'site'), extra_conf='rlimit_as_mb = 0\n')
    site.start()
    result = None
    try:
        env = dict(os.environ)
        env['NODE_PATH'] = modules
        # The sanitizers' options are for the site's programs, not for Chromium.
        for var in ('ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS'):
            env.pop(var, None)
        run = subprocess.run(['node', os.path.join(HERE, 'browser_test.js'), site.url(''),
                              os.path.join(corpus, NUKE_SAMPLE), str(entry['width_given']),
                              str(entry['height_given']), os.path.join(corpus, BAD_SAMPLE),
                              out], env=env, capture_output=True, text=True, timeout=240)
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
    finally:
        finish_site(t, site)

    # The download equals what the command line writes for the same file and size.
    if t.check(result and result.get('download') and os.path.exists(result['download']),
               'nothing was downloaded'):
        direct = os.path.join(out, 'direct')
        os.makedirs(direct)
        subprocess.run([site.trackport, '-f', entry['importer'], '-w', str(entry['width_given']),
                        '-h', str(entry['height_given']), '--output-dir', direct,
                        os.path.join(corpus, NUKE_SAMPLE)], capture_output=True, check=True)
        ref = os.path.join(direct, result['name'])
        if t.check(os.path.exists(ref), 'the command line wrote no %s' % result['name']):
            with open(ref, 'rb') as a, open(result['download'], 'rb') as b:
                t.check(a.read() == b.read(), '%s differs from the command line\'s'
                        % result['name'])
    for shot in ('job-done.png', 'job-failed.png'):
        t.check(os.path.getsize(os.path.join(out, shot)) > 10000 if os.path.exists(
            os.path.join(out, shot)) else False, 'no screenshot %s' % shot)
    print('screenshots and download in %s' % out)
    return t.summary()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
