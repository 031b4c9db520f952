#!/usr/bin/env python3
"""The admin's refusals through the real site (lighttpd spawning trackport-fcgi, memcached,
SQLite; tests/site/sitelib.py):

  auth      with lighttpd's auth block: 401 without a password; with one, the page embeds
            the user's anti-forgery token (forms and the X-Trackport-CSRF header); a POST
            without the token, with another's, with Origin: null (no Referer: a sandboxed
            frame or a data: page) or from a foreign origin is refused with 403 and changes
            nothing; with the token, retry and purge act.
  noauth    the auth block missing: /admin/ and /metrics answer 403 saying why, POSTs too;
            web_admin_without_auth = true serves the page.

  admin_test.py SCENARIO BUILD_DIR CORPUS_DIR WORK_DIR      Prints "N passed, M failed".
"""
import base64
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'site'))
from sitelib import Checks, Site, finish_site  # noqa: E402

AUTH_BLOCK = re.compile(r'\$HTTP\["url"\] =~ "\^/\(admin\|metrics\)\(/\|\$\)" \{.*?\n\}\n',
                        re.S)


class NoAuthSite(Site):
    """The site with lighttpd's auth block for /admin and /metrics taken out."""

    def start_lighttpd(self):
        with open(self.lighttpd_conf) as f:
            text = f.read()
        stripped = AUTH_BLOCK.sub('', text)
        assert stripped != text, 'the auth block was not found in the test config'
        with open(self.lighttpd_conf, 'w') as f:
            f.write(stripped)
        super().start_lighttpd()


def auth_header(site, user='admin'):
    raw = '%s:%s' % (user, site.admin_password)
    return 'Basic ' + base64.b64encode(raw.encode()).decode()


def failed_job(site, corpus):
    """A job that fails (a file no importer reads), for retry."""
    path = os.path.join(site.work, 'garbage.txt')
    with open(path, 'w') as f:
        f.write('this is not tracking data\n')
    code, data, body = site.upload(path, [('importer', 'shaketext')])
    if code != 202:
        return None
    s = site.wait_final(data['token'])
    return data['token'] if s and s['state'] == 'failed' else None


def post(site, path, headers, body='', auth=None):
    h = {'Content-Type': 'application/x-www-form-urlencoded', 'Accept': 'application/json'}
    if auth:
        h['Authorization'] = auth
    h.update(headers)
    return site.request('POST', path, body=body, headers=h)


def scenario_auth(t, build, corpus, work):
    site = Site(build, work)
    site.start()
    try:
        r = site.request('GET', '/admin/')
        t.check(r.status == 401, '/admin/ without a password: 401 from lighttpd (%d)' % r.status)
        auth = auth_header(site)
        r = site.request('GET', '/admin/', headers={'Authorization': auth})
        t.check(r.status == 200, '/admin/ with the password: 200 (%d)' % r.status)
        token = r.header('X-Trackport-CSRF') or ''
        t.check(re.fullmatch(r'[0-9a-f]{64}', token) is not None, 'the page sends its token')
        t.check(('name="csrf" value="%s"' % token).encode() in r.body,
                'the purge form embeds the token')
        r2 = site.request('GET', '/admin/', headers={'Authorization': auth})
        t.check(r2.header('X-Trackport-CSRF') == token, 'the token is stable for the user')
        t.check(os.path.exists(os.path.join(site.data, 'admin.secret')),
                'the secret is kept in data_dir')

        job = failed_job(site, corpus)
        t.check(job is not None, 'a failed job to retry')
        r = site.request('GET', '/admin/', headers={'Authorization': auth})
        t.check(('/admin/jobs/%s/retry"><input type="hidden" name="csrf" value="%s"'
                 % (job, token)).encode() in r.body, 'the retry button carries the token')

        retry = '/admin/jobs/%s/retry' % job
        refusals = [
            ('no token', {}, ''),
            ('a wrong token', {}, 'csrf=' + '0' * 64),
            ('Origin: null without Referer', {'Origin': 'null'}, 'csrf=' + token),
            ('Origin: null with our Referer',
             {'Origin': 'null', 'Referer': site.url('/admin/')}, 'csrf=' + token),
            ('a foreign Origin', {'Origin': 'http://evil.example'}, 'csrf=' + token),
        ]
        for what, headers, body in refusals:
            r = post(site, retry, headers, body, auth)
            t.check(r.status == 403, 'retry with %s: 403 (%d %s)' % (what, r.status, r.body[:120]))
            r = post(site, '/admin/purge', headers, body + '&all=1', auth)
            t.check(r.status == 403, 'purge all with %s: 403 (%d)' % (what, r.status))
        s = site.get_json('/jobs/%s/status' % job)[1]
        t.check(s and s['state'] == 'failed', 'the refused retries changed nothing: %s'
                % (s and s['state']))
        r = post(site, retry, {'Origin': 'null'}, 'csrf=' + token, auth)
        t.check(b'Origin: null' in r.body, 'the refusal of Origin: null says why')
        r = post(site, retry, {}, '', auth)
        t.check(b'anti-forgery' in r.body, 'the refusal of a missing token says why')

        # Another user's token does not pass for this one.
        with open(os.path.join(site.run, 'admin.users'), 'a') as f:
            f.write('other:%s\n' % site.admin_password)
        other = auth_header(site, 'other')
        r = site.request('GET', '/admin/', headers={'Authorization': other})
        other_token = r.header('X-Trackport-CSRF') or ''
        t.check(other_token and other_token != token, "each user has a token of their own")
        r = post(site, retry, {}, 'csrf=' + other_token, auth)
        t.check(r.status == 403, "another user's token is refused (%d)" % r.status)

        # With the token (form field, or the header scripts use) the actions go through.
        r = post(site, retry, {'Origin': 'http://127.0.0.1:%d' % site.port}, 'csrf=' + token,
                 auth)
        t.check(r.status == 200, 'retry with the token and our Origin: 200 (%d %s)'
                % (r.status, r.body[:200]))
        s = site.wait_final(job)
        t.check(s and s['state'] == 'failed', 'the retried job ran again and failed again')
        r = post(site, '/admin/purge', {'X-Trackport-CSRF': token}, 'all=1', auth)
        t.check(r.status == 200 and json.loads(r.body).get('deleted', 0) >= 1,
                'purge all with the header token: %d %s' % (r.status, r.body[:100]))
    finally:
        finish_site(t, site)


def scenario_noauth(t, build, corpus, work):
    site = NoAuthSite(build, os.path.join(work, 'off'))
    site.start()
    try:
        r = site.request('GET', '/admin/')
        t.check(r.status == 403, '/admin/ without an auth block: 403 (%d)' % r.status)
        t.check(b'authenticated' in r.body and b'web_admin_without_auth' in r.body,
                'the 403 says why and what to set: %s' % r.body[:300])
        r = site.request('GET', '/admin/', headers={'Accept': 'application/json'})
        t.check(r.status == 403 and 'error' in r.json(), 'as JSON too')
        r = post(site, '/admin/purge', {}, 'all=1')
        t.check(r.status == 403, 'purge without an auth block: 403 (%d)' % r.status)
    finally:
        finish_site(t, site)
    site = NoAuthSite(build, os.path.join(work, 'on'),
                      extra_conf='web_admin_without_auth = true\n')
    site.start()
    try:
        r = site.request('GET', '/admin/')
        t.check(r.status == 200, 'web_admin_without_auth = true serves the page (%d)'
                % r.status)
        token = r.header('X-Trackport-CSRF') or ''
        r = post(site, '/admin/purge', {}, 'all=1')
        t.check(r.status == 403, 'a POST still needs the token (%d)' % r.status)
        r = post(site, '/admin/purge', {}, 'all=1&csrf=' + token)
        t.check(r.status == 200, 'with it, the purge goes through (%d)' % r.status)
    finally:
        finish_site(t, site)


SCENARIOS = {'auth': scenario_auth, 'noauth': scenario_noauth}


def main(argv):
    scenario, build, corpus, work = argv[1:5]
    t = Checks()
    SCENARIOS[scenario](t, build, corpus, work)
    return t.summary()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
