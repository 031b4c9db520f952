"""site_restart_test — the site after its web server dies: lighttpd killed with SIGKILL must
not leave FastCGI processes or a dispatcher behind that a restarted lighttpd would find
answering on its socket, and the restarted site serves at once.

usage: site_restart_test.py CASE BUILD WORKDIR
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'site'))
from sitelib import Checks, Site, finish_site, pid_alive  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from harness import wait_until  # noqa: E402

SAMPLE = '# width\t640\n# height\t480\n' + ''.join(
    'a\t%d\t%d.5\t%d.25\t0\n' % (f, 10 + f, 20 + f) for f in range(50))


def convert_one(site, t, what):
    path = os.path.join(site.work, 'sample.tsv')
    with open(path, 'w') as f:
        f.write(SAMPLE)
    code, data, body = site.upload(path)
    if not t.check(code == 202 and data, '%s: upload accepted (%s %r)' % (what, code, body[:200])):
        return
    s = site.wait_final(data['token'])
    t.check(s and s['state'] == 'done', '%s: the job is done (%s)' % (what, s))


def case_lighttpd_sigkill(site, t):
    convert_one(site, t, 'before')
    old_fcgi = site.fcgi_pids()
    old_dispatcher = site.dispatcher_pid()
    t.check(old_fcgi and old_dispatcher, 'FastCGI processes %s and dispatcher %s run'
            % (old_fcgi, old_dispatcher))
    site.seen_pids.update(old_fcgi)
    site.seen_pids.add(old_dispatcher)
    site.lighttpd.kill()
    site.lighttpd.wait(10)
    site.lighttpd = None
    gone = wait_until(lambda: not any(pid_alive(p) for p in old_fcgi + [old_dispatcher]), 15)
    t.check(gone, 'the FastCGI processes and the dispatcher end with their web server: '
            'alive %s' % [p for p in old_fcgi + [old_dispatcher] if pid_alive(p)])
    started = time.time()
    site.start_lighttpd()
    took = time.time() - started
    print('restarted site healthy after %.2f s' % took, flush=True)
    r, health = site.get_json('/health')
    t.check(r.status == 200 and health['dispatcher']['pid'] != old_dispatcher,
            'a new dispatcher serves: %s' % health)
    t.check(not set(site.fcgi_pids()) & set(old_fcgi), 'lighttpd spawned its own processes')
    convert_one(site, t, 'after')


CASES = {'lighttpd_sigkill': case_lighttpd_sigkill}


def main(argv):
    if len(argv) != 4 or argv[1] not in CASES:
        print('usage: site_restart_test.py {%s} BUILD WORKDIR' % ','.join(CASES))
        return 2
    site = Site(argv[2], argv[3])
    t = Checks()
    try:
        site.start()
        CASES[argv[1]](site, t)
    finally:
        finish_site(t, site)
    return t.summary()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
