/*
 * web_admin.h — the operators' pages under /admin/: queue counts, running workers, failed
 * jobs with their messages and exit statuses, recent jobs; retry, cancel and purge.
 *
 * Authentication is lighttpd's (mod_auth on /admin, see conf/lighttpd.conf); the pages
 * answer 403, saying why, when it did not happen (no REMOTE_USER), unless the operator set
 * web_admin_without_auth. Because browsers resend basic-auth credentials on cross-site form
 * posts, every admin POST must come from this site (an Origin, or lacking it a Referer,
 * naming another host, or "Origin: null", is refused with 403) and carry the user's
 * anti-forgery token: HMAC-SHA-256 of REMOTE_USER under a secret kept in
 * <data_dir>/admin.secret, embedded in every form of the page and sent as the
 * X-Trackport-CSRF header of GET /admin/ for scripts. web_admin = false hides the pages (404).
 */
#ifndef WEB_ADMIN_H
#define WEB_ADMIN_H

#include "web_http.h"

/* web_admin_authorized is true when the web server authenticated a user (REMOTE_USER) or
 * web_admin_without_auth is set; otherwise it answers 403 naming `what` ("The admin page")
 * and the missing auth block. /metrics shares it. */
bool web_admin_authorized(struct web_ctx *c, const char *what);

/* GET /admin/: the overview page: queues, dispatcher (paused or not), throughput of the
 * last hour, running jobs with their live progress, failed jobs (once, retry offered only
 * where it can help), then every job filtered by ?state=, ?queue=, ?q= (token prefix or
 * file name) and paginated (?page=); reloads itself every 5 s unless ?refresh=0. */
void web_admin_index(struct web_ctx *c, const struct web_match *m);

/* POST /admin/jobs/{token}/retry: a failed or cancelled job back in the queue. */
void web_admin_retry(struct web_ctx *c, const struct web_match *m);

/* POST /admin/jobs/{token}/cancel: cancel a queued or running job. */
void web_admin_cancel(struct web_ctx *c, const struct web_match *m);

/* POST /admin/pause, /admin/resume: stop or restart claiming jobs (jobs_life_set_paused);
 * running conversions finish. */
void web_admin_pause(struct web_ctx *c, const struct web_match *m);
void web_admin_resume(struct web_ctx *c, const struct web_match *m);

/* POST /admin/bulk: action=retry|cancel for every token= field of the form (retry skips
 * jobs that failed for bad input). Answers {"done": N, "skipped": M} or 303 to the page. */
void web_admin_bulk(struct web_ctx *c, const struct web_match *m);

/* POST /admin/purge: delete finished jobs past the retention period (or, with all=1 in the
 * form or query, every finished job) with their folders. */
void web_admin_purge(struct web_ctx *c, const struct web_match *m);

#endif
