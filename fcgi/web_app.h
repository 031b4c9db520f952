/*
 * web_app.h — what one FastCGI process of the site holds: its configuration, its own job
 * store and memcached connections, and the dispatcher it started.
 *
 * There is exactly one struct web_app per process, inside the state struct of main.c;
 * handlers reach it through their request context. Connections are opened lazily in the
 * process that uses them (web_app_store) and never carried across fork(): the dispatcher
 * is started by fork+exec (disp_spawn), which inherits none of them.
 */
#ifndef WEB_APP_H
#define WEB_APP_H

#include "config.h"
#include "disp_progress.h"
#include "disp_spawn.h"
#include "jobs_life.h"
#include "jobs_store.h"

#include <stdbool.h>
#include <stdint.h>

struct web_app {
    struct disp_config cfg;
    struct jobs_store *store;       /* NULL until first use, or after an error closed it */
    struct disp_progress *progress; /* never NULL after web_app_init */
    struct disp_handle dispatcher;
    char page_path[DISP_PATH_MAX];  /* web_static_dir/index.html */
    char jobs_dir[DISP_PATH_MAX];   /* data_dir/jobs */
    int64_t started_ms;
};

/* web_app_init loads the config (path, or $TRACKPORT_CONFIG when NULL), creates data_dir
 * and its jobs folder, prepares the memcached client and starts the dispatcher. Returns 0,
 * or a jobs_error with a sentence in err. */
int web_app_init(struct web_app *app, const char *config_path, char *err, size_t errlen);

/* web_app_cleanup closes the connections and the dispatcher's lifeline. */
void web_app_cleanup(struct web_app *app);

/* web_app_store returns the open job store, opening it if needed; NULL when the database
 * cannot be opened now (the caller answers 503). Its writes wait JOBS_LIFE_SITE_BUSY_MS at
 * most for the write lock (jobs_life.h); its reads never wait. */
struct jobs_store *web_app_store(struct web_app *app);

/* web_app_store_failed closes the store after an error that may have left the connection
 * unusable, so the next request reopens it. */
void web_app_store_failed(struct web_app *app);

#endif
