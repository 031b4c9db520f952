#!/usr/bin/env python3
"""The Debian package on this machine, as a sysadmin would use it: builds the .deb from the
sources (dpkg-buildpackage over a copy), checks it with lintian (when installed), installs it
(dpkg -i; apt-get -f install for its depends), enables it (lighty-enable-mod trackport), runs
Debian's lighttpd with a copy of Debian's /etc/lighttpd (port moved to a free loopback one, pid and error log moved into the
work folder; the enabled snippet untouched) by PID, converts a corpus file through the site,
checks that every file sits where the FHS says, that the site's processes run as www-data
and that the admin is behind its password, then purges the package and checks that what
remains is what Debian's policy allows. The machine is restored (module disabled, package
purged, processes stopped) whether the checks pass or not.

  deb_test.py SOURCE_DIR CORPUS_DIR WORK_DIR [--skip REASON]

Exits 77 (ctest: skipped) with the reason when the machine cannot run it: no dpkg tools, not
root, trackport already installed (the test would remove it), a sanitizer build. Prints
"N passed, M failed".
"""
import glob
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'site'))
from sitelib import Checks, Site, free_port, wait_port  # noqa: E402
from harness import wait_until  # noqa: E402

SKIP = 77
SNIPPET = '/etc/lighttpd/conf-enabled/50-trackport.conf'
# Where the package may put files (dpkg -L): Debian's FHS locations for a service.
ALLOWED = ('/usr/bin/', '/usr/lib/trackport/', '/usr/lib/tmpfiles.d/', '/usr/share/trackport/',
           '/usr/share/doc/trackport', '/usr/share/man/man1/', '/etc/trackport/',
           '/etc/lighttpd/conf-available/', '/etc/logrotate.d/')
# Created at run time and removed by purge.
RUNTIME = ('/var/lib/trackport', '/var/log/trackport', '/run/trackport', '/etc/trackport')


def skip(reason):
    print('skipped: %s' % reason, flush=True)
    return SKIP


def run(cmd, t=None, what=None, **kw):
    """Runs cmd, printing its output when it fails; returns the CompletedProcess."""
    env = dict(kw.pop('env', os.environ), DEBIAN_FRONTEND='noninteractive')
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, **kw)
    if r.returncode != 0:
        print('$ %s -> %d\n%s%s' % (' '.join(cmd), r.returncode, r.stdout[-3000:],
                                    r.stderr[-3000:]), flush=True)
    if t is not None:
        t.check(r.returncode == 0, what or ' '.join(cmd))
    return r


def installed(pkg):
    r = subprocess.run(['dpkg-query', '-W', '-f=${Status}', pkg], capture_output=True, text=True)
    return r.returncode == 0 and 'install ok installed' in r.stdout


def uid_of(pid):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('Uid:'):
                    return [int(x) for x in line.split()[1:]]
    except OSError:
        return None
    return None


def package_pids():
    """Pids of the running programs of /usr/lib/trackport (fcgi, dispatcher, children)."""
    out = []
    for d in glob.glob('/proc/[0-9]*'):
        try:
            exe = os.readlink(d + '/exe')
        except OSError:
            continue
        if exe.startswith('/usr/lib/trackport/'):
            out.append(int(d[6:]))
    return out


class DebTest:
    def __init__(self, source, corpus, work):
        self.source = os.path.abspath(source)
        self.corpus = os.path.abspath(corpus)
        self.work = os.path.abspath(work)
        self.t = Checks()
        self.lighttpd = None
        self.memcached = None
        self.enabled_before = set()
        self.we_enabled = False

    # ------------------------------------------------------------ build and install

    def build(self):
        src = os.path.join(self.work, 'src')
        os.makedirs(src)
        files = subprocess.run(['git', '-C', self.source, 'ls-files', '-z', '--cached',
                                '--others', '--exclude-standard'], capture_output=True,
                               check=True).stdout.split(b'\0')
        for name in filter(None, files):
            name = name.decode()
            path = os.path.join(self.source, name)
            if not os.path.isfile(path):
                continue
            os.makedirs(os.path.dirname(os.path.join(src, name)), exist_ok=True)
            shutil.copy2(path, os.path.join(src, name))
        r = run(['dpkg-buildpackage', '-us', '-uc', '-b'], self.t, 'dpkg-buildpackage builds',
                cwd=src, env=dict(os.environ, DEB_BUILD_OPTIONS='parallel=2 noddebs nocheck'))
        debs = glob.glob(os.path.join(self.work, 'trackport_*.deb'))
        self.t.check(r.returncode == 0 and len(debs) == 1, 'one .deb built: %s' % debs)
        if debs and shutil.which('lintian'):
            r = run(['lintian', '--tag-display-limit', '0', debs[0]])
            issues = [line for line in (r.stdout + r.stderr).splitlines()
                      if line[:2] in ('E:', 'W:')]
            self.t.check(not issues, "lintian finds no error or warning: %s" % issues)
        return debs[0] if debs else None

    def install(self, deb):
        r = run(['dpkg', '-i', deb])
        if r.returncode != 0:
            run(['apt-get', 'install', '-f', '-y', '-q'], self.t, 'apt-get -f install')
        self.t.check(installed('trackport'), 'trackport is installed')

    def enable(self):
        self.enabled_before = set(os.listdir('/etc/lighttpd/conf-enabled'))
        self.we_enabled = True
        run(['lighty-enable-mod', 'trackport'], self.t, 'lighty-enable-mod trackport')
        self.t.check(os.path.islink(SNIPPET), 'the snippet is enabled: %s' % SNIPPET)
        enabled = set(os.listdir('/etc/lighttpd/conf-enabled'))
        self.t.check(any('fastcgi' in n for n in enabled) and any('auth' in n for n in enabled),
                     'its depends (fastcgi, auth) are enabled too: %s' % sorted(enabled))

    # ------------------------------------------------------------ serving

    def lighttpd_copy(self, port):
        """A copy of /etc/lighttpd: the port moved, bound to loopback, pid file and error log
        in the work folder, includes pointing into the copy. Everything else as Debian ships
        it, the enabled snippet included."""
        etc = os.path.join(self.work, 'etc-lighttpd')
        shutil.copytree('/etc/lighttpd', etc, symlinks=True)
        # lighttpd opens its error log once it runs as www-data.
        self.logs = os.path.join(self.work, 'log')
        os.makedirs(self.logs)
        www = pwd.getpwnam('www-data')
        os.chown(self.logs, www.pw_uid, www.pw_gid)
        path = os.path.join(etc, 'lighttpd.conf')
        with open(path) as f:
            text = f.read()
        text = re.sub(r'(?m)^server\.port\s*=.*$', 'server.port = %d\nserver.bind = "127.0.0.1"'
                      % port, text)
        text = re.sub(r'(?m)^server\.pid-file\s*=.*$',
                      'server.pid-file = "%s/lighttpd.pid"' % self.work, text)
        text = re.sub(r'(?m)^server\.errorlog\s*=.*$',
                      'server.errorlog = "%s/lighttpd-error.log"' % self.logs, text)
        # The IPv6 listener of Debian's config would listen on every interface.
        text = re.sub(r'(?m)^include_shell "/usr/share/lighttpd/use-ipv6.pl.*$', '', text)
        text = text.replace('"/etc/lighttpd/', '"%s/' % etc)
        with open(path, 'w') as f:
            f.write(text)
        # Relative links of conf-enabled resolve inside the copy; absolute ones are rewritten.
        for link in glob.glob(os.path.join(etc, 'conf-enabled', '*')):
            target = os.readlink(link)
            if target.startswith('/etc/lighttpd/'):
                os.unlink(link)
                os.symlink(etc + target[len('/etc/lighttpd'):], link)
        return path

    def serve(self):
        t = self.t
        # The package's config reads memcached at 127.0.0.1:11211 (Depends: memcached);
        # start one there for the test unless one already answers.
        try:
            wait_port(11211, timeout=0.2)
        except RuntimeError:
            self.memcached = subprocess.Popen(['memcached', '-l', '127.0.0.1', '-p', '11211',
                                               '-U', '0', '-m', '64', '-u', 'memcache'],
                                              stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL)
            wait_port(11211)
        port = free_port()
        conf = self.lighttpd_copy(port)
        run(['lighttpd', '-tt', '-f', conf], t, 'Debian lighttpd config + snippet parse')
        self.lighttpd = subprocess.Popen(['lighttpd', '-D', '-f', conf],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_port(port)
        except RuntimeError:
            self.print_logs()
            raise
        site = Site('/nonexistent', self.work)
        site.port = port
        return site

    # ------------------------------------------------------------ the checks

    def check_site(self, site):
        t = self.t
        # Ready once a dispatcher runs (the first FastCGI process starts it).
        r = wait_until(lambda: (lambda r: r if r.status == 200 else None)(
            site.request('GET', '/health')), 30) or site.request('GET', '/health')
        t.check(r.status == 200, '/health answers 200 (got %d %s)' % (r.status, r.body[:200]))
        r = site.request('GET', '/')
        t.check(r.status == 200 and b'<html' in r.body.lower(), 'the page is served')
        # The admin is behind the snippet's password; the shipped password file is empty.
        r = site.request('GET', '/admin/')
        t.check(r.status == 401, '/admin/ asks for a password (got %d)' % r.status)
        self.add_admin()
        r = site.request('GET', '/admin/', headers={'Authorization': self.auth})
        t.check(r.status == 200, '/admin/ with the password answers 200 (got %d)' % r.status)

        with open(os.path.join(self.corpus, 'manifest.json')) as f:
            manifest = json.load(f)
        entry = next(e for e in manifest if e['sample'].startswith('samples/3de_v3/'))
        status, data, body = site.upload(os.path.join(self.corpus, entry['sample']),
                                         [('importer', entry['importer'])])
        t.check(status == 202 and data and 'token' in data,
                'upload answers 202 (got %d %s)' % (status, body[:300]))
        if not data or 'token' not in data:
            return
        token = data['token']
        s = site.wait_final(token, timeout=120)
        t.check(s and s['state'] == 'done', 'the job is done: %s' % (s and s.get('message')))
        if not s or s['state'] != 'done':
            return
        out = '/var/lib/trackport/jobs/%s/out' % token
        t.check(os.path.isdir(out) and len(os.listdir(out)) > 0, 'outputs in %s' % out)
        summary = s.get('summary') or {}
        t.check(summary.get('trackers', entry['trackers']) == entry['trackers'],
                'trackers: %s' % summary.get('trackers'))
        first = (s.get('outputs') or [{}])[0]
        if first.get('url'):
            r = site.request('GET', first['url'])
            on_disk = os.path.join(out, first['name'])
            with open(on_disk, 'rb') as f:
                t.check(r.status == 200 and r.body == f.read(),
                        'the download (X-Sendfile) equals %s' % on_disk)
        # The CLI converts the same file the same way.
        cli = os.path.join(self.work, 'cli')
        os.makedirs(cli)
        run(['/usr/bin/trackport', '-f', entry['importer'], '--output-dir', cli,
             os.path.join(self.corpus, entry['sample'])], t, '/usr/bin/trackport converts')
        t.check(len(os.listdir(cli)) == len(os.listdir(out)),
                'the CLI writes as many files as the site (%d, %d)'
                % (len(os.listdir(cli)), len(os.listdir(out))))
        # The dispatcher's log names the job.
        log = '/var/log/trackport/dispatcher.log'
        text = open(log).read() if os.path.exists(log) else ''
        t.check(token in text, '%s names job %s' % (log, token))

        # trackportctl as root acts as www-data: the job it queues is the site's.
        r = run(['trackportctl', 'enqueue', os.path.join(self.corpus, entry['sample']),
                 '-f', entry['importer']], t, 'trackportctl enqueue as root')
        ctl_token = r.stdout.strip()
        if ctl_token:
            s = site.wait_final(ctl_token, timeout=120)
            t.check(s and s['state'] == 'done', 'the job trackportctl queued is done: %s'
                    % (s and s.get('message')))
        run(['trackportctl', 'list'], t, 'trackportctl list as root')

    def check_fhs(self):
        t = self.t
        www = pwd.getpwnam('www-data').pw_uid
        files = subprocess.run(['dpkg', '-L', 'trackport'], capture_output=True,
                               text=True).stdout.split()
        self.package_files = [f for f in files if not os.path.isdir(f)]
        stray = [f for f in self.package_files if not f.startswith(ALLOWED)]
        t.check(not stray, 'package files outside the FHS places: %s' % stray)
        for path in ('/usr/bin/trackport', '/usr/bin/trackportctl',
                     '/usr/lib/trackport/trackport-fcgi', '/usr/lib/trackport/trackport-dispatcher',
                     '/usr/share/trackport/www/index.html', '/etc/trackport/trackport.conf',
                     '/etc/lighttpd/conf-available/50-trackport.conf',
                     '/usr/lib/tmpfiles.d/trackport.conf', '/etc/logrotate.d/trackport',
                     '/usr/share/man/man1/trackport.1.gz', '/usr/share/man/man1/trackportctl.1.gz'):
            t.check(path in self.package_files, 'the package installs %s' % path)
        conffiles = open('/var/lib/dpkg/info/trackport.conffiles').read().split()
        t.check('/etc/trackport/trackport.conf' in conffiles, 'trackport.conf is a conffile')
        for d in ('/var/lib/trackport', '/run/trackport'):
            t.check(os.path.isdir(d) and os.stat(d).st_uid == www, '%s belongs to www-data' % d)
        wrong = [os.path.join(dp, n) for dp, dn, fn in os.walk('/var/lib/trackport')
                 for n in dn + fn if os.lstat(os.path.join(dp, n)).st_uid != www]
        t.check(not wrong, 'everything in /var/lib/trackport belongs to www-data: %s' % wrong[:5])
        build_paths = [f for f in ('/etc/trackport/trackport.conf',)
                       if self.source in open(f).read()]
        t.check(not build_paths, 'no build-tree path in %s' % build_paths)
        r = run(['runuser', '-u', 'www-data', '--', '/usr/lib/trackport/trackport-fcgi',
                 '--check', '--config', '/etc/trackport/trackport.conf'],
                t, 'trackport-fcgi --check as www-data finds everything usable')
        t.check('/usr/lib/trackport/trackport-dispatcher: executable' in r.stdout,
                'the site starts the installed dispatcher')
        pids = package_pids()
        t.check(len(pids) >= 2, 'trackport-fcgi and the dispatcher run: %s' % pids)
        for pid in pids:
            ids = uid_of(pid)
            t.check(ids and all(i == www for i in ids), 'pid %d runs as www-data: %s'
                    % (pid, ids))

    def add_admin(self):
        import base64
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DeprecationWarning)
            import crypt  # deprecated in 3.11, still the standard way to a crypt(3) hash
        password = 'deb-test-%d' % os.getpid()
        with open('/etc/trackport/admin.htpasswd', 'w') as f:
            f.write('admin:%s\n' % crypt.crypt(password, crypt.mksalt(crypt.METHOD_SHA512)))
        self.auth = 'Basic ' + base64.b64encode(('admin:' + password).encode()).decode()

    def print_logs(self):
        for path in (os.path.join(getattr(self, 'logs', self.work), 'lighttpd-error.log'),
                     '/var/log/trackport/dispatcher.log'):
            if os.path.exists(path):
                with open(path, errors='replace') as f:
                    print('--- %s\n%s' % (path, f.read()[-3000:]), flush=True)

    # ------------------------------------------------------------ restoring the machine

    def stop(self):
        if self.lighttpd:
            self.lighttpd.terminate()
            try:
                self.lighttpd.wait(15)
            except subprocess.TimeoutExpired:
                self.lighttpd.kill()
                self.lighttpd.wait()
            self.lighttpd = None
        # The site's programs end with lighttpd; wait for them, then stop any left by PID.
        deadline = time.time() + 10
        while package_pids() and time.time() < deadline:
            time.sleep(0.1)
        for pid in package_pids():
            os.kill(pid, signal.SIGKILL)
        if self.memcached:
            self.memcached.terminate()
            self.memcached.wait(10)
            self.memcached = None

    def restore(self):
        self.stop()
        if self.we_enabled:
            run(['lighty-disable-mod', 'trackport'])
            # The modules enabled as its depends, unless they were enabled before.
            for name in set(os.listdir('/etc/lighttpd/conf-enabled')) - self.enabled_before:
                os.unlink(os.path.join('/etc/lighttpd/conf-enabled', name))
        if installed('trackport') or subprocess.run(['dpkg-query', '-W', 'trackport'],
                                                    capture_output=True).returncode == 0:
            run(['dpkg', '--purge', 'trackport'], self.t, 'dpkg --purge trackport')

    def check_purged(self):
        t = self.t
        t.check(not installed('trackport'), 'trackport is no longer installed')
        left = [f for f in getattr(self, 'package_files', []) if os.path.lexists(f)]
        t.check(not left, 'purge leaves no file of the package: %s' % left)
        left = [d for d in RUNTIME if os.path.lexists(d)]
        t.check(not left, 'purge leaves none of the folders the site used: %s' % left)
        t.check(not os.path.lexists(SNIPPET), 'no enabled snippet is left')
        t.check(not package_pids(), 'no trackport process is left')
        r = run(['lighttpd', '-tt', '-f', '/etc/lighttpd/lighttpd.conf'])
        t.check(r.returncode == 0, "Debian's lighttpd config still parses")

    def main(self):
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        deb = self.build()
        if not deb:
            return self.t.summary()

        def on_term(sig, frame):
            raise KeyboardInterrupt('signal %d' % sig)
        signal.signal(signal.SIGTERM, on_term)
        try:
            self.install(deb)
            self.enable()
            site = self.serve()
            self.check_site(site)
            self.check_fhs()
            if self.t.failed:
                self.print_logs()
        finally:
            self.restore()
        self.check_purged()
        return self.t.summary()


def main(argv):
    if len(argv) >= 6 and argv[4] == '--skip':
        return skip(argv[5])
    source, corpus, work = argv[1:4]
    for tool in ('dpkg-buildpackage', 'dpkg', 'apt-get', 'lighttpd', 'lighty-enable-mod',
                 'memcached', 'runuser', 'dh'):
        if not shutil.which(tool):
            return skip('%s is not installed (dpkg-dev, debhelper, lighttpd, memcached)' % tool)
    if os.geteuid() != 0:
        return skip('installing a package needs root')
    if subprocess.run(['dpkg-query', '-W', 'trackport'], capture_output=True).returncode == 0:
        return skip('a trackport package is on this machine already; the test would remove it')
    return DebTest(source, corpus, work).main()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
