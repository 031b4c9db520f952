/*
 * web_jobs.c — the /jobs/<token> handlers (see web_jobs.h).
 *
 * The status endpoint is the hot path: a page polls it a few times a second for as long
 * as a job runs. While the job runs and memcached holds a fresh value, it answers from that
 * value alone (one memcached round trip, no SQLite). Queued, finished, stale or missing
 * values go to SQLite, which is the truth; a finished job's result comes from there. A job
 * this process has already read finished goes straight to SQLite (web_app_seen_final):
 * memcached could only tell it "not running", at the cost of a round trip.
 */
#include "web_jobs.h"

#include "disp_child.h"
#include "trackport.h"
#include "disp_options.h"
#include "disp_log.h"
#include "web_app.h"
#include "web_files.h"
#include "web_preview.h"
#include "web_zip.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOBS_PAGE_MAX (1024 * 1024)

/* Reads and validates the {token} parameter; answers 404 and returns false if malformed. */
static bool jobs_token_param(struct web_ctx *c, const struct web_match *m,
                             char token[JOBS_TOKEN_SIZE])
{
    if (web_match_param(m, "token", token, JOBS_TOKEN_SIZE) < 0 || !jobs_token_valid(token)) {
        web_send_error(c, 404, "There is no such conversion. Its link may be mistyped, or it "
                               "was removed after the retention period.");
        return false;
    }
    return true;
}

/* Loads the job into *job (the caller cleans it up after a success); answers 404/503 and
 * returns false, with *job empty, on failure. */
static bool jobs_load(struct web_ctx *c, const char *token, struct jobs_job *job)
{
    jobs_job_init(job);
    struct jobs_store *store = web_app_store(c->app);
    if (!store) {
        web_send_error(c, 503, "The job database is not available right now. Try again in a "
                               "moment.");
        return false;
    }
    int rc = jobs_get(store, token, job);
    if (rc)
        jobs_job_cleanup(job);
    if (rc == JOBS_ERR_NOT_FOUND) {
        web_send_error(c, 404, "There is no such conversion. Its link may be mistyped, or it "
                               "was removed after the retention period.");
        return false;
    }
    if (rc) {
        web_app_store_failed(c->app);
        web_send_error(c, 503, "The job database did not answer (%s). Try again in a moment.",
                       jobs_strerror(rc));
        return false;
    }
    return true;
}

/* The job named by the route's token, loaded (see jobs_load); answers and returns false if
 * there is none. */
static bool jobs_load_param(struct web_ctx *c, const struct web_match *m,
                            char token[JOBS_TOKEN_SIZE], struct jobs_job *job)
{
    return jobs_token_param(c, m, token) && jobs_load(c, token, job);
}

/* A done job's result, parsed; NULL (and an answer sent) when the job is not done. */
static cJSON *jobs_done_result(struct web_ctx *c, const struct jobs_job *job)
{
    if (job->state != JOBS_DONE) {
        web_send_error(c, job->state == JOBS_QUEUED || job->state == JOBS_RUNNING ? 409 : 404,
                       job->state == JOBS_QUEUED || job->state == JOBS_RUNNING
                           ? "The conversion has not finished yet."
                           : "This conversion did not produce any files.");
        return NULL;
    }
    cJSON *result = job->result ? cJSON_Parse(job->result) : NULL;
    if (!result)
        web_send_error(c, 500, "The result of this conversion could not be read.");
    return result;
}

static void jobs_add_url(struct web_ctx *c, cJSON *obj, const char *key, const char *token,
                         const char *suffix, const char *name)
{
    struct web_buf b;
    web_buf_init(&b, 8192);
    web_url_prefix(c, &b);
    web_buf_printf(&b, "/jobs/%s%s", token, suffix);
    if (name)
        web_buf_url(&b, name);
    if (web_buf_ok(&b) && b.data)
        cJSON_AddStringToObject(obj, key, b.data);
    web_buf_cleanup(&b);
}

/* Adds the fields every status answer has. */
static cJSON *jobs_status_base(struct web_ctx *c, const char *token, int state, int percent,
                               const char *message)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "token", token);
    cJSON_AddStringToObject(o, "state", jobs_state_name(state));
    cJSON_AddNumberToObject(o, "percent", percent < 0 ? 0 : percent > 100 ? 100 : percent);
    cJSON_AddStringToObject(o, "message", message ? message : "");
    jobs_add_url(c, o, "status_url", token, "/status", NULL);
    jobs_add_url(c, o, "page_url", token, "", NULL);
    cJSON_AddNumberToObject(o, "poll_ms", c->app->cfg.web_status_poll_ms);
    return o;
}

/* The status of a job from its SQLite row (and result). */
static cJSON *jobs_status_from_row(struct web_ctx *c, const struct jobs_job *job)
{
    const char *message = job->message;
    if (job->state == JOBS_QUEUED)
        message = job->attempts > 0 ? "Waiting to try again" : "Waiting in the queue";
    else if (job->state == JOBS_DONE)
        message = "Done";
    else if (job->state == JOBS_CANCELLED)
        message = "Cancelled";
    else if (job->state == JOBS_FAILED)
        message = "Failed"; /* the last progress message would read as if it still ran */
    cJSON *o = jobs_status_base(c, job->token, job->state,
                                job->state == JOBS_DONE ? 100 : job->percent, message);
    if (!o)
        return NULL;
    if (job->state == JOBS_FAILED || (job->state == JOBS_CANCELLED && job->error))
        cJSON_AddStringToObject(o, "error", job->error ? job->error : "The conversion failed.");
    else
        cJSON_AddNullToObject(o, "error");
    cJSON_AddStringToObject(o, "input_name", job->input_name ? job->input_name : "");
    cJSON_AddNumberToObject(o, "attempts", job->attempts);
    cJSON_AddNumberToObject(o, "created_ms", (double)job->created_ms);
    if (job->finished_ms)
        cJSON_AddNumberToObject(o, "finished_ms", (double)job->finished_ms);
    cJSON *outputs = cJSON_AddArrayToObject(o, "outputs");
    cJSON *result = job->state == JOBS_DONE && job->result ? cJSON_Parse(job->result) : NULL;
    if (!result) {
        cJSON_AddNullToObject(o, "trackers");
        cJSON_AddNullToObject(o, "keyframes");
        return o;
    }
    static const char *const copied[] = {"trackers", "keyframes", "width", "height"};
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(result, copied[i]);
        if (cJSON_IsNumber(v))
            cJSON_AddNumberToObject(o, copied[i], v->valuedouble);
        else
            cJSON_AddNullToObject(o, copied[i]);
    }
    const cJSON *imp = cJSON_GetObjectItemCaseSensitive(result, "importer");
    if (cJSON_IsString(imp)) {
        cJSON_AddStringToObject(o, "importer", imp->valuestring);
        const struct tp_importer *ti = tp_find_importer(imp->valuestring);
        if (ti)
            cJSON_AddStringToObject(o, "importer_description", ti->human_name);
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(result, "outputs"))
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");
        const cJSON *format = cJSON_GetObjectItemCaseSensitive(item, "format");
        const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(item, "bytes");
        if (!cJSON_IsString(name))
            continue;
        cJSON *out = cJSON_CreateObject();
        if (!out)
            break;
        cJSON_AddStringToObject(out, "name", name->valuestring);
        const char *fmt = cJSON_IsString(format) ? format->valuestring : "";
        cJSON_AddStringToObject(out, "format", fmt);
        const struct tp_exporter *ex = tp_find_exporter(fmt);
        cJSON_AddStringToObject(out, "description", ex ? ex->human_name : fmt);
        cJSON_AddNumberToObject(out, "bytes", cJSON_IsNumber(bytes) ? bytes->valuedouble : 0);
        jobs_add_url(c, out, "url", job->token, "/files/", name->valuestring);
        cJSON_AddItemToArray(outputs, out);
    }
    jobs_add_url(c, o, "preview_url", job->token, "/preview.svg", NULL);
    jobs_add_url(c, o, "zip_url", job->token, "/all.zip", NULL);
    cJSON_Delete(result);
    return o;
}

void web_jobs_status(struct web_ctx *c, const struct web_match *m)
{
    char token[JOBS_TOKEN_SIZE];
    if (!jobs_token_param(c, m, token))
        return;
    struct disp_progress_value v;
    if (!web_app_seen_final(c->app, token) &&
        disp_progress_get(c->app->progress, token, &v) == 0 && !jobs_state_final(v.state) &&
        v.state == JOBS_RUNNING && jobs_now_ms() - v.updated_ms < DISP_PROGRESS_STALE_MS) {
        cJSON *o = jobs_status_base(c, token, v.state, v.percent, v.message);
        if (o) {
            cJSON_AddNullToObject(o, "error");
            cJSON_AddNumberToObject(o, "attempts", v.attempt);
            cJSON_AddNullToObject(o, "trackers");
            cJSON_AddNullToObject(o, "keyframes");
            cJSON_AddArrayToObject(o, "outputs");
        }
        web_send_json(c, 200, o);
        cJSON_Delete(o);
        return;
    }
    struct jobs_job job;
    if (!jobs_load(c, token, &job))
        return;
    web_app_note_state(c->app, token, jobs_state_final(job.state));
    cJSON *o = jobs_status_from_row(c, &job);
    web_send_json(c, 200, o);
    cJSON_Delete(o);
    jobs_job_cleanup(&job);
}

void web_jobs_page(struct web_ctx *c, const struct web_match *m)
{
    char token[JOBS_TOKEN_SIZE];
    struct jobs_job job;
    if (!jobs_load_param(c, m, token, &job))
        return;
    jobs_job_cleanup(&job);
    char *page;
    size_t len;
    if (web_read_small(c->app->page_path, JOBS_PAGE_MAX, &page, &len) != 0) {
        web_send_error(c, 500, "The page could not be read (%s).", c->app->page_path);
        return;
    }
    /* The page's links are relative to the site's root. Its own script sets <base> too, but
     * only once it runs: the browser's preloader would fetch jobs/style.css first. */
    struct web_buf b;
    web_buf_init(&b, JOBS_PAGE_MAX + 4096);
    const char *head = memmem(page, len, "<head>", 6);
    size_t cut = head ? (size_t)(head - page) + 6 : 0;
    web_buf_add(&b, page, cut);
    if (head) {
        web_buf_puts(&b, "\n<base href=\"");
        web_buf_html(&b, c->app->cfg.web_base_path);
        web_buf_puts(&b, "/\">");
    }
    web_buf_add(&b, page + cut, len - cut);
    free(page);
    if (!web_buf_ok(&b) || !b.data)
        web_send_error(c, 500, "Out of memory.");
    else
        web_send(c, 200, "text/html; charset=utf-8", b.data, b.len, false);
    web_buf_cleanup(&b);
}

/* Path of a file inside the job folder ("" name: the folder itself). */
static bool jobs_path(struct web_ctx *c, const char *token, const char *sub, char *buf,
                      size_t size)
{
    char dir[DISP_PATH_MAX];
    if (disp_config_job_dir(&c->app->cfg, token, dir, sizeof dir) != 0 ||
        snprintf(buf, size, "%s%s%s", dir, sub[0] ? "/" : "", sub) >= (int)size) {
        web_send_error(c, 500, "The job folder's path is too long.");
        return false;
    }
    return true;
}

void web_jobs_file(struct web_ctx *c, const struct web_match *m)
{
    char token[JOBS_TOKEN_SIZE];
    if (!jobs_token_param(c, m, token))
        return;
    char raw[1024], name[1024];
    if (web_match_param(m, "name", raw, sizeof raw) < 0 ||
        web_url_decode(raw, strlen(raw), false, name, sizeof name) < 0) {
        web_send_error(c, 404, "There is no such file in this conversion.");
        return;
    }
    struct jobs_job job;
    if (!jobs_load(c, token, &job))
        return;
    cJSON *result = jobs_done_result(c, &job);
    jobs_job_cleanup(&job);
    if (!result)
        return;
    /* The name must be one the job recorded: user text never reaches the path otherwise. */
    const cJSON *item, *found = NULL;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(result, "outputs"))
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(item, "name");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
            found = n;
    }
    char out_dir[DISP_PATH_MAX], path[DISP_PATH_MAX + 1100];
    if (!found || strchr(name, '/') || strcmp(name, "..") == 0 || strcmp(name, ".") == 0) {
        web_send_error(c, 404, "There is no such file in this conversion.");
    } else if (disp_config_job_out(&c->app->cfg, token, out_dir, sizeof out_dir) != 0) {
        web_send_error(c, 500, "The job folder's path is too long.");
    } else {
        snprintf(path, sizeof path, "%s/%s", out_dir, name);
        if (access(path, R_OK) != 0)
            web_send_error(c, 404, "That file is not there any more.");
        else
            web_send_file(c, path, "application/octet-stream", name);
    }
    cJSON_Delete(result);
}

void web_jobs_preview(struct web_ctx *c, const struct web_match *m)
{
    char token[JOBS_TOKEN_SIZE];
    struct jobs_job job;
    if (!jobs_load_param(c, m, token, &job))
        return;
    cJSON *result = jobs_done_result(c, &job);
    char path[DISP_PATH_MAX + 32];
    if (result && jobs_path(c, token, "preview.svg", path, sizeof path)) {
        struct stat st;
        if (stat(path, &st) != 0) {
            const cJSON *imp = cJSON_GetObjectItemCaseSensitive(result, "importer");
            const struct tp_importer *importer =
                cJSON_IsString(imp) ? tp_find_importer(imp->valuestring) : NULL;
            struct disp_options opts;
            memset(&opts, 0, sizeof opts);
            struct tp_diag diag = {0};
            int rc = importer ? disp_options_parse(job.options, &opts, &diag) : TP_ERR_UNKNOWN_IMPORTER;
            if (!rc)
                rc = web_preview_render(job.input_path, importer, opts.width, opts.height,
                                        opts.edits, path, &diag);
            disp_options_cleanup(&opts);
            if (rc) {
                web_send_error(c, 500, "The preview could not be drawn: %s",
                               diag.message[0] ? diag.message : tp_strerror(rc));
                path[0] = '\0';
            }
        }
        if (path[0])
            web_send_file(c, path, "image/svg+xml", NULL);
    }
    cJSON_Delete(result);
    jobs_job_cleanup(&job);
}

void web_jobs_zip(struct web_ctx *c, const struct web_match *m)
{
    char token[JOBS_TOKEN_SIZE];
    struct jobs_job job;
    if (!jobs_load_param(c, m, token, &job))
        return;
    cJSON *result = jobs_done_result(c, &job);
    char path[DISP_PATH_MAX + 32], out_dir[DISP_PATH_MAX];
    if (result && jobs_path(c, token, "all.zip", path, sizeof path)) {
        struct stat st;
        bool ok = stat(path, &st) == 0;
        if (!ok && disp_config_job_out(&c->app->cfg, token, out_dir, sizeof out_dir) == 0) {
            const char *names[256];
            size_t n = 0;
            const cJSON *item;
            cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(result, "outputs"))
            {
                const cJSON *nm = cJSON_GetObjectItemCaseSensitive(item, "name");
                if (cJSON_IsString(nm) && n < sizeof names / sizeof names[0])
                    names[n++] = nm->valuestring;
            }
            char err[512];
            ok = web_zip_build(out_dir, names, n, path, err, sizeof err) == 0;
            if (!ok)
                web_send_error(c, 500, "The archive could not be made: %s", err);
        }
        if (ok) {
            char base[256], download[300];
            disp_child_safe_name(job.input_name ? job.input_name : "", base, sizeof base);
            char *dot = strrchr(base, '.');
            if (dot && dot != base)
                *dot = '\0';
            snprintf(download, sizeof download, "%s_trackport.zip", base);
            web_send_file(c, path, "application/zip", download);
        }
    }
    cJSON_Delete(result);
    jobs_job_cleanup(&job);
}

int web_jobs_cancel_token(struct web_ctx *c, const char *token)
{
    struct jobs_store *store = web_app_store(c->app);
    if (!store)
        return JOBS_ERR_UNAVAILABLE;
    struct jobs_job before;
    jobs_job_init(&before);
    int rc = jobs_cancel(store, token, &before);
    if (rc == 0) {
        const char *user = web_env(c, "REMOTE_USER");
        disp_log_job_event(&c->app->cfg, "fcgi", DISP_EVENT_CANCELLED, token,
                           "was=%s by=%s", jobs_state_name(before.state),
                           user && user[0] ? user : "web");
        if (before.state == JOBS_RUNNING)
            disp_wake(&c->app->cfg, DISP_WAKE_CANCEL);
        /* Tell pollers at once; the killed child's own writes are stale from now on. */
        struct disp_progress_value v = {.state = JOBS_CANCELLED,
                                        .percent = before.percent,
                                        .attempt = before.attempts};
        snprintf(v.message, sizeof v.message, "Cancelled");
        disp_progress_put(c->app->progress, token, &v);
    } else if (rc != JOBS_ERR_NOT_FOUND && rc != JOBS_ERR_STATE) {
        web_app_store_failed(c->app);
    }
    jobs_job_cleanup(&before);
    return rc;
}

void web_jobs_cancel(struct web_ctx *c, const struct web_match *m)
{
    char token[JOBS_TOKEN_SIZE];
    if (!jobs_token_param(c, m, token))
        return;
    int rc = web_jobs_cancel_token(c, token);
    if (rc == JOBS_ERR_NOT_FOUND) {
        web_send_error(c, 404, "There is no such conversion.");
        return;
    }
    if (rc == JOBS_ERR_STATE) {
        web_send_error(c, 409, "This conversion has already finished; there is nothing to "
                               "cancel.");
        return;
    }
    if (rc) {
        web_send_error(c, 503, "The job database did not answer (%s). Try again in a moment.",
                       jobs_strerror(rc));
        return;
    }
    if (c->wants_html && !c->accepts_json) {
        char where[64];
        snprintf(where, sizeof where, "/jobs/%s", token);
        web_send_redirect(c, 303, where);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    if (o) {
        cJSON_AddStringToObject(o, "token", token);
        cJSON_AddStringToObject(o, "state", "cancelled");
    }
    web_send_json(c, 200, o);
    cJSON_Delete(o);
}
