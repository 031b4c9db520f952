/*
 * disp_child.c — one attempt of one job, in the process the dispatcher forked for it.
 *
 * The child starts from a copy of the dispatcher: it closes every inherited descriptor
 * (the dispatcher's signalfd, wake socket, lock file, lifeline, memcached socket) before
 * opening its own connections, so nothing it does can disturb the dispatcher's.
 * SIGTERM stays blocked and is read from a signalfd at each progress report: the converter
 * then stops cleanly at its next tracker (removing its temporary files) instead of dying
 * with half-written outputs; a child that does not get there is SIGKILLed after the grace.
 */
#include "disp_child.h"

#include "disp_log.h"
#include "disp_metrics.h"
#include "disp_options.h"
#include "disp_proc.h"
#include "disp_progress.h"
#include "trackport.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct child {
    const struct disp_config *cfg;
    const struct jobs_job *job;
    struct jobs_store *store;
    struct disp_progress *progress;
    int sigfd;
    volatile int cancel;
    int64_t started_mono, last_put_mono;
    int last_percent;
    bool half_persisted;
};

#define CLOG(c, level, ...) disp_log((c)->cfg->log_level, level, "child", __VA_ARGS__)

static int64_t child_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void disp_child_safe_name(const char *user_name, char *out, size_t size)
{
    if (size == 0)
        return;
    const char *base = user_name ? user_name : "";
    const char *slash = strrchr(base, '/');
    if (slash)
        base = slash + 1;
    const char *bslash = strrchr(base, '\\'); /* names from Windows browsers */
    if (bslash)
        base = bslash + 1;
    while (*base == '.')
        base++;
    size_t n = 0;
    for (const char *c = base; *c && n + 1 < size; c++) {
        char ch = *c;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '.' || ch == '-' || ch == '_';
        out[n++] = ok ? ch : '_';
    }
    out[n] = '\0';
    if (n == 0)
        snprintf(out, size, "upload");
}

static void child_limits(const struct disp_config *cfg)
{
    struct {
        int resource;
        int64_t value;
        int64_t scale;
    } limits[] = {
        {RLIMIT_AS, cfg->rlimit_as_mb, 1024 * 1024},
        {RLIMIT_CPU, cfg->rlimit_cpu_s, 1},
        {RLIMIT_FSIZE, cfg->rlimit_fsize_mb, 1024 * 1024},
        {RLIMIT_NOFILE, cfg->rlimit_nofile, 1},
    };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        if (limits[i].value <= 0)
            continue;
        struct rlimit rl;
        if (getrlimit(limits[i].resource, &rl) != 0)
            continue;
        rlim_t want = (rlim_t)(limits[i].value * limits[i].scale);
        if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
            want = rl.rlim_max;
        rl.rlim_cur = want;
        if (limits[i].resource == RLIMIT_CPU && (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want + 5))
            rl.rlim_max = want + 5; /* SIGXCPU first, SIGKILL 5 s later */
        setrlimit(limits[i].resource, &rl);
    }
}

/* Notices a pending SIGTERM (TTR or cancel) without blocking. */
static void child_poll_term(struct child *c)
{
    struct signalfd_siginfo si;
    if (c->sigfd >= 0 && read(c->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
        c->cancel = 1;
}

static void child_put(struct child *c, int state, int percent, const char *message)
{
    struct disp_progress_value v = {.state = state, .percent = percent, .attempt = c->job->attempts};
    disp_progress_set_message(&v, message);
    (void)disp_progress_put(c->progress, c->job->token, &v);
    c->last_put_mono = child_mono_ms();
}

static void child_progress(void *ctx, double percent, const char *message)
{
    struct child *c = ctx;
    child_poll_term(c);
    int p = percent < 0 ? 0 : percent > 100 ? 100 : (int)percent;
    int64_t now = child_mono_ms();
    if (now - c->last_put_mono >= c->cfg->progress_interval_ms) {
        child_put(c, JOBS_RUNNING, p, message);
        c->last_percent = p;
    }
    /* The 50 % milestone goes to SQLite too, for a status that must come from there; a job that
     * gets there within a second finishes soon enough for its end to serve instead. */
    if (p >= 50 && !c->half_persisted) {
        c->half_persisted = true;
        if (now - c->started_mono >= 1000)
            (void)jobs_progress(c->store, c->job->id, c->job->attempts, p, message);
    }
}

/* Empties <job>/out of a previous attempt's leftovers (plain files only). */
static int child_prepare_out(const char *out_dir)
{
    char parent[DISP_PATH_MAX + 64];
    snprintf(parent, sizeof parent, "%s", out_dir);
    char *slash = strrchr(parent, '/');
    if (slash) {
        *slash = '\0';
        if (mkdir(parent, 0755) != 0 && errno != EEXIST)
            return -1;
    }
    if (mkdir(out_dir, 0755) != 0 && errno != EEXIST)
        return -1;
    DIR *d = opendir(out_dir);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
    return 0;
}

bool disp_child_bad_input(int code)
{
    switch (code) {
    case TP_ERR_UNKNOWN_FORMAT:
    case TP_ERR_AMBIGUOUS_FORMAT:
    case TP_ERR_UNKNOWN_IMPORTER:
    case TP_ERR_UNKNOWN_EXPORTER:
    case TP_ERR_SIZE_REQUIRED:
    case TP_ERR_PARSE:
    case TP_ERR_NO_TRACKERS:
    case TP_ERR_LIMIT:
    case TP_ERR_BAD_ARGUMENT:
        return true;
    default:
        return false;
    }
}

static char *child_result_json(const struct tp_convert_result *r)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    cJSON_AddStringToObject(root, "importer", r->importer ? r->importer->name : "");
    cJSON_AddNumberToObject(root, "width", r->width);
    cJSON_AddNumberToObject(root, "height", r->height);
    cJSON_AddNumberToObject(root, "trackers", (double)r->trackers);
    cJSON_AddNumberToObject(root, "keyframes", (double)r->keyframes);
    cJSON *outs = cJSON_AddArrayToObject(root, "outputs");
    for (size_t i = 0; outs && i < r->output_count; i++) {
        const struct tp_output_file *f = &r->outputs[i];
        const char *slash = strrchr(f->path, '/');
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddStringToObject(o, "name", slash ? slash + 1 : f->path);
        cJSON_AddStringToObject(o, "format", f->exporter->name);
        cJSON_AddNumberToObject(o, "bytes", (double)f->bytes);
        cJSON_AddItemToArray(outs, o);
    }
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

static _Noreturn void child_exit(struct child *c, int code)
{
    disp_metrics_add(c->cfg, DISP_METRIC_MEMCACHED_ERRORS, disp_progress_failures(c->progress));
    jobs_store_close(c->store);
    disp_progress_free(c->progress);
    if (c->sigfd >= 0)
        close(c->sigfd);
    _exit(code);
}

#ifdef DISP_TEST_HOOKS
/* Test-only behaviours chosen by the job's options (see disp_options.h). */
static void child_test_hooks(struct child *c, const struct disp_options *o)
{
    int attempt = c->job->attempts;
    if (attempt <= o->test_crash_until)
        abort();
    if (attempt <= o->test_exit_until)
        child_exit(c, 3);
    if (attempt <= o->test_hang_until) {
        for (;;)
            pause(); /* SIGTERM stays blocked: only SIGKILL ends this */
    }
    for (int slept = 0; slept < o->test_sleep_ms && !c->cancel; slept += 10) {
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
        child_progress(c, 25.0 * slept / o->test_sleep_ms, "Waiting (test)");
    }
}
#endif

/* Records a failure of this attempt and exits. */
static _Noreturn void child_fail(struct child *c, int code, const char *message, bool retry)
{
    struct jobs_failure f = {.error_code = code,
                             .message = message,
                             .exit_code = retry ? DISP_EXIT_RETRY : DISP_EXIT_OK,
                             .exit_signal = 0,
                             .retry = retry,
                             .retry_at_ms = jobs_now_ms() + c->cfg->retry_backoff_ms};
    int state = JOBS_FAILED;
    int rc = jobs_fail(c->store, c->job->id, c->job->attempts, &f, &state);
    if (rc == JOBS_ERR_STALE)
        child_exit(c, DISP_EXIT_STALE);
    if (rc) {
        CLOG(c, DISP_LOG_ERROR, "job %s: cannot record the failure: %s", c->job->token,
             jobs_strerror(rc));
        child_exit(c, DISP_EXIT_NO_STORE);
    }
    char text[300];
    disp_log_job_event(c->cfg, "child", state == JOBS_QUEUED ? DISP_EVENT_RETRIED : DISP_EVENT_FAILED,
                       c->job->token, "attempt=%d/%d exit=code %d duration_ms=%lld message=\"%s\"",
                       c->job->attempts, c->job->max_attempts, retry ? DISP_EXIT_RETRY : DISP_EXIT_OK,
                       (long long)(child_mono_ms() - c->started_mono),
                       disp_log_text(message, text, sizeof text));
    if (state == JOBS_FAILED)
        disp_metrics_failure(c->cfg, retry ? DISP_REASON_TEMPORARY : DISP_REASON_BAD_INPUT);
    child_put(c, state, 0, message);
    child_exit(c, retry ? DISP_EXIT_RETRY : DISP_EXIT_OK);
}

_Noreturn void disp_child_run(const struct disp_config *cfg, const struct jobs_job *job)
{
    struct child c = {.cfg = cfg, .job = job, .sigfd = -1};
    close_range(3, ~0U, 0); /* nothing inherited is ours to use */
    c.started_mono = child_mono_ms();
    child_limits(cfg);

    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, NULL);
    c.sigfd = signalfd(-1, &term, SFD_NONBLOCK | SFD_CLOEXEC);

    struct jobs_store_options so = {.busy_timeout_ms = cfg->db_busy_timeout_ms,
                                    .sync = cfg->db_sync,
                                    .cache_kib = 512};
    char err[256];
    int rc = jobs_store_open(cfg->db_path, &so, &c.store, err, sizeof err);
    if (rc) {
        CLOG(&c, DISP_LOG_ERROR, "job %s: cannot open the database: %s", job->token, err);
        child_exit(&c, DISP_EXIT_NO_STORE);
    }
    (void)disp_progress_open(cfg->memcached_servers, cfg->memcached_timeout_ms, cfg->progress_ttl_s,
                             &c.progress);

    pid_t self = getpid();
    int64_t lease = jobs_now_ms() + (int64_t)job->ttr_s * 1000 + (int64_t)cfg->lease_grace_s * 1000;
    rc = jobs_start(c.store, job->id, job->attempts, self, disp_proc_start_time(self, false), lease,
                    "Starting");
    if (rc == JOBS_ERR_STALE)
        child_exit(&c, DISP_EXIT_STALE);
    if (rc) {
        CLOG(&c, DISP_LOG_ERROR, "job %s: cannot register: %s", job->token, jobs_strerror(rc));
        child_exit(&c, DISP_EXIT_NO_STORE);
    }
    child_put(&c, JOBS_RUNNING, 0, "Starting");

    struct tp_diag diag = {0};
    struct disp_options opts;
    rc = disp_options_parse(job->options, &opts, &diag);
    if (rc)
        child_fail(&c, rc, diag.message[0] ? diag.message : tp_strerror(rc), false);
#ifdef DISP_TEST_HOOKS
    child_test_hooks(&c, &opts);
#endif

    char out_dir[DISP_PATH_MAX + 64], name[256];
    if (disp_config_job_out(cfg, job->token, out_dir, sizeof out_dir) != 0 ||
        child_prepare_out(out_dir) != 0) {
        disp_options_cleanup(&opts);
        child_fail(&c, TP_ERR_IO, "The job's folder could not be prepared", true);
    }
    disp_child_safe_name(job->input_name, name, sizeof name);

    const char *exporters[DISP_MAX_EXPORTERS];
    for (size_t i = 0; i < opts.exporter_count; i++)
        exporters[i] = opts.exporters[i];
    struct tp_convert_options co = {
        .input_path = job->input_path,
        .input_name = name,
        .importer = opts.importer,
        .width = opts.width,
        .height = opts.height,
        .exporters = opts.exporter_count ? exporters : NULL,
        .exporter_count = opts.exporter_count,
        .output_dir = out_dir,
        .edits = opts.edits,
        .progress = child_progress,
        .progress_ctx = &c,
        .cancel = &c.cancel,
    };
    struct tp_convert_result result;
    memset(&result, 0, sizeof result);
    rc = c.cancel ? TP_ERR_CANCELLED : tp_convert(&co, &result, &diag);
    disp_options_cleanup(&opts);
    if (rc == TP_ERR_CANCELLED) {
        tp_convert_result_cleanup(&result);
        child_exit(&c, DISP_EXIT_TERMINATED);
    }
    if (rc) {
        tp_convert_result_cleanup(&result);
        char message[sizeof diag.message];
        snprintf(message, sizeof message, "%s", diag.message[0] ? diag.message : tp_strerror(rc));
        child_fail(&c, rc, message, !disp_child_bad_input(rc));
    }
    char *json = child_result_json(&result);
    uint64_t bytes = 0;
    for (size_t i = 0; i < result.output_count; i++)
        bytes += result.outputs[i].bytes;
    size_t trackers = result.trackers, keyframes = result.keyframes, outputs = result.output_count;
    tp_convert_result_cleanup(&result);
    if (!json)
        child_fail(&c, TP_ERR_NOMEM, "Out of memory while recording the result", true);
    rc = jobs_finish(c.store, job->id, job->attempts, json);
    free(json);
    if (rc == JOBS_ERR_STALE)
        child_exit(&c, DISP_EXIT_STALE);
    if (rc) {
        CLOG(&c, DISP_LOG_ERROR, "job %s: cannot record the result: %s", job->token,
             jobs_strerror(rc));
        child_exit(&c, DISP_EXIT_NO_STORE);
    }
    disp_log_job_event(cfg, "child", DISP_EVENT_DONE, job->token,
                       "attempt=%d/%d duration_ms=%lld trackers=%zu keyframes=%zu bytes=%llu "
                       "outputs=%zu",
                       job->attempts, job->max_attempts,
                       (long long)(child_mono_ms() - c.started_mono), trackers, keyframes,
                       (unsigned long long)bytes, outputs);
    disp_metrics_done(cfg, child_mono_ms() - c.started_mono, bytes, trackers, keyframes);
    child_put(&c, JOBS_DONE, 100, "Done");
    child_exit(&c, DISP_EXIT_OK);
}
