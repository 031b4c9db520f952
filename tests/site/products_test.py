#!/usr/bin/env python3
"""What a job makes besides its outputs, through the real site (lighttpd spawning
trackport-fcgi and the dispatcher, memcached, SQLite on loopback ports):

  products_test.py SCENARIO BUILD_DIR CORPUS_DIR WORK_DIR

  products  a corpus file converted with edits: preview.svg, trackers.json, all.zip and one
            archive per application are in the job's folder before any request; the routes
            serve them; the summary holds the hand-checked values; the preview's view holds
            the points the edits moved outside the comp; every route answers 409 while the
            job waits (the dispatcher held with SIGSTOP) and the status has no products yet
  bounds    one tracker with keyframes at frames 0 and 10,000,000, --lerp, every exporter,
            on a site allowing 64 MB per job: the job fails on its first attempt with a
            sentence saying how much it would write, and leaves nothing in its folder

Prints its failures and "N passed, M failed".
"""
import io
import json
import os
import re
import shutil
import signal
import sys
import time
import xml.etree.ElementTree as ET
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from sitelib import Checks, Site, finish_site  # noqa: E402

SITE_CONF = 'rlimit_as_mb = 0\n'  # sanitizer builds reserve terabytes of address space
SAMPLE = 'samples/shake_text/two_shake_trackers.txt'
EDITS = [('edit.slip', '3'), ('edit.xshift', '-600'), ('edit.crop', '0,-300,0,0')]
# Worked out by hand from the sample (frames 111..185 in Shake's 1-based count, x 2054..2551,
# y 180..1054): slipped 3 frames, moved 600 px left, 300 px cropped off the right of the
# 1920 x 1080 comp, so x' = x - 600 in a 1620 px wide comp: track1 (x' 1454..1507) stays
# inside, the 58 keyframes of track2 with x above 2220 land right of it.
SUMMARY = {
    'importer': 'shaketext', 'comp_in': [1920, 1080], 'comp_out': [1620, 1080],
    'frames_in': [110, 184], 'frames_out': [113, 187], 'trackers': 2, 'keyframes': 72,
    'outside': 58, 'edits': [['slip', '3'], ['xshift', '-600'], ['crop', '0,-300,0,0']],
}
TRACKERS = [
    {'name': 'track1', 'first': 113, 'last': 118, 'keyframes': 6, 'outside': 0},
    {'name': 'track2', 'first': 122, 'last': 187, 'keyframes': 66, 'outside': 58},
]
PRODUCTS = ('preview.svg', 'trackers.json', 'all.zip')


def job_dir(site, token):
    return os.path.join(site.data, 'jobs', token)


def routes(token, archive='nuke.zip'):
    return ['/jobs/%s/%s' % (token, p) for p in PRODUCTS] + \
        ['/jobs/%s/archives/%s' % (token, archive)]


def upload(site, corpus, fields):
    code, data, body = site.upload(os.path.join(corpus, SAMPLE), [
        ('importer', 'shaketext'), ('width', '1920'), ('height', '1080')] + fields)
    return code, data, body


def scenario_products(site, corpus, t):
    # While the dispatcher is held, a job waits in the queue: nothing of it is ready.
    dispatcher = site.dispatcher_pid()
    t.check(dispatcher > 0, 'the site runs a dispatcher')
    os.kill(dispatcher, signal.SIGSTOP)
    try:
        code, data, body = upload(site, corpus, EDITS)
        t.check(code == 202 and data and 'token' in data, 'upload: %d %r' % (code, body[:200]))
        token = data['token']
        for path in routes(token):
            r = site.request('GET', path, headers={'Accept': 'application/json'})
            t.check(r.status == 409 and b'not ready yet' in r.body,
                    'queued %s answered %d %r' % (path, r.status, r.body[:200]))
        r = site.request('GET', '/jobs/%s/all.zip' % token, headers={'Accept': 'text/html'})
        t.check(r.status == 409 and b'not ready yet' in r.body, 'queued all.zip for a browser')
        r, s = site.get_json('/jobs/%s/status' % token)
        t.check(s['state'] == 'queued' and not s.get('archives') and not s.get('summary'),
                'queued status carries no products: %r' % s)
    finally:
        os.kill(dispatcher, signal.SIGCONT)
    s = site.wait_final(token)
    t.check(s and s['state'] == 'done', 'job done: %r' % s)
    if not s or s['state'] != 'done':
        return

    # The child made everything before anybody asked.
    folder = job_dir(site, token)
    for name in PRODUCTS:
        t.check(os.path.isfile(os.path.join(folder, name)), '%s on disk before a request' % name)
    apps = sorted({o['application'] for o in s['outputs']})
    on_disk = sorted(os.listdir(os.path.join(folder, 'archives')))
    t.check(len(on_disk) == len(apps) and all(n.endswith('.zip') for n in on_disk),
            'one archive per application on disk: %r for %r' % (on_disk, apps))
    t.check(not [n for n in os.listdir(folder) if '.partial' in n], 'no temporary files')

    # The status.
    t.check(s.get('summary') == SUMMARY, 'summary: %r' % s.get('summary'))
    t.check(s.get('preview_url', '').endswith('/jobs/%s/preview.svg' % token), 'preview_url')
    t.check(s.get('trackers_url', '').endswith('/jobs/%s/trackers.json' % token), 'trackers_url')
    t.check(all(o.get('application') for o in s['outputs']), 'every output names its application')
    archives = s.get('archives') or []
    t.check(archives and archives[0]['name'] == 'all.zip' and archives[0]['application'] is None
            and archives[0]['url'].endswith('/jobs/%s/all.zip' % token), 'all.zip first: %r'
            % archives[:1])
    t.check(sorted(a['application'] for a in archives[1:]) == apps, 'archives by application')

    # The routes serve the files the child wrote.
    outputs = {}
    for o in s['outputs']:
        r = site.request('GET', o['url'])
        outputs[o['name']] = r.body
    for a in archives:
        path = a['url'][a['url'].index('/jobs/'):]
        r = site.request('GET', path)
        t.check(r.status == 200 and r.header('Content-Type') == 'application/zip',
                '%s answered %d' % (path, r.status))
        with open(os.path.join(folder, 'all.zip' if a['application'] is None else
                               os.path.join('archives', a['name'])), 'rb') as f:
            t.check(r.body == f.read() and len(r.body) == a['bytes'], '%s is the file' % path)
        z = zipfile.ZipFile(io.BytesIO(r.body))
        t.check(z.testzip() is None, '%s CRCs' % a['name'])
        want = sorted(o['name'] for o in s['outputs']
                      if a['application'] is None or o['application'] == a['application'])
        t.check(sorted(z.namelist()) == want, '%s holds %r' % (a['name'], z.namelist()))
        for n in z.namelist():
            t.check(z.read(n) == outputs.get(n), '%s: %s as served' % (a['name'], n))
    r = site.request('GET', '/jobs/%s/trackers.json' % token)
    t.check(r.status == 200 and json.loads(r.body) == TRACKERS,
            'trackers.json: %d %r' % (r.status, r.body[:300]))
    r = site.request('GET', '/jobs/%s/preview.svg' % token)
    t.check(r.status == 200 and r.header('Content-Type') == 'image/svg+xml', 'preview served')
    root = ET.fromstring(r.body)
    x, y, w, h = (float(v) for v in root.get('viewBox').split())
    # track2 reaches x' = 2551.49 - 600 = 1951.49, right of the 1620 px frame.
    t.check(x <= 0 and x + w >= 1951.49 and y <= 0 and y + h >= 1080,
            'the view holds the frame and the points outside it: %r' % root.get('viewBox'))
    frame = [e for e in root.iter() if e.get('class') == 'tp-frame']
    t.check(frame and frame[0].get('width') == '1620', 'the frame is drawn')
    for path in ('/jobs/%s/archives/nope.zip' % token, '/jobs/%s/archives/..%%2fall.zip' % token,
                 '/jobs/%s/archives/ALL.zip' % token):
        r = site.request('GET', path, headers={'Accept': 'application/json'})
        t.check(r.status in (404, 409), '%s answered %d' % (path, r.status))


def scenario_bounds(site, corpus, t):
    src = os.path.join(site.work, 'far.txt')
    with open(src, 'w') as f:
        f.write('TrackName track1\n'
                '   Frame             X             Y   Correlation\n'
                '    1.00       100.000       200.000         1.000\n'
                '10000001.00     1800.000       900.000         1.000\n')
    code, data, body = site.upload(src, [('importer', 'shaketext'), ('width', '1920'),
                                         ('height', '1080'), ('edit.lerp', '1')])
    t.check(code == 202 and data, 'upload: %d %r' % (code, body[:200]))
    if not data:
        return
    token = data['token']
    started = time.time()
    s = site.wait_final(token, timeout=300)
    took = time.time() - started
    print('the bound failed the job after %.1f s: %s' % (took, s and s.get('error')))
    t.check(s and s['state'] == 'failed', 'failed: %r' % s)
    if not s:
        return
    t.check(s['attempts'] == 1, 'not retried: %d attempts' % s['attempts'])
    t.check(re.match(r'The edits would write about [0-9.]+ GB; this site allows 64 MB per job$',
                     s.get('error') or ''), 'message: %r' % s.get('error'))
    time.sleep(1)  # were it retried, the next attempt would be queued by now
    r, s2 = site.get_json('/jobs/%s/status' % token)
    t.check(s2['state'] == 'failed' and s2['attempts'] == 1, 'still failed, once: %r' % s2)
    folder = job_dir(site, token)
    left = []
    for root, dirs, files in os.walk(folder):
        left += [os.path.relpath(os.path.join(root, n), folder) for n in files]
    left = [n for n in left if not n.startswith('input')]
    t.check(left == [], 'nothing left in the job folder but the input: %r' % left)
    for path in routes(token):
        r = site.request('GET', path, headers={'Accept': 'application/json'})
        t.check(r.status == 404, 'failed job %s answered %d' % (path, r.status))


SCENARIOS = {'products': (scenario_products, ''),
             'bounds': (scenario_bounds, 'job_max_output_mb = 64\n')}


def main(argv):
    if len(argv) != 5 or argv[1] not in SCENARIOS:
        print(__doc__)
        return 2
    scenario, build, corpus, work = argv[1:5]
    fn, conf = SCENARIOS[scenario]
    t = Checks()
    site = Site(build, work, extra_conf=SITE_CONF + conf)
    try:
        site.start()
        fn(site, os.path.abspath(corpus), t)
    finally:
        finish_site(t, site)
    if not t.failed:
        shutil.rmtree(work, ignore_errors=True)
    return t.summary()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
