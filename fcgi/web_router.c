/*
 * web_router.c — matching request paths against the route table. Linear over a table of a
 * few dozen rows: cheaper than the FastCGI round trip by orders of magnitude, and the table
 * stays one readable list.
 */
#include "web_router.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const struct {
    enum web_method bit;
    const char *name;
} router_methods[] = {
    {WEB_GET, "GET"},       {WEB_HEAD, "HEAD"},      {WEB_POST, "POST"},
    {WEB_PUT, "PUT"},       {WEB_DELETE, "DELETE"},  {WEB_OPTIONS, "OPTIONS"},
};

enum web_method web_method_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof router_methods / sizeof router_methods[0]; i++)
        if (strcmp(name, router_methods[i].name) == 0)
            return router_methods[i].bit;
    return WEB_OTHER;
}

void web_methods_format(unsigned methods, char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof router_methods / sizeof router_methods[0]; i++) {
        if (!(methods & router_methods[i].bit))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                         router_methods[i].name);
        if (n < 0 || (size_t)n >= size - used) {
            buf[used] = '\0'; /* only whole names */
            return;
        }
        used += (size_t)n;
    }
}

/* Matches one pattern; fills params on success. */
static bool router_match(const char *pattern, const char *path, size_t len,
                         struct web_match *m)
{
    const char *p = pattern;
    size_t i = 0;
    m->nparams = 0;
    while (*p) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close || m->nparams == WEB_ROUTE_MAX_PARAMS)
                return false;
            size_t start = i;
            while (i < len && path[i] != '/')
                i++;
            if (i == start)
                return false;
            struct web_param *prm = &m->params[m->nparams++];
            prm->name = p + 1;
            prm->name_len = (size_t)(close - p - 1);
            prm->value = path + start;
            prm->len = i - start;
            p = close + 1;
            continue;
        }
        if (i >= len || path[i] != *p)
            return false;
        i++;
        p++;
    }
    return i == len;
}

int web_route_find(const struct web_route *table, size_t n, enum web_method method,
                   const char *path, size_t len, struct web_match *match)
{
    unsigned want = method == WEB_HEAD ? (WEB_HEAD | WEB_GET) : (unsigned)method;
    memset(match, 0, sizeof *match);
    unsigned allowed = 0;
    for (size_t r = 0; r < n; r++) {
        struct web_match m;
        memset(&m, 0, sizeof m);
        if (!router_match(table[r].pattern, path, len, &m))
            continue;
        unsigned accepts = table[r].methods;
        if (accepts & WEB_GET)
            accepts |= WEB_HEAD;
        if (accepts & want) {
            *match = m;
            match->route = &table[r];
            return WEB_ROUTE_FOUND;
        }
        allowed |= accepts;
    }
    if (allowed) {
        match->allowed = allowed;
        return WEB_ROUTE_BAD_METHOD;
    }
    return WEB_ROUTE_NOT_FOUND;
}

long web_match_param(const struct web_match *match, const char *name, char *buf, size_t size)
{
    size_t nlen = strlen(name);
    for (size_t i = 0; i < match->nparams; i++) {
        const struct web_param *p = &match->params[i];
        if (p->name_len != nlen || memcmp(p->name, name, nlen) != 0)
            continue;
        if (p->len + 1 > size)
            return -1;
        memcpy(buf, p->value, p->len);
        buf[p->len] = '\0';
        return (long)p->len;
    }
    return -1;
}
