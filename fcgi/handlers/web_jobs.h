/*
 * web_jobs.h — everything under /jobs/<token>: the job page, its status, its files, the
 * preview plot, the archive and cancelling.
 *
 * A token that is malformed or unknown answers 404 without touching anything else. Files
 * are found by name in the job's recorded result (never by joining user text to a path)
 * and handed to lighttpd with X-Sendfile. The status's state comes from SQLite (a final
 * state there always wins); memcached adds the live percent and message of a running job.
 * Always Cache-Control: no-store. Reads never wait for SQLite's write lock; writes (cancel)
 * that cannot take it within the site's budget answer 503 with Retry-After.
 */
#ifndef WEB_JOBS_H
#define WEB_JOBS_H

#include "jobs_store.h"
#include "web_http.h"

/* GET /jobs/{token}: the page (the same static page as "/", which reads the token from its
 * URL), so a reload or a shared link shows the job. */
void web_jobs_page(struct web_ctx *c, const struct web_match *m);

/* GET /jobs/{token}/status: {token, state, percent, message, error, trackers, keyframes,
 * outputs:[{name, format, description, application, bytes, url}], and once done summary,
 * preview_url, trackers_url, archives:[{name, application, bytes, url}] (README, "Job
 * results"). */
void web_jobs_status(struct web_ctx *c, const struct web_match *m);

/* GET /jobs/{token}/files/{name}: one output, as an attachment. */
void web_jobs_file(struct web_ctx *c, const struct web_match *m);

/* The files the converter child made beside the outputs, served as they are (X-Sendfile):
 * 409 "not ready yet" until the job is done and the file exists, 404 for a job that failed
 * or was cancelled. No request builds or reads them; each answer costs a row read and a
 * stat, whatever the job's size. */

/* GET /jobs/{token}/preview.svg: the trackers over the comp frame (disp_preview.h). */
void web_jobs_preview(struct web_ctx *c, const struct web_match *m);

/* GET /jobs/{token}/trackers.json: per tracker name, first, last, keyframes, outside. */
void web_jobs_trackers(struct web_ctx *c, const struct web_match *m);

/* GET /jobs/{token}/all.zip: every output in one archive (disp_archive.h). */
void web_jobs_zip(struct web_ctx *c, const struct web_match *m);

/* GET /jobs/{token}/archives/{name}: the outputs of one application ("nuke.zip"). */
void web_jobs_archive(struct web_ctx *c, const struct web_match *m);

/* POST or DELETE /jobs/{token}/cancel: cancels a queued or running job (409 when it has
 * finished). Browsers are sent back to the job page; JSON clients get the new status, the
 * same object GET .../status answers ({"state": "cancelled", ...}). */
void web_jobs_cancel(struct web_ctx *c, const struct web_match *m);

/* web_jobs_cancel_token cancels token through jobs_life_cancel. *after (caller cleans it)
 * receives the job as it now is. Returns 0, JOBS_ERR_NOT_FOUND, JOBS_ERR_STATE (already
 * final), JOBS_ERR_BUSY or another jobs_error. Shared with the admin pages. */
int web_jobs_cancel_token(struct web_ctx *c, const char *token, struct jobs_job *after);

/* web_jobs_busy answers 503 with Retry-After for a write that failed with rc (busy lock,
 * database unavailable). Shared with uploads and the admin pages. */
void web_jobs_busy(struct web_ctx *c, int rc);

#endif
