"""harness.py — what every Python test driver and benchmark here shares: a check counter
that prints "N passed, M failed", free loopback ports, waiting for a port or a condition,
and telling a live process from a zombie. Import it after putting tests/ on sys.path."""

import os
import socket
import time


class Checks:
    """Counts results; summary() prints 'N passed, M failed' and returns the exit code."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print('FAIL: %s' % what, flush=True)
        return ok

    def summary(self):
        print('%d passed, %d failed' % (self.passed, self.failed), flush=True)
        return 1 if self.failed else 0


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_port(port, timeout=15):
    """Until something accepts connections on 127.0.0.1:port; RuntimeError after timeout."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=1):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError('nothing listens on port %d' % port)


def wait_until(pred, timeout, step=0.05):
    """pred()'s first true value within timeout seconds, else its last value."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def pid_alive(pid):
    """True when pid runs and is not a zombie."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def writing_into(pid, folder):
    """True once process pid holds a file open under folder (an output being written)."""
    try:
        fds = os.listdir('/proc/%d/fd' % pid)
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink('/proc/%d/fd/%s' % (pid, fd)).startswith(folder + '/'):
                return True
        except OSError:
            pass
    return False
