/*
 * web_text.h — text helpers of the site: a growable byte buffer, HTML and URL escaping,
 * percent-decoding of path parts and query strings.
 *
 * struct web_buf grows on demand up to a limit its owner sets (so a page or an SVG can never
 * grow without bound); after a failed growth it is "broken": later appends do nothing and
 * web_buf_ok answers false, so a builder checks once at the end. No global state; safe
 * across fork() (plain heap memory).
 */
#ifndef WEB_TEXT_H
#define WEB_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#if defined(__GNUC__)
#define WEB_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define WEB_PRINTF(fmt, args)
#endif

struct web_buf {
    char *data; /* owned, NUL-terminated when len > 0 */
    size_t len, cap;
    size_t max; /* 0: 64 MiB */
    bool broken;
};

/* web_buf_init makes an empty buffer that may grow to max bytes (0: 64 MiB). */
void web_buf_init(struct web_buf *b, size_t max);
/* web_buf_cleanup frees the data and empties the buffer. */
void web_buf_cleanup(struct web_buf *b);
/* web_buf_ok is false once an append failed (no memory or over max). */
bool web_buf_ok(const struct web_buf *b);
void web_buf_add(struct web_buf *b, const void *data, size_t len);
void web_buf_puts(struct web_buf *b, const char *s);
void web_buf_printf(struct web_buf *b, const char *fmt, ...) WEB_PRINTF(2, 3);
/* web_buf_html appends s with & < > " ' escaped for HTML text and attribute values. */
void web_buf_html(struct web_buf *b, const char *s);
/* web_buf_url appends s percent-encoded for one URL path segment (unreserved kept). */
void web_buf_url(struct web_buf *b, const char *s);

/* web_url_decode decodes %XX and (when plus_is_space) '+' from s[0..len) into out (size
 * bytes, NUL-terminated). Returns the decoded length, or -1 for a bad escape, a decoded NUL
 * or an output that does not fit. */
long web_url_decode(const char *s, size_t len, bool plus_is_space, char *out, size_t size);

/* web_query_param finds name in an application/x-www-form-urlencoded query string and
 * decodes its value into out; returns the length, or -1 when absent, malformed or too long. */
long web_query_param(const char *query, const char *name, char *out, size_t size);

#endif
