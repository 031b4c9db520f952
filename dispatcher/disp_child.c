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

#include "disp_archive.h"
#include "disp_log.h"
#include "disp_metrics.h"
#include "disp_options.h"
#include "disp_proc.h"
#include "disp_preview.h"
#include "disp_progress.h"
#include "disp_summary.h"
#include "jobs_life.h"
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
    double scale;     /* share of the bar the conversion takes (the archives take the rest) */
    double packed;    /* bytes of archives already written, for their progress */
    double to_pack;   /* bytes all the archives will read */
    double packing;   /* bytes of the archive being written */
};

#define CLOG(c, level, ...) disp_log((c)->cfg->log_level, level, "child", __VA_ARGS__)

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
    /* Past the file-size limit a write fails with EFBIG and the job fails with a sentence
     * naming the output, instead of the child dying of SIGXFSZ and being retried. */
    signal(SIGXFSZ, SIG_IGN);
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
    c->last_put_mono = jobs_mono_ms();
}

static void child_progress(void *ctx, double percent, const char *message)
{
    struct child *c = ctx;
    child_poll_term(c);
    percent *= c->scale;
    int p = percent < 0 ? 0 : percent > 100 ? 100 : (int)percent;
    int64_t now = jobs_mono_ms();
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

/* Removes the temporary files (".partial-") in dir, or every plain file when all. */
static void child_clear(const char *dir, bool all)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        if (all || strstr(e->d_name, ".partial-"))
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

/* Empties <job>/out and <job>/archives of a previous attempt's leftovers, and removes its
 * half-written preview, tracker list and archive (plain files only). */
static int child_prepare_out(const char *out_dir)
{
    char parent[DISP_PATH_MAX + 64];
    snprintf(parent, sizeof parent, "%s", out_dir);
    char *slash = strrchr(parent, '/');
    if (slash) {
        *slash = '\0';
        if (mkdir(parent, JOBS_LIFE_DIR_MODE) != 0 && errno != EEXIST)
            return -1;
    }
    if (mkdir(out_dir, JOBS_LIFE_DIR_MODE) != 0 && errno != EEXIST)
        return -1;
    DIR *d = opendir(out_dir);
    if (!d)
        return -1;
    closedir(d);
    child_clear(out_dir, true);
    if (slash) {
        child_clear(parent, false);
        char archives[sizeof parent + 16];
        snprintf(archives, sizeof archives, "%s/archives", parent);
        child_clear(archives, true);
    }
    return 0;
}

/* Removes what an attempt made: the outputs, the preview, the tracker list, the archives. */
static void child_discard(const char *job_dir, const char *out_dir)
{
    static const char *const made[] = {"preview.svg", "trackers.json", "all.zip"};
    char path[DISP_PATH_MAX + 32];
    child_prepare_out(out_dir);
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", job_dir, made[i]);
        unlink(path);
    }
}

/* The file name of an output path. */
static const char *child_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* One archive the child made: its file (relative to the job folder) and application. */
struct child_archive {
    char name[64];        /* "all.zip", "nuke.zip" */
    char file[80];        /* "all.zip", "archives/nuke.zip" */
    const char *application; /* NULL for all.zip; borrowed from the exporter table */
    uint64_t bytes;
};

static char *child_result_json(const struct tp_convert_result *r, cJSON *summary,
                               const struct child_archive *archives, size_t n_archives,
                               int64_t convert_ms, int64_t archives_ms)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) {
        cJSON_Delete(summary);
        return NULL;
    }
    cJSON_AddStringToObject(root, "importer", r->importer ? r->importer->name : "");
    cJSON_AddNumberToObject(root, "width", r->width);
    cJSON_AddNumberToObject(root, "height", r->height);
    cJSON_AddNumberToObject(root, "trackers", (double)r->trackers);
    cJSON_AddNumberToObject(root, "keyframes", (double)r->keyframes);
    cJSON *outs = cJSON_AddArrayToObject(root, "outputs");
    for (size_t i = 0; outs && i < r->output_count; i++) {
        const struct tp_output_file *f = &r->outputs[i];
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddStringToObject(o, "name", child_base(f->path));
        cJSON_AddStringToObject(o, "format", f->exporter->name);
        cJSON_AddStringToObject(o, "application", f->exporter->application ? f->exporter->application : "");
        cJSON_AddNumberToObject(o, "bytes", (double)f->bytes);
        cJSON_AddItemToArray(outs, o);
    }
    if (summary)
        cJSON_AddItemToObject(root, "summary", summary);
    cJSON_AddStringToObject(root, "preview", "preview.svg");
    cJSON_AddStringToObject(root, "trackers_file", "trackers.json");
    cJSON *list = cJSON_AddArrayToObject(root, "archives");
    for (size_t i = 0; list && i < n_archives; i++) {
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddStringToObject(o, "name", archives[i].name);
        cJSON_AddStringToObject(o, "file", archives[i].file);
        if (archives[i].application)
            cJSON_AddStringToObject(o, "application", archives[i].application);
        else
            cJSON_AddNullToObject(o, "application");
        cJSON_AddNumberToObject(o, "bytes", (double)archives[i].bytes);
        cJSON_AddItemToArray(list, o);
    }
    /* Where the attempt's time went, for operators weighing the archives' cost. */
    cJSON *timings = cJSON_AddObjectToObject(root, "timings");
    if (timings) {
        cJSON_AddNumberToObject(timings, "convert_ms", (double)convert_ms);
        cJSON_AddNumberToObject(timings, "archives_ms", (double)archives_ms);
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
    (void)jobs_life_remove_partials(c->cfg, c->job->token, NULL);
    struct jobs_failure f = {.error_code = code,
                             .error_domain = JOBS_DOMAIN_CONVERTER,
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
                       (long long)(jobs_mono_ms() - c->started_mono),
                       disp_log_text(message, text, sizeof text));
    if (state == JOBS_FAILED)
        disp_metrics_failure(c->cfg, retry ? DISP_REASON_TEMPORARY : DISP_REASON_BAD_INPUT);
    child_put(c, state, 0, message);
    child_exit(c, retry ? DISP_EXIT_RETRY : DISP_EXIT_OK);
}

static void child_pack_progress(void *ctx, double done)
{
    struct child *c = ctx;
    double part = c->packing;
    if (c->packed > 0)
        part /= 10; /* a copy of all.zip's entries */
    double share = c->to_pack > 0 ? (c->packed + done * part) / c->to_pack : 1;
    share = share > 1 ? 1 : share;
    child_progress(c, (90.0 + 9.0 * share) / c->scale, "Packing the archive");
}

/* Threads for deflating an archive of `bytes`: two on a machine with two CPUs or more once
 * the outputs are big enough for the second thread to pay (as the export sink's helper). */
static int child_archive_threads(double bytes)
{
    return bytes >= 32.0 * 1024 * 1024 && sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2 : 1;
}

/* Writes one archive of the outputs whose application is app (NULL: all of them). */
static int child_archive(struct child *c, const char *job_dir, const char *out_dir,
                         const struct tp_convert_result *r, const char *app,
                         struct child_archive *a, struct tp_diag *diag)
{
    const char *names[DISP_MAX_EXPORTERS];
    size_t n = 0;
    c->packing = 0;
    for (size_t i = 0; i < r->output_count && n < DISP_MAX_EXPORTERS; i++) {
        const char *oa = r->outputs[i].exporter->application;
        if (app && (!oa || strcmp(oa, app) != 0))
            continue;
        names[n++] = child_base(r->outputs[i].path);
        c->packing += (double)r->outputs[i].bytes;
    }
    char path[DISP_PATH_MAX + 128], err[512];
    snprintf(path, sizeof path, "%s/%s", job_dir, a->file);
    char all[DISP_PATH_MAX + 16];
    snprintf(all, sizeof all, "%s/all.zip", job_dir);
    struct disp_archive_options ao = {.level = c->cfg->archive_level,
                                      .progress = child_pack_progress,
                                      .progress_ctx = c,
                                      .cancel = &c->cancel,
                                      .copy_from = app ? all : NULL,
                                      .threads = child_archive_threads(c->packing)};
    int rc = disp_archive_write(out_dir, names, n, path, &ao, err, sizeof err);
    if (rc == 1)
        return TP_ERR_CANCELLED;
    if (rc)
        return tp_diag_set(diag, TP_ERR_IO, 0, "The archive %s could not be made: %s", a->name,
                           err);
    struct stat st;
    a->bytes = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
    c->packed += app ? c->packing / 10 : c->packing;
    return TP_OK;
}

/* Packs the outputs after they are complete: all.zip, then one archive per application
 * (archives/<application>.zip), in the order the applications first appear. */
static int child_archives(struct child *c, const char *job_dir, const struct tp_convert_result *r,
                          struct child_archive *archives, size_t *count, struct tp_diag *diag)
{
    char out_dir[DISP_PATH_MAX + 8], dir[DISP_PATH_MAX + 16];
    snprintf(out_dir, sizeof out_dir, "%s/out", job_dir);
    snprintf(dir, sizeof dir, "%s/archives", job_dir);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return tp_diag_set(diag, TP_ERR_IO, 0, "The archives' folder could not be made: %s",
                           strerror(errno));
    /* all.zip compresses every output; the per-application archives copy its compressed
     * entries, which costs a small part of that: weigh the progress bar accordingly. */
    c->to_pack = 0;
    for (size_t i = 0; i < r->output_count; i++)
        c->to_pack += 1.1 * (double)r->outputs[i].bytes;
    c->packed = 0;
    size_t n = 0;
    struct child_archive *all = &archives[n++];
    *all = (struct child_archive){.name = "all.zip", .file = "all.zip"};
    int rc = child_archive(c, job_dir, out_dir, r, NULL, all, diag);
    for (size_t i = 0; !rc && i < r->output_count; i++) {
        const char *app = r->outputs[i].exporter->application;
        bool seen = false;
        for (size_t j = 1; app && j < n; j++)
            seen = seen || strcmp(archives[j].application, app) == 0;
        if (!app || seen || n > DISP_MAX_EXPORTERS)
            continue;
        struct child_archive *a = &archives[n++];
        *a = (struct child_archive){.application = app};
        disp_archive_name(app, a->name, sizeof a->name);
        snprintf(a->file, sizeof a->file, "archives/%s", a->name);
        rc = child_archive(c, job_dir, out_dir, r, app, a, diag);
    }
    *count = n;
    return rc;
}

_Noreturn void disp_child_run(const struct disp_config *cfg, const struct jobs_job *job)
{
    struct child c = {.cfg = cfg, .job = job, .sigfd = -1};
    close_range(3, ~0U, 0); /* nothing inherited is ours to use */
    c.started_mono = jobs_mono_ms();
    child_limits(cfg);

    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, NULL);
    c.sigfd = signalfd(-1, &term, SFD_NONBLOCK | SFD_CLOEXEC);

    char err[DISP_PATH_MAX + 256];
    int rc = jobs_life_open_store(cfg, JOBS_LIFE_WORKER, &c.store, err, sizeof err);
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
    if (jobs_life_out_dir(cfg, job->token, out_dir, sizeof out_dir) != 0 ||
        child_prepare_out(out_dir) != 0) {
        disp_options_cleanup(&opts);
        child_fail(&c, TP_ERR_IO, "The job's folder could not be prepared", true);
    }
    jobs_life_safe_name(job->input_name, name, sizeof name);

    const char *exporters[DISP_MAX_EXPORTERS];
    for (size_t i = 0; i < opts.exporter_count; i++)
        exporters[i] = opts.exporters[i];
    char job_dir[DISP_PATH_MAX], path[DISP_PATH_MAX + 64];
    jobs_life_dir(cfg, job->token, job_dir, sizeof job_dir); /* out_dir's parent: fits */
    /* Exporters that must count before they write spill to a temporary file: in the job's
     * folder (under the job's own disk), never in a shared $TMPDIR. */
    setenv("TMPDIR", job_dir, 1);
    struct disp_summary *summary = NULL;
    struct tp_sink *preview = NULL;
    snprintf(path, sizeof path, "%s/trackers.json", job_dir);
    rc = disp_summary_new(path, &summary, &diag);
    if (!rc && disp_preview_sink_new(&preview) != TP_OK)
        rc = tp_diag_set(&diag, TP_ERR_NOMEM, 0, "Out of memory");
    if (rc) {
        disp_options_cleanup(&opts);
        disp_summary_free(summary);
        child_fail(&c, rc, diag.message, true);
    }
    disp_summary_output(summary)->next = preview;
    c.scale = 0.9; /* the last tenth of the bar is the archives' */
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
        .watch_input = disp_summary_input(summary),
        .watch_output = disp_summary_output(summary),
        .max_keyframes = (uint64_t)cfg->job_max_keyframes,
        .max_output_bytes = (uint64_t)cfg->job_max_output_mb * 1024 * 1024,
    };
    struct tp_convert_result result;
    memset(&result, 0, sizeof result);
    rc = c.cancel ? TP_ERR_CANCELLED : tp_convert(&co, &result, &diag);
    disp_options_cleanup(&opts);
    if (!rc)
        rc = disp_summary_finish(summary, &diag);
    if (!rc) {
        snprintf(path, sizeof path, "%s/preview.svg", job_dir);
        rc = disp_preview_save(preview, path, &diag);
    }
    preview->destroy(preview);
    struct child_archive archives[DISP_MAX_EXPORTERS + 1];
    size_t n_archives = 0;
    int64_t converted_mono = jobs_mono_ms();
    if (!rc)
        rc = child_archives(&c, job_dir, &result, archives, &n_archives, &diag);
    int64_t packed_mono = jobs_mono_ms();
    if (rc == TP_ERR_CANCELLED) {
        tp_convert_result_cleanup(&result);
        disp_summary_free(summary);
        (void)jobs_life_remove_partials(cfg, job->token, NULL);
        child_exit(&c, DISP_EXIT_TERMINATED);
    }
    if (rc) {
        tp_convert_result_cleanup(&result);
        disp_summary_free(summary);
        child_discard(job_dir, out_dir); /* a failed attempt leaves no half set of files */
        char message[sizeof diag.message];
        if (rc == TP_ERR_DISK_FULL) {
            /* The server's state, not the file's: said so, and tried again later. */
            CLOG(&c, DISP_LOG_ERROR, "job %s: the disk of %s is full (%s)", job->token,
                     c.cfg->data_dir, diag.message);
            snprintf(message, sizeof message,
                     "The server's disk is full, so the outputs could not be written; the "
                     "conversion will be tried again");
        } else {
            snprintf(message, sizeof message, "%s",
                     diag.message[0] ? diag.message : tp_strerror(rc));
        }
        child_fail(&c, rc, message, !jobs_life_bad_input(JOBS_DOMAIN_CONVERTER, rc));
    }
    cJSON *options = cJSON_Parse(job->options ? job->options : "{}");
    cJSON *sum = disp_summary_json(summary, result.importer ? result.importer->name : "",
                                   cJSON_GetObjectItemCaseSensitive(options, "edits"));
    cJSON_Delete(options);
    disp_summary_free(summary);
    char *json = sum ? child_result_json(&result, sum, archives, n_archives,
                                              converted_mono - c.started_mono,
                                              packed_mono - converted_mono)
                     : NULL;
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
                       (long long)(jobs_mono_ms() - c.started_mono), trackers, keyframes,
                       (unsigned long long)bytes, outputs);
    disp_metrics_done(cfg, jobs_mono_ms() - c.started_mono, bytes, trackers, keyframes);
    child_put(&c, JOBS_DONE, 100, "Done");
    child_exit(&c, DISP_EXIT_OK);
}
