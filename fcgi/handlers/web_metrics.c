/* web_metrics.c — GET /metrics (see web_metrics.h). Names follow Prometheus' conventions:
 * a trackport_ prefix, base units (seconds, bytes), _total for counters. */
#include "web_metrics.h"

#include "disp_log.h"
#include "disp_metrics.h"
#include "web_admin.h"
#include "web_app.h"

#include <string.h>

#define METRICS_PAGE_MAX (1u << 20)

static void metrics_head(struct web_buf *b, const char *name, const char *type, const char *help)
{
    web_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped as the format requires. */
static void metrics_label(struct web_buf *b, const char *value)
{
    for (const char *p = value ? value : ""; *p; p++) {
        if (*p == '\\' || *p == '"')
            web_buf_printf(b, "\\%c", *p);
        else if (*p == '\n')
            web_buf_puts(b, "\\n");
        else
            web_buf_add(b, p, 1);
    }
}

static void metrics_counter(struct web_buf *b, const char *name, const char *help, uint64_t value)
{
    metrics_head(b, name, "counter", help);
    web_buf_printf(b, "%s %llu\n", name, (unsigned long long)value);
}

static void metrics_gauges(struct web_buf *b, const struct jobs_stats *st, bool dispatcher_up)
{
    metrics_head(b, "trackport_jobs", "gauge", "Jobs in the database by queue and state.");
    for (size_t q = 0; q < st->queue_count; q++)
        for (int s = 0; s < JOBS_STATE_COUNT; s++) {
            web_buf_puts(b, "trackport_jobs{queue=\"");
            metrics_label(b, st->queues[q].queue);
            web_buf_printf(b, "\",state=\"%s\"} %lld\n", jobs_state_name(s),
                           (long long)st->queues[q].count[s]);
        }
    metrics_head(b, "trackport_queue_depth", "gauge", "Queued jobs ready to run now (all queues).");
    web_buf_printf(b, "trackport_queue_depth %lld\n", (long long)st->ready);
    metrics_head(b, "trackport_oldest_queued_job_age_seconds", "gauge",
                 "Age of the oldest job ready to run (0: none waits).");
    web_buf_printf(b, "trackport_oldest_queued_job_age_seconds %.3f\n",
                   (double)st->oldest_queued_ms / 1000.0);
    metrics_head(b, "trackport_running_children", "gauge", "Converter processes running a job.");
    web_buf_printf(b, "trackport_running_children %lld\n", (long long)st->running_workers);
    metrics_head(b, "trackport_dispatcher_up", "gauge", "1 when a dispatcher runs.");
    web_buf_printf(b, "trackport_dispatcher_up %d\n", dispatcher_up ? 1 : 0);
}

static void metrics_counters(struct web_buf *b, const struct disp_metrics *m)
{
    metrics_head(b, "trackport_job_events_total", "counter",
                 "Events of jobs' lives, as logged (see log_file).");
    for (int e = 0; e < DISP_EVENT_COUNT; e++)
        web_buf_printf(b, "trackport_job_events_total{event=\"%s\"} %llu\n", disp_job_event_name(e),
                       (unsigned long long)m->events[e]);
    metrics_counter(b, "trackport_job_retries_total",
                    "Attempts put back in the queue, by the dispatcher or by hand.",
                    m->events[DISP_EVENT_RETRIED]);
    metrics_head(b, "trackport_job_failures_total", "counter",
                 "Jobs that failed for good, by reason.");
    for (int r = 0; r < DISP_REASON_COUNT; r++)
        web_buf_printf(b, "trackport_job_failures_total{reason=\"%s\"} %llu\n",
                       disp_failure_reason_name(r), (unsigned long long)m->failures[r]);
    metrics_head(b, "trackport_job_duration_seconds", "histogram",
                 "Time from a done job's start to its result, in its converter.");
    for (int i = 0; i < DISP_DURATION_BUCKETS; i++)
        web_buf_printf(b, "trackport_job_duration_seconds_bucket{le=\"%g\"} %llu\n",
                       disp_duration_bounds[i], (unsigned long long)m->duration_le[i]);
    web_buf_printf(b, "trackport_job_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                   (unsigned long long)m->duration_count);
    web_buf_printf(b, "trackport_job_duration_seconds_sum %.6f\n",
                   (double)m->duration_sum_us / 1e6);
    web_buf_printf(b, "trackport_job_duration_seconds_count %llu\n",
                   (unsigned long long)m->duration_count);
    metrics_counter(b, "trackport_converted_bytes_total", "Bytes of the outputs of done jobs.",
                    m->bytes);
    metrics_counter(b, "trackport_converted_trackers_total", "Trackers converted by done jobs.",
                    m->trackers);
    metrics_counter(b, "trackport_converted_keyframes_total", "Keyframes converted by done jobs.",
                    m->keyframes);
    metrics_counter(b, "trackport_memcached_errors_total",
                    "Progress operations that memcached failed (timeouts, refusals).",
                    m->memcached_errors);
    metrics_counter(b, "trackport_sqlite_errors_total",
                    "Job database operations that failed (open, claim, record).", m->sqlite_errors);
}

void web_metrics_handle(struct web_ctx *c, const struct web_match *m)
{
    (void)m;
    if (!c->app->cfg.web_metrics_public && !web_admin_authorized(c, "/metrics"))
        return;
    struct jobs_store *store = web_app_store(c->app);
    struct jobs_stats st;
    memset(&st, 0, sizeof st);
    int rc = store ? jobs_stats(store, jobs_now_ms(), &st) : JOBS_ERR_UNAVAILABLE;
    if (rc) {
        if (store)
            web_app_store_failed(c->app);
        web_send_error(c, 503, "The job database did not answer (%s).", jobs_strerror(rc));
        return;
    }
    struct disp_metrics counters;
    if (disp_metrics_read(&c->app->cfg, &counters) != 0)
        memset(&counters, 0, sizeof counters);
    pid_t pid = 0;
    bool up = disp_lock_holder(&c->app->cfg, &pid) == 0;
    struct web_buf b;
    web_buf_init(&b, METRICS_PAGE_MAX);
    metrics_gauges(&b, &st, up);
    metrics_counters(&b, &counters);
    jobs_stats_cleanup(&st);
    web_header(c, "Cache-Control", "no-store");
    if (web_buf_ok(&b))
        web_send(c, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len, false);
    else
        web_send_error(c, 500, "The metrics grew too large.");
    web_buf_cleanup(&b);
}
