/* web_admin.c — the operators' pages (see web_admin.h). */
#include "web_admin.h"

#include "disp_log.h"
#include "web_app.h"
#include "web_hmac.h"
#include "web_jobs.h"

#include "disp_loop.h"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define ADMIN_PAGE_MAX (4u << 20)
#define ADMIN_SECRET_BYTES 32
#define ADMIN_TOKEN_SIZE (2 * WEB_SHA256_SIZE + 1)

/* The user the web server authenticated, or NULL. */
static const char *admin_user(struct web_ctx *c)
{
    const char *user = web_env(c, "REMOTE_USER");
    return user && user[0] ? user : NULL;
}

/* admin_by writes who asked, for a job's log line: "admin user=<name>". Returns buf. */
static const char *admin_by(struct web_ctx *c, char *buf, size_t size)
{
    snprintf(buf, size, "admin user=%.100s", admin_user(c) ? admin_user(c) : "-");
    return buf;
}

bool web_admin_authorized(struct web_ctx *c, const char *what)
{
    if (admin_user(c) || c->app->cfg.web_admin_without_auth)
        return true;
    web_send_error(c, 403,
                   "%s needs a user authenticated by the web server, and none was: lighttpd's "
                   "mod_auth block for this address is missing or does not match it (see "
                   "lighttpd.conf). To serve it without authentication, on a network only "
                   "operators reach, set web_admin_without_auth = true in trackport.conf.",
                   what);
    return false;
}

/* False (and 404 or 403 answered) when the pages are switched off or nobody logged in. */
static bool admin_enabled(struct web_ctx *c)
{
    if (!c->app->cfg.web_admin) {
        web_send_error(c, 404, "There is no such page.");
        return false;
    }
    return web_admin_authorized(c, "The admin page");
}

/* The server's secret for anti-forgery tokens: <data_dir>/admin.secret, random bytes made
 * by whichever process needs it first. It is written whole under a temporary name and
 * linked into place, so a racing process reads either nothing (and links its own, which
 * fails) or the complete file. 0, or -1 when it can be neither read nor made. */
static int admin_secret(struct web_ctx *c, uint8_t secret[ADMIN_SECRET_BYTES])
{
    char path[DISP_PATH_MAX + 32], tmp[DISP_PATH_MAX + 48];
    snprintf(path, sizeof path, "%s/admin.secret", c->app->cfg.data_dir);
    for (int tries = 0; tries < 2; tries++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t n = read(fd, secret, ADMIN_SECRET_BYTES);
            close(fd);
            if (n == ADMIN_SECRET_BYTES)
                return 0;
            return -1;
        }
        uint8_t fresh[ADMIN_SECRET_BYTES];
        if (errno != ENOENT || getrandom(fresh, sizeof fresh, 0) != (ssize_t)sizeof fresh)
            return -1;
        snprintf(tmp, sizeof tmp, "%s.%d", path, (int)getpid());
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
            return -1;
        bool written = write(fd, fresh, sizeof fresh) == (ssize_t)sizeof fresh && fsync(fd) == 0;
        close(fd);
        if (written && link(tmp, path) != 0 && errno != EEXIST)
            written = false;
        unlink(tmp);
        if (!written)
            return -1;
    }
    return -1;
}

/* The anti-forgery token of this request's user: HMAC-SHA-256 of the user's name under
 * the server's secret, in hex. 0, or -1 when the secret is unavailable. */
static int admin_form_token(struct web_ctx *c, char token[ADMIN_TOKEN_SIZE])
{
    uint8_t secret[ADMIN_SECRET_BYTES], mac[WEB_SHA256_SIZE];
    if (admin_secret(c, secret) != 0)
        return -1;
    char msg[320];
    const char *user = admin_user(c);
    int n = snprintf(msg, sizeof msg, "trackport-admin-form:%s", user ? user : "");
    web_hmac_sha256(secret, sizeof secret, msg, n > 0 ? (size_t)n : 0, mac);
    web_hex(mac, sizeof mac, token);
    return 0;
}

/* True when a POST comes from this site (Origin or Referer names our Host, or neither is
 * sent, as with curl); otherwise answers 403. "Origin: null" (a sandboxed frame, a data:
 * page, a redirect chain) names no site at all, so it is refused whatever the Referer. */
static bool admin_same_origin(struct web_ctx *c)
{
    const char *host = web_env(c, "HTTP_HOST");
    const char *from = web_env(c, "HTTP_ORIGIN");
    if (from && strcmp(from, "null") == 0) {
        web_send_error(c, 403, "Admin actions are refused from a page of no origin "
                               "(Origin: null); send them from the admin page of this site.");
        return false;
    }
    if (!from)
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

/* Reads the form body of an admin POST into body (NUL-terminated, cut at size-1). */
static void admin_read_form(struct web_ctx *c, char *body, size_t size)
{
    size_t len = 0;
    long got;
    while (len + 1 < size && (got = web_read(c, body + len, size - 1 - len)) > 0)
        len += (size_t)got;
    body[len] = '\0';
}

/* The checks every admin POST passes before it acts: the pages are on and the user
 * authenticated, the request comes from this site, and it carries the user's
 * anti-forgery token (form field "csrf", or the X-Trackport-CSRF header for scripts, which
 * read it from GET /admin/). Reads the form into body. False once a refusal is answered. */
static bool admin_post_allowed(struct web_ctx *c, char *body, size_t size)
{
    if (!admin_enabled(c) || !admin_same_origin(c))
        return false;
    admin_read_form(c, body, size);
    char expected[ADMIN_TOKEN_SIZE], sent[ADMIN_TOKEN_SIZE + 8] = "";
    if (admin_form_token(c, expected) != 0) {
        web_send_error(c, 503, "The admin's secret in data_dir cannot be read or made (%s).",
                       strerror(errno));
        return false;
    }
    const char *header = web_env(c, "HTTP_X_TRACKPORT_CSRF");
    if (header)
        snprintf(sent, sizeof sent, "%s", header);
    else if (web_query_param(body, "csrf", sent, sizeof sent) < 0)
        sent[0] = '\0';
    if (!sent[0] || !web_equal_secret(sent, expected)) {
        web_send_error(c, 403, "This admin action lacks the anti-forgery token of your session "
                               "(or carries another's): reload the admin page and try again.");
        return false;
    }
    return true;
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
                         const char *action, const char *label, const char *csrf)
{
    web_buf_puts(b, "<form method=\"post\" action=\"");
    web_url_prefix(c, b);
    web_buf_printf(b, "/admin/jobs/%s/%s\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                      "<button>%s</button></form>",
                   token, action, csrf, label);
}

/* "1.2 s", "3 min 4 s"; "—" before the start. Running jobs count up to now. */
static void admin_duration(struct web_buf *b, const struct jobs_job *j, int64_t now)
{
    int64_t end = j->finished_ms > 0 ? j->finished_ms : now;
    if (j->started_ms <= 0 || end < j->started_ms) {
        web_buf_puts(b, "\xe2\x80\x94");
        return;
    }
    double sec = (double)(end - j->started_ms) / 1000.0;
    if (sec < 60)
        web_buf_printf(b, "%.1f s", sec);
    else
        web_buf_printf(b, "%d min %d s", (int)(sec / 60), (int)sec % 60);
}

/* What the admin page shows and how (the query of GET /admin/). */
struct admin_view {
    int state;          /* -1: any */
    char queue[JOBS_MAX_QUEUE_NAME + 1];
    char search[128];   /* token prefix or part of the file name; "" none */
    int page;           /* 0-based, ADMIN_PAGE_ROWS rows each */
    bool refresh;       /* the page reloads itself */
    const char *csrf;
};

#define ADMIN_PAGE_ROWS 50
#define ADMIN_SEARCH_SCAN 2000 /* newest jobs a search looks through */

static void admin_job_rows(struct web_ctx *c, struct web_buf *b, const struct jobs_list *l,
                           bool with_error, bool live, const struct admin_view *v)
{
    int64_t now = jobs_now_ms();
    web_buf_puts(b, "<table><tr><th></th><th>Job</th><th>File</th><th>State</th>"
                    "<th>Attempts</th><th>Created (UTC)</th><th>Duration</th><th>Worker</th>"
                    "<th>Progress</th>");
    if (with_error)
        web_buf_puts(b, "<th>Error</th><th>Exit</th>");
    web_buf_puts(b, "<th></th></tr>\n");
    for (size_t i = 0; i < l->n; i++) {
        const struct jobs_job *j = &l->jobs[i];
        bool can_cancel = j->state == JOBS_QUEUED || j->state == JOBS_RUNNING;
        /* Retrying a file the converter refused cannot help: no button for those. */
        bool can_retry = (j->state == JOBS_FAILED && !jobs_life_bad_input(j->error_domain, j->error_code)) ||
                         j->state == JOBS_CANCELLED;
        web_buf_puts(b, "<tr><td>");
        if (can_cancel || can_retry)
            web_buf_printf(b, "<input type=\"checkbox\" form=\"bulk\" name=\"token\" "
                              "value=\"%s\" aria-label=\"select %s\">",
                           j->token, j->token);
        web_buf_puts(b, "</td><td><a href=\"");
        web_url_prefix(c, b);
        web_buf_printf(b, "/jobs/%s\"><code>%s</code></a></td><td>", j->token, j->token);
        web_buf_html(b, j->input_name ? j->input_name : "");
        web_buf_printf(b, "</td><td class=\"state-%s\">%s</td><td>%d/%d</td><td>",
                       jobs_state_name(j->state), jobs_state_name(j->state), j->attempts,
                       j->max_attempts);
        admin_time(b, j->created_ms);
        web_buf_puts(b, "</td><td>");
        admin_duration(b, j, now);
        web_buf_puts(b, "</td><td>");
        if (j->state == JOBS_RUNNING && j->worker_pid > 0)
            web_buf_printf(b, "pid %d", (int)j->worker_pid);
        /* A running job's live progress is in memcached (the database holds only its
         * start, half-way and end), as the job page shows it. */
        int percent = j->percent;
        const char *message = j->message ? j->message : "";
        struct disp_progress_value pv;
        if (live && j->state == JOBS_RUNNING &&
            disp_progress_get(c->app->progress, j->token, &pv) == 0 &&
            pv.state == JOBS_RUNNING && pv.attempt == j->attempts) {
            percent = pv.percent;
            message = pv.message;
        }
        web_buf_printf(b, "</td><td>%d%% ", percent);
        web_buf_html(b, message);
        web_buf_puts(b, "</td>");
        if (with_error) {
            web_buf_puts(b, "<td>");
            web_buf_html(b, j->error ? j->error : "");
            if (j->error_code)
                web_buf_printf(b, " <code>%s</code>",
                               jobs_life_error_name(j->error_domain, j->error_code));
            if (j->state == JOBS_FAILED && !can_retry)
                web_buf_puts(b, " <em>(the input or options: retrying cannot help)</em>");
            web_buf_puts(b, "</td><td>");
            if (j->exit_signal)
                web_buf_printf(b, "signal %d", j->exit_signal);
            else if (j->exit_code >= 0)
                web_buf_printf(b, "code %d", j->exit_code);
            web_buf_puts(b, "</td>");
        }
        web_buf_puts(b, "<td>");
        if (can_retry)
            admin_button(c, b, j->token, "retry", "Retry", v->csrf);
        if (can_cancel)
            admin_button(c, b, j->token, "cancel", "Cancel", v->csrf);
        web_buf_puts(b, "</td></tr>\n");
    }
    if (l->n == 0)
        web_buf_puts(b, "<tr><td colspan=\"12\">None.</td></tr>\n");
    web_buf_puts(b, "</table>\n");
}

static void admin_read_view(struct web_ctx *c, struct admin_view *v)
{
    char text[32];
    v->state = -1;
    if (web_query_param(c->query, "state", text, sizeof text) > 0)
        v->state = jobs_state_parse(text);
    if (web_query_param(c->query, "queue", v->queue, sizeof v->queue) < 0)
        v->queue[0] = '\0';
    if (web_query_param(c->query, "q", v->search, sizeof v->search) < 0)
        v->search[0] = '\0';
    v->page = 0;
    if (web_query_param(c->query, "page", text, sizeof text) > 0) {
        long page = strtol(text, NULL, 10);
        v->page = page > 0 && page < 100000 ? (int)page : 0;
    }
    v->refresh = !(web_query_param(c->query, "refresh", text, sizeof text) >= 0 &&
                   text[0] == '0');
}

/* A link to the page with the view's filters and another page number. */
static void admin_view_link(struct web_ctx *c, struct web_buf *b, const struct admin_view *v,
                            int page, const char *label)
{
    web_buf_puts(b, " <a href=\"");
    web_url_prefix(c, b);
    web_buf_puts(b, "/admin/?page=");
    web_buf_printf(b, "%d", page);
    if (v->state >= 0)
        web_buf_printf(b, "&amp;state=%s", jobs_state_name(v->state));
    if (v->queue[0]) {
        web_buf_puts(b, "&amp;queue=");
        web_buf_url(b, v->queue);
    }
    if (v->search[0]) {
        web_buf_puts(b, "&amp;q=");
        web_buf_url(b, v->search);
    }
    if (!v->refresh)
        web_buf_puts(b, "&amp;refresh=0");
    web_buf_printf(b, "\">%s</a>", label);
}

static bool admin_matches(const struct jobs_job *j, const char *search)
{
    if (!search[0])
        return true;
    if (strncmp(j->token, search, strlen(search)) == 0)
        return true;
    return j->input_name && strcasestr(j->input_name, search) != NULL;
}

/* The jobs of the filtered, paginated list. Without a search the database pages them; a
 * search looks through the ADMIN_SEARCH_SCAN newest matching jobs. Without a state filter
 * failed jobs are left out: the Failed section lists them. *more tells whether another page
 * follows. */
static int admin_list(struct jobs_store *store, const struct admin_view *v, struct jobs_list *out,
                      bool *more)
{
    struct jobs_filter f = {.state = v->state, .queue = v->queue[0] ? v->queue : NULL};
    bool skip_failed = v->state < 0;
    bool scan = v->search[0] || skip_failed;
    if (!scan) {
        f.limit = ADMIN_PAGE_ROWS + 1;
        f.offset = (size_t)v->page * ADMIN_PAGE_ROWS;
        int rc = jobs_list_jobs(store, &f, out);
        *more = rc == 0 && out->n > ADMIN_PAGE_ROWS;
        if (*more) {
            jobs_job_cleanup(&out->jobs[ADMIN_PAGE_ROWS]);
            out->n = ADMIN_PAGE_ROWS;
        }
        return rc;
    }
    f.limit = ADMIN_SEARCH_SCAN;
    int rc = jobs_list_jobs(store, &f, out);
    if (rc)
        return rc;
    size_t first = (size_t)v->page * ADMIN_PAGE_ROWS, kept = 0, seen = 0;
    *more = false;
    for (size_t i = 0; i < out->n; i++) {
        struct jobs_job *j = &out->jobs[i];
        bool wanted = admin_matches(j, v->search) && !(skip_failed && j->state == JOBS_FAILED);
        if (wanted && seen++ >= first && kept < ADMIN_PAGE_ROWS) {
            if (kept != i) {
                out->jobs[kept] = *j;
                memset(j, 0, sizeof *j);
            }
            kept++;
            continue;
        }
        if (wanted && kept == ADMIN_PAGE_ROWS)
            *more = true;
        jobs_job_cleanup(j);
    }
    out->n = kept;
    return 0;
}

/* Jobs done in the last hour (from the newest done jobs). */
static int64_t admin_done_last_hour(struct jobs_store *store, int64_t now)
{
    struct jobs_filter f = {.state = JOBS_DONE, .limit = ADMIN_SEARCH_SCAN};
    struct jobs_list l = {0};
    int64_t n = 0;
    if (jobs_list_jobs(store, &f, &l) == 0)
        for (size_t i = 0; i < l.n; i++)
            if (l.jobs[i].finished_ms >= now - 3600 * 1000)
                n++;
    jobs_list_cleanup(&l);
    return n;
}

static void admin_filter_form(struct web_ctx *c, struct web_buf *b, const struct admin_view *v)
{
    web_buf_puts(b, "<form method=\"get\" action=\"");
    web_url_prefix(c, b);
    web_buf_puts(b, "/admin/\" class=\"filters\"><label>State <select name=\"state\">"
                    "<option value=\"\">any but failed</option>");
    for (int s = 0; s < JOBS_STATE_COUNT; s++)
        web_buf_printf(b, "<option%s>%s</option>", s == v->state ? " selected" : "",
                       jobs_state_name(s));
    web_buf_puts(b, "</select></label> <label>Queue <input name=\"queue\" value=\"");
    web_buf_html(b, v->queue);
    web_buf_puts(b, "\" size=\"10\"></label> <label>Search <input name=\"q\" value=\"");
    web_buf_html(b, v->search);
    web_buf_puts(b, "\" placeholder=\"token or file name\"></label>");
    if (!v->refresh)
        web_buf_puts(b, "<input type=\"hidden\" name=\"refresh\" value=\"0\">");
    web_buf_puts(b, " <button>Show</button></form>\n");
}

void web_admin_index(struct web_ctx *c, const struct web_match *m)
{
    (void)m;
    if (!admin_enabled(c))
        return;
    char csrf[ADMIN_TOKEN_SIZE];
    if (admin_form_token(c, csrf) != 0) {
        web_send_error(c, 503, "The admin's secret in data_dir cannot be read or made (%s).",
                       strerror(errno));
        return;
    }
    struct admin_view view;
    admin_read_view(c, &view);
    view.csrf = csrf;
    struct jobs_store *store = web_app_store(c->app);
    if (!store) {
        web_send_error(c, 503, "The job database is not available right now.");
        return;
    }
    struct jobs_stats st;
    struct jobs_list running = {0}, failed = {0}, listed = {0};
    memset(&st, 0, sizeof st);
    int64_t now = jobs_now_ms();
    struct jobs_filter ff = {.state = JOBS_FAILED, .limit = ADMIN_PAGE_ROWS};
    bool more = false;
    int rc = jobs_stats(store, now, &st);
    if (!rc)
        rc = jobs_list_running(store, &running);
    if (!rc && view.state < 0 && !view.search[0] && view.page == 0)
        rc = jobs_list_jobs(store, &ff, &failed);
    if (!rc)
        rc = admin_list(store, &view, &listed, &more);
    if (rc) {
        web_app_store_failed(c->app);
        web_send_error(c, 503, "The job database did not answer (%s).", jobs_strerror(rc));
        goto out;
    }
    int64_t last_hour = admin_done_last_hour(store, now);
    struct web_buf b;
    web_buf_init(&b, ADMIN_PAGE_MAX);
    web_buf_puts(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    if (view.refresh)
        web_buf_puts(&b, "<meta http-equiv=\"refresh\" content=\"5\">");
    web_buf_printf(&b, "<meta name=\"csrf-token\" content=\"%s\">"
                       "<title>trackport admin</title><link rel=\"stylesheet\" href=\"",
                   csrf);
    web_url_prefix(c, &b);
    web_buf_puts(&b, "/style.css\"></head><body class=\"admin\"><main><h1>trackport admin</h1>");
    pid_t pid = 0;
    bool alive = disp_lock_holder(&c->app->cfg, &pid) == 0;
    bool paused = jobs_life_paused(&c->app->cfg);
    web_buf_puts(&b, "<section><h2>Queues</h2><p>Dispatcher: ");
    if (alive)
        web_buf_printf(&b, "running, pid %d", (int)pid);
    else
        web_buf_puts(&b, "<strong>not running</strong>");
    web_buf_printf(&b, "%s. Ready to run: %lld",
                   paused ? ", <strong>paused</strong> (claims no job; running ones finish)" : "",
                   (long long)st.ready);
    if (st.oldest_queued_ms > 0)
        web_buf_printf(&b, " (oldest waiting %.1f s)", (double)st.oldest_queued_ms / 1000.0);
    web_buf_printf(&b, ". Workers: %lld. Done in the last hour: %lld.</p>\n",
                   (long long)st.running_workers, (long long)last_hour);
    web_buf_puts(&b, "<form method=\"post\" action=\"");
    web_url_prefix(c, &b);
    web_buf_printf(&b, "/admin/%s\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                       "<button>%s</button></form> <a href=\"",
                   paused ? "resume" : "pause", csrf,
                   paused ? "Resume claiming jobs" : "Pause claiming jobs");
    web_url_prefix(c, &b);
    web_buf_printf(&b, "/admin/%s\">%s</a>\n<table><tr><th>Queue</th>",
                   view.refresh ? "?refresh=0" : "",
                   view.refresh ? "Stop refreshing" : "Refresh every 5 s");
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
    web_buf_puts(&b, "</tr></table></section>\n");
    /* Bulk actions: the rows' checkboxes belong to this form (form="bulk"). */
    web_buf_puts(&b, "<form id=\"bulk\" method=\"post\" action=\"");
    web_url_prefix(c, &b);
    web_buf_printf(&b, "/admin/bulk\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                       "Selected jobs: <button name=\"action\" value=\"retry\">Retry</button> "
                       "<button name=\"action\" value=\"cancel\">Cancel</button></form>\n",
                   csrf);
    web_buf_puts(&b, "<section><h2>Running</h2>");
    admin_job_rows(c, &b, &running, false, true, &view);
    if (view.state < 0 && !view.search[0] && view.page == 0) {
        web_buf_puts(&b, "</section>\n<section><h2>Failed</h2>");
        admin_job_rows(c, &b, &failed, true, false, &view);
    }
    web_buf_puts(&b, "</section>\n<section><h2>Jobs</h2>");
    admin_filter_form(c, &b, &view);
    admin_job_rows(c, &b, &listed, true, false, &view);
    web_buf_printf(&b, "<p>Page %d.", view.page + 1);
    if (view.page > 0)
        admin_view_link(c, &b, &view, view.page - 1, "Newer");
    if (more)
        admin_view_link(c, &b, &view, view.page + 1, "Older");
    web_buf_puts(&b, "</p></section>\n<section><h2>Purge</h2><form method=\"post\" action=\"");
    web_url_prefix(c, &b);
    web_buf_printf(&b,
                   "/admin/purge\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                   "<p>Finished jobs are removed with their files after %d "
                   "hours.</p><label><input type=\"checkbox\" name=\"all\" value=\"1\"> "
                   "every finished job, whatever its age</label> <button>Purge now"
                   "</button></form></section></main></body></html>\n",
                   csrf, c->app->cfg.retention_hours);
    web_header(c, "X-Trackport-CSRF", "%s", csrf);
    web_header(c, "Cache-Control", "no-store");
    if (web_buf_ok(&b))
        web_send(c, 200, "text/html; charset=utf-8", b.data, b.len, false);
    else
        web_send_error(c, 500, "The admin page grew too large.");
    web_buf_cleanup(&b);
out:
    jobs_stats_cleanup(&st);
    jobs_list_cleanup(&running);
    jobs_list_cleanup(&failed);
    jobs_list_cleanup(&listed);
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
    char token[JOBS_TOKEN_SIZE], body[256];
    if (!admin_post_allowed(c, body, sizeof body) || !admin_token(c, m, token))
        return;
    char by[160];
    int rc = jobs_life_retry(&c->app->cfg, web_app_store(c->app), c->app->progress, token,
                             admin_by(c, by, sizeof by));
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
    char token[JOBS_TOKEN_SIZE], body[256];
    if (!admin_post_allowed(c, body, sizeof body) || !admin_token(c, m, token))
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
    char body[256];
    if (!admin_post_allowed(c, body, sizeof body))
        return;
    char all[8] = "";
    bool everything = (web_query_param(body, "all", all, sizeof all) >= 0 && all[0] == '1') ||
                      (web_query_param(c->query, "all", all, sizeof all) >= 0 && all[0] == '1');
    int64_t now = jobs_now_ms();
    int64_t before = everything ? now + 1
                                : now - (int64_t)c->app->cfg.retention_hours * 3600 * 1000;
    size_t deleted = 0;
    int rc = 0;
    if (everything || c->app->cfg.retention_hours > 0) /* 0 hours: keep forever */
    {
        char by[160];
        rc = jobs_life_purge(&c->app->cfg, web_app_store(c->app), c->app->progress, before, 0,
                             &deleted, admin_by(c, by, sizeof by));
    }
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

static void admin_set_paused(struct web_ctx *c, bool paused)
{
    char body[256];
    if (!admin_post_allowed(c, body, sizeof body))
        return;
    if (jobs_life_set_paused(&c->app->cfg, paused) != 0) {
        web_send_error(c, 503, "Claiming could not be %s (%s).", paused ? "paused" : "resumed",
                       strerror(errno));
        return;
    }
    disp_log(c->app->cfg.log_level, DISP_LOG_INFO, "fcgi", "claiming %s by %s",
             paused ? "paused" : "resumed", admin_user(c) ? admin_user(c) : "-");
    admin_back(c);
}

void web_admin_pause(struct web_ctx *c, const struct web_match *m)
{
    (void)m;
    admin_set_paused(c, true);
}

void web_admin_resume(struct web_ctx *c, const struct web_match *m)
{
    (void)m;
    admin_set_paused(c, false);
}

void web_admin_bulk(struct web_ctx *c, const struct web_match *m)
{
    (void)m;
    char body[8192];
    if (!admin_post_allowed(c, body, sizeof body))
        return;
    char action[16] = "";
    if (web_query_param(body, "action", action, sizeof action) < 0 ||
        (strcmp(action, "retry") != 0 && strcmp(action, "cancel") != 0)) {
        web_send_error(c, 400, "A bulk action is retry or cancel.");
        return;
    }
    bool retry = strcmp(action, "retry") == 0;
    struct jobs_store *store = web_app_store(c->app);
    if (!store) {
        web_send_error(c, 503, "The job database is not available right now.");
        return;
    }
    size_t done = 0, skipped = 0;
    /* Every "token=" field of the form; tokens need no decoding (URL-safe base64). */
    for (const char *p = body; (p = strstr(p, "token=")) != NULL; p += 6) {
        if (p != body && p[-1] != '&')
            continue;
        char token[JOBS_TOKEN_SIZE];
        size_t len = strcspn(p + 6, "&");
        if (len + 1 > sizeof token) {
            skipped++;
            continue;
        }
        memcpy(token, p + 6, len);
        token[len] = '\0';
        if (!jobs_token_valid(token)) {
            skipped++;
            continue;
        }
        int rc;
        if (retry) {
            struct jobs_job j;
            jobs_job_init(&j);
            rc = jobs_get(store, token, &j);
            if (rc == 0 && j.state == JOBS_FAILED && jobs_life_bad_input(j.error_domain, j.error_code))
                rc = JOBS_ERR_STATE; /* retrying cannot help */
            jobs_job_cleanup(&j);
            char by[160];
            if (rc == 0)
                rc = jobs_life_retry(&c->app->cfg, store, c->app->progress, token,
                                     admin_by(c, by, sizeof by));
        } else {
            rc = web_jobs_cancel_token(c, token, NULL);
        }
        if (rc == 0)
            done++;
        else
            skipped++;
    }
    if (c->wants_html && !c->accepts_json) {
        web_send_redirect(c, 303, "/admin/");
        return;
    }
    char text[96];
    int n = snprintf(text, sizeof text, "{\"ok\":true,\"action\":\"%s\",\"done\":%zu,\"skipped\":%zu}",
                     action, done, skipped);
    web_send(c, 200, "application/json", text, (size_t)n, false);
}
