/*
 * web_routes.h — the site's route table (DESIGN.md §5): every path the FastCGI program
 * answers, with its methods and handler, in one list. Static files (the page, its script
 * and style) are lighttpd's and do not appear here.
 */
#ifndef WEB_ROUTES_H
#define WEB_ROUTES_H

#include "web_router.h"

/* web_routes returns the table (static, const) and its length. */
const struct web_route *web_routes(size_t *count);

#endif
