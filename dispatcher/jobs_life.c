/* jobs_life.c — a job's life cycle (contract in jobs_life.h). */
#include "jobs_life.h"

#include "disp_log.h"
#include "disp_spawn.h"
#include "trackport.h"

#include <dirent.h>
#include <errno.h> /* program_invocation_short_name */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ layout */

/* <data_dir>/jobs/<token><tail> into buf. */
static int life_path(const struct disp_config *cfg, const char *token, const char *tail,
                     char *buf, size_t size)
{
    if (!jobs_token_valid(token))
        return JOBS_ERR_BAD_ARGUMENT;
    int n = snprintf(buf, size, "%s/jobs/%s%s", cfg->data_dir, token, tail);
    return n < 0 || (size_t)n >= size ? JOBS_ERR_BAD_ARGUMENT : 0;
}

int jobs_life_dir(const struct disp_config *cfg, const char *token, char *buf, size_t size)
{
    return life_path(cfg, token, "", buf, size);
}

int jobs_life_out_dir(const struct disp_config *cfg, const char *token, char *buf, size_t size)
{
    return life_path(cfg, token, "/" JOBS_LIFE_OUT_NAME, buf, size);
}

int jobs_life_input_path(const struct disp_config *cfg, const char *token, char *buf,
                         size_t size)
{
    return life_path(cfg, token, "/" JOBS_LIFE_INPUT_NAME, buf, size);
}

static int life_rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    int rc = type == FTW_DP ? rmdir(path) : unlink(path);
    return rc == 0 || errno == ENOENT ? 0 : -1;
}

int jobs_life_remove_dir(const struct disp_config *cfg, const char *token)
{
    char dir[DISP_PATH_MAX + 64];
    if (jobs_life_dir(cfg, token, dir, sizeof dir) != 0) {
        errno = EINVAL;
        return JOBS_ERR_BAD_ARGUMENT;
    }
    struct stat st;
    if (lstat(dir, &st) != 0)
        return errno == ENOENT ? 0 : JOBS_ERR_IO;
    if (nftw(dir, life_rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
        return JOBS_ERR_IO;
    return 0;
}

bool jobs_life_is_partial(const char *name)
{
    const char *mark = strstr(name, JOBS_LIFE_PARTIAL_MARK);
    return mark && mark != name && strlen(mark) == strlen(JOBS_LIFE_PARTIAL_MARK) + 6;
}

int jobs_life_remove_partials(const struct disp_config *cfg, const char *token, size_t *removed)
{
    if (removed)
        *removed = 0;
    char out[DISP_PATH_MAX + 64];
    int rc = jobs_life_out_dir(cfg, token, out, sizeof out);
    if (rc)
        return rc;
    DIR *d = opendir(out);
    if (!d)
        return errno == ENOENT ? 0 : JOBS_ERR_IO;
    rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!jobs_life_is_partial(e->d_name))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0) {
            if (removed)
                (*removed)++;
        } else if (errno != ENOENT) {
            rc = JOBS_ERR_IO;
        }
    }
    closedir(d);
    return rc;
}

void jobs_life_safe_name(const char *user_name, char *out, size_t size)
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
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_';
        out[n++] = ok ? ch : '_';
    }
    out[n] = '\0';
    if (n == 0)
        snprintf(out, size, "upload");
}

const char *jobs_life_error_name(int domain, int code)
{
    if (code == 0)
        return "";
    if (domain == JOBS_DOMAIN_CONVERTER)
        return tp_error_name(code);
    if (domain == JOBS_DOMAIN_JOBS)
        return jobs_error_name(code);
    return "UNKNOWN";
}

/* ------------------------------------------------------------------ the store */

/* Makes data_dir and its jobs folder if missing (the first process on a new data_dir). */
static int life_make_dirs(const struct disp_config *cfg)
{
    char jobs[DISP_PATH_MAX + 16];
    snprintf(jobs, sizeof jobs, "%s/jobs", cfg->data_dir);
    if ((mkdir(cfg->data_dir, JOBS_LIFE_DIR_MODE) != 0 && errno != EEXIST) ||
        (mkdir(jobs, JOBS_LIFE_DIR_MODE) != 0 && errno != EEXIST))
        return JOBS_ERR_IO;
    return 0;
}

int jobs_life_open_store(const struct disp_config *cfg, int role, struct jobs_store **out,
                         char *err, size_t errlen)
{
    *out = NULL;
    if (role != JOBS_LIFE_READER && life_make_dirs(cfg) != 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", cfg->data_dir, strerror(errno));
        return JOBS_ERR_IO;
    }
    /* One cache size for every process (jobs_store's default): the dispatcher closes its
     * connection before each fork, so its cache never makes a child's fork dearer. */
    struct jobs_store_options o = {
        .busy_timeout_ms = role == JOBS_LIFE_SITE ? JOBS_LIFE_SITE_BUSY_MS
                                                  : cfg->db_busy_timeout_ms,
        .sync = cfg->db_sync,
        .readonly = role == JOBS_LIFE_READER,
    };
    char why[256] = "";
    int rc = jobs_store_open(cfg->db_path, &o, out, why, sizeof why);
    if (rc && err && errlen)
        snprintf(err, errlen, "%s: %s (%s)", cfg->db_path, jobs_strerror(rc), why);
    return rc;
}

/* ------------------------------------------------------------------ submitting */

static void life_draft_paths(struct jobs_life_draft *d)
{
    snprintf(d->part_path, sizeof d->part_path, "%s/" JOBS_LIFE_INPUT_NAME ".part", d->dir);
    snprintf(d->input_path, sizeof d->input_path, "%s/" JOBS_LIFE_INPUT_NAME, d->dir);
}

/* Token and folder (data_dir/jobs made if missing), no input yet. */
static int life_draft_folder(const struct disp_config *cfg, struct jobs_life_draft *d)
{
    memset(d, 0, sizeof *d);
    d->fd = -1;
    int rc = jobs_token_new(d->token);
    if (!rc)
        rc = jobs_life_dir(cfg, d->token, d->dir, sizeof d->dir);
    if (rc)
        return rc;
    life_draft_paths(d);
    if (mkdir(d->dir, JOBS_LIFE_DIR_MODE) == 0)
        return 0;
    /* The jobs folder went away under a running site: make it again. */
    if (errno != ENOENT || life_make_dirs(cfg) != 0 || mkdir(d->dir, JOBS_LIFE_DIR_MODE) != 0)
        return JOBS_ERR_IO;
    return 0;
}

int jobs_life_draft_begin(const struct disp_config *cfg, struct jobs_life_draft *d)
{
    int rc = life_draft_folder(cfg, d);
    if (rc)
        return rc;
    d->fd = open(d->part_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, JOBS_LIFE_FILE_MODE);
    if (d->fd < 0) {
        int e = errno;
        jobs_life_draft_abort(cfg, d);
        errno = e;
        return JOBS_ERR_IO;
    }
    return 0;
}

void jobs_life_draft_abort(const struct disp_config *cfg, struct jobs_life_draft *d)
{
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
    if (d->dir[0])
        (void)jobs_life_remove_dir(cfg, d->token);
    d->dir[0] = '\0';
}

static int life_fsync_dir(const char *dir)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    int rc = fsync(dfd);
    close(dfd);
    return rc;
}

/* Makes d's input durable by the rule (jobs_life.h) and puts it under its final name. */
static int life_store_input(const struct disp_config *cfg, struct jobs_life_draft *d)
{
    bool sync = cfg->db_sync == JOBS_SYNC_FULL;
    if (d->fd >= 0) {
        int rc = sync ? fsync(d->fd) : 0;
        if (close(d->fd) != 0)
            rc = -1;
        d->fd = -1;
        if (rc != 0 || rename(d->part_path, d->input_path) != 0)
            return JOBS_ERR_IO;
    } else if (sync) {
        int fd = open(d->input_path, O_RDONLY | O_CLOEXEC);
        int rc = fd >= 0 ? fsync(fd) : -1;
        if (fd >= 0)
            close(fd);
        if (rc != 0)
            return JOBS_ERR_IO;
    }
    return sync && life_fsync_dir(d->dir) != 0 ? JOBS_ERR_IO : 0;
}

/* Who made a change, for the job's log line: the program that called the module, as the
 * log names it ("fcgi" for trackport-fcgi, "ctl" for trackportctl and its -test build).
 * Writes into buf (size bytes) and returns it. */
static const char *life_who(char *buf, size_t size)
{
    const char *name = program_invocation_short_name;
    if (strncmp(name, "trackport", 9) == 0 && name[9])
        name += name[9] == '-' ? 10 : 9;
    size_t len = strcspn(name, "-");
    snprintf(buf, size, "%.*s", (int)len, name);
    return buf;
}

int jobs_life_draft_commit(const struct disp_config *cfg, struct jobs_store *store,
                           struct jobs_life_draft *d, const struct jobs_life_params *p)
{
    char who[32];
    int rc = store ? life_store_input(cfg, d) : JOBS_ERR_UNAVAILABLE;
    /* The name comes back in JSON and HTML: it is stored as UTF-8 whatever the client sent. */
    char *name = NULL;
    if (rc == 0 && !(name = tp_utf8_repair(p->input_name, strlen(p->input_name))))
        rc = JOBS_ERR_NOMEM;
    if (rc == 0) {
        struct jobs_new job = {
            .token = d->token,
            .queue = p->queue,
            .input_name = name,
            .input_path = d->input_path,
            .options = p->options,
            .priority = p->priority,
            .max_attempts = p->max_attempts > 0 ? p->max_attempts : cfg->max_attempts,
            .ttr_s = p->ttr_s > 0 ? p->ttr_s : cfg->ttr_s,
        };
        rc = jobs_enqueue(store, &job, NULL);
    }
    if (rc == 0) {
        char text[300];
        disp_log_job_event(cfg, life_who(who, sizeof who), DISP_EVENT_ENQUEUED, d->token,
                           "queue=%s priority=%d file=\"%s\" by=%s",
                           p->queue ? p->queue : "default", p->priority,
                           disp_log_text(name, text, sizeof text), p->by ? p->by : "-");
    }
    free(name);
    if (rc) {
        jobs_life_draft_abort(cfg, d);
        return rc;
    }
    d->fd = -1;
    (void)disp_wake(cfg, DISP_WAKE_JOB);
    return 0;
}

/* Copies the open file in into out (both borrowed). 0 or -1 (errno set). */
static int life_copy_fd(int in, int out)
{
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                return -1;
            }
            done += w;
        }
    }
    return 0;
}

int jobs_life_submit_fd(const struct disp_config *cfg, struct jobs_store *store, int in,
                        const struct jobs_life_params *p, char token_out[JOBS_TOKEN_SIZE])
{
    struct stat st;
    if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
        errno = EINVAL;
        return JOBS_ERR_BAD_ARGUMENT;
    }
    struct jobs_life_draft d;
    int rc = jobs_life_draft_begin(cfg, &d);
    if (rc == 0 && (lseek(in, 0, SEEK_SET) != 0 || life_copy_fd(in, d.fd) != 0)) {
        int e = errno;
        jobs_life_draft_abort(cfg, &d);
        errno = e;
        rc = JOBS_ERR_IO;
    }
    if (rc == 0)
        rc = jobs_life_draft_commit(cfg, store, &d, p);
    if (rc == 0 && token_out)
        memcpy(token_out, d.token, JOBS_TOKEN_SIZE);
    return rc;
}

int jobs_life_submit_file(const struct disp_config *cfg, struct jobs_store *store,
                          const char *path, const struct jobs_life_params *p,
                          char token_out[JOBS_TOKEN_SIZE])
{
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return JOBS_ERR_IO;
    int rc = jobs_life_submit_fd(cfg, store, in, p, token_out);
    int e = errno;
    close(in);
    errno = e;
    return rc;
}

/* Puts a link to (or, across file systems or where links are refused, a copy of) from at
 * d's input path. */
static int life_link_input(struct jobs_life_draft *d, const char *from)
{
    if (link(from, d->input_path) == 0)
        return 0;
    if (errno != EXDEV && errno != EPERM && errno != EMLINK && errno != ENOTSUP)
        return errno == ENOENT ? JOBS_ERR_NOT_FOUND : JOBS_ERR_IO;
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return errno == ENOENT ? JOBS_ERR_NOT_FOUND : JOBS_ERR_IO;
    d->fd = open(d->part_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, JOBS_LIFE_FILE_MODE);
    int rc = d->fd >= 0 && life_copy_fd(in, d->fd) == 0 ? 0 : JOBS_ERR_IO;
    close(in);
    return rc; /* the commit renames the copy into place */
}

int jobs_life_reconvert(const struct disp_config *cfg, struct jobs_store *store,
                        const char *token, const struct jobs_life_params *p,
                        char token_out[JOBS_TOKEN_SIZE])
{
    if (!store)
        return JOBS_ERR_UNAVAILABLE;
    struct jobs_job old;
    jobs_job_init(&old);
    int rc = jobs_get(store, token, &old);
    char from[DISP_PATH_MAX + 96];
    if (rc == 0)
        rc = jobs_life_input_path(cfg, token, from, sizeof from);
    struct jobs_life_draft d;
    if (rc == 0 && (rc = life_draft_folder(cfg, &d)) == 0) {
        rc = life_link_input(&d, from);
        if (rc) {
            jobs_life_draft_abort(cfg, &d);
        } else {
            struct jobs_life_params np = *p;
            np.input_name = old.input_name;
            rc = jobs_life_draft_commit(cfg, store, &d, &np);
        }
    }
    if (rc == 0 && token_out)
        memcpy(token_out, d.token, JOBS_TOKEN_SIZE);
    jobs_job_cleanup(&old);
    return rc;
}

/* ------------------------------------------------------------------ operator actions */

/* The caller's memcached client, or one opened for the call into *owned (freed by the
 * caller with disp_progress_free); NULL without memcached. */
static struct disp_progress *life_progress(const struct disp_config *cfg,
                                           struct disp_progress *given,
                                           struct disp_progress **owned)
{
    *owned = NULL;
    if (given)
        return given;
    if (!cfg->memcached_servers[0] ||
        disp_progress_open(cfg->memcached_servers, cfg->memcached_timeout_ms,
                           cfg->progress_ttl_s, owned) != 0)
        return NULL;
    return *owned;
}

int jobs_life_cancel(const struct disp_config *cfg, struct jobs_store *store,
                     struct disp_progress *progress, const char *token, struct jobs_job *after,
                     const char *by)
{
    char who[32];
    if (after)
        jobs_job_init(after);
    if (!store)
        return JOBS_ERR_UNAVAILABLE;
    struct jobs_job before;
    jobs_job_init(&before);
    int rc = jobs_cancel(store, token, &before);
    if (rc == 0) {
        disp_log_job_event(cfg, life_who(who, sizeof who), DISP_EVENT_CANCELLED, token, "was=%s by=%s",
                           jobs_state_name(before.state), by ? by : "-");
        /* A final value, so that a poller reading memcached never sees the old "running"
         * again; the killed child's own writes are stale from now on. */
        struct disp_progress *owned;
        struct disp_progress *mc = life_progress(cfg, progress, &owned);
        struct disp_progress_value v = {.state = JOBS_CANCELLED,
                                        .percent = before.percent,
                                        .attempt = before.attempts};
        disp_progress_set_message(&v, "Cancelled");
        if (mc)
            (void)disp_progress_put(mc, token, &v);
        disp_progress_free(owned);
        if (before.state == JOBS_RUNNING)
            (void)disp_wake(cfg, DISP_WAKE_CANCEL);
    }
    if ((rc == 0 || rc == JOBS_ERR_STATE) && after) {
        /* the row as it is now (a read: never waits for the write lock) */
        int got = jobs_get(store, token, after);
        if (got && rc == 0) {
            /* committed, but not read back: say what the commit did */
            jobs_job_cleanup(after);
            *after = before;
            jobs_job_init(&before);
            after->state = JOBS_CANCELLED;
        }
    }
    jobs_job_cleanup(&before);
    return rc;
}

int jobs_life_retry(const struct disp_config *cfg, struct jobs_store *store,
                    struct disp_progress *progress, const char *token, const char *by)
{
    char who[32];
    if (!store)
        return JOBS_ERR_UNAVAILABLE;
    int rc = jobs_retry(store, token, cfg->max_attempts);
    if (rc)
        return rc;
    disp_log_job_event(cfg, life_who(who, sizeof who), DISP_EVENT_RETRIED, token, "by=%s", by ? by : "-");
    struct disp_progress *owned;
    struct disp_progress *mc = life_progress(cfg, progress, &owned);
    if (mc)
        (void)disp_progress_delete(mc, token); /* its final value would outlive the retry */
    disp_progress_free(owned);
    (void)disp_wake(cfg, DISP_WAKE_JOB);
    return 0;
}

struct life_purge {
    const struct disp_config *cfg;
    struct disp_progress *mc;
    const char *by;
};

static int life_purge_one(void *ctx, const char *token, const char *input_path)
{
    char who[32];
    struct life_purge *p = ctx;
    (void)input_path; /* never trusted as a path to delete: the folder comes from the token */
    if (!jobs_token_valid(token))
        return 0; /* nothing of ours on disk: just drop the row */
    if (jobs_life_remove_dir(p->cfg, token) != 0)
        return -1;
    if (p->mc)
        (void)disp_progress_delete(p->mc, token);
    disp_log_job_event(p->cfg, life_who(who, sizeof who), DISP_EVENT_PURGED, token, "by=%s",
                       p->by ? p->by : "-");
    return 0;
}

int jobs_life_purge(const struct disp_config *cfg, struct jobs_store *store,
                    struct disp_progress *progress, int64_t before_ms, size_t limit,
                    size_t *deleted, const char *by)
{
    if (deleted)
        *deleted = 0;
    if (!store)
        return JOBS_ERR_UNAVAILABLE;
    struct disp_progress *owned;
    struct life_purge ctx = {cfg, life_progress(cfg, progress, &owned), by};
    int rc = jobs_purge(store, before_ms, limit, life_purge_one, &ctx, deleted);
    disp_progress_free(owned);
    return rc;
}

bool jobs_life_bad_input(int error_domain, int code)
{
    if (error_domain != JOBS_DOMAIN_CONVERTER)
        return false;
    switch (code) {
    case TP_ERR_UNKNOWN_FORMAT:
    case TP_ERR_AMBIGUOUS_FORMAT:
    case TP_ERR_UNKNOWN_IMPORTER:
    case TP_ERR_UNKNOWN_EXPORTER:
    case TP_ERR_SIZE_REQUIRED:
    case TP_ERR_PARSE:
    case TP_ERR_NO_TRACKERS:
    case TP_ERR_LIMIT:
    case TP_ERR_FILE_TOO_BIG: /* the same job would cross the same limit again */
    case TP_ERR_BAD_ARGUMENT:
        return true;
    default:
        return false;
    }
}

static int life_pause_path(const struct disp_config *cfg, char *path, size_t size)
{
    int n = snprintf(path, size, "%s/paused", cfg->data_dir);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

bool jobs_life_paused(const struct disp_config *cfg)
{
    char path[DISP_PATH_MAX + 16];
    return life_pause_path(cfg, path, sizeof path) == 0 && access(path, F_OK) == 0;
}

int jobs_life_set_paused(const struct disp_config *cfg, bool paused)
{
    char path[DISP_PATH_MAX + 16];
    if (life_pause_path(cfg, path, sizeof path) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (!paused) {
        if (unlink(path) != 0 && errno != ENOENT)
            return -1;
        (void)disp_wake(cfg, DISP_WAKE_JOB);
        return 0;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}
