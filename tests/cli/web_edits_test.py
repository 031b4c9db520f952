#!/usr/bin/env python3
"""web_edits_test.py — repeated and interleaved edits sent as the web form sends them
(fields named edit.<flag>, in order, a flag repeated) survive end to end: the real lighttpd
spawning the real trackport-fcgi, its dispatcher and memcached (tests/site/sitelib.py), and
the job's output is the file the trackport command line writes for the same flags, with the
values worked out by hand.

Usage: web_edits_test.py BUILD_DIR WORKDIR
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'site'))
from sitelib import Checks, Site, finish_site  # noqa: E402

INPUT = ('# width\t100\n# height\t50\ntracker\tframe\tx\ty\tresidual\n'
         'A\t3\t10\t20\t0.5\n'
         'A\t5\t11\t21\t0\n')
FIELDS = [('edit.slip', '5'), ('edit.prefix', 'a'), ('edit.xshift', '10'),
          ('edit.xscale', '2'), ('edit.slip', '3'), ('edit.prefix', 'b'),
          ('edit.xshift', '5'), ('edit.flip', 'on'), ('edit.flip', 'on')]
# By hand: frames + 5 + 3; names b_a_A; x (10 + 10) * 2 + 5 = 45, mirrored twice on a comp
# 200 wide: 45; residual by |(2, 1)| then |(-1, 1)| twice: 0.5 * sqrt(5) * 2 = 2.236068.
EXPECTED = ('# width\t200\n# height\t50\ntracker\tframe\tx\ty\tresidual\n'
            'b_a_A\t11\t45.000000\t20.000000\t2.236068\n'
            'b_a_A\t13\t47.000000\t21.000000\t0.000000\n')


def main():
    build, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    t = Checks()
    site = Site(build, os.path.join(work, 'site'), max_procs=1, max_children=1,
                extra_conf='rlimit_as_mb = 0\n')
    site.start()
    try:
        src = os.path.join(work, 'small.tsv')
        with open(src, 'w') as f:
            f.write(INPUT)
        code, data, body = site.upload(src, [('exporters', 'tsv')] + FIELDS)
        t.check(code == 202, 'upload with repeated edits: %d %r' % (code, body[:300]))
        s = site.wait_final(data['token']) if code == 202 else None
        if t.check(s and s['state'] == 'done', 'the job is done: %r' % s):
            tsv = next((o for o in s['outputs'] if o['format'] == 'tsv'), None)
            text = site.request('GET', tsv['url']).body.decode() if tsv else ''
            t.check(text == EXPECTED, 'the job output holds the hand-computed values:\n%s'
                    % text)
            r = subprocess.run([site.trackport, '-o', 'tsv', '--output-dir',
                                os.path.join(work, 'direct'), '-s', '5', '-p', 'a', '-x', '10',
                                '-xs', '2', '-s3', '-pb', '-x5', '--flip', '--flip', src],
                               capture_output=True, text=True, timeout=60)
            direct = os.path.join(work, 'direct', 'small_tracks.tsv')
            t.check(r.returncode == 0 and os.path.exists(direct) and
                    open(direct).read() == text,
                    'the command line writes the same file: %s' % r.stderr)
        # A bad value among repeated edits is refused with 400, naming the flag, the field and
        # its place among the edit fields (empty ones counted, as the page lays them out).
        code, data, body = site.upload(src, [('edit.golden', ''), ('edit.slip', '1'),
                                             ('exporters', 'tsv'), ('edit.slip', 'x')])
        t.check(code == 400 and data and '--slip' in data.get('error', '') and
                data.get('field') == 'edit.slip' and data.get('index') == 2,
                'a bad repeated edit: %d %r' % (code, body))
    finally:
        finish_site(t, site)
    return t.summary()


if __name__ == '__main__':
    sys.exit(main())
