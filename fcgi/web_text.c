/* web_text.c — growable buffer and escaping helpers (see web_text.h). */
#include "web_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_DEFAULT_MAX ((size_t)64 << 20)

void web_buf_init(struct web_buf *b, size_t max)
{
    memset(b, 0, sizeof *b);
    b->max = max ? max : TEXT_DEFAULT_MAX;
}

void web_buf_cleanup(struct web_buf *b)
{
    free(b->data);
    size_t max = b->max;
    memset(b, 0, sizeof *b);
    b->max = max;
}

bool web_buf_ok(const struct web_buf *b)
{
    return !b->broken;
}

/* Makes room for n more bytes plus the NUL. */
static bool text_reserve(struct web_buf *b, size_t n)
{
    if (b->broken)
        return false;
    if (n > b->max || b->len > b->max - n) {
        b->broken = true;
        return false;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->broken = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void web_buf_add(struct web_buf *b, const void *data, size_t len)
{
    if (!text_reserve(b, len))
        return;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void web_buf_puts(struct web_buf *b, const char *s)
{
    web_buf_add(b, s, strlen(s));
}

void web_buf_printf(struct web_buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->broken = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        web_buf_add(b, small, (size_t)n);
        return;
    }
    if (!text_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void web_buf_html(struct web_buf *b, const char *s)
{
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        web_buf_add(b, run, (size_t)(s - run));
        web_buf_puts(b, rep);
        run = s + 1;
    }
    web_buf_add(b, run, (size_t)(s - run));
}

void web_buf_url(struct web_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            web_buf_add(b, p, 1);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            web_buf_add(b, esc, 3);
        }
    }
}

static int text_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long web_url_decode(const char *s, size_t len, bool plus_is_space, char *out, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= len)
                return -1;
            int hi = text_hexval(s[i + 1]), lo = text_hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            if (c == '\0')
                return -1;
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (n + 1 >= size)
            return -1;
        out[n++] = c;
    }
    if (size == 0)
        return -1;
    out[n] = '\0';
    return (long)n;
}

long web_query_param(const char *query, const char *name, char *out, size_t size)
{
    size_t nlen = strlen(name);
    const char *p = query;
    while (p && *p) {
        const char *end = strchr(p, '&');
        size_t plen = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', plen);
        size_t klen = eq ? (size_t)(eq - p) : plen;
        if (klen == nlen && memcmp(p, name, nlen) == 0) {
            if (!eq)
                return web_url_decode("", 0, true, out, size);
            return web_url_decode(eq + 1, plen - klen - 1, true, out, size);
        }
        p = end ? end + 1 : NULL;
    }
    return -1;
}
