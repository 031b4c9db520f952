/*
 * jobs_store.h — the job store: one SQLite database (WAL) holding every conversion job.
 *
 * Used by the FastCGI site (enqueue, read, cancel), by the dispatcher (claim, recover,
 * purge), by the converter child (start, milestones, finish, fail) and by trackportctl.
 * Every state transition is one function running one transaction.
 *
 * States (enum jobs_state, stored as integers: never renumber, only append):
 *
 *     queued ──claim──► running ──finish──► done
 *       ▲  ▲              │  │
 *       │  └──fail(retry)─┘  └──fail(final)/fail(bad input)──► failed
 *       │      requeue        cancel (queued or running) ─────► cancelled
 *       └──────── retry (operator: failed/cancelled → queued, more attempts)
 *
 * Attempts: claim increments `attempts` in the same statement that marks the job running,
 * so a job whose worker dies still moves towards max_attempts (no endless crash loop).
 * Every write made on behalf of one attempt (start, progress, finish, fail, set_exit,
 * requeue) names that attempt and only applies while the job is still `running` with that
 * attempt number: a stale worker can never overwrite a newer attempt or a cancellation,
 * and a job can never get two results. Such a write answers JOBS_ERR_STALE.
 *
 * Times are milliseconds since the Unix epoch (int64_t), see jobs_now_ms().
 * Tokens are 128 random bits in URL-safe base64 without padding (22 characters); URLs
 * never show ids. Ids are the database's rowids, for the dispatcher and operators.
 *
 * Files: the store knows paths only as text. The job folder's layout (<data_dir>/jobs/
 * <token>/, its `input`, the outputs in out/) belongs to jobs_life.h, which every
 * submitter goes through.
 *
 * Options (jobs.options) are a JSON object the enqueuer writes and the child reads; the
 * store does not parse it. Keys (all optional; disp_options.h parses and validates them):
 *     "importer":  "nukescript"             importer name; absent or "": detect
 *     "width": 1920, "height": 1080         comp size; absent or 0: not given
 *     "exporters": ["pftrack5", "nukescript"]   absent or []: every exporter
 *     "edits": [["xscale", "2"], ["flip", null]]   tools in order, as tp_edits_add(flag, value)
 * Result (jobs.result, written by finish) is a JSON object:
 *     {"importer": "tsv", "width": 1920, "height": 1080, "trackers": 3, "keyframes": 120,
 *      "outputs": [{"name": "shot_pftrack_v5.2dt", "format": "pftrack5", "bytes": 5120}, ...]}
 *     where each name is a plain file name inside <job dir>/out/.
 *
 * Errors: 0 is success, negative values come from JOBS_ERRORS (shared by every module of
 * dispatcher/: jobs_ and disp_), jobs_strerror() names them.
 *
 * Ownership: struct jobs_job, jobs_list and jobs_stats own their strings; release them with
 * the matching _cleanup (safe on a zeroed or already cleaned struct). All `const char *`
 * arguments are borrowed for the duration of the call.
 *
 * Fork safety: a struct jobs_store is one SQLite connection. It must never be used, nor
 * closed, in a process other than the one that opened it (SQLite's rule; the store checks
 * the pid and answers JOBS_ERR_FORKED). Moreover SQLite keeps per-process lock bookkeeping
 * that a child of fork() inherits, so a process should have NO store open when it forks a
 * process that will open the database itself: close it first (the dispatcher does), or
 * make the child exec (disp_spawn does). A child that inherited a handle simply abandons it
 * (it must not call jobs_store_close on it) and opens its own.
 * Not thread-safe: one handle per thread.
 *
 * Schema history (user_version): 1 the jobs table; 2 error_domain (existing errors are
 * classified by who could have written them: see the migration).
 *
 * Linking: CMake target `trackport_jobs` (the job system without the dispatcher loop and the
 * converter child: store, life cycle, config, progress, spawning, options; what the site
 * links) and `trackport_dispatcher` (adds disp_loop and disp_child). Both put dispatcher/ on
 * the include path and bring SQLite, libmemcached, cJSON and the converter library along.
 */
#ifndef TRACKPORT_JOBS_STORE_H
#define TRACKPORT_JOBS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes of the dispatcher component. Never renumber, only append. */
#define JOBS_ERRORS(X)                                                                           \
    X(JOBS_OK, 0, "success")                                                                     \
    X(JOBS_ERR_NOMEM, -1, "out of memory")                                                       \
    X(JOBS_ERR_DB, -2, "database error")                                                         \
    X(JOBS_ERR_BUSY, -3, "the database stayed locked longer than the busy timeout")              \
    X(JOBS_ERR_NOT_FOUND, -4, "no such job")                                                     \
    X(JOBS_ERR_STATE, -5, "the job is not in a state that allows this")                          \
    X(JOBS_ERR_STALE, -6, "this attempt is no longer the job's current attempt")                 \
    X(JOBS_ERR_SCHEMA, -7, "the database was made by a newer version of trackport")             \
    X(JOBS_ERR_BAD_ARGUMENT, -8, "invalid argument")                                             \
    X(JOBS_ERR_EMPTY, -9, "no job is ready")                                                     \
    X(JOBS_ERR_FORKED, -10, "a database handle was used in a process that did not open it")     \
    X(JOBS_ERR_IO, -11, "input/output error")                                                    \
    X(JOBS_ERR_CONFIG, -12, "invalid configuration")                                             \
    X(JOBS_ERR_UNAVAILABLE, -13, "the service is not available")                                 \
    X(JOBS_ERR_LOCKED, -14, "another dispatcher holds the lock")                                \
    X(JOBS_ERR_CANCELLED, -15, "cancelled by a user or an operator")

enum jobs_error {
#define JOBS__ENUM(name, value, text) name = value,
    JOBS_ERRORS(JOBS__ENUM)
#undef JOBS__ENUM
};

/* jobs_strerror returns a static English sentence for a code (never NULL). */
const char *jobs_strerror(int code);
/* jobs_error_name returns the enum's name ("JOBS_ERR_STALE"), or "JOBS_UNKNOWN". */
const char *jobs_error_name(int code);

/*
 * Where a stored error code comes from (jobs.error_domain). Converter codes (tp_error) and
 * job-system codes (jobs_error) share the negative numbers, so a code means nothing without
 * its domain: -12 is TP_ERR_CANCELLED in one and JOBS_ERR_CONFIG in the other.
 * Never renumber, only append.
 */
enum jobs_error_domain {
    JOBS_DOMAIN_NONE = 0,      /* no error (error_code 0) */
    JOBS_DOMAIN_CONVERTER = 1, /* a tp_error from the converter library (bad input, I/O) */
    JOBS_DOMAIN_JOBS = 2,      /* a jobs_error from the job system (crash, cancel, ...) */
};

/* jobs_domain_name returns "none", "converter", "jobs", or "unknown". */
const char *jobs_domain_name(int domain);

/* Job states as stored in the database. Never renumber, only append. */
enum jobs_state {
    JOBS_QUEUED = 0,
    JOBS_RUNNING = 1,
    JOBS_DONE = 2,
    JOBS_FAILED = 3,
    JOBS_CANCELLED = 4,
};
#define JOBS_STATE_COUNT 5

/* jobs_state_name returns "queued", "running", "done", "failed", "cancelled", or "unknown". */
const char *jobs_state_name(int state);
/* jobs_state_parse turns a name back into a state; -1 if unknown (case-insensitive). */
int jobs_state_parse(const char *name);
/* jobs_state_final is true for done, failed and cancelled. */
bool jobs_state_final(int state);

/* Token: 22 URL-safe base64 characters (A-Z a-z 0-9 - _) for 128 random bits. */
#define JOBS_TOKEN_LEN 22
#define JOBS_TOKEN_SIZE (JOBS_TOKEN_LEN + 1)

/* jobs_token_new fills out with a fresh token from the kernel's CSPRNG (getrandom).
 * Returns 0 or JOBS_ERR_IO. Safe in any process, no state. */
int jobs_token_new(char out[JOBS_TOKEN_SIZE]);
/* jobs_token_valid is true when s is exactly a well-formed token (safe as a path part). */
bool jobs_token_valid(const char *s);

/* jobs_now_ms is the wall clock in milliseconds since the epoch. */
int64_t jobs_now_ms(void);
/* jobs_mono_ms and jobs_mono_us read the monotonic clock (durations, deadlines, timeouts):
 * the one clock of the job system for anything that must not jump with the wall clock. */
int64_t jobs_mono_ms(void);
int64_t jobs_mono_us(void);

/* Lengths the store enforces (JOBS_ERR_BAD_ARGUMENT above them). */
#define JOBS_MAX_QUEUE_NAME 64
#define JOBS_MAX_INPUT_NAME 1024
#define JOBS_MAX_PATH 4096
#define JOBS_MAX_OPTIONS (64 * 1024)
#define JOBS_MAX_MESSAGE 1024
#define JOBS_MAX_RESULT (1024 * 1024)

/* Exit codes of a converter child, recorded in exit_code. */
#define DISP_EXIT_OK 0          /* wrote its result (done, or failed for bad input) */
#define DISP_EXIT_RETRY 75      /* transient failure recorded with retry (EX_TEMPFAIL) */
#define DISP_EXIT_STALE 76      /* the attempt was no longer current: nothing was written */
#define DISP_EXIT_TERMINATED 77 /* stopped by SIGTERM (TTR or cancel): nothing was written */
#define DISP_EXIT_NO_STORE 78   /* could not open or write the database */

/* One job row. Strings are owned (NULL when the column is NULL) unless noted. */
struct jobs_job {
    int64_t id;
    char token[JOBS_TOKEN_SIZE];
    int state;              /* enum jobs_state */
    char *queue;            /* "default" unless the enqueuer chose another */
    int priority;           /* lower runs first */
    int64_t run_at_ms;      /* not claimed before this time (retry backoff, delayed jobs) */
    int attempts;           /* claims so far, including the running one */
    int max_attempts;
    int ttr_s;              /* time to run of one attempt, seconds */
    pid_t worker_pid;       /* running: the child (or the dispatcher between claim and fork) */
    int64_t worker_start;   /* the worker's start time, /proc/<pid>/stat field 22 (clock ticks
                               since boot), so a reused pid is told apart; 0 if unknown */
    int64_t lease_until_ms; /* running: after this the job is presumed lost */
    int64_t created_ms, started_ms, finished_ms; /* 0 when not yet */
    char *input_name;       /* the name the user gave the file (display, detection) */
    char *input_path;       /* where the stored input is */
    char *options;          /* JSON object, "{}" when none */
    int percent;            /* last persisted progress, 0..100 */
    char *message;          /* last persisted progress message */
    int error_code;         /* code of the last failure in error_domain, 0 if none */
    int error_domain;       /* enum jobs_error_domain of error_code */
    char *error;            /* user message of the last failure (kept on retry) */
    int exit_code;          /* last child's exit code, -1 if none or killed by a signal */
    int exit_signal;        /* signal that ended the last child, 0 if none */
    char *result;           /* done: JSON object (see above) */
};

/* jobs_job_init zeroes a job; jobs_job_cleanup frees its strings and zeroes it again. */
void jobs_job_init(struct jobs_job *job);
void jobs_job_cleanup(struct jobs_job *job);

/* ------------------------------------------------------------------ opening */

struct jobs_store;

enum jobs_sync {
    JOBS_SYNC_NORMAL = 0, /* WAL + synchronous=NORMAL: durable across any process crash */
    JOBS_SYNC_FULL = 1,   /* also across power loss, one fsync per commit */
};

struct jobs_store_options {
    int busy_timeout_ms;  /* how long a write waits for the lock; 0: 5000 */
    int sync;             /* enum jobs_sync */
    int cache_kib;        /* page cache per connection; 0: 512 (the dispatcher stays small) */
    bool readonly;        /* open without creating or migrating (trackportctl status/list) */
};

/*
 * jobs_store_open opens (creating if needed) the database at path, sets WAL, busy timeout,
 * foreign keys and synchronous, and applies pending schema migrations (user_version) in
 * one transaction. opts may be NULL for defaults. Caller owns *out (jobs_store_close).
 * Returns 0, JOBS_ERR_SCHEMA when the file is newer than this code, JOBS_ERR_DB/IO/BUSY.
 * On failure *out is NULL and, if errbuf is not NULL, errbuf holds SQLite's message.
 */
int jobs_store_open(const char *path, const struct jobs_store_options *opts,
                    struct jobs_store **out, char *errbuf, size_t errlen);

/* jobs_store_close closes the connection (NULL: nothing). Only in the opening process. */
void jobs_store_close(struct jobs_store *s);

/* jobs_store_errmsg is SQLite's message for the last failed call (borrowed, never NULL). */
const char *jobs_store_errmsg(const struct jobs_store *s);

/* jobs_store_schema_version is the schema version this code migrates to. */
int jobs_store_schema_version(void);

/* ------------------------------------------------------------------ enqueue */

struct jobs_new {
    const char *token;      /* NULL: the store makes one. Otherwise a jobs_token_new token the
                               caller already used (e.g. to name the job folder). */
    const char *queue;      /* NULL or "": "default" */
    const char *input_name; /* required: the user's file name (display and format detection) */
    const char *input_path; /* required: the stored input file */
    const char *options;    /* JSON object text; NULL: "{}" (not validated here) */
    int priority;           /* lower runs first; 0 is normal */
    int64_t run_at_ms;      /* 0: now */
    int max_attempts;       /* <= 0: 3 */
    int ttr_s;              /* <= 0: 300 */
};

/* jobs_enqueue inserts a queued job. token_out (may be NULL) receives its token.
 * JOBS_ERR_BAD_ARGUMENT for a missing/oversized field or malformed token; JOBS_ERR_STATE
 * when the token already exists. Durable when it returns 0 (see enum jobs_sync). */
int jobs_enqueue(struct jobs_store *s, const struct jobs_new *job, char token_out[JOBS_TOKEN_SIZE]);

/* ------------------------------------------------------------------ dispatcher side */

/*
 * jobs_claim takes the next ready job (state queued, run_at <= now_ms), in order of priority,
 * run_at, id, across every queue, in one BEGIN IMMEDIATE transaction: the job becomes running,
 * attempts += 1, started = now, worker = (worker_pid, worker_start) — the claimer until the
 * child registers itself with jobs_start — and lease_until = now + ttr + lease_grace_ms.
 * Fills *out (caller owns; cleaned first, and left empty on failure). Returns 0,
 * JOBS_ERR_EMPTY when nothing is ready.
 */
int jobs_claim(struct jobs_store *s, int64_t now_ms, pid_t worker_pid, int64_t worker_start,
               int64_t lease_grace_ms, struct jobs_job *out);

/* jobs_next_run_at sets *at_ms to the earliest run_at of a queued job, or 0 if none, so the
 * dispatcher can sleep until a delayed (backoff) job becomes ready. */
int jobs_next_run_at(struct jobs_store *s, int64_t *at_ms);

/* jobs_requeue gives a claimed job back without spending the attempt (attempts -= 1): for a
 * claim whose child could not be started. Only while running with this attempt. */
int jobs_requeue(struct jobs_store *s, int64_t id, int attempt, int64_t run_at_ms);

/* A failure to record (jobs_fail). */
struct jobs_failure {
    int error_code;      /* tp_error or jobs_error (see error_domain), or 0 */
    int error_domain;    /* enum jobs_error_domain of error_code */
    const char *message; /* for the user: "The conversion crashed (signal 11)." */
    int exit_code;       /* -1: leave the recorded exit status alone */
    int exit_signal;
    bool retry;          /* transient: requeue at retry_at_ms while attempts < max_attempts */
    int64_t retry_at_ms;
    const char *final_message; /* retry but attempts exhausted: message recorded instead of
                                  `message` (NULL: `message`) */
};

/*
 * jobs_fail records a failure of attempt `attempt`: with retry and attempts < max_attempts
 * the job goes back to queued at retry_at_ms keeping the message as the last error;
 * otherwise it becomes failed (finished now). *new_state (may be NULL) receives the result.
 * JOBS_ERR_STALE unless the job is running with that attempt.
 */
int jobs_fail(struct jobs_store *s, int64_t id, int attempt, const struct jobs_failure *f,
              int *new_state);

/* jobs_set_exit records how the attempt's child ended (exit code, or -1 and the signal),
 * whatever the job's state now, provided attempts still equals `attempt`. */
int jobs_set_exit(struct jobs_store *s, int64_t id, int attempt, int exit_code, int exit_signal);

/* A listing: n jobs, owned (jobs_list_cleanup). */
struct jobs_list {
    struct jobs_job *jobs;
    size_t n;
};
void jobs_list_cleanup(struct jobs_list *list);

/* jobs_list_running fills *out with every running job (id, token, attempts, worker, lease,
 * ttr...), for recovery. Caller owns *out (jobs_list_cleanup). */
int jobs_list_running(struct jobs_store *s, struct jobs_list *out);

/* jobs_purge_fn is called for each job about to be deleted, with its token and input path,
 * so the caller removes its folder. A non-zero return keeps that job (try again later). */
typedef int (*jobs_purge_fn)(void *ctx, const char *token, const char *input_path);

/* jobs_purge deletes final jobs (done, failed, cancelled) finished before before_ms, at most
 * `limit` per call (0: no limit), calling fn first for each (fn may be NULL). *deleted
 * (may be NULL) receives the number removed. */
int jobs_purge(struct jobs_store *s, int64_t before_ms, size_t limit, jobs_purge_fn fn,
               void *ctx, size_t *deleted);

/* ------------------------------------------------------------------ child side */

/* jobs_start: the child registers itself (pid, start time, lease) and persists the first
 * milestone (percent 0, message). JOBS_ERR_STALE if the attempt is no longer current: the
 * child must then exit without converting. */
int jobs_start(struct jobs_store *s, int64_t id, int attempt, pid_t pid, int64_t pid_start,
               int64_t lease_until_ms, const char *message);

/* jobs_progress persists a milestone (percent 0..100, message). Call rarely (start, 50%,
 * end); live progress goes to memcached (disp_progress.h). */
int jobs_progress(struct jobs_store *s, int64_t id, int attempt, int percent, const char *message);

/* jobs_finish marks the attempt done with its result JSON (percent 100, finished now, exit
 * code 0, error cleared). JOBS_ERR_STALE if not current (cancelled, recovered, retried). */
int jobs_finish(struct jobs_store *s, int64_t id, int attempt, const char *result_json);

/* ------------------------------------------------------------------ site and operator side */

/* jobs_get / jobs_get_id read one job. Caller owns *out (cleaned first). JOBS_ERR_NOT_FOUND. */
int jobs_get(struct jobs_store *s, const char *token, struct jobs_job *out);
int jobs_get_id(struct jobs_store *s, int64_t id, struct jobs_job *out);

/*
 * jobs_cancel cancels a queued or running job (finished now, error "Cancelled", code
 * JOBS_ERR_CANCELLED in the jobs domain). Use jobs_life_cancel, which also tells memcached
 * and the dispatcher; this is its database step. *before
 * (may be NULL; caller owns) receives the job as it was, so the caller knows whether a
 * worker was running (then poke the dispatcher with DISP_WAKE_CANCEL: it kills the child;
 * the child's later writes are stale). JOBS_ERR_STATE if the job is already final.
 */
int jobs_cancel(struct jobs_store *s, const char *token, struct jobs_job *before);

/*
 * jobs_retry puts a failed or cancelled job back in the queue now, error, exit status and
 * result cleared (operator action), with extra_attempts more attempts (at least 1): the
 * attempt counter keeps counting rather than restarting, so a late write of the worker that
 * was cancelled or failed can never pass for the new attempt's. JOBS_ERR_STATE otherwise.
 */
int jobs_retry(struct jobs_store *s, const char *token, int extra_attempts);

struct jobs_filter {
    int state;          /* -1: any */
    const char *queue;  /* NULL: any */
    size_t limit;       /* 0: 100 */
    size_t offset;
    bool oldest_first;  /* default newest (highest id) first */
};

/* jobs_list_jobs lists jobs matching f (NULL: the 100 newest). Caller owns *out. */
int jobs_list_jobs(struct jobs_store *s, const struct jobs_filter *f, struct jobs_list *out);

struct jobs_queue_stats {
    char *queue;                       /* owned */
    int64_t count[JOBS_STATE_COUNT];   /* jobs per state in this queue */
};

struct jobs_stats {
    int64_t count[JOBS_STATE_COUNT];   /* over all queues */
    struct jobs_queue_stats *queues;   /* owned, sorted by name */
    size_t queue_count;
    int64_t ready;                     /* queued with run_at <= now */
    int64_t oldest_queued_ms;          /* age of the oldest ready queued job, 0 if none */
    int64_t running_workers;           /* distinct worker pids of running jobs */
};

/* jobs_stats fills *out (caller owns: jobs_stats_cleanup). now_ms: for ages and readiness. */
int jobs_stats(struct jobs_store *s, int64_t now_ms, struct jobs_stats *out);
void jobs_stats_cleanup(struct jobs_stats *st);

/* jobs_queue_depth counts ready queued jobs (cheap, served by the claim index): /health. */
int jobs_queue_depth(struct jobs_store *s, int64_t now_ms, int64_t *depth);

/* jobs_explain_claim writes the claim's EXPLAIN QUERY PLAN details, one line each, into
 * plan (tests and benchmarks check that no "TEMP B-TREE" sort appears). */
int jobs_explain_claim(struct jobs_store *s, char *plan, size_t size);

#ifdef __cplusplus
}
#endif
#endif
