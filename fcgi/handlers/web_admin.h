/*
 * web_admin.h — the operators' pages under /admin/: queue counts, running workers, failed
 * jobs with their messages and exit statuses, recent jobs; retry, cancel and purge.
 *
 * Authentication is lighttpd's (mod_auth on /admin, see conf/lighttpd.conf); these handlers
 * trust that. Because browsers resend basic-auth credentials on cross-site form posts, every
 * admin POST must come from this site: a request whose Origin (or, lacking it, Referer)
 * names another host is refused with 403. web_admin = false in the config hides the pages
 * (404).
 */
#ifndef WEB_ADMIN_H
#define WEB_ADMIN_H

#include "web_http.h"

/* GET /admin/: the overview page. */
void web_admin_index(struct web_ctx *c, const struct web_match *m);

/* POST /admin/jobs/{token}/retry: a failed or cancelled job back in the queue. */
void web_admin_retry(struct web_ctx *c, const struct web_match *m);

/* POST /admin/jobs/{token}/cancel: cancel a queued or running job. */
void web_admin_cancel(struct web_ctx *c, const struct web_match *m);

/* POST /admin/purge: delete finished jobs past the retention period (or, with all=1 in the
 * form or query, every finished job) with their folders. */
void web_admin_purge(struct web_ctx *c, const struct web_match *m);

#endif
