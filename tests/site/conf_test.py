#!/usr/bin/env python3
"""The installed trackport.conf (conf/trackport.conf with the build's install paths, written
into the build tree) against the config key table: the file loads with the real parser, sets
every key of the table exactly once, each to its default (log_file excepted: the installed
file names the log, the default is stderr), and documents each one with a comment right above
it. Also checks that conf/lighttpd.conf parses (lighttpd -tt) once its production paths point
at a scratch folder.

  conf_test.py TRACKPORT_FCGI TRACKPORTCTL WORK_DIR [INSTALLED_CONF]

Prints "N passed, M failed".
"""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, HERE)
from sitelib import Checks  # noqa: E402

KEY_LINE = re.compile(r'^([a-z_]+)\s*=\s*(.*?)\s*$')


def keys_of(text):
    """{key: value} of the non-comment lines of a config text, in order."""
    out = {}
    for line in text.splitlines():
        m = KEY_LINE.match(line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def main(argv):
    fcgi, ctl, work = argv[1:4]
    t = Checks()
    conf = argv[4] if len(argv) > 4 else os.path.join(SOURCE, 'conf', 'trackport.conf')
    env = dict(os.environ)
    env.pop('TRACKPORT_CONFIG', None)

    # The real parser accepts it (trackport-fcgi --check loads without starting anything).
    run = subprocess.run([fcgi, '--check', '--config', conf], capture_output=True, text=True,
                         env=env)
    # 0: everything usable; 3: loaded, but a folder or server is missing on this machine.
    t.check(run.returncode in (0, 3), 'trackport-fcgi --check rejects %s: ' % conf
            + run.stderr.strip())
    loaded = keys_of(run.stdout)

    # Every key of the table, nothing else, each once.
    table = keys_of(subprocess.run([ctl, 'config', '--defaults'], capture_output=True,
                                   text=True, env=env).stdout)
    t.check(len(table) >= 30, 'the key table has %d keys' % len(table))
    with open(conf) as f:
        lines = f.read().splitlines()
    seen = []
    for n, line in enumerate(lines):
        m = KEY_LINE.match(line)
        if not m:
            continue
        key = m.group(1)
        seen.append(key)
        # A documented key: a comment line right above it.
        t.check(n > 0 and lines[n - 1].startswith('#') and len(lines[n - 1]) > 10,
                'key %s has no comment above it' % key)
    t.check(sorted(seen) == sorted(set(seen)), 'a key is set twice: %s' % seen)
    missing = [k for k in table if k not in seen]
    extra = [k for k in seen if k not in table]
    t.check(not missing, 'conf/trackport.conf lacks %s' % missing)
    t.check(not extra, 'conf/trackport.conf sets unknown keys %s' % extra)

    # Each value is the default: what it resolves to equals what no file at all resolves to.
    defaults = keys_of(subprocess.run([ctl, 'config'], capture_output=True, text=True,
                                      env=env).stdout)
    for k in table:
        if k == 'log_file':
            t.check(loaded.get(k, '').startswith('/'), 'log_file is %r' % loaded.get(k))
            continue
        t.check(loaded.get(k) == defaults.get(k),
                '%s resolves to %r, the default is %r' % (k, loaded.get(k), defaults.get(k)))

    # The production lighttpd example parses, its paths moved under the work folder.
    if shutil.which('lighttpd'):
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        with open(os.path.join(SOURCE, 'conf', 'lighttpd.conf')) as f:
            text = f.read()
        for d in ('/usr/local/share/trackport/www', '/var/log/lighttpd', '/var/cache/lighttpd/uploads',
                  '/run/trackport', '/var/lib/trackport/jobs', '/etc/trackport'):
            os.makedirs(work + d, exist_ok=True)
        # The request limit comes from trackport.conf through the built trackport-fcgi.
        text, shells = re.subn(r'include_shell "\S+ --lighttpd-limits --config \S+"',
                               'include_shell "%s --lighttpd-limits --config %s"' % (fcgi, conf),
                               text)
        t.check(shells == 1, 'lighttpd.conf takes its request limit from trackport-fcgi')
        text = re.sub(r'"(/(?:usr|var|run|etc)/[^"]*)"', lambda m: '"%s%s"' % (work, m.group(1)),
                      text)
        text = re.sub(r'server\.(username|groupname)\s*=.*', '', text)
        text = text.replace('server.port          = 80', 'server.port = 8')
        path = os.path.join(work, 'lighttpd.conf')
        with open(path, 'w') as f:
            f.write(text)
        run = subprocess.run(['lighttpd', '-tt', '-f', path], capture_output=True, text=True)
        t.check(run.returncode == 0, 'conf/lighttpd.conf does not parse: '
                + (run.stdout + run.stderr).strip())
        printed = subprocess.run(['lighttpd', '-p', '-f', path], capture_output=True,
                                 text=True).stdout
        limit = re.search(r'server\.max-request-size\s*=\s*(\d+)', printed)
        upload = int(loaded.get('web_max_upload_bytes', '0'))
        t.check(limit and upload and upload <= int(limit.group(1)) * 1024 <= upload + (256 << 10),
                'lighttpd accepts every upload the site accepts, and little more: %s KiB for '
                '%d bytes' % (limit and limit.group(1), upload))
    return t.summary()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
