/*
 * web_api.h — the site's small JSON endpoints: the format lists the page builds its form
 * from, format detection of a file's head before upload, and the health check.
 */
#ifndef WEB_API_H
#define WEB_API_H

#include "web_http.h"

/* GET /api/formats: {importers:[{name, description, extension, needs_size}],
 * exporters:[{name, description, suffix, application, note}], tools:[{flag, tool, kind, help}],
 * max_upload_bytes, limits:{max_upload_bytes, retention_seconds}, poll_ms}. Cacheable for
 * a minute. */
void web_api_formats(struct web_ctx *c, const struct web_match *m);

/* POST /api/detect?name=<file name>: the body is the head of the file (up to 64 KiB).
 * Answers {importer, description, needs_size, comp_size} or {importer: null, message}.
 * comp_size is [width, height] when the format carries it and the head holds it (the
 * importer parses the head only, up to its first tracker), else null. */
void web_api_detect(struct web_ctx *c, const struct web_match *m);

/* GET /health: {ok, database:{ok}, memcached:{ok}, dispatcher:{pid, alive}, queue_depth,
 * running}. 200 when the database answers and a dispatcher runs, else 503. */
void web_api_health(struct web_ctx *c, const struct web_match *m);

#endif
