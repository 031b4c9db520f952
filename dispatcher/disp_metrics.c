/* disp_metrics.c — the shared counters file (see disp_metrics.h). Each update maps the
 * file, adds atomically and unmaps: a handful of system calls per job event, nothing kept
 * between calls, so forked children and short-lived trackportctl runs need no setup. */
#include "disp_metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define METRICS_MAGIC 0x7470636e74727331ULL /* "tpcntrs1": the layout's version */

const double disp_duration_bounds[DISP_DURATION_BUCKETS] = {0.05, 0.1, 0.25, 0.5, 1,   2.5,
                                                            5,    10,  30,   60,  120, 300};

static const char *const reason_names[] = {
#define DISP_REASON_NAME(name, text) text,
    DISP_FAILURE_REASONS(DISP_REASON_NAME)
#undef DISP_REASON_NAME
};

const char *disp_failure_reason_name(int reason)
{
    return reason >= 0 && reason < DISP_REASON_COUNT ? reason_names[reason] : "other";
}

static int metrics_path(const struct disp_config *cfg, char *path, size_t size)
{
    int n = snprintf(path, size, "%s/metrics.counters", cfg->data_dir);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Maps the counters for update, creating the file (zero-filled, so valid) if needed. */
static struct disp_metrics *metrics_map(const struct disp_config *cfg)
{
    char path[DISP_PATH_MAX + 32];
    if (metrics_path(cfg, path, sizeof path) != 0)
        return NULL;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return NULL;
    struct stat st;
    /* Every process grows it to the same size; ftruncate to a size already reached
     * changes nothing, so racing creators agree. */
    if (fstat(fd, &st) != 0 || (st.st_size < (off_t)sizeof(struct disp_metrics) &&
                                ftruncate(fd, (off_t)sizeof(struct disp_metrics)) != 0)) {
        close(fd);
        return NULL;
    }
    void *m = mmap(NULL, sizeof(struct disp_metrics), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return NULL;
    struct disp_metrics *mm = m;
    uint64_t zero = 0;
    __atomic_compare_exchange_n(&mm->magic, &zero, METRICS_MAGIC, false, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&mm->magic, __ATOMIC_SEQ_CST) != METRICS_MAGIC) {
        munmap(m, sizeof(struct disp_metrics));
        return NULL; /* another layout: leave it alone */
    }
    return mm;
}

static void metrics_unmap(struct disp_metrics *m)
{
    munmap(m, sizeof *m);
}

static void metrics_inc(uint64_t *field, uint64_t n)
{
    __atomic_fetch_add(field, n, __ATOMIC_RELAXED);
}

void disp_metrics_event(const struct disp_config *cfg, int event)
{
    if (event < 0 || event >= DISP_METRICS_EVENTS)
        return;
    struct disp_metrics *m = metrics_map(cfg);
    if (!m)
        return;
    metrics_inc(&m->events[event], 1);
    metrics_unmap(m);
}

void disp_metrics_failure(const struct disp_config *cfg, int reason)
{
    if (reason < 0 || reason >= DISP_REASON_COUNT)
        reason = DISP_REASON_OTHER;
    struct disp_metrics *m = metrics_map(cfg);
    if (!m)
        return;
    metrics_inc(&m->failures[reason], 1);
    metrics_unmap(m);
}

void disp_metrics_done(const struct disp_config *cfg, int64_t duration_ms, uint64_t bytes,
                       uint64_t trackers, uint64_t keyframes)
{
    struct disp_metrics *m = metrics_map(cfg);
    if (!m)
        return;
    double seconds = duration_ms > 0 ? (double)duration_ms / 1000.0 : 0.0;
    for (int i = 0; i < DISP_DURATION_BUCKETS; i++)
        if (seconds <= disp_duration_bounds[i])
            metrics_inc(&m->duration_le[i], 1);
    metrics_inc(&m->duration_count, 1);
    metrics_inc(&m->duration_sum_us, duration_ms > 0 ? (uint64_t)duration_ms * 1000 : 0);
    metrics_inc(&m->bytes, bytes);
    metrics_inc(&m->trackers, trackers);
    metrics_inc(&m->keyframes, keyframes);
    metrics_unmap(m);
}

void disp_metrics_add(const struct disp_config *cfg, int metric, uint64_t n)
{
    if (n == 0)
        return;
    struct disp_metrics *m = metrics_map(cfg);
    if (!m)
        return;
    if (metric == DISP_METRIC_MEMCACHED_ERRORS)
        metrics_inc(&m->memcached_errors, n);
    else if (metric == DISP_METRIC_SQLITE_ERRORS)
        metrics_inc(&m->sqlite_errors, n);
    metrics_unmap(m);
}

int disp_metrics_read(const struct disp_config *cfg, struct disp_metrics *out)
{
    memset(out, 0, sizeof *out);
    char path[DISP_PATH_MAX + 32];
    if (metrics_path(cfg, path, sizeof path) != 0)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof *out) {
        close(fd);
        return 0; /* being created */
    }
    void *m = mmap(NULL, sizeof *out, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return -1;
    const uint64_t *from = m;
    uint64_t *to = (uint64_t *)(void *)out;
    for (size_t i = 0; i < sizeof *out / sizeof(uint64_t); i++)
        to[i] = __atomic_load_n(&from[i], __ATOMIC_RELAXED);
    munmap(m, sizeof *out);
    return 0;
}
