/*
 * web_upload.h — POST /jobs: a multipart/form-data upload becomes a queued job.
 *
 * Form fields (all but the file optional):
 *   file                 the tracking file (exactly one file part; its name is kept for
 *                        display, format detection and output names, never as a path)
 *   importer             an importer name; "" or "auto": detect
 *   width, height        comp size in pixels, both or neither
 *   exporters            an exporter name; repeat the field or separate with commas; none:
 *                        every exporter
 *   edit.<flag>          a tool flag of tp_tool_flags ("edit.xscale" = "2"); switches take
 *                        any value; applied in the order the fields arrive
 *
 * The body streams through the multipart parser into the job's folder (jobs_life_draft:
 * input.part, renamed to `input` once complete); the options are validated as the
 * converter would (unknown importer, exporter or edit: 400 naming it) before anything is
 * queued. Answers: 303 to the job page, or 202 {token, status_url, page_url} when the
 * client accepts JSON; 400 (bad form, missing or empty file, path-like file name, bad
 * option), 413 (over web_max_upload_bytes), 503 with Retry-After (queue full, database
 * down, or its write lock not had within JOBS_LIFE_SITE_BUSY_MS). On any error the job
 * folder is removed: nothing is left behind (no folder, no row) and nothing is ever written
 * outside it.
 *
 * POST /jobs/{token}/reconvert takes the same fields without the file: a new job on the
 * stored input of job {token} (jobs_life_reconvert), which stays as it was. Same answers,
 * plus 404 when the job or its input is gone and 400 when the form carries a file.
 */
#ifndef WEB_UPLOAD_H
#define WEB_UPLOAD_H

#include "web_http.h"

void web_upload_handle(struct web_ctx *c, const struct web_match *m);
void web_upload_reconvert(struct web_ctx *c, const struct web_match *m);

#endif
