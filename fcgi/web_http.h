/*
 * web_http.h — one FastCGI request: what it asks (method, path, Accept) and the calls that
 * answer it (status, headers, body, JSON, errors, redirects, file downloads).
 *
 * A response is written in order: web_begin (status line), any web_header, then web_write
 * (the first web_write ends the header block). The web_send* helpers do all of it in one
 * call. A handler answers exactly once; web_ctx_finish answers 500 if it did not, so a
 * request never hangs. HEAD requests get headers only (bodies are dropped here).
 *
 * Errors go to JSON clients as {"error": "...", "status": N} and to browsers (Accept names
 * text/html) as a small readable page.
 *
 * The context borrows the FastCGI request and the app for the duration of one request. No
 * global state.
 */
#ifndef WEB_HTTP_H
#define WEB_HTTP_H

#include "web_router.h"
#include "web_text.h"

#include <cjson/cJSON.h>
#include <fcgiapp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct web_app;

#define WEB_MAX_PATH 2048

struct web_ctx {
    struct web_app *app;
    FCGX_Request *req;
    enum web_method method;
    char path[WEB_MAX_PATH]; /* request path below the site's base path, still encoded */
    size_t path_len;
    bool path_ok;            /* false: the URI was outside the base path or too long */
    const char *query;       /* QUERY_STRING, "" if none */
    bool wants_html;         /* Accept names text/html (a browser navigating) */
    bool accepts_json;       /* Accept names application/json */
    int status;              /* what was answered, 0 until web_begin */
    bool body_started;
};

/* web_ctx_init reads the request's parameters. base: the site's URL prefix ("" or "/tp"). */
void web_ctx_init(struct web_ctx *c, struct web_app *app, FCGX_Request *req, const char *base);

/* web_ctx_finish answers 500 if the handler answered nothing. */
void web_ctx_finish(struct web_ctx *c);

/* web_env returns a request parameter (CONTENT_TYPE, HTTP_ACCEPT...) or NULL. */
const char *web_env(const struct web_ctx *c, const char *name);

/* web_reason is the reason phrase of an HTTP status ("Not Found"). */
const char *web_reason(int status);

void web_begin(struct web_ctx *c, int status);
void web_header(struct web_ctx *c, const char *name, const char *fmt, ...) WEB_PRINTF(3, 4);
void web_write(struct web_ctx *c, const void *data, size_t len);

/* web_send answers status with a body of the given type (Content-Length set). Dynamic
 * answers carry Cache-Control: no-store unless cacheable is true. */
void web_send(struct web_ctx *c, int status, const char *type, const void *body, size_t len,
              bool cacheable);

/* web_send_json prints obj (borrowed) compactly and answers it (no-store). */
void web_send_json(struct web_ctx *c, int status, const cJSON *obj);

/* web_send_error answers an error with a sentence for the user (JSON or HTML, see above). */
void web_send_error(struct web_ctx *c, int status, const char *fmt, ...) WEB_PRINTF(3, 4);

/* web_send_redirect answers status (303, 302...) with Location: base + path. */
void web_send_redirect(struct web_ctx *c, int status, const char *path);

/* web_send_file answers 200 with the file at path (absolute, trusted: never built from
 * user text), through the X-Sendfile header when configured, else by copying it. type:
 * Content-Type; download_name: if not NULL, Content-Disposition: attachment with that name. */
void web_send_file(struct web_ctx *c, const char *path, const char *type,
                   const char *download_name);

/* web_read reads up to len bytes of the request body; 0 at its end, -1 on error. */
long web_read(struct web_ctx *c, void *buf, size_t len);

/* web_url_prefix appends the site's base path to b (for building absolute links). */
void web_url_prefix(const struct web_ctx *c, struct web_buf *b);

#endif
