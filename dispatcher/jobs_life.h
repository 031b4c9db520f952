/*
 * jobs_life.h — a job's whole life, in one place: its folder's layout, submitting (from an
 * upload, a file, or the stored input of another job), cancelling, retrying, purging, and
 * opening the job store from the configuration. The site, trackportctl, the admin page and
 * the dispatcher all call these, so every job is stored, named and removed the same way.
 *
 * Layout of a job (nothing else is ever written there; names never come from the user):
 *     <data_dir>/jobs/<token>/          JOBS_LIFE_DIR_MODE
 *     <data_dir>/jobs/<token>/input     the stored input, JOBS_LIFE_FILE_MODE
 *     <data_dir>/jobs/<token>/out/      the outputs, written by the converter child
 *     <out>/<name>.partial-XXXXXX       an output being written (renamed when whole)
 *
 * Durability rule of a submission (one rule for every submitter): the input is exactly as
 * durable as the row that names it. With db_sync = full (a commit survives power loss) the
 * input file and the job folder are fsync'ed before the row is inserted; with normal (a
 * commit survives any process crash) the page cache is enough for both. The row is inserted
 * last, so a job row never names a missing input; a submission that fails removes its
 * folder, leaving nothing behind.
 *
 * Store connections (jobs_life_open_store): one cache size for every process, and a busy
 * timeout by role. The site's writes (uploads, cancel, admin) wait at most
 * JOBS_LIFE_SITE_BUSY_MS for the write lock and then answer 503: a FastCGI process is one
 * of a handful, and one held for seconds is a site that stops answering. Reads never wait:
 * the store is in WAL mode, where readers take no lock a writer holds.
 *
 * Errors: 0 or a negative jobs_error. Memory: every out-parameter struct is the caller's
 * (jobs_job_cleanup for a struct jobs_job); strings are borrowed for the call.
 * Fork safety: no global state; the store and memcached handles passed in follow their own
 * rules (jobs_store.h, disp_progress.h).
 */
#ifndef TRACKPORT_JOBS_LIFE_H
#define TRACKPORT_JOBS_LIFE_H

#include "config.h"
#include "disp_progress.h"
#include "jobs_store.h"

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define JOBS_LIFE_DIR_MODE 0750
#define JOBS_LIFE_FILE_MODE 0640
#define JOBS_LIFE_INPUT_NAME "input"
#define JOBS_LIFE_OUT_NAME "out"
#define JOBS_LIFE_PARTIAL_MARK ".partial-"

/*
 * The site's write-lock budget. Measured on the 2-core test machine (tests/bench/
 * jobs_bench.py, row "submission insert under load"): while the dispatcher and its children
 * ran a backlog of 1,200 tiny jobs (claims, starts, results: the busiest writing the store
 * sees), 1,200 submissions' inserts took 0.05 ms at the median, 6.4 ms at p99 and 25 ms at
 * worst (db_sync = normal, load average 16). 250 ms is ten times that worst case, so a
 * submission gives up only when something really holds the lock (an operator's
 * transaction, a stuck disk), and two that give up together hold each of the site's
 * processes a quarter of a second instead of the workers' 5 s busy timeout.
 */
#define JOBS_LIFE_SITE_BUSY_MS 250
/* What a 503 for a busy database tells the client to wait (Retry-After, seconds). */
#define JOBS_LIFE_RETRY_AFTER_S 2

/* ------------------------------------------------------------------ layout */

/* jobs_life_dir writes <data_dir>/jobs/<token>; jobs_life_out_dir <...>/<token>/out;
 * jobs_life_input_path <...>/<token>/input. JOBS_ERR_BAD_ARGUMENT for a malformed token or a
 * buffer too small. */
int jobs_life_dir(const struct disp_config *cfg, const char *token, char *buf, size_t size);
int jobs_life_out_dir(const struct disp_config *cfg, const char *token, char *buf, size_t size);
int jobs_life_input_path(const struct disp_config *cfg, const char *token, char *buf,
                         size_t size);

/* jobs_life_remove_dir deletes the job's folder and everything in it (already gone counts as
 * removed; symbolic links are removed, never followed). The path comes from the token alone,
 * never from a stored path. 0, or JOBS_ERR_IO (errno set) / JOBS_ERR_BAD_ARGUMENT. */
int jobs_life_remove_dir(const struct disp_config *cfg, const char *token);

/* jobs_life_is_partial tells whether a file name is an output still being written. */
bool jobs_life_is_partial(const char *name);

/* jobs_life_remove_partials deletes the .partial-XXXXXX files in the job's out folder: an
 * attempt that ended, whatever the cause, leaves none (whoever ends it calls this). *removed
 * (may be NULL) receives how many. A missing folder is no error. */
int jobs_life_remove_partials(const struct disp_config *cfg, const char *token, size_t *removed);

/* jobs_life_safe_name copies the base of a user's file name into out, keeping letters,
 * digits, '.', '-' and '_' (others become '_'), no leading dot, at most size-1 bytes
 * ("upload" if nothing is left). For names shown or offered for download; never a path. */
void jobs_life_safe_name(const char *user_name, char *out, size_t size);

/* jobs_life_error_name names a stored error: tp_error_name or jobs_error_name by domain
 * ("TP_ERR_PARSE", "JOBS_ERR_CANCELLED"), "" for no error. Static text. */
const char *jobs_life_error_name(int domain, int code);

/* ------------------------------------------------------------------ the store */

enum jobs_life_role {
    JOBS_LIFE_WORKER = 0, /* dispatcher, child, trackportctl: waits db_busy_timeout_ms */
    JOBS_LIFE_SITE = 1,   /* FastCGI: writes wait JOBS_LIFE_SITE_BUSY_MS at most */
    JOBS_LIFE_READER = 2, /* read-only (trackportctl status, list): never creates, migrates */
};

/* jobs_life_open_store opens cfg's database for a role, making data_dir and its jobs
 * folder first unless read-only. Caller owns *out (jobs_store_close); err (may be NULL)
 * receives a sentence on failure. */
int jobs_life_open_store(const struct disp_config *cfg, int role, struct jobs_store **out,
                         char *err, size_t errlen);

/* ------------------------------------------------------------------ submitting */

/* What a new job is. Zero members take the configuration's values. */
struct jobs_life_params {
    const char *input_name; /* the user's file name (display, detection); required except
                               for jobs_life_reconvert, which keeps the old job's */
    const char *options;    /* JSON object (disp_options.h); NULL: "{}" */
    const char *queue;      /* NULL: "default" (the site passes cfg->web_queue) */
    int priority;
    int max_attempts;       /* <= 0: cfg->max_attempts */
    int ttr_s;              /* <= 0: cfg->ttr_s */
    const char *by;         /* who submits, for the job's log line: "upload", "trackportctl" */
};

/* A submission under way: the folder exists and `fd` is the input being written. */
struct jobs_life_draft {
    char token[JOBS_TOKEN_SIZE];
    char dir[DISP_PATH_MAX + 64];
    char part_path[DISP_PATH_MAX + 96]; /* input.part: renamed to input by the commit */
    char input_path[DISP_PATH_MAX + 96];
    int fd;                             /* -1 when none */
};

/* jobs_life_draft_begin makes a token and the job's folder, and opens input.part for writing
 * (d->fd, borrowed by the caller until commit or abort). 0 or JOBS_ERR_IO (errno set). */
int jobs_life_draft_begin(const struct disp_config *cfg, struct jobs_life_draft *d);

/*
 * jobs_life_draft_commit finishes a submission: fsync by the rule above, close, rename
 * input.part to input, insert the row, wake the dispatcher. Every failure removes the
 * folder: JOBS_ERR_BUSY when the write lock was not had within the store's busy timeout
 * (the site answers 503), JOBS_ERR_IO, JOBS_ERR_BAD_ARGUMENT, JOBS_ERR_DB.
 */
int jobs_life_draft_commit(const struct disp_config *cfg, struct jobs_store *store,
                           struct jobs_life_draft *d, const struct jobs_life_params *p);

/* jobs_life_draft_abort closes and removes everything the draft made. Safe twice. */
void jobs_life_draft_abort(const struct disp_config *cfg, struct jobs_life_draft *d);

/* jobs_life_submit_file submits a copy of the file at path (trackportctl enqueue). token_out
 * receives the new job's token. jobs_life_submit_fd does the same with an open regular file
 * (borrowed), for a caller that opened it with rights of its own. */
int jobs_life_submit_fd(const struct disp_config *cfg, struct jobs_store *store, int fd,
                        const struct jobs_life_params *p, char token_out[JOBS_TOKEN_SIZE]);
int jobs_life_submit_file(const struct disp_config *cfg, struct jobs_store *store,
                          const char *path, const struct jobs_life_params *p,
                          char token_out[JOBS_TOKEN_SIZE]);

/*
 * jobs_life_reconvert submits a new job on the stored input of job `token` (any state but
 * purged), with new options: the input is hard-linked (copied where links are impossible)
 * into the new job's folder; the old job is left exactly as it was. p->input_name is
 * ignored (the old job's is kept). JOBS_ERR_NOT_FOUND when the job or its input is gone.
 */
int jobs_life_reconvert(const struct disp_config *cfg, struct jobs_store *store,
                        const char *token, const struct jobs_life_params *p,
                        char token_out[JOBS_TOKEN_SIZE]);

/* ------------------------------------------------------------------ operator actions */

/*
 * jobs_life_cancel cancels a queued or running job: the database (final state cancelled,
 * JOBS_ERR_CANCELLED), then memcached's value for the token (final, so a poller never sees
 * the old "running" again), then, if a child runs it, the dispatcher (which kills it; the
 * child's later writes are stale). progress may be NULL: a client is opened for the call.
 * *after (may be NULL; caller owns) receives the job as it now is — also on JOBS_ERR_STATE
 * (already final), so the caller can say which final state it is in.
 */
int jobs_life_cancel(const struct disp_config *cfg, struct jobs_store *store,
                     struct disp_progress *progress, const char *token, struct jobs_job *after,
                     const char *by);

/* jobs_life_retry puts a failed or cancelled job back in the queue with cfg->max_attempts
 * more attempts, forgets its memcached value and wakes the dispatcher. */
int jobs_life_retry(const struct disp_config *cfg, struct jobs_store *store,
                    struct disp_progress *progress, const char *token, const char *by);

/* Each change is logged as one line of the job's events (disp_log_job_event) naming the
 * program that made it and `by` (who asked: "web", "admin user=ana", "trackportctl",
 * "retention"; NULL: not said). */

/* jobs_life_purge deletes final jobs finished before before_ms (at most limit, 0: all): each
 * one's folder, memcached value, then row. A folder that cannot be removed keeps its row
 * (tried again next time). *deleted (may be NULL) receives the number removed. */
int jobs_life_purge(const struct disp_config *cfg, struct jobs_store *store,
                    struct disp_progress *progress, int64_t before_ms, size_t limit,
                    size_t *deleted, const char *by);

#ifdef __cplusplus
}
#endif
/* jobs_life_bad_input tells the failures that retrying cannot mend: converter errors
 * about the file or the options (unknown or ambiguous format, parse errors, no trackers, a
 * limit the same job would cross again). The child fails those at once and the admin page
 * offers no Retry for them. */
bool jobs_life_bad_input(int error_domain, int code);

/*
 * Pausing: while <data_dir>/paused exists the dispatcher claims no job (running children
 * finish; uploads are still queued). jobs_life_set_paused creates or removes that file (and
 * wakes the dispatcher on resume); 0, or -1 with errno. jobs_life_paused tells whether it
 * exists.
 */
int jobs_life_set_paused(const struct disp_config *cfg, bool paused);
bool jobs_life_paused(const struct disp_config *cfg);

#endif
