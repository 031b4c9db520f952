/* web_api.c — /api/formats, /api/detect and /health (see web_api.h). */
#include "web_api.h"

#include "trackport.h"
#include "web_app.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define API_DETECT_MAX 65536

/* A sink that only records the comp size the importer announces, then stops the import:
 * detection reads the size from the head of the file without converting anything. */
struct api_size_probe {
    struct tp_sink base;
    int width, height;
};

static int api_probe_begin(struct tp_sink *self, int width, int height, struct tp_diag *diag)
{
    (void)diag;
    struct api_size_probe *p = (struct api_size_probe *)self;
    p->width = width;
    p->height = height;
    return TP_ERR_CANCELLED;
}

/* Never reached while importers pass begin's answer on; there so an importer that did not
 * would stop here too instead of calling through a NULL. */
static int api_probe_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    (void)self, (void)t, (void)diag;
    return TP_ERR_CANCELLED;
}

static int api_probe_end(struct tp_sink *self, struct tp_diag *diag)
{
    (void)self, (void)diag;
    return TP_ERR_CANCELLED;
}

/* The comp size a format carries, read from the head only (bounded by API_DETECT_MAX);
 * false when the head ends before the first tracker or does not parse. */
static bool api_head_size(const struct tp_importer *importer, const char *head, size_t len,
                          int *width, int *height)
{
    if (!(importer->flags & TP_IMPORT_KNOWS_SIZE))
        return false;
    struct tp_input *in = NULL;
    if (tp_input_open_memory(head, len, &in) != 0)
        return false;
    struct api_size_probe probe = {.base = {.begin = api_probe_begin, .tracker = api_probe_tracker, .end = api_probe_end}};
    struct tp_diag diag = {0};
    int rc = tp_import(importer, in, 0, 0, &probe.base, NULL, NULL, &diag);
    tp_input_free(in);
    if (rc != TP_ERR_CANCELLED || probe.width <= 0 || probe.height <= 0)
        return false;
    *width = probe.width;
    *height = probe.height;
    return true;
}

void web_api_formats(struct web_ctx *c, const struct web_match *m)
{
    (void)m;
    cJSON *o = cJSON_CreateObject();
    cJSON *imps = cJSON_AddArrayToObject(o, "importers");
    size_t n;
    const struct tp_importer *const *importers = tp_importers(&n);
    for (size_t i = 0; i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", importers[i]->name);
        cJSON_AddStringToObject(e, "description", importers[i]->human_name);
        if (importers[i]->extension)
            cJSON_AddStringToObject(e, "extension", importers[i]->extension);
        else
            cJSON_AddNullToObject(e, "extension");
        cJSON_AddBoolToObject(e, "needs_size", !(importers[i]->flags & TP_IMPORT_KNOWS_SIZE));
        cJSON_AddItemToArray(imps, e);
    }
    cJSON *exps = cJSON_AddArrayToObject(o, "exporters");
    const struct tp_exporter *const *exporters = tp_exporters(&n);
    for (size_t i = 0; i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", exporters[i]->name);
        cJSON_AddStringToObject(e, "description", exporters[i]->human_name);
        cJSON_AddStringToObject(e, "suffix", exporters[i]->suffix);
        cJSON_AddStringToObject(e, "application", exporters[i]->application);
        cJSON_AddStringToObject(e, "note", exporters[i]->note);
        cJSON_AddItemToArray(exps, e);
    }
    cJSON *tools = cJSON_AddArrayToObject(o, "tools");
    const struct tp_tool_flag *flags = tp_tool_flags(&n);
    for (size_t i = 0; i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "flag", flags[i].flag);
        cJSON_AddStringToObject(e, "tool", flags[i].tool);
        cJSON_AddStringToObject(e, "kind", flags[i].kind);
        cJSON_AddStringToObject(e, "help", flags[i].help);
        cJSON_AddItemToArray(tools, e);
    }
    cJSON_AddNumberToObject(o, "max_upload_bytes", (double)c->app->cfg.web_max_upload_bytes);
    /* The page checks a file's size before sending it and says how long files are kept. */
    cJSON *limits = cJSON_AddObjectToObject(o, "limits");
    cJSON_AddNumberToObject(limits, "max_upload_bytes", (double)c->app->cfg.web_max_upload_bytes);
    cJSON_AddNumberToObject(limits, "retention_seconds", (double)c->app->cfg.retention_hours * 3600.0);
    cJSON_AddNumberToObject(o, "poll_ms", c->app->cfg.web_status_poll_ms);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text) {
        web_send_error(c, 500, "Out of memory.");
        return;
    }
    web_begin(c, 200);
    web_header(c, "Cache-Control", "max-age=60");
    web_send(c, 200, "application/json", text, strlen(text), true);
    cJSON_free(text);
}

void web_api_detect(struct web_ctx *c, const struct web_match *m)
{
    (void)m;
    char name[1024];
    if (web_query_param(c->query, "name", name, sizeof name) < 0)
        name[0] = '\0';
    char *head = malloc(API_DETECT_MAX + 1);
    if (!head) {
        web_send_error(c, 500, "Out of memory.");
        return;
    }
    size_t len = 0;
    long got;
    while (len < API_DETECT_MAX && (got = web_read(c, head + len, API_DETECT_MAX - len)) > 0)
        len += (size_t)got;
    head[len] = '\0';
    const struct tp_importer *importer = NULL;
    struct tp_diag diag = {0};
    int rc = tp_detect(name, head, len, &importer, &diag);
    int width = 0, height = 0;
    bool has_size = rc == 0 && importer && api_head_size(importer, head, len, &width, &height);
    free(head);
    cJSON *o = cJSON_CreateObject();
    if (rc == 0 && importer) {
        cJSON_AddStringToObject(o, "importer", importer->name);
        cJSON_AddStringToObject(o, "description", importer->human_name);
        cJSON_AddBoolToObject(o, "needs_size", !(importer->flags & TP_IMPORT_KNOWS_SIZE));
        if (has_size) {
            cJSON *size = cJSON_AddArrayToObject(o, "comp_size");
            cJSON_AddItemToArray(size, cJSON_CreateNumber(width));
            cJSON_AddItemToArray(size, cJSON_CreateNumber(height));
        } else {
            cJSON_AddNullToObject(o, "comp_size");
        }
    } else {
        cJSON_AddNullToObject(o, "importer");
        cJSON_AddStringToObject(o, "message", diag.message[0] ? diag.message : tp_strerror(rc));
    }
    web_send_json(c, 200, o);
    cJSON_Delete(o);
}

void web_api_health(struct web_ctx *c, const struct web_match *m)
{
    (void)m;
    struct web_app *app = c->app;
    cJSON *o = cJSON_CreateObject();
    int64_t depth = -1, running = -1;
    struct jobs_store *store = web_app_store(app);
    bool db_ok = false;
    if (store) {
        struct jobs_stats st;
        memset(&st, 0, sizeof st);
        db_ok = jobs_queue_depth(store, jobs_now_ms(), &depth) == 0;
        if (db_ok && jobs_stats(store, jobs_now_ms(), &st) == 0)
            running = st.count[JOBS_RUNNING];
        jobs_stats_cleanup(&st);
        if (!db_ok)
            web_app_store_failed(app);
    }
    cJSON *db = cJSON_AddObjectToObject(o, "database");
    cJSON_AddBoolToObject(db, "ok", db_ok);
    bool mc_configured = app->cfg.memcached_servers[0] != '\0';
    bool mc_ok = mc_configured && disp_progress_ping(app->progress) == 0;
    cJSON *mc = cJSON_AddObjectToObject(o, "memcached");
    cJSON_AddBoolToObject(mc, "configured", mc_configured);
    cJSON_AddBoolToObject(mc, "ok", mc_ok);
    pid_t pid = 0;
    bool alive = disp_lock_holder(&app->cfg, &pid) == 0;
    cJSON *d = cJSON_AddObjectToObject(o, "dispatcher");
    if (alive)
        cJSON_AddNumberToObject(d, "pid", pid);
    else
        cJSON_AddNullToObject(d, "pid");
    cJSON_AddBoolToObject(d, "alive", alive);
    if (depth >= 0)
        cJSON_AddNumberToObject(o, "queue_depth", (double)depth);
    else
        cJSON_AddNullToObject(o, "queue_depth");
    if (running >= 0)
        cJSON_AddNumberToObject(o, "running", (double)running);
    else
        cJSON_AddNullToObject(o, "running");
    cJSON_AddNumberToObject(o, "web_pid", getpid());
    bool ok = db_ok && alive;
    cJSON_AddBoolToObject(o, "ok", ok);
    web_send_json(c, ok ? 200 : 503, o);
    cJSON_Delete(o);
}
