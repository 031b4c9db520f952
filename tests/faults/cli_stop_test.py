"""cli_stop_test — the trackport CLI stopped mid-conversion leaves only complete outputs or
nothing: Ctrl-C (SIGINT), SIGTERM, SIGHUP, SIGKILL and a file-size limit (ulimit -f).

usage: cli_stop_test.py TRACKPORT WORKDIR [CASE]   (cases run in order; one by name)
"""
import os
import resource
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from harness import Checks, wait_until, writing_into  # noqa: E402


def make_input(path, trackers=120, frames=5000):
    """A tsv big enough that writing every format takes a while."""
    with open(path + '.tmp', 'w') as f:
        f.write('# width\t1920\n# height\t1080\n')
        for t in range(trackers):
            f.write(''.join('t%d\t%d\t%.3f\t%.3f\t0.1\n' % (t, fr, 100 + fr * 0.25, 50 + t * 7.5)
                            for fr in range(frames)))
    os.rename(path + '.tmp', path)


def leftovers(outdir, complete):
    """Entries of outdir that are not complete outputs (complete: name -> bytes)."""
    bad = []
    for name in os.listdir(outdir):
        path = os.path.join(outdir, name)
        if name not in complete or os.path.getsize(path) != complete[name]:
            bad.append(name)
    return bad


class Env:
    def __init__(self, trackport, work):
        self.trackport = trackport
        self.work = work
        self.input = os.path.join(work, 'shot.tsv')
        if not os.path.exists(self.input):
            make_input(self.input)
        # The complete outputs, to tell a finished file from a partial one.
        ref = os.path.join(work, 'reference')
        if not os.path.isdir(ref):
            shutil.rmtree(ref + '.tmp', ignore_errors=True)
            os.makedirs(ref + '.tmp')
            subprocess.run([trackport, '--output-dir', ref + '.tmp', self.input], check=True,
                           stdout=subprocess.DEVNULL)
            os.rename(ref + '.tmp', ref)
        self.complete = {n: os.path.getsize(os.path.join(ref, n)) for n in os.listdir(ref)}

    def outdir(self, name):
        d = os.path.join(self.work, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        return d

    def start(self, outdir, preexec=None):
        return subprocess.Popen([self.trackport, '--output-dir', outdir, self.input],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                preexec_fn=preexec)


def stopped_by(sig):
    def case(env, t):
        out = env.outdir('sig%d' % sig)
        p = env.start(out)
        t.check(wait_until(lambda: writing_into(p.pid, out) or p.poll() is not None, 60),
                'the conversion started writing')
        p.send_signal(sig)
        _, err = p.communicate(timeout=120)
        t.check(p.returncode in (-sig, 128 + sig),
                'stopped by signal %d (exit %s, %s)' % (sig, p.returncode, err.strip()))
        bad = leftovers(out, env.complete)
        t.check(not bad, 'after signal %d only complete outputs remain: %s' % (sig, bad))
    return case


def case_file_size_limit(env, t):
    out = env.outdir('fsize')
    limit = 2 << 20

    def preexec():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    p = env.start(out, preexec)
    _, err = p.communicate(timeout=120)
    t.check(p.returncode == 1, 'a file-size limit fails the run with status 1 (got %s)'
            % p.returncode)
    t.check(b'file size limit' in err and err.count(b'\n') == 1,
            'one line names the file size limit: %r' % err)
    t.check(not os.listdir(out), 'nothing remains: %s' % os.listdir(out))


def case_double_interrupt(env, t):
    """A second Ctrl-C kills at once; outputs are anonymous until complete, so nothing
    half-written is ever visible."""
    out = env.outdir('twice')
    p = env.start(out)
    t.check(wait_until(lambda: writing_into(p.pid, out) or p.poll() is not None, 60),
            'the conversion started writing')
    p.send_signal(signal.SIGINT)
    p.send_signal(signal.SIGINT)
    p.communicate(timeout=120)
    t.check(p.returncode in (-signal.SIGINT, 130), 'ended by SIGINT (%s)' % p.returncode)
    t.check(not leftovers(out, env.complete), 'only complete outputs remain')


CASES = {
    'sigint': stopped_by(signal.SIGINT),
    'sigterm': stopped_by(signal.SIGTERM),
    'sighup': stopped_by(signal.SIGHUP),
    'sigkill': stopped_by(signal.SIGKILL),
    'file_size_limit': case_file_size_limit,
    'double_interrupt': case_double_interrupt,
}


def main(argv):
    if len(argv) not in (3, 4) or (len(argv) == 4 and argv[3] not in CASES):
        print('usage: cli_stop_test.py TRACKPORT WORKDIR [%s]' % '|'.join(CASES))
        return 2
    trackport, work = argv[1], os.path.abspath(argv[2])
    os.makedirs(work, exist_ok=True)
    env = Env(trackport, work)
    t = Checks()
    for name in ([argv[3]] if len(argv) == 4 else CASES):
        before = t.failed
        CASES[name](env, t)
        print('%s: %s' % (name, 'ok' if t.failed == before else 'FAILED'), flush=True)
    return t.summary()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
