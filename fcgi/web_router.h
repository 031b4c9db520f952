/*
 * web_router.h — the site's route table: method set + path pattern -> handler.
 *
 * A pattern is a path whose segments are either literal or a parameter written "{name}",
 * which matches one non-empty segment (no '/'). Matching is on the raw request path (before
 * '?', still percent-encoded): parameters are returned as borrowed slices of that path and
 * the handler validates or decodes them. Routes are tried in table order; the first whose
 * pattern matches and whose method set holds the method wins. HEAD is accepted wherever GET
 * is. When a pattern matches but no route for it takes the method, the answer is "method not
 * allowed" with the set of methods that would have been accepted (for the Allow header).
 *
 * The router holds no state; tables are const and may be shared by any number of processes.
 */
#ifndef WEB_ROUTER_H
#define WEB_ROUTER_H

#include <stddef.h>

enum web_method {
    WEB_GET = 1 << 0,
    WEB_HEAD = 1 << 1,
    WEB_POST = 1 << 2,
    WEB_PUT = 1 << 3,
    WEB_DELETE = 1 << 4,
    WEB_OPTIONS = 1 << 5,
    WEB_OTHER = 1 << 6,
};

/* web_method_parse maps a REQUEST_METHOD value to its bit (WEB_OTHER if unknown). */
enum web_method web_method_parse(const char *name);

/* web_methods_format writes "GET, HEAD, POST" for a set into buf (always NUL-terminated). */
void web_methods_format(unsigned methods, char *buf, size_t size);

/* The handler's context is the application's; the router never looks inside it. */
struct web_ctx;
struct web_match;
typedef void (*web_handler_fn)(struct web_ctx *ctx, const struct web_match *match);

struct web_route {
    unsigned methods; /* a set of enum web_method bits */
    const char *pattern;
    web_handler_fn handler;
};

#define WEB_ROUTE_MAX_PARAMS 4

struct web_param {
    const char *name; /* borrowed from the pattern, without braces, not NUL-terminated */
    size_t name_len;
    const char *value; /* borrowed from the path, not NUL-terminated */
    size_t len;
};

struct web_match {
    const struct web_route *route; /* NULL unless WEB_ROUTE_FOUND */
    size_t nparams;
    struct web_param params[WEB_ROUTE_MAX_PARAMS];
    unsigned allowed; /* on WEB_ROUTE_BAD_METHOD: the methods the path accepts */
};

enum web_route_result { WEB_ROUTE_FOUND = 0, WEB_ROUTE_NOT_FOUND = -1, WEB_ROUTE_BAD_METHOD = -2 };

/* web_route_find matches method + path[0..len) against table[0..n). */
int web_route_find(const struct web_route *table, size_t n, enum web_method method,
                   const char *path, size_t len, struct web_match *match);

/* web_match_param copies the parameter called name into buf (NUL-terminated) and returns its
 * length, or -1 if there is no such parameter or it does not fit. */
long web_match_param(const struct web_match *match, const char *name, char *buf, size_t size);

#endif
