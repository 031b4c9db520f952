/* web_admin.c — the operators' pages (see web_admin.h). */
#include "web_admin.h"

#include "web_app.h"
#include "web_jobs.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define ADMIN_PAGE_MAX (4u << 20)

/* False (and 404 answered) when the pages are switched off. */
static bool admin_enabled(struct web_ctx *c)
{
    if (c->app->cfg.web_admin)
        return true;
    web_send_error(c, 404, "There is no such page.");
    return false;
}

/* True when a POST comes from this site (Origin or Referer names our Host, or neither is
 * sent, as with curl); otherwise answers 403. */
static bool admin_same_origin(struct web_ctx *c)
{
    const char *host = web_env(c, "HTTP_HOST");
    const char *from = web_env(c, "HTTP_ORIGIN");
    if (!from || strcmp(from, "null") == 0)
        from = web_env(c, "HTTP_REFERER");
    if (!from)
        return true;
    const char *p = strstr(from, "://");
    if (host && p) {
        p += 3;
        size_t hlen = strlen(host);
        if (strncmp(p, host, hlen) == 0 && (p[hlen] == '\0' || p[hlen] == '/'))
            return true;
    }
    web_send_error(c, 403, "Admin actions must be sent from the admin page of this site.");
    return false;
}

static void admin_time(struct web_buf *b, int64_t ms)
{
    if (ms <= 0) {
        web_buf_puts(b, "\xe2\x80\x94");
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char text[32];
    gmtime_r(&t, &tm);
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
    web_buf_puts(b, text);
}

static void admin_button(struct web_ctx *c, struct web_buf *b, const char *token,
                         const char *action, const char *label)
{
    web_buf_puts(b, "<form method=\"post\" action=\"");
    web_url_prefix(c, b);
    web_buf_printf(b, "/admin/jobs/%s/%s\"><button>%s</button></form>", token, action, label);
}

static void admin_job_rows(struct web_ctx *c, struct web_buf *b, const struct jobs_list *l,
                           bool with_error)
{
    web_buf_puts(b, "<table><tr><th>Job</th><th>File</th><th>State</th><th>Attempts</th>"
                    "<th>Created (UTC)</th><th>Worker</th><th>Progress</th>");
    if (with_error)
        web_buf_puts(b, "<th>Error</th><th>Exit</th>");
    web_buf_puts(b, "<th></th></tr>\n");
    for (size_t i = 0; i < l->n; i++) {
        const struct jobs_job *j = &l->jobs[i];
        web_buf_puts(b, "<tr><td><a href=\"");
        web_url_prefix(c, b);
        web_buf_printf(b, "/jobs/%s\"><code>%s</code></a></td><td>", j->token, j->token);
        web_buf_html(b, j->input_name ? j->input_name : "");
        web_buf_printf(b, "</td><td class=\"state-%s\">%s</td><td>%d/%d</td><td>",
                       jobs_state_name(j->state), jobs_state_name(j->state), j->attempts,
                       j->max_attempts);
        admin_time(b, j->created_ms);
        web_buf_puts(b, "</td><td>");
        if (j->state == JOBS_RUNNING && j->worker_pid > 0)
            web_buf_printf(b, "pid %d", (int)j->worker_pid);
        web_buf_printf(b, "</td><td>%d%% ", j->percent);
        web_buf_html(b, j->message ? j->message : "");
        web_buf_puts(b, "</td>");
        if (with_error) {
            web_buf_puts(b, "<td>");
            web_buf_html(b, j->error ? j->error : "");
            if (j->error_code)
                web_buf_printf(b, " <code>%s</code>",
                               jobs_life_error_name(j->error_domain, j->error_code));
            web_buf_puts(b, "</td><td>");
            if (j->exit_signal)
                web_buf_printf(b, "signal %d", j->exit_signal);
            else if (j->exit_code >= 0)
                web_buf_printf(b, "code %d", j->exit_code);
            web_buf_puts(b, "</td>");
        }
        web_buf_puts(b, "<td>");
        if (j->state == JOBS_FAILED || j->state == JOBS_CANCELLED)
            admin_button(c, b, j->token, "retry", "Retry");
        if (j->state == JOBS_QUEUED || j->state == JOBS_RUNNING)
            admin_button(c, b, j->token, "cancel", "Cancel");
        web_buf_puts(b, "</td></tr>\n");
    }
    if (l->n == 0)
        web_buf_puts(b, "<tr><td colspan=\"10\">None.</td></tr>\n");
    web_buf_puts(b, "</table>\n");
}

void web_admin_index(struct web_ctx *c, const struct web_match *m)
{
    (void)m;
    if (!admin_enabled(c))
        return;
    struct jobs_store *store = web_app_store(c->app);
    if (!store) {
        web_send_error(c, 503, "The job database is not available right now.");
        return;
    }
    struct jobs_stats st;
    struct jobs_list running = {0}, failed = {0}, recent = {0};
    memset(&st, 0, sizeof st);
    int64_t now = jobs_now_ms();
    struct jobs_filter ff = {.state = JOBS_FAILED, .limit = 50};
    struct jobs_filter rf = {.state = -1, .limit = 50};
    int rc = jobs_stats(store, now, &st);
    if (!rc)
        rc = jobs_list_running(store, &running);
    if (!rc)
        rc = jobs_list_jobs(store, &ff, &failed);
    if (!rc)
        rc = jobs_list_jobs(store, &rf, &recent);
    if (rc) {
        web_app_store_failed(c->app);
        web_send_error(c, 503, "The job database did not answer (%s).", jobs_strerror(rc));
        goto out;
    }
    struct web_buf b;
    web_buf_init(&b, ADMIN_PAGE_MAX);
    web_buf_puts(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<title>trackport admin</title><link rel=\"stylesheet\" href=\"");
    web_url_prefix(c, &b);
    web_buf_puts(&b, "/style.css\"></head><body class=\"admin\"><main><h1>trackport admin</h1>");
    pid_t pid = 0;
    bool alive = disp_lock_holder(&c->app->cfg, &pid) == 0;
    web_buf_puts(&b, "<section><h2>Queues</h2><p>Dispatcher: ");
    if (alive)
        web_buf_printf(&b, "running, pid %d", (int)pid);
    else
        web_buf_puts(&b, "<strong>not running</strong>");
    web_buf_printf(&b, ". Ready to run: %lld", (long long)st.ready);
    if (st.oldest_queued_ms > 0)
        web_buf_printf(&b, " (oldest waiting %.1f s)", (double)st.oldest_queued_ms / 1000.0);
    web_buf_printf(&b, ". Workers: %lld.</p>\n<table><tr><th>Queue</th>",
                   (long long)st.running_workers);
    for (int s = 0; s < JOBS_STATE_COUNT; s++)
        web_buf_printf(&b, "<th>%s</th>", jobs_state_name(s));
    web_buf_puts(&b, "</tr>\n");
    for (size_t q = 0; q < st.queue_count; q++) {
        web_buf_puts(&b, "<tr><td>");
        web_buf_html(&b, st.queues[q].queue ? st.queues[q].queue : "");
        web_buf_puts(&b, "</td>");
        for (int s = 0; s < JOBS_STATE_COUNT; s++)
            web_buf_printf(&b, "<td>%lld</td>", (long long)st.queues[q].count[s]);
        web_buf_puts(&b, "</tr>\n");
    }
    web_buf_puts(&b, "<tr><th>all</th>");
    for (int s = 0; s < JOBS_STATE_COUNT; s++)
        web_buf_printf(&b, "<th>%lld</th>", (long long)st.count[s]);
    web_buf_puts(&b, "</tr></table></section>\n<section><h2>Running</h2>");
    admin_job_rows(c, &b, &running, false);
    web_buf_puts(&b, "</section>\n<section><h2>Failed</h2>");
    admin_job_rows(c, &b, &failed, true);
    web_buf_puts(&b, "</section>\n<section><h2>Recent</h2>");
    admin_job_rows(c, &b, &recent, true);
    web_buf_puts(&b, "</section>\n<section><h2>Purge</h2><form method=\"post\" action=\"");
    web_url_prefix(c, &b);
    web_buf_printf(&b, "/admin/purge\"><p>Finished jobs are removed with their files after %d "
                       "hours.</p><label><input type=\"checkbox\" name=\"all\" value=\"1\"> "
                       "every finished job, whatever its age</label> <button>Purge now"
                       "</button></form></section></main></body></html>\n",
                   c->app->cfg.retention_hours);
    if (web_buf_ok(&b))
        web_send(c, 200, "text/html; charset=utf-8", b.data, b.len, false);
    else
        web_send_error(c, 500, "The admin page grew too large.");
    web_buf_cleanup(&b);
out:
    jobs_stats_cleanup(&st);
    jobs_list_cleanup(&running);
    jobs_list_cleanup(&failed);
    jobs_list_cleanup(&recent);
}

static bool admin_token(struct web_ctx *c, const struct web_match *m, char token[JOBS_TOKEN_SIZE])
{
    if (web_match_param(m, "token", token, JOBS_TOKEN_SIZE) < 0 || !jobs_token_valid(token)) {
        web_send_error(c, 404, "There is no such job.");
        return false;
    }
    return true;
}

static void admin_back(struct web_ctx *c)
{
    if (c->wants_html && !c->accepts_json) {
        web_send_redirect(c, 303, "/admin/");
        return;
    }
    static const char ok[] = "{\"ok\":true}";
    web_send(c, 200, "application/json", ok, sizeof ok - 1, false);
}

void web_admin_retry(struct web_ctx *c, const struct web_match *m)
{
    char token[JOBS_TOKEN_SIZE];
    if (!admin_enabled(c) || !admin_same_origin(c) || !admin_token(c, m, token))
        return;
    int rc = jobs_life_retry(&c->app->cfg, web_app_store(c->app), c->app->progress, token);
    if (rc == JOBS_ERR_NOT_FOUND) {
        web_send_error(c, 404, "There is no such job.");
        return;
    }
    if (rc == JOBS_ERR_STATE) {
        web_send_error(c, 409, "Only failed or cancelled jobs can be retried.");
        return;
    }
    if (rc) {
        if (rc != JOBS_ERR_BUSY)
            web_app_store_failed(c->app);
        web_jobs_busy(c, rc);
        return;
    }
    admin_back(c);
}

void web_admin_cancel(struct web_ctx *c, const struct web_match *m)
{
    char token[JOBS_TOKEN_SIZE];
    if (!admin_enabled(c) || !admin_same_origin(c) || !admin_token(c, m, token))
        return;
    struct jobs_job after;
    int rc = web_jobs_cancel_token(c, token, &after);
    jobs_job_cleanup(&after);
    if (rc == JOBS_ERR_NOT_FOUND)
        web_send_error(c, 404, "There is no such job.");
    else if (rc == JOBS_ERR_STATE)
        web_send_error(c, 409, "This job has already finished.");
    else if (rc)
        web_jobs_busy(c, rc);
    else
        admin_back(c);
}

void web_admin_purge(struct web_ctx *c, const struct web_match *m)
{
    (void)m;
    if (!admin_enabled(c) || !admin_same_origin(c))
        return;
    char body[256];
    size_t len = 0;
    long got;
    while (len + 1 < sizeof body && (got = web_read(c, body + len, sizeof body - 1 - len)) > 0)
        len += (size_t)got;
    body[len] = '\0';
    char all[8] = "";
    bool everything = (web_query_param(body, "all", all, sizeof all) >= 0 && all[0] == '1') ||
                      (web_query_param(c->query, "all", all, sizeof all) >= 0 && all[0] == '1');
    int64_t now = jobs_now_ms();
    int64_t before = everything ? now + 1
                                : now - (int64_t)c->app->cfg.retention_hours * 3600 * 1000;
    size_t deleted = 0;
    int rc = 0;
    if (everything || c->app->cfg.retention_hours > 0) /* 0 hours: keep forever */
        rc = jobs_life_purge(&c->app->cfg, web_app_store(c->app), c->app->progress, before, 0,
                             &deleted);
    if (rc) {
        if (rc != JOBS_ERR_BUSY)
            web_app_store_failed(c->app);
        web_jobs_busy(c, rc);
        return;
    }
    if (c->wants_html && !c->accepts_json) {
        web_send_redirect(c, 303, "/admin/");
        return;
    }
    char text[64];
    int n = snprintf(text, sizeof text, "{\"ok\":true,\"deleted\":%zu}", deleted);
    web_send(c, 200, "application/json", text, (size_t)n, false);
}
