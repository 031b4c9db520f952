/*
 * web_jobs.c — the /jobs/<token> handlers (see web_jobs.h).
 *
 * The status endpoint is the hot path: a page polls it a few times a second for as long
 * as a job runs. Its state always comes from SQLite, the truth: a final state there (done,
 * failed, cancelled) wins over anything memcached still holds, so a cancelled job never
 * reads "running" again. The row is one indexed read in WAL mode, which never waits for a
 * writer. Only while the row says running does memcached add something: the live percent
 * and message of that same attempt, when fresh.
 */
#include "web_jobs.h"

#include "trackport.h"
#include "disp_log.h"
#include "web_app.h"
#include "web_files.h"

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

/* The status of a job from its SQLite row (and result); live (may be NULL): the running
 * attempt's fresh progress from memcached. */
static cJSON *jobs_status_from_row(struct web_ctx *c, const struct jobs_job *job,
                                   const struct disp_progress_value *live)
{
    const char *message = live ? live->message : job->message;
    int percent = live ? live->percent : job->percent;
    if (job->state == JOBS_QUEUED)
        message = job->attempts > 0 ? "Waiting to try again" : "Waiting in the queue";
    else if (job->state == JOBS_DONE)
        message = "Done";
    else if (job->state == JOBS_CANCELLED)
        message = "Cancelled";
    else if (job->state == JOBS_FAILED)
        message = "Failed"; /* the last progress message would read as if it still ran */
    cJSON *o = jobs_status_base(c, job->token, job->state,
                                job->state == JOBS_DONE ? 100 : percent, message);
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
        const cJSON *app = cJSON_GetObjectItemCaseSensitive(item, "application");
        if (cJSON_IsString(app))
            cJSON_AddStringToObject(out, "application", app->valuestring);
        else
            cJSON_AddStringToObject(out, "application", ex && ex->application ? ex->application : "");
        cJSON_AddNumberToObject(out, "bytes", cJSON_IsNumber(bytes) ? bytes->valuedouble : 0);
        jobs_add_url(c, out, "url", job->token, "/files/", name->valuestring);
        cJSON_AddItemToArray(outputs, out);
    }
    /* What the child made besides the outputs (jobs done before it made them have none). */
    cJSON *summary = cJSON_DetachItemFromObjectCaseSensitive(result, "summary");
    if (summary)
        cJSON_AddItemToObject(o, "summary", summary);
    else
        cJSON_AddNullToObject(o, "summary");
    cJSON *timings = cJSON_DetachItemFromObjectCaseSensitive(result, "timings");
    if (timings)
        cJSON_AddItemToObject(o, "timings", timings);
    if (cJSON_GetObjectItemCaseSensitive(result, "preview"))
        jobs_add_url(c, o, "preview_url", job->token, "/preview.svg", NULL);
    if (cJSON_GetObjectItemCaseSensitive(result, "trackers_file"))
        jobs_add_url(c, o, "trackers_url", job->token, "/trackers.json", NULL);
    cJSON *archives = cJSON_AddArrayToObject(o, "archives");
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(result, "archives"))
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");
        const cJSON *app = cJSON_GetObjectItemCaseSensitive(item, "application");
        const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(item, "bytes");
        cJSON *a = cJSON_IsString(name) ? cJSON_CreateObject() : NULL;
        if (!a)
            continue;
        cJSON_AddStringToObject(a, "name", name->valuestring);
        if (cJSON_IsString(app))
            cJSON_AddStringToObject(a, "application", app->valuestring);
        else
            cJSON_AddNullToObject(a, "application");
        cJSON_AddNumberToObject(a, "bytes", cJSON_IsNumber(bytes) ? bytes->valuedouble : 0);
        if (cJSON_IsString(app)) {
            jobs_add_url(c, a, "url", job->token, "/archives/", name->valuestring);
        } else {
            jobs_add_url(c, a, "url", job->token, "/all.zip", NULL);
            jobs_add_url(c, o, "zip_url", job->token, "/all.zip", NULL);
        }
        cJSON_AddItemToArray(archives, a);
    }
    cJSON_Delete(result);
    return o;
}

void web_jobs_status(struct web_ctx *c, const struct web_match *m)
{
    char token[JOBS_TOKEN_SIZE];
    struct jobs_job job;
    if (!jobs_load_param(c, m, token, &job))
        return;
    struct disp_progress_value v;
    bool live = job.state == JOBS_RUNNING &&
                disp_progress_get(c->app->progress, token, &v) == 0 &&
                v.state == JOBS_RUNNING && v.attempt == job.attempts &&
                jobs_now_ms() - v.updated_ms < DISP_PROGRESS_STALE_MS;
    cJSON *o = jobs_status_from_row(c, &job, live ? &v : NULL);
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
    if (jobs_life_dir(&c->app->cfg, token, dir, sizeof dir) != 0 ||
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
    } else if (jobs_life_out_dir(&c->app->cfg, token, out_dir, sizeof out_dir) != 0) {
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

/* Serves <job folder>/<file> of a done job, or says why not: 409 "not ready yet" while it
 * runs (or when the file is not there), 404 when the job ended without files. Answers from
 * the row and the file's existence only: nothing here grows with the job. With a
 * download_suffix, the file downloads as "<input name's base>_<suffix>". */
static void jobs_serve(struct web_ctx *c, const char *token, const struct jobs_job *job,
                       const char *what, const char *file, const char *type,
                       const char *download_suffix)
{
    if (job->state == JOBS_FAILED || job->state == JOBS_CANCELLED) {
        web_send_error(c, 404, "This conversion did not produce any files.");
        return;
    }
    char path[DISP_PATH_MAX + 128];
    if (!jobs_path(c, token, file, path, sizeof path))
        return;
    if (job->state != JOBS_DONE || access(path, R_OK) != 0) {
        web_send_error(c, 409, "The %s is not ready yet%s.", what,
                       job->state == JOBS_DONE ? "" : ": the conversion has not finished");
        return;
    }
    char base[256], download[512];
    if (download_suffix) {
        jobs_life_safe_name(job->input_name ? job->input_name : "", base, sizeof base);
        char *dot = strrchr(base, '.');
        if (dot && dot != base)
            *dot = '\0';
        snprintf(download, sizeof download, "%s_%s", base, download_suffix);
    }
    web_send_file(c, path, type, download_suffix ? download : NULL);
}

/* jobs_serve for the job named by the route's token. */
static void jobs_serve_param(struct web_ctx *c, const struct web_match *m, const char *what,
                             const char *file, const char *type, const char *download_suffix)
{
    char token[JOBS_TOKEN_SIZE];
    struct jobs_job job;
    if (!jobs_load_param(c, m, token, &job))
        return;
    jobs_serve(c, token, &job, what, file, type, download_suffix);
    jobs_job_cleanup(&job);
}

void web_jobs_preview(struct web_ctx *c, const struct web_match *m)
{
    jobs_serve_param(c, m, "preview", "preview.svg", "image/svg+xml", NULL);
}

void web_jobs_trackers(struct web_ctx *c, const struct web_match *m)
{
    jobs_serve_param(c, m, "list of trackers", "trackers.json", "application/json; charset=utf-8",
                     NULL);
}

void web_jobs_zip(struct web_ctx *c, const struct web_match *m)
{
    jobs_serve_param(c, m, "archive", "all.zip", "application/zip", "trackport.zip");
}

void web_jobs_archive(struct web_ctx *c, const struct web_match *m)
{
    char raw[256], name[256];
    if (web_match_param(m, "name", raw, sizeof raw) < 0 ||
        web_url_decode(raw, strlen(raw), false, name, sizeof name) < 0) {
        web_send_error(c, 404, "There is no such archive in this conversion.");
        return;
    }
    /* Archives are named by the child from application names: letters, digits, '-', ".zip".
     * Anything else is not one of them, and user text never reaches the path otherwise. */
    size_t len = strlen(name);
    bool ok = len > 4 && len < 64 && strcmp(name + len - 4, ".zip") == 0;
    for (size_t i = 0; ok && i < len - 4; i++)
        ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
             name[i] == '-';
    if (!ok) {
        web_send_error(c, 404, "There is no such archive in this conversion.");
        return;
    }
    char file[sizeof name + 16];
    snprintf(file, sizeof file, "archives/%s", name);
    jobs_serve_param(c, m, "archive", file, "application/zip", name);
}

int web_jobs_cancel_token(struct web_ctx *c, const char *token, struct jobs_job *after)
{
    struct jobs_store *store = web_app_store(c->app);
    const char *user = web_env(c, "REMOTE_USER");
    char by[160];
    if (user && user[0])
        snprintf(by, sizeof by, "admin user=%.100s", user);
    else
        snprintf(by, sizeof by, "web");
    int rc = jobs_life_cancel(&c->app->cfg, store, c->app->progress, token, after, by);
    if (store && rc && rc != JOBS_ERR_NOT_FOUND && rc != JOBS_ERR_STATE && rc != JOBS_ERR_BUSY)
        web_app_store_failed(c->app);
    return rc;
}

/* Answers 503 with Retry-After for a write that could not be made now. */
void web_jobs_busy(struct web_ctx *c, int rc)
{
    web_header(c, "Retry-After", "%d", JOBS_LIFE_RETRY_AFTER_S);
    if (rc == JOBS_ERR_BUSY)
        web_send_error(c, 503, "The job database is busy. Try again in a moment.");
    else
        web_send_error(c, 503, "The job database did not answer (%s). Try again in a moment.",
                       jobs_strerror(rc));
}

void web_jobs_cancel(struct web_ctx *c, const struct web_match *m)
{
    char token[JOBS_TOKEN_SIZE];
    if (!jobs_token_param(c, m, token))
        return;
    struct jobs_job after;
    int rc = web_jobs_cancel_token(c, token, &after);
    if (rc == JOBS_ERR_NOT_FOUND) {
        web_send_error(c, 404, "There is no such conversion.");
    } else if (rc == JOBS_ERR_STATE) {
        web_send_error(c, 409, "This conversion has already %s; there is nothing to cancel.",
                       after.state == JOBS_CANCELLED ? "been cancelled" : "finished");
    } else if (rc) {
        web_jobs_busy(c, rc);
    } else if (c->wants_html && !c->accepts_json) {
        char where[64];
        snprintf(where, sizeof where, "/jobs/%s", token);
        web_send_redirect(c, 303, where);
    } else {
        /* the new state, as the next status answer will give it */
        cJSON *o = jobs_status_from_row(c, &after, NULL);
        web_send_json(c, 200, o);
        cJSON_Delete(o);
    }
    jobs_job_cleanup(&after);
}
