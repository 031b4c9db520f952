/*
 * jobs_bench.c — measurements of the job system, run on demand by jobs_bench.py (never a
 * test). Prints one JSON object per run on stdout.
 *
 *   jobs_bench store DB N
 *       the store alone: N enqueues, N claims, N finishes, each its own transaction through
 *       the public API (as the site, the dispatcher and the children make them).
 *   jobs_bench latency CONFIG INPUT N
 *       enqueue → child start, one job at a time, with a dispatcher already running for
 *       CONFIG: enqueue and wake it as the site does, wait until the job is done. Pickup is
 *       created → started: `started` is the claim, which the dispatcher follows at once with
 *       the fork (it claims, closes its connection, forks); done is created → finished.
 *   jobs_bench throughput CONFIG INPUT N
 *       N tiny jobs enqueued at once, then the time until every one is done.
 *   jobs_bench lockwait CONFIG INPUT N
 *       the write-lock wait of a submission under load: N tiny jobs enqueued at once keep the
 *       dispatcher and its children writing (claims, starts, results), while N more are
 *       enqueued one at a time, 1 ms apart, each insert timed. Sets the site's budget
 *       (JOBS_LIFE_SITE_BUSY_MS).
 * INPUT is a tiny tsv file every job converts to tsv.
 */
#include "config.h"
#include "disp_spawn.h"
#include "jobs_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double bench_pct(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, bench_cmp);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

static int bench_store(const char *path, int n)
{
    struct jobs_store *s;
    char err[256];
    unlink(path);
    if (jobs_store_open(path, NULL, &s, err, sizeof err) != 0) {
        fprintf(stderr, "open %s: %s\n", path, err);
        return 1;
    }
    struct jobs_new job = {.input_name = "tiny.tsv", .input_path = "/bench/input.tsv",
                           .options = "{\"exporters\":[\"tsv\"]}"};
    double t0 = bench_now();
    for (int i = 0; i < n; i++)
        if (jobs_enqueue(s, &job, NULL) != 0)
            return 1;
    double t1 = bench_now();
    struct jobs_job *claimed = calloc((size_t)n, sizeof *claimed);
    if (!claimed)
        return 1;
    for (int i = 0; i < n; i++) {
        jobs_job_init(&claimed[i]);
        if (jobs_claim(s, jobs_now_ms(), getpid(), 0, 30000, &claimed[i]) != 0)
            return 1;
    }
    double t2 = bench_now();
    for (int i = 0; i < n; i++)
        if (jobs_finish(s, claimed[i].id, claimed[i].attempts, "{\"trackers\":1}") != 0)
            return 1;
    double t3 = bench_now();
    char plan[1024];
    jobs_explain_claim(s, plan, sizeof plan);
    for (char *c = plan; *c; c++)
        if (*c == '\n' || *c == '"')
            *c = ' ';
    printf("{\"n\": %d, \"enqueue_per_s\": %.0f, \"claim_per_s\": %.0f, \"finish_per_s\": %.0f,"
           " \"claim_plan\": \"%s\"}\n",
           n, n / (t1 - t0), n / (t2 - t1), n / (t3 - t2), plan);
    for (int i = 0; i < n; i++)
        jobs_job_cleanup(&claimed[i]);
    free(claimed);
    jobs_store_close(s);
    return 0;
}

static int bench_enqueue(struct jobs_store *s, const char *input, char token[JOBS_TOKEN_SIZE])
{
    struct jobs_new job = {.input_name = "tiny.tsv", .input_path = input,
                           .options = "{\"exporters\":[\"tsv\"]}", .ttr_s = 60};
    return jobs_enqueue(s, &job, token);
}

static int bench_latency(const struct disp_config *cfg, struct jobs_store *s, const char *input,
                         int n)
{
    double *pickup = calloc((size_t)n, sizeof *pickup), *total = calloc((size_t)n, sizeof *total);
    if (!pickup || !total)
        return 1;
    struct jobs_job j;
    jobs_job_init(&j);
    for (int i = 0; i < n; i++) {
        char token[JOBS_TOKEN_SIZE];
        if (bench_enqueue(s, input, token) != 0)
            return 1;
        disp_wake(cfg, DISP_WAKE_JOB);
        for (;;) {
            if (jobs_get(s, token, &j) != 0)
                return 1;
            if (jobs_state_final(j.state))
                break;
            usleep(1000); /* gently: the machine has few cores to share */
        }
        if (j.state != JOBS_DONE) {
            fprintf(stderr, "job %s: %s\n", token, j.error ? j.error : "?");
            return 1;
        }
        pickup[i] = (double)(j.started_ms - j.created_ms);
        total[i] = (double)(j.finished_ms - j.created_ms);
        usleep(2000); /* let the dispatcher go back to sleep in poll() */
    }
    jobs_job_cleanup(&j);
    printf("{\"n\": %d, \"pickup_p50_ms\": %.1f, \"pickup_p99_ms\": %.1f,"
           " \"done_p50_ms\": %.1f, \"done_p99_ms\": %.1f}\n",
           n, bench_pct(pickup, (size_t)n, 0.5), bench_pct(pickup, (size_t)n, 0.99),
           bench_pct(total, (size_t)n, 0.5), bench_pct(total, (size_t)n, 0.99));
    free(pickup);
    free(total);
    return 0;
}

static int bench_throughput(const struct disp_config *cfg, struct jobs_store *s,
                            const char *input, int n)
{
    double t0 = bench_now();
    for (int i = 0; i < n; i++)
        if (bench_enqueue(s, input, NULL) != 0)
            return 1;
    double t1 = bench_now();
    disp_wake(cfg, DISP_WAKE_JOB);
    struct jobs_stats st;
    for (;;) {
        if (jobs_stats(s, jobs_now_ms(), &st) != 0)
            return 1;
        int64_t left = st.count[JOBS_QUEUED] + st.count[JOBS_RUNNING];
        int64_t failed = st.count[JOBS_FAILED];
        jobs_stats_cleanup(&st);
        if (failed) {
            fprintf(stderr, "%lld jobs failed\n", (long long)failed);
            return 1;
        }
        if (left == 0)
            break;
        usleep(20000); /* stats scans every job: rarely, so the children get the CPU */
    }
    double t2 = bench_now();
    printf("{\"n\": %d, \"enqueue_s\": %.3f, \"run_s\": %.3f, \"jobs_per_s\": %.0f,"
           " \"end_to_end_per_s\": %.0f}\n",
           n, t1 - t0, t2 - t1, n / (t2 - t1), n / (t2 - t0));
    return 0;
}

static int bench_lockwait(const struct disp_config *cfg, struct jobs_store *s, const char *input,
                          int n)
{
    double *wait = calloc((size_t)n, sizeof *wait);
    if (!wait)
        return 1;
    for (int i = 0; i < n; i++)
        if (bench_enqueue(s, input, NULL) != 0)
            return 1;
    disp_wake(cfg, DISP_WAKE_JOB);
    for (int i = 0; i < n; i++) {
        double t0 = bench_now();
        if (bench_enqueue(s, input, NULL) != 0)
            return 1;
        wait[i] = (bench_now() - t0) * 1000.0;
        disp_wake(cfg, DISP_WAKE_JOB);
        usleep(1000);
    }
    printf("{\"n\": %d, \"insert_p50_ms\": %.2f, \"insert_p99_ms\": %.2f,"
           " \"insert_max_ms\": %.2f}\n",
           n, bench_pct(wait, (size_t)n, 0.5), bench_pct(wait, (size_t)n, 0.99),
           bench_pct(wait, (size_t)n, 1.0));
    free(wait);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "store") == 0)
        return bench_store(argv[2], atoi(argv[3]));
    if (argc != 5 || (strcmp(argv[1], "latency") != 0 && strcmp(argv[1], "throughput") != 0 &&
                      strcmp(argv[1], "lockwait") != 0)) {
        fprintf(stderr,
                "usage: jobs_bench store DB N | latency|throughput|lockwait CONFIG INPUT N\n");
        return 2;
    }
    static struct disp_config cfg;
    char err[512];
    if (disp_config_load(argv[2], &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    struct jobs_store *s;
    if (jobs_store_open(cfg.db_path, NULL, &s, err, sizeof err) != 0) {
        fprintf(stderr, "open: %s\n", err);
        return 1;
    }
    int n = atoi(argv[4]);
    int rc = strcmp(argv[1], "latency") == 0      ? bench_latency(&cfg, s, argv[3], n)
             : strcmp(argv[1], "lockwait") == 0   ? bench_lockwait(&cfg, s, argv[3], n)
                                                  : bench_throughput(&cfg, s, argv[3], n);
    jobs_store_close(s);
    return rc;
}
