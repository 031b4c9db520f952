"""sitelib — starts the real site for tests and benchmarks: memcached and lighttpd on free
loopback ports, lighttpd spawning the built trackport-fcgi (mod_fastcgi bin-path, unix
socket), which starts the dispatcher. Everything is stopped by PID afterwards.

Used by tests/site/site_test.py, tests/browser/browser_test.py and tests/bench/site_bench.sh.
Only the Python standard library and the installed lighttpd, memcached and curl are needed.
"""
import glob
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from harness import Checks, free_port, pid_alive, wait_port  # noqa: E402,F401 (re-exported)

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, '..', '..'))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self):
        return json.loads(self.body.decode('utf-8'))


class Site:
    def __init__(self, build, workdir, max_procs=2, max_upload=8 << 20, max_children=2,
                 extra_conf='', extra_lighttpd='', admin=True, prepare=None):
        self.build = os.path.abspath(build)
        self.work = os.path.abspath(workdir)
        self.max_procs = max_procs
        self.max_upload = max_upload
        self.max_children = max_children
        self.extra_conf = extra_conf
        self.extra_lighttpd = extra_lighttpd
        self.admin = admin
        self.prepare = prepare  # called with the site once its folders exist (e.g. to mount)
        self.port = None
        self.mc_port = None
        self.lighttpd = None
        self.memcached = None
        self.admin_password = 'test-secret'
        self.fcgi = os.path.join(self.build, 'fcgi', 'trackport-fcgi')
        self.dispatcher = os.path.join(self.build, 'dispatcher', 'trackport-dispatcher')
        self.trackport = os.path.join(self.build, 'converter', 'trackport')
        self.static = os.path.join(SOURCE, 'fcgi', 'www')
        self.data = os.path.join(self.work, 'data')
        self.run = os.path.join(self.work, 'run')
        self.san_dir = os.path.join(self.work, 'sanitizer')
        self.seen_pids = set()

    # ------------------------------------------------------------ lifecycle

    def start(self):
        if os.path.exists(self.work):
            shutil.rmtree(self.work)
        for d in (self.data, self.run, os.path.join(self.run, 'spool'), self.san_dir):
            os.makedirs(d)
        if self.prepare:
            self.prepare(self)
        self.port = free_port()
        self.mc_port = free_port()
        self.config = os.path.join(self.run, 'trackport.conf')
        with open(self.config, 'w') as f:
            f.write('data_dir = %s\n' % self.data)
            f.write('memcached_servers = 127.0.0.1:%d\n' % self.mc_port)
            f.write('dispatcher_binary = %s\n' % self.dispatcher)
            f.write('web_static_dir = %s\n' % self.static)
            f.write('web_max_upload_bytes = %d\n' % self.max_upload)
            f.write('web_admin = %s\n' % ('true' if self.admin else 'false'))
            f.write('max_children = %d\n' % self.max_children)
            f.write(self.extra_conf)
        with open(os.path.join(self.run, 'admin.users'), 'w') as f:
            f.write('admin:%s\n' % self.admin_password)
        subst = {
            '@PORT@': str(self.port), '@RUN_DIR@': self.run, '@STATIC_DIR@': self.static,
            '@FCGI_BIN@': self.fcgi, '@CONFIG@': self.config, '@DATA_DIR@': self.data,
            '@MAX_PROCS@': str(self.max_procs),
            '@MAX_REQUEST_KB@': self.request_limit_kib(),
            '@ADMIN_USERS@': os.path.join(self.run, 'admin.users'),
        }
        with open(os.path.join(SOURCE, 'conf', 'lighttpd.test.conf.in')) as f:
            text = f.read()
        for k, v in subst.items():
            text = text.replace(k, v)
        text += self.extra_lighttpd.replace('@RUN_DIR@', self.run)
        self.lighttpd_conf = os.path.join(self.run, 'lighttpd.conf')
        with open(self.lighttpd_conf, 'w') as f:
            f.write(text)
        self.start_memcached()
        self.start_lighttpd()

    def request_limit_kib(self):
        """lighttpd's request limit, from the site's upload limit as conf/run-local.sh and
        the production configuration take it (trackport-fcgi --lighttpd-limits)."""
        out = subprocess.run([self.fcgi, '--config', self.config, '--lighttpd-limits'],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith('server.max-request-size'):
                return line.split('=')[1].strip()
        raise RuntimeError('trackport-fcgi --lighttpd-limits printed no limit: %r' % out)

    def env(self):
        env = dict(os.environ)
        # Sanitizer reports of any process of the site land in files the tests look for.
        for var in ('ASAN_OPTIONS', 'UBSAN_OPTIONS'):
            prefix = 'asan' if var == 'ASAN_OPTIONS' else 'ubsan'
            opts = env.get(var, '')
            env[var] = (opts + ':' if opts else '') + 'log_path=%s/%s' % (self.san_dir, prefix)
        return env

    def start_memcached(self):
        cmd = ['memcached', '-l', '127.0.0.1', '-p', str(self.mc_port), '-U', '0', '-m', '64']
        if os.getuid() == 0:
            cmd += ['-u', 'root']
        self.memcached = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL)
        wait_port(self.mc_port)

    def stop_memcached(self):
        if self.memcached:
            self.memcached.terminate()
            self.memcached.wait(10)
            self.memcached = None

    def start_lighttpd(self):
        # Spool files of a lighttpd killed mid-upload are never removed by lighttpd itself;
        # none can be in use before this one starts (as in conf/run-local.sh).
        spool = os.path.join(self.run, 'spool')
        for name in os.listdir(spool):
            if name.startswith('lighttpd-upload-'):
                os.unlink(os.path.join(spool, name))
        log = open(os.path.join(self.run, 'lighttpd-stdout.log'), 'ab')
        self.lighttpd = subprocess.Popen(['lighttpd', '-D', '-f', self.lighttpd_conf],
                                         stdout=log, stderr=log, env=self.env())
        log.close()
        wait_port(self.port)
        # Ready when the site answers and a dispatcher runs.
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                r = self.request('GET', '/health')
                if r.status == 200:
                    self.seen_pids.add(r.json()['dispatcher']['pid'])
                    return
            except (OSError, http.client.HTTPException, ValueError):
                pass
            time.sleep(0.1)
        raise RuntimeError('the site did not become healthy; see %s' % self.run)

    def fcgi_pids(self):
        """PIDs of the trackport-fcgi processes (children of lighttpd)."""
        out = subprocess.run(['pgrep', '-P', str(self.lighttpd.pid)], capture_output=True,
                             text=True).stdout.split()
        return [int(p) for p in out]

    def zombie_children(self):
        """PIDs of exited, unreaped children of the FastCGI processes (such as a dispatcher
        that lost the start-up race for the lock and was never waited for)."""
        parents = set(self.fcgi_pids())
        zombies = []
        for entry in os.listdir('/proc'):
            if not entry.isdigit():
                continue
            try:
                with open('/proc/%s/stat' % entry) as f:
                    fields = f.read().rsplit(') ', 1)[-1].split()
            except OSError:
                continue
            if fields[0] == 'Z' and int(fields[1]) in parents:
                zombies.append(int(entry))
        return zombies

    def stop_lighttpd(self):
        if not self.lighttpd:
            return
        self.seen_pids.update(self.fcgi_pids())
        self.lighttpd.terminate()
        try:
            self.lighttpd.wait(20)
        except subprocess.TimeoutExpired:
            self.lighttpd.kill()
            self.lighttpd.wait(5)
        self.lighttpd = None

    def restart_lighttpd(self):
        self.stop_lighttpd()
        self.start_lighttpd()

    def dispatcher_pid(self):
        try:
            with open(os.path.join(self.data, 'dispatcher.lock')) as f:
                return int(f.read().strip() or 0)
        except (OSError, ValueError):
            return 0

    def stop(self):
        """Stops lighttpd (its FastCGI processes and the dispatcher follow) and memcached,
        then makes sure every process the site started has gone (by PID)."""
        d = self.dispatcher_pid()
        if d:
            self.seen_pids.add(d)
        self.stop_lighttpd()
        self.stop_memcached()
        deadline = time.time() + 10
        for pid in sorted(p for p in self.seen_pids if p):
            while time.time() < deadline and pid_alive(pid):
                time.sleep(0.05)
            if pid_alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def sanitizer_reports(self):
        return sorted(glob.glob(os.path.join(self.san_dir, '*')))

    # ------------------------------------------------------------ requests

    def url(self, path):
        return 'http://127.0.0.1:%d%s' % (self.port, path)

    def request(self, method, path, body=None, headers=None, timeout=60):
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def get_json(self, path):
        r = self.request('GET', path, headers={'Accept': 'application/json'})
        return r, (r.json() if r.body else None)

    def upload(self, path, fields=(), filename=None, accept_json=True, timeout=120,
               accept=None):
        """Uploads with curl. accept: the Accept header (default: JSON when accept_json,
        else curl's own). Returns (status, parsed JSON or None, raw body)."""
        cmd = ['curl', '-sS', '-o', '-', '-w', '\n%{http_code}', '--max-time', str(timeout)]
        if accept:
            cmd += ['-H', 'Accept: ' + accept]
        elif accept_json:
            cmd += ['-H', 'Accept: application/json']
        for k, v in fields:
            cmd += ['--form-string', '%s=%s' % (k, v)]
        if path is not None:
            spec = 'file=@%s' % path
            if filename is not None:
                spec += ';filename=%s' % filename
            cmd += ['-F', spec]
        cmd.append(self.url('/jobs'))
        out = subprocess.run(cmd, capture_output=True, timeout=timeout + 10).stdout
        body, _, code = out.rpartition(b'\n')
        try:
            data = json.loads(body.decode('utf-8')) if body.strip() else None
        except ValueError:
            data = None
        return int(code or 0), data, body

    def wait_final(self, token, timeout=120):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            r, s = self.get_json('/jobs/%s/status' % token)
            if r.status == 200:
                last = s
                if s['state'] in ('done', 'failed', 'cancelled'):
                    return s
            time.sleep(0.05)
        return last


def finish_site(t, site):
    """Stops the site and fails t for every sanitizer report its processes left."""
    site.stop()
    reports = site.sanitizer_reports()
    for path in reports:
        with open(path, errors='replace') as f:
            print('--- %s\n%s' % (path, f.read()[-4000:]))
    t.check(not reports, 'sanitizer reports: %s' % reports)


def registered(trackport, what):
    """Names of registered importers or exporters, from the CLI's listing (Tracksperanto's
    wording: on stderr, a tab and the quoted name before ' - ')."""
    out = subprocess.run([trackport, '--list-' + what], capture_output=True, text=True).stderr
    return [line.split(' - ')[0].strip().strip('"') for line in out.splitlines()
            if line.startswith('\t')]


if __name__ == '__main__':
    # python3 sitelib.py BUILD_DIR WORKDIR: serve until Ctrl-C (debugging the test setup).
    site = Site(sys.argv[1], sys.argv[2])
    site.start()
    print(site.url('/'), flush=True)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
