/* web_http.c — request parameters and response writing over libfcgi (see web_http.h). */
#include "web_http.h"

#include "web_app.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *web_env(const struct web_ctx *c, const char *name)
{
    return FCGX_GetParam(name, c->req->envp);
}

void web_ctx_init(struct web_ctx *c, struct web_app *app, FCGX_Request *req, const char *base)
{
    memset(c, 0, sizeof *c);
    c->app = app;
    c->req = req;
    c->method = web_method_parse(web_env(c, "REQUEST_METHOD"));
    const char *q = web_env(c, "QUERY_STRING");
    c->query = q ? q : "";
    const char *accept = web_env(c, "HTTP_ACCEPT");
    c->wants_html = accept && strstr(accept, "text/html");
    c->accepts_json = accept && strstr(accept, "application/json");

    /* REQUEST_URI is the path the client asked for, before any rewrite. */
    const char *uri = web_env(c, "REQUEST_URI");
    if (!uri || uri[0] != '/')
        uri = web_env(c, "SCRIPT_NAME");
    if (!uri)
        return;
    size_t len = strcspn(uri, "?#");
    size_t blen = base ? strlen(base) : 0;
    if (blen) {
        if (len < blen || memcmp(uri, base, blen) != 0 || (len > blen && uri[blen] != '/'))
            return;
        uri += blen;
        len -= blen;
    }
    if (len == 0) {
        uri = "/";
        len = 1;
    }
    if (len >= sizeof c->path)
        return;
    memcpy(c->path, uri, len);
    c->path[len] = '\0';
    c->path_len = len;
    c->path_ok = true;
}

const char *web_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 507: return "Insufficient Storage";
    }
    return "Unknown";
}

void web_begin(struct web_ctx *c, int status)
{
    if (c->status)
        return;
    c->status = status;
    FCGX_FPrintF(c->req->out, "Status: %d %s\r\n", status, web_reason(status));
}

void web_header(struct web_ctx *c, const char *name, const char *fmt, ...)
{
    if (c->body_started)
        return;
    char value[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    /* A header value never carries a line break, whatever it was built from. */
    for (char *p = value; *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    FCGX_PutS(name, c->req->out);
    FCGX_PutS(": ", c->req->out);
    FCGX_PutS(value, c->req->out);
    FCGX_PutS("\r\n", c->req->out);
}

static void http_end_headers(struct web_ctx *c)
{
    if (c->body_started)
        return;
    FCGX_PutS("\r\n", c->req->out);
    c->body_started = true;
}

void web_write(struct web_ctx *c, const void *data, size_t len)
{
    http_end_headers(c);
    if (c->method == WEB_HEAD || len == 0)
        return;
    while (len) {
        int n = len > (1u << 30) ? (1 << 30) : (int)len;
        if (FCGX_PutStr(data, n, c->req->out) < 0)
            return;
        data = (const char *)data + n;
        len -= (size_t)n;
    }
}

void web_send(struct web_ctx *c, int status, const char *type, const void *body, size_t len,
              bool cacheable)
{
    web_begin(c, status);
    web_header(c, "Content-Type", "%s", type);
    web_header(c, "Content-Length", "%zu", len);
    if (!cacheable)
        web_header(c, "Cache-Control", "no-store");
    web_write(c, body, len);
}

void web_send_json(struct web_ctx *c, int status, const cJSON *obj)
{
    char *text = cJSON_PrintUnformatted(obj);
    if (!text) {
        static const char oom[] = "{\"error\":\"out of memory\",\"status\":500}";
        web_send(c, 500, "application/json", oom, sizeof oom - 1, false);
        return;
    }
    web_send(c, status, "application/json", text, strlen(text), false);
    cJSON_free(text);
}

void web_url_prefix(const struct web_ctx *c, struct web_buf *b)
{
    web_buf_puts(b, c->app->cfg.web_base_path);
}

void web_send_error(struct web_ctx *c, int status, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (c->status)
        return; /* already answering: nothing more can be said */
    if (!c->wants_html) {
        cJSON *o = cJSON_CreateObject();
        if (o) {
            cJSON_AddStringToObject(o, "error", message);
            cJSON_AddNumberToObject(o, "status", status);
        }
        web_send_json(c, status, o);
        cJSON_Delete(o);
        return;
    }
    struct web_buf b;
    web_buf_init(&b, 64 * 1024);
    web_buf_printf(&b,
                   "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                   "<title>%d %s \xe2\x80\x94 trackport</title>",
                   status, web_reason(status));
    web_buf_puts(&b, "<link rel=\"stylesheet\" href=\"");
    web_url_prefix(c, &b);
    web_buf_puts(&b, "/style.css\"></head><body><main class=\"error-page\"><h1>");
    web_buf_printf(&b, "%d %s", status, web_reason(status));
    web_buf_puts(&b, "</h1><p class=\"error\">");
    web_buf_html(&b, message);
    web_buf_puts(&b, "</p><p><a href=\"");
    web_url_prefix(c, &b);
    web_buf_puts(&b, "/\">Convert another file</a></p></main></body></html>\n");
    if (web_buf_ok(&b))
        web_send(c, status, "text/html; charset=utf-8", b.data, b.len, false);
    else
        web_send(c, status, "text/plain; charset=utf-8", message, strlen(message), false);
    web_buf_cleanup(&b);
}

void web_send_redirect(struct web_ctx *c, int status, const char *path)
{
    web_begin(c, status);
    web_header(c, "Location", "%s%s", c->app->cfg.web_base_path, path);
    web_header(c, "Content-Length", "0");
    web_header(c, "Cache-Control", "no-store");
    web_write(c, NULL, 0);
}

/* Content-Disposition for a download name: an ASCII fallback plus the UTF-8 original. */
static void http_disposition(struct web_ctx *c, const char *name)
{
    char ascii[512];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && n + 1 < sizeof ascii; p++)
        ascii[n++] = (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\') ? '_' : (char)*p;
    ascii[n] = '\0';
    struct web_buf enc;
    web_buf_init(&enc, 4096);
    web_buf_url(&enc, name);
    web_header(c, "Content-Disposition", "attachment; filename=\"%s\"; filename*=UTF-8''%s",
               ascii, web_buf_ok(&enc) && enc.data ? enc.data : ascii);
    web_buf_cleanup(&enc);
}

void web_send_file(struct web_ctx *c, const char *path, const char *type,
                   const char *download_name)
{
    const struct disp_config *cfg = &c->app->cfg;
    if (cfg->web_sendfile) {
        web_begin(c, 200);
        web_header(c, "Content-Type", "%s", type);
        if (download_name)
            http_disposition(c, download_name);
        web_header(c, cfg->web_sendfile_header, "%s", path);
        web_write(c, NULL, 0);
        return;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        web_send_error(c, 404, "That file is not there any more.");
        return;
    }
    web_begin(c, 200);
    web_header(c, "Content-Type", "%s", type);
    web_header(c, "Content-Length", "%lld", (long long)st.st_size);
    if (download_name)
        http_disposition(c, download_name);
    http_end_headers(c);
    if (c->method != WEB_HEAD) {
        char buf[65536];
        ssize_t got;
        while ((got = read(fd, buf, sizeof buf)) > 0)
            web_write(c, buf, (size_t)got);
    }
    close(fd);
}

long web_read(struct web_ctx *c, void *buf, size_t len)
{
    int want = len > (1u << 20) ? (1 << 20) : (int)len;
    int got = FCGX_GetStr(buf, want, c->req->in);
    if (got < 0)
        return -1;
    if (got == 0 && FCGX_GetError(c->req->in) != 0)
        return -1;
    return got;
}

void web_ctx_finish(struct web_ctx *c)
{
    if (!c->status)
        web_send_error(c, 500, "The server could not answer this request.");
}
