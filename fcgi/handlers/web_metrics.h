/*
 * web_metrics.h — GET /metrics: the site in Prometheus' text exposition format (0.0.4).
 *
 * Gauges read from the job database at each scrape (jobs by queue and state, jobs ready to
 * run, age of the oldest, running converter children, whether a dispatcher runs) and
 * counters kept by every process of the site in <data_dir>/metrics.counters
 * (disp_metrics.h): job events, final failures by reason, the histogram of the durations
 * of done jobs, bytes, trackers and keyframes converted, retries, memcached and SQLite
 * errors. Protected like /admin/ (web_admin_authorized) unless web_metrics_public is set.
 */
#ifndef WEB_METRICS_H
#define WEB_METRICS_H

#include "web_http.h"

/* GET /metrics. */
void web_metrics_handle(struct web_ctx *c, const struct web_match *m);

#endif
