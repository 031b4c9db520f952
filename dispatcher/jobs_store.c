/*
 * jobs_store.c — the job store on SQLite (see jobs_store.h for the contract).
 *
 * Why these settings:
 * - WAL lets the site read status while the dispatcher and children write, and makes a
 *   commit one append to the log.
 * - synchronous=NORMAL in WAL mode: a commit is in the log (the OS's page cache) when it
 *   returns, so it survives the crash of any process, including the one that wrote it; only
 *   a power loss or kernel crash can take the last commits back. DESIGN asks that an accepted
 *   upload survive a process crash, so NORMAL is enough and spares an fsync per commit;
 *   db_sync=full buys power-loss durability for deployments that want it.
 * - Every write that changes which worker owns a job is one statement inside BEGIN IMMEDIATE:
 *   taking the write lock first means a writer waits in the busy handler instead of failing
 *   with SQLITE_BUSY when its read snapshot went stale.
 * - The claim's ORDER BY (priority, run_at, id) is exactly the tail of the index
 *   (state, priority, run_at, id), so SQLite walks the index and stops at the first ready
 *   row instead of sorting every queued job (a test checks the plan). The unary + on run_at
 *   keeps `run_at <= now` out of the index lookup: with ANALYZE statistics (few distinct
 *   states and priorities) the planner otherwise picks a skip-scan on run_at and then sorts.
 */
#include "jobs_store.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ names */

const char *jobs_strerror(int code)
{
    switch (code) {
#define JOBS__TEXT(name, value, text)                                                          \
    case value:                                                                                \
        return text;
        JOBS_ERRORS(JOBS__TEXT)
#undef JOBS__TEXT
    }
    return "unknown error";
}

const char *jobs_error_name(int code)
{
    switch (code) {
#define JOBS__NAME(name, value, text)                                                          \
    case value:                                                                                \
        return #name;
        JOBS_ERRORS(JOBS__NAME)
#undef JOBS__NAME
    }
    return "JOBS_UNKNOWN";
}

const char *jobs_domain_name(int domain)
{
    switch (domain) {
    case JOBS_DOMAIN_NONE:
        return "none";
    case JOBS_DOMAIN_CONVERTER:
        return "converter";
    case JOBS_DOMAIN_JOBS:
        return "jobs";
    }
    return "unknown";
}

static const char *const jobs_state_names[JOBS_STATE_COUNT] = {"queued", "running", "done",
                                                               "failed", "cancelled"};

const char *jobs_state_name(int state)
{
    return state >= 0 && state < JOBS_STATE_COUNT ? jobs_state_names[state] : "unknown";
}

int jobs_state_parse(const char *name)
{
    for (int i = 0; name && i < JOBS_STATE_COUNT; i++)
        if (strcasecmp(name, jobs_state_names[i]) == 0)
            return i;
    return -1;
}

bool jobs_state_final(int state)
{
    return state == JOBS_DONE || state == JOBS_FAILED || state == JOBS_CANCELLED;
}

/* ------------------------------------------------------------------ tokens, time */

static const char jobs_b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int jobs_token_new(char out[JOBS_TOKEN_SIZE])
{
    unsigned char raw[18] = {0}; /* 16 random bytes, 2 zero bytes to make 6 groups of 3 */
    size_t got = 0;
    while (got < 16) {
        ssize_t n = getrandom(raw + got, 16 - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return JOBS_ERR_IO;
        }
        got += (size_t)n;
    }
    char buf[24];
    for (size_t i = 0, o = 0; i < 18; i += 3) {
        unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 | raw[i + 2];
        buf[o++] = jobs_b64url[(v >> 18) & 63];
        buf[o++] = jobs_b64url[(v >> 12) & 63];
        buf[o++] = jobs_b64url[(v >> 6) & 63];
        buf[o++] = jobs_b64url[v & 63];
    }
    memcpy(out, buf, JOBS_TOKEN_LEN); /* 22 characters carry the 128 bits */
    out[JOBS_TOKEN_LEN] = '\0';
    return 0;
}

bool jobs_token_valid(const char *s)
{
    if (!s)
        return false;
    for (size_t i = 0; i < JOBS_TOKEN_LEN; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return s[JOBS_TOKEN_LEN] == '\0';
}

int64_t jobs_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ job structs */

void jobs_job_init(struct jobs_job *job)
{
    memset(job, 0, sizeof *job);
    job->exit_code = -1;
}

void jobs_job_cleanup(struct jobs_job *job)
{
    free(job->queue);
    free(job->input_name);
    free(job->input_path);
    free(job->options);
    free(job->message);
    free(job->error);
    free(job->result);
    jobs_job_init(job);
}

void jobs_list_cleanup(struct jobs_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        jobs_job_cleanup(&list->jobs[i]);
    free(list->jobs);
    list->jobs = NULL;
    list->n = 0;
}

void jobs_stats_cleanup(struct jobs_stats *st)
{
    for (size_t i = 0; i < st->queue_count; i++)
        free(st->queues[i].queue);
    free(st->queues);
    memset(st, 0, sizeof *st);
}

/* ------------------------------------------------------------------ schema */

/* Migrations, applied in order; migration i brings user_version from i to i + 1. Never edit
 * an applied one: append. */
static const char *const jobs_migrations[] = {
    /* 1: the jobs table and its indexes */
    "CREATE TABLE jobs ("
    " id INTEGER PRIMARY KEY,"
    " token TEXT NOT NULL UNIQUE,"
    " queue TEXT NOT NULL DEFAULT 'default',"
    " state INTEGER NOT NULL DEFAULT 0,"
    " priority INTEGER NOT NULL DEFAULT 0,"
    " run_at INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " max_attempts INTEGER NOT NULL DEFAULT 3,"
    " ttr INTEGER NOT NULL DEFAULT 300,"
    " worker_pid INTEGER,"
    " worker_start INTEGER,"
    " lease_until INTEGER,"
    " created INTEGER NOT NULL,"
    " started INTEGER,"
    " finished INTEGER,"
    " input_name TEXT NOT NULL,"
    " input_path TEXT NOT NULL,"
    " options TEXT NOT NULL DEFAULT '{}',"
    " percent INTEGER NOT NULL DEFAULT 0,"
    " message TEXT,"
    " error_code INTEGER NOT NULL DEFAULT 0,"
    " error TEXT,"
    " exit_code INTEGER,"
    " exit_signal INTEGER,"
    " result TEXT"
    ");"
    "CREATE INDEX jobs_claim ON jobs(state, priority, run_at, id);"
    "CREATE INDEX jobs_finished ON jobs(finished) WHERE finished IS NOT NULL;",
    /* 2: the domain of error_code. Version 1 stored converter and job-system codes in one
     * column; its writers tell them apart exactly: cancel wrote a bare -12 (state
     * cancelled), the dispatcher wrote only JOBS_ERR_UNAVAILABLE (-13, which no converter
     * code uses), and the child wrote only converter codes (-1 to -12). */
    "ALTER TABLE jobs ADD COLUMN error_domain INTEGER NOT NULL DEFAULT 0;"
    "UPDATE jobs SET error_domain = 2, error_code = -15 WHERE state = 4 AND error_code = -12;"
    "UPDATE jobs SET error_domain = 2 WHERE error_domain = 0 AND error_code = -13;"
    "UPDATE jobs SET error_domain = 1 WHERE error_domain = 0 AND error_code != 0;",
};

#define JOBS_SCHEMA_VERSION ((int)(sizeof jobs_migrations / sizeof jobs_migrations[0]))

int jobs_store_schema_version(void)
{
    return JOBS_SCHEMA_VERSION;
}

/* Columns every job read selects, in the order jobs_read_row expects. */
#define JOBS_COLS                                                                              \
    "id, token, state, queue, priority, run_at, attempts, max_attempts, ttr, worker_pid, "     \
    "worker_start, lease_until, created, started, finished, input_name, input_path, options, " \
    "percent, message, error_code, error, exit_code, exit_signal, result, error_domain"

/* Prepared statements, made on first use and kept for the connection's life. */
enum jobs_stmt {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_INSERT,
    ST_CLAIM,
    ST_NEXT_RUN_AT,
    ST_REQUEUE,
    ST_FAIL_RETRY,
    ST_FAIL_FINAL,
    ST_GET_FOR_ATTEMPT,
    ST_SET_EXIT,
    ST_LIST_RUNNING,
    ST_START,
    ST_PROGRESS,
    ST_FINISH,
    ST_GET,
    ST_GET_ID,
    ST_CANCEL,
    ST_RETRY,
    ST_DEPTH,
    ST_COUNT
};

static const char *const jobs_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_INSERT] = "INSERT INTO jobs (token, queue, priority, run_at, max_attempts, ttr, created,"
                  " input_name, input_path, options) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                  " ?10)",
    [ST_CLAIM] = "UPDATE jobs SET state = 1, attempts = attempts + 1, started = ?1,"
                 " worker_pid = ?2, worker_start = ?3, lease_until = ?1 + ttr * 1000 + ?4,"
                 " percent = 0, message = NULL, exit_code = NULL, exit_signal = NULL"
                 " WHERE id = (SELECT id FROM jobs WHERE state = 0 AND +run_at <= ?1"
                 " ORDER BY priority, run_at, id LIMIT 1) RETURNING " JOBS_COLS,
    [ST_NEXT_RUN_AT] = "SELECT min(run_at) FROM jobs WHERE state = 0",
    [ST_REQUEUE] = "UPDATE jobs SET state = 0, attempts = attempts - 1, run_at = ?3,"
                   " worker_pid = NULL, worker_start = NULL, lease_until = NULL, started = NULL"
                   " WHERE id = ?1 AND attempts = ?2 AND state = 1",
    [ST_FAIL_RETRY] = "UPDATE jobs SET state = 0, run_at = ?3, error_code = ?4, error = ?5,"
                      " error_domain = ?8,"
                      " exit_code = coalesce(?6, exit_code), exit_signal = coalesce(?7,"
                      " exit_signal), worker_pid = NULL, worker_start = NULL,"
                      " lease_until = NULL, percent = 0"
                      " WHERE id = ?1 AND attempts = ?2 AND state = 1",
    [ST_FAIL_FINAL] = "UPDATE jobs SET state = 3, finished = ?3, error_code = ?4, error = ?5,"
                      " error_domain = ?8,"
                      " exit_code = coalesce(?6, exit_code), exit_signal = coalesce(?7,"
                      " exit_signal), lease_until = NULL"
                      " WHERE id = ?1 AND attempts = ?2 AND state = 1",
    [ST_GET_FOR_ATTEMPT] = "SELECT attempts, max_attempts, state FROM jobs WHERE id = ?1",
    [ST_SET_EXIT] = "UPDATE jobs SET exit_code = ?3, exit_signal = ?4 WHERE id = ?1 AND"
                    " attempts = ?2",
    [ST_LIST_RUNNING] = "SELECT " JOBS_COLS " FROM jobs WHERE state = 1 ORDER BY id",
    [ST_START] = "UPDATE jobs SET worker_pid = ?3, worker_start = ?4, lease_until = ?5,"
                 " percent = 0, message = ?6 WHERE id = ?1 AND attempts = ?2 AND state = 1",
    [ST_PROGRESS] = "UPDATE jobs SET percent = ?3, message = ?4 WHERE id = ?1 AND attempts = ?2"
                    " AND state = 1",
    [ST_FINISH] = "UPDATE jobs SET state = 2, finished = ?3, percent = 100, result = ?4,"
                  " error_code = 0, error_domain = 0, error = NULL, exit_code = 0,"
                  " exit_signal = 0, lease_until = NULL, message = 'Done'"
                  " WHERE id = ?1 AND attempts = ?2 AND state = 1",
    [ST_GET] = "SELECT " JOBS_COLS " FROM jobs WHERE token = ?1",
    [ST_GET_ID] = "SELECT " JOBS_COLS " FROM jobs WHERE id = ?1",
    [ST_CANCEL] = "UPDATE jobs SET state = 4, finished = ?2, error_code = ?3,"
                  " error_domain = ?4, error = 'Cancelled', lease_until = NULL"
                  " WHERE token = ?1 AND state IN (0, 1)",
    [ST_RETRY] = "UPDATE jobs SET state = 0, max_attempts = attempts + ?3, run_at = ?2,"
                 " finished = NULL,"
                 " started = NULL, error_code = 0, error_domain = 0, error = NULL,"
                 " exit_code = NULL,"
                 " exit_signal = NULL, result = NULL, percent = 0, message = NULL,"
                 " worker_pid = NULL, worker_start = NULL, lease_until = NULL"
                 " WHERE token = ?1 AND state IN (3, 4)",
    [ST_DEPTH] = "SELECT count(*) FROM jobs WHERE state = 0 AND run_at <= ?1",
};

struct jobs_store {
    sqlite3 *db;
    pid_t pid; /* the process that opened it */
    int busy_timeout_ms;
    int64_t busy_since_us;
    sqlite3_stmt *st[ST_COUNT];
    char errmsg[256];
};

/* ------------------------------------------------------------------ helpers */

int64_t jobs_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t jobs_mono_ms(void)
{
    return jobs_mono_us() / 1000;
}

/*
 * Waiting for the write lock. SQLite's own busy timeout sleeps 1, 2, 5, 10, 15... ms between
 * tries, yet our write transactions hold the lock for well under a millisecond: with the
 * dispatcher and its children writing at once, those sleeps were most of a tiny job's time.
 * Short sleeps growing from 50 us to 2 ms keep waiting cheap and pick the lock up quickly.
 */
static int jobs_busy_wait(void *arg, int count)
{
    struct jobs_store *s = arg;
    int64_t now = jobs_mono_us();
    if (count == 0)
        s->busy_since_us = now;
    if (now - s->busy_since_us >= (int64_t)s->busy_timeout_ms * 1000)
        return 0;
    long us = 50L << (count < 6 ? count : 6);
    if (us > 2000)
        us = 2000;
    struct timespec ts = {0, us * 1000};
    nanosleep(&ts, NULL);
    return 1;
}

static int jobs_map(struct jobs_store *s, int rc)
{
    if (s && s->db)
        snprintf(s->errmsg, sizeof s->errmsg, "%s", sqlite3_errmsg(s->db));
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return 0;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return JOBS_ERR_BUSY;
    case SQLITE_NOMEM:
        return JOBS_ERR_NOMEM;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
        return JOBS_ERR_IO;
    case SQLITE_CONSTRAINT:
        return JOBS_ERR_STATE;
    default:
        return JOBS_ERR_DB;
    }
}

static int jobs_check(struct jobs_store *s)
{
    if (!s || !s->db)
        return JOBS_ERR_BAD_ARGUMENT;
    if (s->pid != getpid())
        return JOBS_ERR_FORKED;
    return 0;
}

/* Returns the prepared statement, reset and with no bindings, or NULL (errmsg set). */
static sqlite3_stmt *jobs_stmt(struct jobs_store *s, enum jobs_stmt which)
{
    if (!s->st[which]) {
        int rc = sqlite3_prepare_v3(s->db, jobs_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                                    &s->st[which], NULL);
        if (rc != SQLITE_OK) {
            jobs_map(s, rc);
            return NULL;
        }
    }
    return s->st[which];
}

static void jobs_done_stmt(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Runs a statement without results to completion. */
static int jobs_exec(struct jobs_store *s, enum jobs_stmt which)
{
    sqlite3_stmt *st = jobs_stmt(s, which);
    if (!st)
        return JOBS_ERR_DB;
    int rc = sqlite3_step(st);
    jobs_done_stmt(st);
    return rc == SQLITE_DONE ? 0 : jobs_map(s, rc);
}

static int jobs_begin(struct jobs_store *s)
{
    return jobs_exec(s, ST_BEGIN);
}

static int jobs_commit(struct jobs_store *s)
{
    int rc = jobs_exec(s, ST_COMMIT);
    if (rc)
        (void)jobs_exec(s, ST_ROLLBACK);
    return rc;
}

static void jobs_rollback(struct jobs_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        (void)jobs_exec(s, ST_ROLLBACK);
}

static int jobs_bind_text(sqlite3_stmt *st, int index, const char *text)
{
    return text ? sqlite3_bind_text(st, index, text, -1, SQLITE_STATIC)
                : sqlite3_bind_null(st, index);
}

/* Copies a text column (NULL stays NULL). Returns false on allocation failure. */
static bool jobs_col_text(sqlite3_stmt *st, int col, char **out)
{
    *out = NULL;
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return true;
    const unsigned char *t = sqlite3_column_text(st, col);
    if (!t)
        return false;
    *out = strdup((const char *)t);
    return *out != NULL;
}

/* Fills job from a row of JOBS_COLS. */
static int jobs_read_row(sqlite3_stmt *st, struct jobs_job *job)
{
    jobs_job_cleanup(job);
    job->id = sqlite3_column_int64(st, 0);
    const unsigned char *token = sqlite3_column_text(st, 1);
    snprintf(job->token, sizeof job->token, "%s", token ? (const char *)token : "");
    job->state = sqlite3_column_int(st, 2);
    job->priority = sqlite3_column_int(st, 4);
    job->run_at_ms = sqlite3_column_int64(st, 5);
    job->attempts = sqlite3_column_int(st, 6);
    job->max_attempts = sqlite3_column_int(st, 7);
    job->ttr_s = sqlite3_column_int(st, 8);
    job->worker_pid = (pid_t)sqlite3_column_int64(st, 9);
    job->worker_start = sqlite3_column_int64(st, 10);
    job->lease_until_ms = sqlite3_column_int64(st, 11);
    job->created_ms = sqlite3_column_int64(st, 12);
    job->started_ms = sqlite3_column_int64(st, 13);
    job->finished_ms = sqlite3_column_int64(st, 14);
    job->percent = sqlite3_column_int(st, 18);
    job->error_code = sqlite3_column_int(st, 20);
    job->error_domain = sqlite3_column_int(st, 25);
    job->exit_code = sqlite3_column_type(st, 22) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 22);
    job->exit_signal = sqlite3_column_int(st, 23);
    if (!jobs_col_text(st, 3, &job->queue) || !jobs_col_text(st, 15, &job->input_name) ||
        !jobs_col_text(st, 16, &job->input_path) || !jobs_col_text(st, 17, &job->options) ||
        !jobs_col_text(st, 19, &job->message) || !jobs_col_text(st, 21, &job->error) ||
        !jobs_col_text(st, 24, &job->result)) {
        jobs_job_cleanup(job);
        return JOBS_ERR_NOMEM;
    }
    return 0;
}

/* Reads every row of a prepared (bound) statement into list. */
static int jobs_read_rows(struct jobs_store *s, sqlite3_stmt *st, struct jobs_list *list)
{
    size_t cap = 0;
    int rc;
    list->jobs = NULL;
    list->n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (list->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct jobs_job *grown = realloc(list->jobs, ncap * sizeof *grown);
            if (!grown) {
                rc = SQLITE_NOMEM;
                break;
            }
            list->jobs = grown;
            cap = ncap;
        }
        jobs_job_init(&list->jobs[list->n]);
        if (jobs_read_row(st, &list->jobs[list->n]) != 0) {
            rc = SQLITE_NOMEM;
            break;
        }
        list->n++;
    }
    int out = rc == SQLITE_DONE ? 0 : jobs_map(s, rc);
    if (out)
        jobs_list_cleanup(list);
    return out;
}

/* ------------------------------------------------------------------ open, migrate */

static int jobs_exec_sql(struct jobs_store *s, const char *sql)
{
    return jobs_map(s, sqlite3_exec(s->db, sql, NULL, NULL, NULL));
}

static int jobs_user_version(struct jobs_store *s, int *version)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return jobs_map(s, rc);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int(st, 0);
    int out = rc == SQLITE_ROW ? 0 : jobs_map(s, rc);
    sqlite3_finalize(st);
    return out;
}

static int jobs_migrate(struct jobs_store *s)
{
    int version = 0;
    int rc = jobs_user_version(s, &version);
    if (rc)
        return rc;
    if (version > JOBS_SCHEMA_VERSION)
        return JOBS_ERR_SCHEMA;
    if (version == JOBS_SCHEMA_VERSION)
        return 0;
    /* Another process may be migrating too: decide again under the write lock. */
    rc = jobs_exec_sql(s, "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    rc = jobs_user_version(s, &version);
    while (rc == 0 && version < JOBS_SCHEMA_VERSION) {
        rc = jobs_exec_sql(s, jobs_migrations[version]);
        version++;
        if (rc == 0) {
            char sql[64];
            snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version);
            rc = jobs_exec_sql(s, sql);
        }
    }
    if (rc == 0 && version > JOBS_SCHEMA_VERSION)
        rc = JOBS_ERR_SCHEMA;
    if (rc == 0)
        rc = jobs_exec_sql(s, "COMMIT");
    if (rc)
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int jobs_store_open(const char *path, const struct jobs_store_options *opts,
                    struct jobs_store **out, char *errbuf, size_t errlen)
{
    struct jobs_store_options o = {0};
    if (opts)
        o = *opts;
    *out = NULL;
    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (!path || !*path)
        return JOBS_ERR_BAD_ARGUMENT;
    struct jobs_store *s = calloc(1, sizeof *s);
    if (!s)
        return JOBS_ERR_NOMEM;
    s->pid = getpid();
    int flags = o.readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    flags |= SQLITE_OPEN_NOMUTEX;
    int rc = jobs_map(s, sqlite3_open_v2(path, &s->db, flags, NULL));
    if (rc == 0) {
        sqlite3_extended_result_codes(s->db, 0);
        s->busy_timeout_ms = o.busy_timeout_ms > 0 ? o.busy_timeout_ms : 5000;
        sqlite3_busy_handler(s->db, jobs_busy_wait, s);
        /* The WAL file stays between connections and closing never checkpoints: the dispatcher
         * closes its connection before every fork, and must not pay a checkpoint each time.
         * Checkpoints happen automatically as the log grows. */
        sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        int persist = 1;
        sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
        char sql[160];
        snprintf(sql, sizeof sql,
                 "PRAGMA foreign_keys = ON; PRAGMA synchronous = %s; PRAGMA cache_size = -%d",
                 o.sync == JOBS_SYNC_FULL ? "FULL" : "NORMAL",
                 o.cache_kib > 0 ? o.cache_kib : 512);
        rc = jobs_exec_sql(s, sql);
    }
    if (rc == 0 && !o.readonly) {
        /* journal_mode is persistent: only the first open of a new file changes it. */
        sqlite3_stmt *st;
        rc = jobs_map(s, sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st, NULL));
        if (rc == 0) {
            bool wal = sqlite3_step(st) == SQLITE_ROW &&
                       strcasecmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
            sqlite3_finalize(st);
            if (!wal)
                rc = jobs_exec_sql(s, "PRAGMA journal_mode = WAL");
        }
    }
    if (rc == 0 && !o.readonly)
        rc = jobs_migrate(s);
    if (rc == 0 && o.readonly) {
        int version = 0;
        rc = jobs_user_version(s, &version);
        if (rc == 0 && version > JOBS_SCHEMA_VERSION)
            rc = JOBS_ERR_SCHEMA;
        if (rc == 0 && version < JOBS_SCHEMA_VERSION) {
            snprintf(s->errmsg, sizeof s->errmsg, "the database has not been created yet");
            rc = JOBS_ERR_NOT_FOUND;
        }
    }
    if (rc) {
        if (errbuf && errlen)
            snprintf(errbuf, errlen, "%s", rc == JOBS_ERR_SCHEMA ? jobs_strerror(rc) : s->errmsg);
        jobs_store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void jobs_store_close(struct jobs_store *s)
{
    if (!s)
        return;
    if (s->pid != getpid())
        return; /* an inherited handle: abandon it, never touch the database */
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    free(s);
}

const char *jobs_store_errmsg(const struct jobs_store *s)
{
    return s ? s->errmsg : "no store";
}

/* ------------------------------------------------------------------ enqueue */

static bool jobs_text_ok(const char *s, size_t max)
{
    return s && *s && strnlen(s, max + 1) <= max;
}

int jobs_enqueue(struct jobs_store *s, const struct jobs_new *job, char token_out[JOBS_TOKEN_SIZE])
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    const char *queue = job->queue && *job->queue ? job->queue : "default";
    const char *options = job->options ? job->options : "{}";
    if (!jobs_text_ok(job->input_name, JOBS_MAX_INPUT_NAME) ||
        !jobs_text_ok(job->input_path, JOBS_MAX_PATH) ||
        !jobs_text_ok(queue, JOBS_MAX_QUEUE_NAME) || strlen(options) > JOBS_MAX_OPTIONS)
        return JOBS_ERR_BAD_ARGUMENT;
    char token[JOBS_TOKEN_SIZE];
    if (job->token) {
        if (!jobs_token_valid(job->token))
            return JOBS_ERR_BAD_ARGUMENT;
        memcpy(token, job->token, JOBS_TOKEN_SIZE);
    } else if ((rc = jobs_token_new(token)) != 0) {
        return rc;
    }
    int64_t now = jobs_now_ms();
    sqlite3_stmt *st = jobs_stmt(s, ST_INSERT);
    if (!st)
        return JOBS_ERR_DB;
    sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, queue, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, job->priority);
    sqlite3_bind_int64(st, 4, job->run_at_ms > 0 ? job->run_at_ms : now);
    sqlite3_bind_int(st, 5, job->max_attempts > 0 ? job->max_attempts : 3);
    sqlite3_bind_int(st, 6, job->ttr_s > 0 ? job->ttr_s : 300);
    sqlite3_bind_int64(st, 7, now);
    sqlite3_bind_text(st, 8, job->input_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, job->input_path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, options, -1, SQLITE_STATIC);
    /* One statement in autocommit mode: it takes the write lock before reading anything, so
     * the busy handler applies and no explicit transaction is needed. */
    rc = sqlite3_step(st);
    jobs_done_stmt(st);
    if (rc != SQLITE_DONE)
        return jobs_map(s, rc);
    if (token_out)
        memcpy(token_out, token, JOBS_TOKEN_SIZE);
    return 0;
}

/* ------------------------------------------------------------------ dispatcher side */

int jobs_claim(struct jobs_store *s, int64_t now_ms, pid_t worker_pid, int64_t worker_start,
               int64_t lease_grace_ms, struct jobs_job *out)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    if ((rc = jobs_begin(s)) != 0)
        return rc;
    sqlite3_stmt *st = jobs_stmt(s, ST_CLAIM);
    if (!st) {
        jobs_rollback(s);
        return JOBS_ERR_DB;
    }
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_int64(st, 2, worker_pid);
    sqlite3_bind_int64(st, 3, worker_start);
    sqlite3_bind_int64(st, 4, lease_grace_ms);
    int step = sqlite3_step(st);
    bool found = step == SQLITE_ROW;
    if (found) {
        rc = jobs_read_row(st, out);
        if (rc == 0)
            step = sqlite3_step(st); /* RETURNING: run the statement to its end */
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = jobs_map(s, step);
    jobs_done_stmt(st);
    if (rc == 0)
        rc = jobs_commit(s);
    else
        jobs_rollback(s);
    if (rc) {
        jobs_job_cleanup(out); /* the row read before a failed commit is not a claim */
        return rc;
    }
    return found ? 0 : JOBS_ERR_EMPTY;
}

int jobs_next_run_at(struct jobs_store *s, int64_t *at_ms)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    sqlite3_stmt *st = jobs_stmt(s, ST_NEXT_RUN_AT);
    if (!st)
        return JOBS_ERR_DB;
    int step = sqlite3_step(st);
    *at_ms = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    jobs_done_stmt(st);
    return step == SQLITE_ROW ? 0 : jobs_map(s, step);
}

/* Runs a one-statement transition guarded by (id, attempt); JOBS_ERR_STALE if no row. */
static int jobs_guarded(struct jobs_store *s, sqlite3_stmt *st)
{
    int step = sqlite3_step(st);
    int changed = sqlite3_changes(s->db);
    jobs_done_stmt(st);
    if (step != SQLITE_DONE)
        return jobs_map(s, step);
    return changed > 0 ? 0 : JOBS_ERR_STALE;
}

int jobs_requeue(struct jobs_store *s, int64_t id, int attempt, int64_t run_at_ms)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    sqlite3_stmt *st = jobs_stmt(s, ST_REQUEUE);
    if (!st)
        return JOBS_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, attempt);
    sqlite3_bind_int64(st, 3, run_at_ms);
    return jobs_guarded(s, st);
}

static void jobs_bind_exit(sqlite3_stmt *st, const struct jobs_failure *f)
{
    if (f->exit_code == -1 && f->exit_signal == 0) {
        sqlite3_bind_null(st, 6);
        sqlite3_bind_null(st, 7);
    } else {
        sqlite3_bind_int(st, 6, f->exit_code);
        sqlite3_bind_int(st, 7, f->exit_signal);
    }
}

int jobs_fail(struct jobs_store *s, int64_t id, int attempt, const struct jobs_failure *f,
              int *new_state)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    if (!f || (f->message && strlen(f->message) > JOBS_MAX_MESSAGE) ||
        (f->final_message && strlen(f->final_message) > JOBS_MAX_MESSAGE))
        return JOBS_ERR_BAD_ARGUMENT;
    if ((rc = jobs_begin(s)) != 0)
        return rc;
    /* Read attempts and max_attempts under the write lock, then pick the transition. */
    sqlite3_stmt *st = jobs_stmt(s, ST_GET_FOR_ATTEMPT);
    if (!st) {
        jobs_rollback(s);
        return JOBS_ERR_DB;
    }
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    int attempts = 0, max_attempts = 0, state = -1;
    if (step == SQLITE_ROW) {
        attempts = sqlite3_column_int(st, 0);
        max_attempts = sqlite3_column_int(st, 1);
        state = sqlite3_column_int(st, 2);
    }
    jobs_done_stmt(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = jobs_map(s, step);
        jobs_rollback(s);
        return rc;
    }
    if (step == SQLITE_DONE || state != JOBS_RUNNING || attempts != attempt) {
        jobs_rollback(s);
        return JOBS_ERR_STALE;
    }
    bool again = f->retry && attempts < max_attempts;
    const char *message = f->message ? f->message : "The conversion failed.";
    if (f->retry && !again && f->final_message)
        message = f->final_message;
    st = jobs_stmt(s, again ? ST_FAIL_RETRY : ST_FAIL_FINAL);
    if (!st) {
        jobs_rollback(s);
        return JOBS_ERR_DB;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, attempt);
    sqlite3_bind_int64(st, 3, again ? f->retry_at_ms : jobs_now_ms());
    sqlite3_bind_int(st, 4, f->error_code);
    sqlite3_bind_text(st, 5, message, -1, SQLITE_STATIC);
    jobs_bind_exit(st, f);
    sqlite3_bind_int(st, 8, f->error_code ? f->error_domain : JOBS_DOMAIN_NONE);
    rc = jobs_guarded(s, st);
    if (rc == 0)
        rc = jobs_commit(s);
    else
        jobs_rollback(s);
    if (rc == 0 && new_state)
        *new_state = again ? JOBS_QUEUED : JOBS_FAILED;
    return rc;
}

int jobs_set_exit(struct jobs_store *s, int64_t id, int attempt, int exit_code, int exit_signal)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    sqlite3_stmt *st = jobs_stmt(s, ST_SET_EXIT);
    if (!st)
        return JOBS_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, attempt);
    sqlite3_bind_int(st, 3, exit_code);
    sqlite3_bind_int(st, 4, exit_signal);
    return jobs_guarded(s, st);
}

int jobs_list_running(struct jobs_store *s, struct jobs_list *out)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    sqlite3_stmt *st = jobs_stmt(s, ST_LIST_RUNNING);
    if (!st)
        return JOBS_ERR_DB;
    rc = jobs_read_rows(s, st, out);
    jobs_done_stmt(st);
    return rc;
}

int jobs_purge(struct jobs_store *s, int64_t before_ms, size_t limit, jobs_purge_fn fn,
               void *ctx, size_t *deleted)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    if (deleted)
        *deleted = 0;
    /* Read the candidates first (no lock held while the callback removes folders), then
     * delete each one that is still final in its own short statement. */
    sqlite3_stmt *sel, *del;
    rc = sqlite3_prepare_v2(s->db,
                            "SELECT id, token, input_path FROM jobs WHERE finished < ?1 AND"
                            " state IN (2, 3, 4) ORDER BY finished LIMIT ?2",
                            -1, &sel, NULL);
    if (rc != SQLITE_OK)
        return jobs_map(s, rc);
    rc = sqlite3_prepare_v2(s->db,
                            "DELETE FROM jobs WHERE id = ?1 AND finished < ?2 AND"
                            " state IN (2, 3, 4)",
                            -1, &del, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(sel);
        return jobs_map(s, rc);
    }
    sqlite3_bind_int64(sel, 1, before_ms);
    sqlite3_bind_int64(sel, 2, limit ? (sqlite3_int64)limit : -1);
    struct victim {
        int64_t id;
        char token[JOBS_TOKEN_SIZE];
        char *path;
    } *v = NULL;
    size_t n = 0, cap = 0;
    int step;
    rc = 0;
    while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct victim *grown = realloc(v, ncap * sizeof *grown);
            if (!grown) {
                rc = JOBS_ERR_NOMEM;
                break;
            }
            v = grown;
            cap = ncap;
        }
        v[n].id = sqlite3_column_int64(sel, 0);
        const unsigned char *t = sqlite3_column_text(sel, 1);
        snprintf(v[n].token, sizeof v[n].token, "%s", t ? (const char *)t : "");
        const unsigned char *p = sqlite3_column_text(sel, 2);
        v[n].path = strdup(p ? (const char *)p : "");
        if (!v[n].path) {
            rc = JOBS_ERR_NOMEM;
            break;
        }
        n++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = jobs_map(s, step);
    sqlite3_finalize(sel);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && (!fn || fn(ctx, v[i].token, v[i].path) == 0)) {
            sqlite3_bind_int64(del, 1, v[i].id);
            sqlite3_bind_int64(del, 2, before_ms);
            step = sqlite3_step(del);
            sqlite3_reset(del);
            if (step != SQLITE_DONE)
                rc = jobs_map(s, step);
            else if (deleted && sqlite3_changes(s->db) > 0)
                (*deleted)++;
        }
        free(v[i].path);
    }
    free(v);
    sqlite3_finalize(del);
    return rc;
}

/* ------------------------------------------------------------------ child side */

int jobs_start(struct jobs_store *s, int64_t id, int attempt, pid_t pid, int64_t pid_start,
               int64_t lease_until_ms, const char *message)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    sqlite3_stmt *st = jobs_stmt(s, ST_START);
    if (!st)
        return JOBS_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, attempt);
    sqlite3_bind_int64(st, 3, pid);
    sqlite3_bind_int64(st, 4, pid_start);
    sqlite3_bind_int64(st, 5, lease_until_ms);
    jobs_bind_text(st, 6, message);
    return jobs_guarded(s, st);
}

int jobs_progress(struct jobs_store *s, int64_t id, int attempt, int percent, const char *message)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    if (percent < 0 || percent > 100 || (message && strlen(message) > JOBS_MAX_MESSAGE))
        return JOBS_ERR_BAD_ARGUMENT;
    sqlite3_stmt *st = jobs_stmt(s, ST_PROGRESS);
    if (!st)
        return JOBS_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, attempt);
    sqlite3_bind_int(st, 3, percent);
    jobs_bind_text(st, 4, message);
    return jobs_guarded(s, st);
}

int jobs_finish(struct jobs_store *s, int64_t id, int attempt, const char *result_json)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    if (!result_json || strlen(result_json) > JOBS_MAX_RESULT)
        return JOBS_ERR_BAD_ARGUMENT;
    sqlite3_stmt *st = jobs_stmt(s, ST_FINISH);
    if (!st)
        return JOBS_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, attempt);
    sqlite3_bind_int64(st, 3, jobs_now_ms());
    sqlite3_bind_text(st, 4, result_json, -1, SQLITE_STATIC);
    return jobs_guarded(s, st);
}

/* ------------------------------------------------------------------ site and operator */

static int jobs_get_one(struct jobs_store *s, sqlite3_stmt *st, struct jobs_job *out)
{
    int step = sqlite3_step(st);
    int rc;
    if (step == SQLITE_ROW)
        rc = jobs_read_row(st, out);
    else if (step == SQLITE_DONE)
        rc = JOBS_ERR_NOT_FOUND;
    else
        rc = jobs_map(s, step);
    jobs_done_stmt(st);
    return rc;
}

int jobs_get(struct jobs_store *s, const char *token, struct jobs_job *out)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    if (!jobs_token_valid(token))
        return JOBS_ERR_NOT_FOUND;
    sqlite3_stmt *st = jobs_stmt(s, ST_GET);
    if (!st)
        return JOBS_ERR_DB;
    sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
    return jobs_get_one(s, st, out);
}

int jobs_get_id(struct jobs_store *s, int64_t id, struct jobs_job *out)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    sqlite3_stmt *st = jobs_stmt(s, ST_GET_ID);
    if (!st)
        return JOBS_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    return jobs_get_one(s, st, out);
}

/* Runs an operator transition on token inside BEGIN IMMEDIATE, reading the job first. */
static int jobs_token_transition(struct jobs_store *s, const char *token, enum jobs_stmt which,
                                 int extra_attempts, struct jobs_job *before)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    if (!jobs_token_valid(token))
        return JOBS_ERR_NOT_FOUND;
    struct jobs_job tmp;
    jobs_job_init(&tmp);
    struct jobs_job *job = before ? before : &tmp;
    if ((rc = jobs_begin(s)) != 0)
        return rc;
    sqlite3_stmt *st = jobs_stmt(s, ST_GET);
    if (!st) {
        jobs_rollback(s);
        return JOBS_ERR_DB;
    }
    sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
    rc = jobs_get_one(s, st, job);
    if (rc == 0) {
        st = jobs_stmt(s, which);
        if (!st) {
            rc = JOBS_ERR_DB;
        } else {
            sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, jobs_now_ms());
            if (which == ST_RETRY) {
                sqlite3_bind_int(st, 3, extra_attempts);
            } else {
                sqlite3_bind_int(st, 3, JOBS_ERR_CANCELLED);
                sqlite3_bind_int(st, 4, JOBS_DOMAIN_JOBS);
            }
            rc = jobs_guarded(s, st);
            if (rc == JOBS_ERR_STALE)
                rc = JOBS_ERR_STATE;
        }
    }
    if (rc == 0)
        rc = jobs_commit(s);
    else
        jobs_rollback(s);
    jobs_job_cleanup(&tmp);
    return rc;
}

int jobs_cancel(struct jobs_store *s, const char *token, struct jobs_job *before)
{
    return jobs_token_transition(s, token, ST_CANCEL, 0, before);
}

int jobs_retry(struct jobs_store *s, const char *token, int extra_attempts)
{
    return jobs_token_transition(s, token, ST_RETRY, extra_attempts > 0 ? extra_attempts : 1,
                                 NULL);
}

int jobs_list_jobs(struct jobs_store *s, const struct jobs_filter *f, struct jobs_list *out)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    struct jobs_filter def = {.state = -1};
    if (!f)
        f = &def;
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT " JOBS_COLS " FROM jobs WHERE (?1 < 0 OR state = ?1) AND"
                              " (?2 IS NULL OR queue = ?2) ORDER BY id %s LIMIT ?3 OFFSET ?4",
             f->oldest_first ? "ASC" : "DESC");
    sqlite3_stmt *st;
    rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return jobs_map(s, rc);
    sqlite3_bind_int(st, 1, f->state);
    jobs_bind_text(st, 2, f->queue);
    sqlite3_bind_int64(st, 3, f->limit ? (sqlite3_int64)f->limit : 100);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)f->offset);
    rc = jobs_read_rows(s, st, out);
    sqlite3_finalize(st);
    return rc;
}

int jobs_stats(struct jobs_store *s, int64_t now_ms, struct jobs_stats *out)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    rc = sqlite3_prepare_v2(s->db,
                            "SELECT queue, state, count(*) FROM jobs GROUP BY queue, state"
                            " ORDER BY queue",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        return jobs_map(s, rc);
    size_t cap = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *queue = (const char *)sqlite3_column_text(st, 0);
        int state = sqlite3_column_int(st, 1);
        int64_t count = sqlite3_column_int64(st, 2);
        if (!queue || state < 0 || state >= JOBS_STATE_COUNT)
            continue;
        if (out->queue_count == 0 || strcmp(out->queues[out->queue_count - 1].queue, queue)) {
            if (out->queue_count == cap) {
                size_t ncap = cap ? cap * 2 : 8;
                struct jobs_queue_stats *grown = realloc(out->queues, ncap * sizeof *grown);
                if (!grown) {
                    rc = JOBS_ERR_NOMEM;
                    break;
                }
                out->queues = grown;
                cap = ncap;
            }
            struct jobs_queue_stats *q = &out->queues[out->queue_count];
            memset(q, 0, sizeof *q);
            q->queue = strdup(queue);
            if (!q->queue) {
                rc = JOBS_ERR_NOMEM;
                break;
            }
            out->queue_count++;
        }
        out->queues[out->queue_count - 1].count[state] += count;
        out->count[state] += count;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = jobs_map(s, step);
    sqlite3_finalize(st);
    if (rc == 0) {
        rc = sqlite3_prepare_v2(s->db,
                                "SELECT (SELECT count(*) FROM jobs WHERE state = 0 AND"
                                " run_at <= ?1), (SELECT min(created) FROM jobs WHERE"
                                " state = 0 AND run_at <= ?1), (SELECT count(DISTINCT"
                                " worker_pid) FROM jobs WHERE state = 1)",
                                -1, &st, NULL);
        if (rc != SQLITE_OK)
            return jobs_map(s, rc);
        sqlite3_bind_int64(st, 1, now_ms);
        step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            out->ready = sqlite3_column_int64(st, 0);
            if (sqlite3_column_type(st, 1) != SQLITE_NULL)
                out->oldest_queued_ms = now_ms - sqlite3_column_int64(st, 1);
            out->running_workers = sqlite3_column_int64(st, 2);
        } else {
            rc = jobs_map(s, step);
        }
        sqlite3_finalize(st);
    }
    if (rc)
        jobs_stats_cleanup(out);
    return rc;
}

int jobs_queue_depth(struct jobs_store *s, int64_t now_ms, int64_t *depth)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    sqlite3_stmt *st = jobs_stmt(s, ST_DEPTH);
    if (!st)
        return JOBS_ERR_DB;
    sqlite3_bind_int64(st, 1, now_ms);
    int step = sqlite3_step(st);
    *depth = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    jobs_done_stmt(st);
    return step == SQLITE_ROW ? 0 : jobs_map(s, step);
}

int jobs_explain_claim(struct jobs_store *s, char *plan, size_t size)
{
    int rc = jobs_check(s);
    if (rc)
        return rc;
    if (!plan || size == 0)
        return JOBS_ERR_BAD_ARGUMENT;
    plan[0] = '\0';
    char sql[2048];
    snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", jobs_sql[ST_CLAIM]);
    sqlite3_stmt *st;
    rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return jobs_map(s, rc);
    size_t used = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(st, 3);
        int n = snprintf(plan + used, size - used, "%s\n", detail ? detail : "");
        if (n < 0 || (size_t)n >= size - used) {
            rc = JOBS_ERR_BAD_ARGUMENT;
            break;
        }
        used += (size_t)n;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = jobs_map(s, step);
    sqlite3_finalize(st);
    return rc;
}
