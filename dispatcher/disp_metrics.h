/*
 * disp_metrics.h — the site's counters for GET /metrics: job events, final failures by
 * reason, a histogram of the durations of done jobs, bytes, trackers and keyframes
 * converted, memcached and SQLite errors.
 *
 * Every process of a site counts (the FastCGI processes, the dispatcher, its converter
 * children, trackportctl), so the counters live in one small file shared by all,
 * <data_dir>/metrics.counters, mapped and updated with atomic adds: they survive restarts
 * and are only reset by deleting the file. Counting is best effort: a file that cannot be
 * opened loses the count, never fails the caller. No state in the process; safe across
 * fork() (each call maps and unmaps).
 */
#ifndef TRACKPORT_DISP_METRICS_H
#define TRACKPORT_DISP_METRICS_H

#include "config.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Why a job failed for good (label "reason" of trackport_job_failures_total). */
#define DISP_FAILURE_REASONS(X)                                                               \
    X(BAD_INPUT, "bad_input")     /* the file or the options: retrying cannot help */         \
    X(CRASHED, "crashed")         /* the converter died of a signal on every attempt */       \
    X(TIMED_OUT, "timed_out")     /* past its time to run, or its lease */                    \
    X(TEMPORARY, "temporary")     /* I/O and other faults retried until max_attempts */       \
    X(NO_DATABASE, "no_database") /* the converter could not reach the job database */        \
    X(OTHER, "other")

enum disp_failure_reason {
#define DISP_REASON_ENUM(name, text) DISP_REASON_##name,
    DISP_FAILURE_REASONS(DISP_REASON_ENUM)
#undef DISP_REASON_ENUM
        DISP_REASON_COUNT
};

const char *disp_failure_reason_name(int reason);

/* Upper bounds (seconds) of the duration histogram's buckets; +Inf is implied. */
#define DISP_DURATION_BUCKETS 12
extern const double disp_duration_bounds[DISP_DURATION_BUCKETS];

#define DISP_METRICS_EVENTS 8 /* >= DISP_EVENT_COUNT (disp_log.h) */

/* A copy of the counters (disp_metrics_read). Field order is the file's layout. */
struct disp_metrics {
    uint64_t magic;
    uint64_t events[DISP_METRICS_EVENTS];       /* by enum disp_job_event */
    uint64_t failures[DISP_REASON_COUNT];       /* final failures by reason */
    uint64_t duration_le[DISP_DURATION_BUCKETS]; /* done jobs, cumulative per bound */
    uint64_t duration_count;
    uint64_t duration_sum_us;
    uint64_t bytes;     /* outputs of done jobs */
    uint64_t trackers;  /* of done jobs */
    uint64_t keyframes; /* of done jobs */
    uint64_t memcached_errors;
    uint64_t sqlite_errors;
};

/* Counters one may add to with disp_metrics_add. */
enum disp_metric {
    DISP_METRIC_MEMCACHED_ERRORS,
    DISP_METRIC_SQLITE_ERRORS,
};

/* disp_metrics_event counts one job event (enum disp_job_event). */
void disp_metrics_event(const struct disp_config *cfg, int event);

/* disp_metrics_failure counts a job that failed for good. */
void disp_metrics_failure(const struct disp_config *cfg, int reason);

/* disp_metrics_done records a done job's duration and what it converted. */
void disp_metrics_done(const struct disp_config *cfg, int64_t duration_ms, uint64_t bytes,
                       uint64_t trackers, uint64_t keyframes);

/* disp_metrics_add adds n to a counter of enum disp_metric. */
void disp_metrics_add(const struct disp_config *cfg, int metric, uint64_t n);

/* disp_metrics_read copies the counters into *out (all zero when the file does not exist
 * yet). 0, or -1 with errno when it exists but cannot be read. */
int disp_metrics_read(const struct disp_config *cfg, struct disp_metrics *out);

#ifdef __cplusplus
}
#endif
#endif
