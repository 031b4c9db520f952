#!/usr/bin/env python3
"""ctl_edits_test.py — repeated and interleaved edits given to trackportctl survive end to
end: the job's stored options keep every [flag, value] pair in the order given, a real
dispatcher (real SQLite file, real memcached on loopback) converts the job, and its output
is the same file the trackport command line writes for the same flags, with the values
worked out by hand. Reuses the job system driver of tests/jobs/jobs_integration.py.

Usage: ctl_edits_test.py --dispatcher D --ctl C --trackport T --corpus DIR --work DIR
"""
import argparse
import json
import os
import sqlite3
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..'))
sys.path.insert(0, os.path.join(HERE, '..', 'jobs'))
from harness import Checks  # noqa: E402
from jobs_integration import JobSystem  # noqa: E402

INPUT = ('# width\t100\n# height\t50\ntracker\tframe\tx\ty\tresidual\n'
         'A\t3\t10\t20\t0.5\n'
         'A\t5\t11\t21\t0\n')

# Edits as trackportctl takes them, and the ordered pairs they must become.
EDITS = ['--slip', '5', '--prefix', 'a', '--xshift', '10', '--xscale', '2', '--slip=3',
         '--prefix', 'b', '--xshift', '5', '--flip', '--flip']
PAIRS = [['slip', '5'], ['prefix', 'a'], ['xshift', '10'], ['xscale', '2'], ['slip', '3'],
         ['prefix', 'b'], ['xshift', '5'], ['flip', None], ['flip', None]]
# By hand: frames + 5 + 3; names b_a_A; x (10 + 10) * 2 + 5 = 45, mirrored twice on a comp
# 200 wide: 45; residual by |(2, 1)| then |(-1, 1)| twice: 0.5 * sqrt(5) * 2 = 2.236068.
EXPECTED = ('# width\t200\n# height\t50\ntracker\tframe\tx\ty\tresidual\n'
            'b_a_A\t11\t45.000000\t20.000000\t2.236068\n'
            'b_a_A\t13\t47.000000\t21.000000\t0.000000\n')


def main():
    ap = argparse.ArgumentParser()
    for name in ('dispatcher', 'ctl', 'trackport', 'corpus', 'work'):
        ap.add_argument('--' + name, required=True)
    args = ap.parse_args()
    c = Checks()
    js = JobSystem(args, 'ctl_edits', c)
    try:
        src = os.path.join(js.work, 'small.tsv')
        with open(src, 'w') as f:
            f.write(INPUT)
        rc, out, err = js.ctl(['enqueue', src, '--only', 'tsv'] + EDITS)
        c.check(rc == 0, 'enqueue with repeated edits: %d %s' % (rc, err))
        token = out.strip()

        db = sqlite3.connect(os.path.join(js.data, 'trackport.db'))
        row = db.execute('SELECT options FROM jobs WHERE token = ?', (token,)).fetchone()
        db.close()
        options = json.loads(row[0]) if row else {}
        c.check(options.get('edits') == PAIRS, 'stored edits in order: %r' % options.get('edits'))

        # A bad value among them is refused before anything is queued, naming the flag.
        rc, _, err = js.ctl(['enqueue', src, '--slip', '1', '--slip', 'x'])
        c.check(rc != 0 and '--slip' in err, 'a bad repeated edit is refused: %d %s' % (rc, err))
        rc, _, err = js.ctl(['enqueue', src, '--flip=1'])
        c.check(rc != 0 and 'takes no value' in err, 'a switch with a value is refused: %s' % err)

        p = js.start_dispatcher()
        c.check(js.wait_dispatcher_ready(p), 'the dispatcher starts')
        status = js.wait_final([token])[token]
        c.check(status['state'] == 'done', 'the job is done: %s %s' % (status['state'],
                                                                      status.get('error')))
        outs = [n for n in os.listdir(js.job_out(token)) if n.endswith('.tsv')]
        c.check(len(outs) == 1, 'one tsv output: %r' % outs)
        job_text = open(os.path.join(js.job_out(token), outs[0])).read() if outs else ''
        c.check(job_text == EXPECTED, 'the job output holds the hand-computed values:\n%s'
                % job_text)

        direct = os.path.join(js.work, 'direct')
        r = subprocess.run([args.trackport, '-o', 'tsv', '--output-dir', direct] +
                           [e.replace('--slip=3', '-s3') for e in EDITS] + [src],
                           capture_output=True, text=True, timeout=60)
        c.check(r.returncode == 0, 'trackport with the same edits: %s' % r.stderr)
        path = os.path.join(direct, 'small_tracks.tsv')
        direct_text = open(path).read() if os.path.exists(path) else ''
        c.check(direct_text == job_text, 'the command line writes the same file:\n%s'
                % direct_text)
    finally:
        js.finish()
    return c.summary()


if __name__ == '__main__':
    sys.exit(main())
