/* web_app.c — the per-process connections and the dispatcher of the site (see web_app.h). */
#include "web_app.h"

#include "disp_metrics.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Creates path and its missing parents (JOBS_LIFE_DIR_MODE): data_dir may be deep in a
 * fresh volume, and the dispatcher started next needs it for its lock. */
static int app_mkdirs(const char *path)
{
    char tmp[DISP_PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
        return -1;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, JOBS_LIFE_DIR_MODE) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, JOBS_LIFE_DIR_MODE) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

int web_app_init(struct web_app *app, const char *config_path, char *err, size_t errlen)
{
    memset(app, 0, sizeof *app);
    disp_handle_init(&app->dispatcher);
    int rc = disp_config_load(config_path, &app->cfg, err, errlen);
    if (rc)
        return rc;
    if (snprintf(app->jobs_dir, sizeof app->jobs_dir, "%s/jobs", app->cfg.data_dir) >=
            (int)sizeof app->jobs_dir ||
        snprintf(app->page_path, sizeof app->page_path, "%s/index.html",
                 app->cfg.web_static_dir) >= (int)sizeof app->page_path) {
        snprintf(err, errlen, "data_dir or web_static_dir is too long");
        return JOBS_ERR_CONFIG;
    }
    if (app_mkdirs(app->jobs_dir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", app->jobs_dir, strerror(errno));
        return JOBS_ERR_IO;
    }
    rc = disp_progress_open(app->cfg.memcached_servers, app->cfg.memcached_timeout_ms,
                            app->cfg.progress_ttl_s, &app->progress);
    if (rc) {
        snprintf(err, errlen, "memcached client: %s", jobs_strerror(rc));
        return rc;
    }
    app->started_ms = jobs_now_ms();
    /* Start the dispatcher before opening any database handle (see jobs_store.h). A failure
     * is not fatal: disp_ensure retries on later requests. */
    if (disp_spawn(&app->cfg, &app->dispatcher) != 0)
        fprintf(stderr, "trackport-fcgi: could not start the dispatcher (will retry)\n");
    return 0;
}

void web_app_cleanup(struct web_app *app)
{
    jobs_store_close(app->store);
    app->store = NULL;
    disp_progress_free(app->progress);
    app->progress = NULL;
    disp_handle_close(&app->dispatcher, 200);
}

struct jobs_store *web_app_store(struct web_app *app)
{
    if (app->store)
        return app->store;
    char err[DISP_PATH_MAX + 256] = "";
    int rc = jobs_life_open_store(&app->cfg, JOBS_LIFE_SITE, &app->store, err, sizeof err);
    if (rc) {
        fprintf(stderr, "trackport-fcgi: cannot open the database: %s\n", err);
        app->store = NULL;
    }
    return app->store;
}

void web_app_store_failed(struct web_app *app)
{
    disp_metrics_add(&app->cfg, DISP_METRIC_SQLITE_ERRORS, 1);
    jobs_store_close(app->store);
    app->store = NULL;
}
