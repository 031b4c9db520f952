/*
 * test_jobs_store.c — the job store against a real SQLite file in a temporary folder:
 * open and migrate, enqueue validation, claim order (priority, run_at, id), attempts,
 * transitions guarded by the attempt, cancel and retry, purge, stats, listings, the claim's
 * query plan, the fork guard, and two processes claiming from one queue at once; the
 * migration from schema version 1 (error domains); and a job's life (jobs_life.h): the
 * folder's layout and modes, a submission that cannot take the write lock leaving nothing
 * behind, reconverting, cancelling, purging and partial files.
 * Each case runs in its own child process, so a crash fails that case only.
 */
#include "check.h"
#include "config.h"
#include "disp_progress.h"
#include "jobs_life.h"
#include "jobs_store.h"
#include "trackport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char test_dir[256];

/* A fresh database path for one case. */
static void db_path(const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s.db", test_dir, name);
}

static struct jobs_store *open_store(const char *name)
{
    char path[512];
    db_path(name, path, sizeof path);
    struct jobs_store *s = NULL;
    char err[256];
    int rc = jobs_store_open(path, NULL, &s, err, sizeof err);
    CHECK_REPORT(rc == 0, "open %s: %s (%s)", path, jobs_strerror(rc), err);
    return s;
}

/* Enqueues a job with the given priority and run_at; returns its id (via jobs_get). */
static int64_t add_job(struct jobs_store *s, const char *queue, int priority, int64_t run_at,
                       char token[JOBS_TOKEN_SIZE])
{
    struct jobs_new n = {.queue = queue,
                         .input_name = "shot.nk",
                         .input_path = "/nowhere/input.nk",
                         .priority = priority,
                         .run_at_ms = run_at};
    char tok[JOBS_TOKEN_SIZE];
    int rc = jobs_enqueue(s, &n, tok);
    CHECK_INT(rc, 0);
    if (token)
        memcpy(token, tok, JOBS_TOKEN_SIZE);
    struct jobs_job j;
    jobs_job_init(&j);
    CHECK_INT(jobs_get(s, tok, &j), 0);
    int64_t id = j.id;
    jobs_job_cleanup(&j);
    return id;
}

/* Raw SQL on a database file, beside the store (what another tool would see). */
static int64_t sql_int(const char *name, const char *sql)
{
    char path[512];
    db_path(name, path, sizeof path);
    sqlite3 *db;
    int64_t v = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                v = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(db);
    return v;
}

/* The same on a data_dir's database (jobs_life cases). */
static int64_t cfg_sql_int(const struct disp_config *cfg, const char *sql)
{
    char name[1100];
    snprintf(name, sizeof name, "%s", cfg->db_path + strlen(test_dir) + 1);
    name[strlen(name) - 3] = '\0'; /* db_path() adds ".db" back */
    return sql_int(name, sql);
}

static void sql_exec(const char *name, const char *sql)
{
    char path[512];
    db_path(name, path, sizeof path);
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
}

/* ------------------------------------------------------------------ cases */

static void test_tokens(void)
{
    char a[JOBS_TOKEN_SIZE], b[JOBS_TOKEN_SIZE];
    CHECK_INT(jobs_token_new(a), 0);
    CHECK_INT(jobs_token_new(b), 0);
    CHECK_INT(strlen(a), JOBS_TOKEN_LEN);
    CHECK(jobs_token_valid(a));
    CHECK(strcmp(a, b) != 0);
    CHECK(!jobs_token_valid(NULL));
    CHECK(!jobs_token_valid("short"));
    CHECK(!jobs_token_valid("../../../etc/passwd/xx"));
    CHECK(!jobs_token_valid("AAAAAAAAAAAAAAAAAAAAAAA")); /* 23 */
    CHECK(jobs_token_valid("AAAAAAAAAAAAAAAAAAAA-_"));
    CHECK_STR(jobs_state_name(JOBS_CANCELLED), "cancelled");
    CHECK_STR(jobs_state_name(99), "unknown");
    CHECK_INT(jobs_state_parse("DONE"), JOBS_DONE);
    CHECK_INT(jobs_state_parse("nope"), -1);
    CHECK(jobs_state_final(JOBS_FAILED) && !jobs_state_final(JOBS_RUNNING));
    CHECK_STR(jobs_error_name(JOBS_ERR_STALE), "JOBS_ERR_STALE");
    CHECK_STR(jobs_strerror(12345), "unknown error");
}

static void test_open_migrate(void)
{
    struct jobs_store *s = open_store("migrate");
    CHECK(s != NULL);
    jobs_store_close(s);
    CHECK_INT(sql_int("migrate", "PRAGMA user_version"), jobs_store_schema_version());
    CHECK_INT(sql_int("migrate", "SELECT count(*) FROM pragma_table_info('jobs')"), 26);
    CHECK_INT(sql_int("migrate", "SELECT count(*) FROM sqlite_master WHERE name = 'jobs_claim'"),
              1);
    char path[512];
    db_path("migrate", path, sizeof path);
    /* WAL is persistent in the file; a second open migrates nothing and keeps the data. */
    s = open_store("migrate");
    add_job(s, NULL, 0, 0, NULL);
    jobs_store_close(s);
    s = open_store("migrate");
    jobs_store_close(s);
    CHECK_INT(sql_int("migrate", "SELECT count(*) FROM jobs"), 1);
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    sqlite3_stmt *st;
    CHECK(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);

    /* A read-only open of a file nobody created yet says so instead of creating it. */
    char ro_path[512];
    db_path("never", ro_path, sizeof ro_path);
    struct jobs_store_options ro = {.readonly = true};
    struct jobs_store *r = (struct jobs_store *)1;
    int rc = jobs_store_open(ro_path, &ro, &r, NULL, 0);
    CHECK(rc != 0);
    CHECK(r == NULL);
    CHECK(access(ro_path, F_OK) != 0);
    CHECK_INT(jobs_store_open(path, &ro, &r, NULL, 0), 0);
    struct jobs_list list;
    CHECK_INT(jobs_list_jobs(r, NULL, &list), 0);
    CHECK_INT(list.n, 1);
    jobs_list_cleanup(&list);
    jobs_store_close(r);

    /* A file from a newer trackport is refused, read-write and read-only. */
    sql_exec("migrate", "PRAGMA user_version = 999");
    char err[256];
    CHECK_INT(jobs_store_open(path, NULL, &r, err, sizeof err), JOBS_ERR_SCHEMA);
    CHECK(r == NULL);
    CHECK(strstr(err, "newer") != NULL);
    CHECK_INT(jobs_store_open(path, &ro, &r, NULL, 0), JOBS_ERR_SCHEMA);
    CHECK_INT(jobs_store_open("", NULL, &r, NULL, 0), JOBS_ERR_BAD_ARGUMENT);
    jobs_store_close(NULL);
}

static void test_enqueue(void)
{
    struct jobs_store *s = open_store("enqueue");
    struct jobs_new n = {.input_name = "a.nk", .input_path = "/x/input.nk"};
    char tok[JOBS_TOKEN_SIZE];
    CHECK_INT(jobs_enqueue(s, &n, tok), 0);
    struct jobs_job j;
    jobs_job_init(&j);
    CHECK_INT(jobs_get(s, tok, &j), 0);
    CHECK_INT(j.state, JOBS_QUEUED);
    CHECK_STR(j.queue, "default");
    CHECK_STR(j.options, "{}");
    CHECK_INT(j.max_attempts, 3);
    CHECK_INT(j.ttr_s, 300);
    CHECK_INT(j.attempts, 0);
    CHECK_INT(j.exit_code, -1);
    CHECK(j.created_ms > 0 && j.run_at_ms == j.created_ms);
    CHECK(j.result == NULL && j.error == NULL);

    /* A caller-made token is kept; using it twice is refused. */
    char mine[JOBS_TOKEN_SIZE];
    CHECK_INT(jobs_token_new(mine), 0);
    n.token = mine;
    n.options = "{\"width\":10}";
    n.max_attempts = 7;
    n.ttr_s = 9;
    CHECK_INT(jobs_enqueue(s, &n, NULL), 0);
    CHECK_INT(jobs_get(s, mine, &j), 0);
    CHECK_STR(j.options, "{\"width\":10}");
    CHECK_INT(j.max_attempts, 7);
    CHECK_INT(j.ttr_s, 9);
    CHECK_INT(jobs_enqueue(s, &n, NULL), JOBS_ERR_STATE);
    n.token = "not a token";
    CHECK_INT(jobs_enqueue(s, &n, NULL), JOBS_ERR_BAD_ARGUMENT);
    n.token = NULL;
    n.input_name = "";
    CHECK_INT(jobs_enqueue(s, &n, NULL), JOBS_ERR_BAD_ARGUMENT);
    n.input_name = "a.nk";
    n.input_path = NULL;
    CHECK_INT(jobs_enqueue(s, &n, NULL), JOBS_ERR_BAD_ARGUMENT);
    n.input_path = "/x";
    char longq[JOBS_MAX_QUEUE_NAME + 2];
    memset(longq, 'q', sizeof longq - 1);
    longq[sizeof longq - 1] = '\0';
    n.queue = longq;
    CHECK_INT(jobs_enqueue(s, &n, NULL), JOBS_ERR_BAD_ARGUMENT);
    CHECK_INT(jobs_get(s, "AAAAAAAAAAAAAAAAAAAAAA", &j), JOBS_ERR_NOT_FOUND);
    CHECK_INT(jobs_get(s, "../etc", &j), JOBS_ERR_NOT_FOUND);
    jobs_job_cleanup(&j);
    jobs_store_close(s);
}

static void test_claim_order(void)
{
    struct jobs_store *s = open_store("order");
    int64_t now = jobs_now_ms();
    struct jobs_job j;
    jobs_job_init(&j);
    CHECK_INT(jobs_claim(s, now, 1, 0, 0, &j), JOBS_ERR_EMPTY);
    int64_t at = -1;
    CHECK_INT(jobs_next_run_at(s, &at), 0);
    CHECK_INT(at, 0);

    int64_t a = add_job(s, NULL, 0, now - 1000, NULL);
    int64_t b = add_job(s, "other", -1, now - 10, NULL);
    int64_t c = add_job(s, NULL, 0, now - 2000, NULL);
    int64_t d = add_job(s, NULL, -5, now + 60000, NULL); /* delayed: not ready */
    int64_t e = add_job(s, NULL, 0, now - 1000, NULL);   /* ties with a: id decides */
    int64_t f = add_job(s, NULL, 3, now - 99999, NULL);  /* oldest, but lowest priority */
    int64_t want[] = {b, c, a, e, f};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CHECK_INT(jobs_claim(s, now, 4242, 77, 5000, &j), 0);
        CHECK_INT(j.id, want[i]);
        CHECK_INT(j.state, JOBS_RUNNING);
        CHECK_INT(j.attempts, 1);
        CHECK_INT(j.worker_pid, 4242);
        CHECK_INT(j.worker_start, 77);
        CHECK_INT(j.started_ms, now);
        CHECK_INT(j.lease_until_ms, now + 300 * 1000 + 5000);
    }
    CHECK_INT(jobs_claim(s, now, 4242, 77, 5000, &j), JOBS_ERR_EMPTY);
    CHECK_INT(jobs_next_run_at(s, &at), 0);
    CHECK_INT(at, now + 60000);
    CHECK_INT(jobs_claim(s, now + 60000, 4242, 77, 0, &j), 0);
    CHECK_INT(j.id, d);
    jobs_job_cleanup(&j);
    jobs_store_close(s);
}

static void test_attempts(void)
{
    struct jobs_store *s = open_store("attempts");
    struct jobs_new n = {.input_name = "a", .input_path = "/a", .max_attempts = 3};
    char tok[JOBS_TOKEN_SIZE];
    CHECK_INT(jobs_enqueue(s, &n, tok), 0);
    struct jobs_job j;
    jobs_job_init(&j);
    int64_t now = jobs_now_ms();
    struct jobs_failure crash = {.message = "The conversion crashed (signal 9); again.",
                                 .final_message = "The conversion crashed (signal 9); given up.",
                                 .exit_code = -1,
                                 .exit_signal = 9,
                                 .retry = true,
                                 .retry_at_ms = now + 500};
    for (int attempt = 1; attempt <= 3; attempt++) {
        CHECK_INT(jobs_claim(s, now + 1000 * attempt, 10, 0, 0, &j), 0);
        CHECK_INT(j.attempts, attempt);
        /* the record is clean for the new attempt, the last error stays visible */
        CHECK_INT(j.exit_signal, 0);
        CHECK_INT(j.exit_code, -1);
        if (attempt > 1)
            CHECK_STR(j.error, crash.message);
        crash.retry_at_ms = now + 1000 * attempt + 500;
        int state = -1;
        CHECK_INT(jobs_fail(s, j.id, attempt, &crash, &state), 0);
        CHECK_INT(state, attempt < 3 ? JOBS_QUEUED : JOBS_FAILED);
        CHECK_INT(jobs_fail(s, j.id, attempt, &crash, &state), JOBS_ERR_STALE);
        if (attempt < 3) {
            /* the backoff: not ready before retry_at */
            struct jobs_job k;
            jobs_job_init(&k);
            CHECK_INT(jobs_claim(s, crash.retry_at_ms - 1, 10, 0, 0, &k), JOBS_ERR_EMPTY);
            jobs_job_cleanup(&k);
        }
    }
    CHECK_INT(jobs_get(s, tok, &j), 0);
    CHECK_INT(j.state, JOBS_FAILED);
    CHECK_INT(j.attempts, 3);
    CHECK_STR(j.error, crash.final_message);
    CHECK_INT(j.exit_signal, 9);
    CHECK_INT(j.exit_code, -1);
    CHECK(j.finished_ms > 0);
    CHECK_INT(jobs_claim(s, now + 99000, 10, 0, 0, &j), JOBS_ERR_EMPTY);

    /* requeue gives the attempt back (a fork that failed) */
    CHECK_INT(jobs_enqueue(s, &n, tok), 0);
    now = jobs_now_ms();
    CHECK_INT(jobs_claim(s, now, 10, 0, 0, &j), 0);
    CHECK_INT(jobs_requeue(s, j.id, 2, now), JOBS_ERR_STALE);
    CHECK_INT(jobs_requeue(s, j.id, 1, now), 0);
    CHECK_INT(jobs_claim(s, now, 10, 0, 0, &j), 0);
    CHECK_INT(j.attempts, 1);

    /* bad input: no retry whatever the attempts left */
    struct jobs_failure bad = {.error_code = -99, .message = "Line 3: expected a number",
                               .exit_code = 0, .retry = false};
    int state = -1;
    CHECK_INT(jobs_fail(s, j.id, 1, &bad, &state), 0);
    CHECK_INT(state, JOBS_FAILED);
    CHECK_INT(jobs_get(s, tok, &j), 0);
    CHECK_STR(j.error, "Line 3: expected a number");
    CHECK_INT(j.error_code, -99);
    CHECK_INT(j.exit_code, 0);
    jobs_job_cleanup(&j);
    jobs_store_close(s);
}

static void test_guarded(void)
{
    struct jobs_store *s = open_store("guarded");
    struct jobs_new n = {.input_name = "a", .input_path = "/a"};
    char tok[JOBS_TOKEN_SIZE];
    CHECK_INT(jobs_enqueue(s, &n, tok), 0);
    struct jobs_job j;
    jobs_job_init(&j);
    int64_t now = jobs_now_ms();
    CHECK_INT(jobs_claim(s, now, 10, 0, 0, &j), 0);
    int64_t id = j.id;
    CHECK_INT(jobs_start(s, id, 1, 555, 1234, now + 9000, "Starting"), 0);
    CHECK_INT(jobs_progress(s, id, 1, 50, "Half"), 0);
    CHECK_INT(jobs_progress(s, id, 1, 101, "Too far"), JOBS_ERR_BAD_ARGUMENT);
    CHECK_INT(jobs_get_id(s, id, &j), 0);
    CHECK_INT(j.worker_pid, 555);
    CHECK_INT(j.worker_start, 1234);
    CHECK_INT(j.lease_until_ms, now + 9000);
    CHECK_INT(j.percent, 50);
    CHECK_STR(j.message, "Half");
    /* attempt 1 is presumed lost and retried: its late writes must not land */
    struct jobs_failure lost = {.message = "gone", .exit_code = -1, .retry = true,
                                .retry_at_ms = now};
    CHECK_INT(jobs_fail(s, id, 1, &lost, NULL), 0);
    CHECK_INT(jobs_finish(s, id, 1, "{}"), JOBS_ERR_STALE); /* queued now */
    CHECK_INT(jobs_claim(s, now, 10, 0, 0, &j), 0);
    CHECK_INT(j.attempts, 2);
    CHECK_INT(jobs_start(s, id, 1, 556, 0, now, "x"), JOBS_ERR_STALE);
    CHECK_INT(jobs_progress(s, id, 1, 10, "x"), JOBS_ERR_STALE);
    CHECK_INT(jobs_finish(s, id, 1, "{\"stale\":true}"), JOBS_ERR_STALE);
    CHECK_INT(jobs_fail(s, id, 1, &lost, NULL), JOBS_ERR_STALE);
    CHECK_INT(jobs_finish(s, id, 2, "{\"trackers\":3}"), 0);
    /* exactly one result: a second finish, or any later failure, is refused */
    CHECK_INT(jobs_finish(s, id, 2, "{\"trackers\":4}"), JOBS_ERR_STALE);
    CHECK_INT(jobs_fail(s, id, 2, &lost, NULL), JOBS_ERR_STALE);
    CHECK_INT(jobs_get_id(s, id, &j), 0);
    CHECK_INT(j.state, JOBS_DONE);
    CHECK_STR(j.result, "{\"trackers\":3}");
    CHECK_INT(j.percent, 100);
    CHECK_INT(j.exit_code, 0);
    CHECK(j.error == NULL);
    /* the exit status of the current attempt can still be recorded, never an old one's */
    CHECK_INT(jobs_set_exit(s, id, 2, 0, 0), 0);
    CHECK_INT(jobs_set_exit(s, id, 1, -1, 9), JOBS_ERR_STALE);
    CHECK_INT(jobs_finish(s, id, 2, NULL), JOBS_ERR_BAD_ARGUMENT);
    CHECK_INT(jobs_get_id(s, 999999, &j), JOBS_ERR_NOT_FOUND);
    jobs_job_cleanup(&j);
    jobs_store_close(s);
}

static void test_cancel_retry(void)
{
    struct jobs_store *s = open_store("cancel");
    char queued[JOBS_TOKEN_SIZE], running[JOBS_TOKEN_SIZE];
    int64_t now = jobs_now_ms();
    add_job(s, NULL, 5, now, queued);
    int64_t rid = add_job(s, NULL, 0, now, running);
    struct jobs_job j, before;
    jobs_job_init(&j);
    jobs_job_init(&before);
    CHECK_INT(jobs_claim(s, now, 10, 0, 0, &j), 0);
    CHECK_INT(j.id, rid);

    CHECK_INT(jobs_cancel(s, queued, &before), 0);
    CHECK_INT(before.state, JOBS_QUEUED);
    CHECK_INT(jobs_cancel(s, running, &before), 0);
    CHECK_INT(before.state, JOBS_RUNNING);
    CHECK_INT(before.worker_pid, 10);
    CHECK_INT(jobs_get(s, running, &j), 0);
    CHECK_INT(j.state, JOBS_CANCELLED);
    CHECK_STR(j.error, "Cancelled");
    CHECK(j.finished_ms > 0);
    /* the cancelled worker's result is refused; its exit status is still recorded */
    CHECK_INT(jobs_finish(s, rid, 1, "{}"), JOBS_ERR_STALE);
    CHECK_INT(jobs_set_exit(s, rid, 1, 77, 0), 0);
    CHECK_INT(jobs_cancel(s, running, NULL), JOBS_ERR_STATE);
    CHECK_INT(jobs_cancel(s, "AAAAAAAAAAAAAAAAAAAAAA", NULL), JOBS_ERR_NOT_FOUND);
    CHECK_INT(jobs_claim(s, now, 10, 0, 0, &j), JOBS_ERR_EMPTY);

    CHECK_INT(jobs_retry(s, running, 3), 0);
    CHECK_INT(jobs_get(s, running, &j), 0);
    CHECK_INT(j.state, JOBS_QUEUED);
    CHECK_INT(j.attempts, 1); /* keeps counting: attempt 1 stays the cancelled worker's */
    CHECK_INT(j.max_attempts, 4);
    CHECK(j.error == NULL && j.result == NULL && j.finished_ms == 0 && j.exit_code == -1);
    CHECK_INT(jobs_retry(s, running, 3), JOBS_ERR_STATE); /* queued: nothing to retry */
    CHECK_INT(jobs_claim(s, jobs_now_ms(), 10, 0, 0, &j), 0);
    CHECK_INT(j.id, rid);
    CHECK_INT(j.attempts, 2);
    /* the cancelled worker, still exiting, cannot finish the retried job */
    CHECK_INT(jobs_finish(s, rid, 1, "{\"stale\":true}"), JOBS_ERR_STALE);
    CHECK_INT(jobs_finish(s, rid, 2, "{}"), 0);
    CHECK_INT(jobs_retry(s, running, 3), JOBS_ERR_STATE); /* done stays done */
    jobs_job_cleanup(&j);
    jobs_job_cleanup(&before);
    jobs_store_close(s);
}

struct purge_seen {
    int calls;
    char keep[JOBS_TOKEN_SIZE];
};

static int purge_cb(void *ctx, const char *token, const char *input_path)
{
    struct purge_seen *p = ctx;
    p->calls++;
    CHECK(jobs_token_valid(token));
    CHECK_STR(input_path, "/nowhere/input.nk");
    return strcmp(token, p->keep) == 0 ? -1 : 0;
}

static void test_purge(void)
{
    struct jobs_store *s = open_store("purge");
    int64_t now = jobs_now_ms();
    char t[6][JOBS_TOKEN_SIZE];
    for (int i = 0; i < 6; i++)
        add_job(s, NULL, i, now, t[i]);
    struct jobs_job j;
    jobs_job_init(&j);
    /* 0: done, 1: failed, 2: cancelled, 3: running, 4 and 5: queued */
    for (int i = 0; i < 4; i++)
        CHECK_INT(jobs_claim(s, now, 10, 0, 0, &j), 0);
    CHECK_INT(jobs_get(s, t[0], &j), 0);
    CHECK_INT(jobs_finish(s, j.id, 1, "{}"), 0);
    CHECK_INT(jobs_get(s, t[1], &j), 0);
    struct jobs_failure f = {.message = "bad", .exit_code = 0};
    CHECK_INT(jobs_fail(s, j.id, 1, &f, NULL), 0);
    CHECK_INT(jobs_cancel(s, t[2], NULL), 0);
    /* t[0] finished long ago, t[1] and t[2] just now */
    sql_exec("purge", "UPDATE jobs SET finished = finished - 40 * 86400000 WHERE state = 2");

    size_t n = 99;
    struct purge_seen seen = {0};
    CHECK_INT(jobs_purge(s, now - 86400000, 0, purge_cb, &seen, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(seen.calls, 1);
    CHECK_INT(jobs_get(s, t[0], &j), JOBS_ERR_NOT_FOUND);
    CHECK_INT(jobs_get(s, t[1], &j), 0);

    /* everything final, but the callback keeps one, and a limit of 1 per call */
    memcpy(seen.keep, t[1], JOBS_TOKEN_SIZE);
    seen.calls = 0;
    CHECK_INT(jobs_purge(s, jobs_now_ms() + 1000, 1, purge_cb, &seen, &n), 0);
    CHECK_INT(seen.calls, 1);
    CHECK_INT(n, 0);
    CHECK_INT(jobs_get(s, t[1], &j), 0);
    seen.keep[0] = '\0';
    CHECK_INT(jobs_purge(s, jobs_now_ms() + 1000, 0, purge_cb, &seen, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(jobs_purge(s, jobs_now_ms() + 1000, 0, NULL, NULL, &n), 0);
    CHECK_INT(n, 0);
    for (int i = 3; i < 6; i++) /* running and queued jobs are never purged */
        CHECK_INT(jobs_get(s, t[i], &j), 0);
    jobs_job_cleanup(&j);
    jobs_store_close(s);
}

static void test_stats_lists(void)
{
    struct jobs_store *s = open_store("stats");
    int64_t now = jobs_now_ms();
    for (int i = 0; i < 5; i++)
        add_job(s, "alpha", 0, now - 5000, NULL);
    for (int i = 0; i < 3; i++)
        add_job(s, "beta", 0, now + 60000, NULL); /* delayed */
    struct jobs_job j;
    jobs_job_init(&j);
    CHECK_INT(jobs_claim(s, now, 100, 0, 0, &j), 0);
    CHECK_INT(jobs_claim(s, now, 101, 0, 0, &j), 0);
    CHECK_INT(jobs_finish(s, j.id, 1, "{}"), 0);
    CHECK_INT(jobs_claim(s, now, 100, 0, 0, &j), 0);

    struct jobs_stats st;
    CHECK_INT(jobs_stats(s, jobs_now_ms(), &st), 0);
    CHECK_INT(st.count[JOBS_QUEUED], 5);
    CHECK_INT(st.count[JOBS_RUNNING], 2);
    CHECK_INT(st.count[JOBS_DONE], 1);
    CHECK_INT(st.ready, 2);
    CHECK_INT(st.running_workers, 1);
    CHECK(st.oldest_queued_ms >= 0);
    CHECK_INT(st.queue_count, 2);
    if (st.queue_count == 2) {
        CHECK_STR(st.queues[0].queue, "alpha");
        CHECK_INT(st.queues[0].count[JOBS_QUEUED], 2);
        CHECK_INT(st.queues[0].count[JOBS_RUNNING], 2);
        CHECK_STR(st.queues[1].queue, "beta");
        CHECK_INT(st.queues[1].count[JOBS_QUEUED], 3);
    }
    jobs_stats_cleanup(&st);
    jobs_stats_cleanup(&st); /* safe twice */
    int64_t depth = -1;
    CHECK_INT(jobs_queue_depth(s, now, &depth), 0);
    CHECK_INT(depth, 2);

    struct jobs_list list;
    CHECK_INT(jobs_list_running(s, &list), 0);
    CHECK_INT(list.n, 2);
    jobs_list_cleanup(&list);
    struct jobs_filter f = {.state = JOBS_QUEUED, .queue = "beta"};
    CHECK_INT(jobs_list_jobs(s, &f, &list), 0);
    CHECK_INT(list.n, 3);
    for (size_t i = 1; i < list.n; i++)
        CHECK(list.jobs[i - 1].id > list.jobs[i].id); /* newest first */
    jobs_list_cleanup(&list);
    f = (struct jobs_filter){.state = -1, .limit = 3, .offset = 1, .oldest_first = true};
    CHECK_INT(jobs_list_jobs(s, &f, &list), 0);
    CHECK_INT(list.n, 3);
    if (list.n == 3)
        CHECK_INT(list.jobs[0].id, 2);
    jobs_list_cleanup(&list);
    jobs_job_cleanup(&j);
    jobs_store_close(s);
}

static void test_explain(void)
{
    struct jobs_store *s = open_store("explain");
    /* with rows and statistics, as in a busy deployment */
    int64_t now = jobs_now_ms();
    for (int i = 0; i < 300; i++)
        add_job(s, i % 2 ? "a" : "b", i % 7 - 3, now - i, NULL);
    sql_exec("explain", "ANALYZE");
    jobs_store_close(s);
    s = open_store("explain");
    char plan[4096];
    CHECK_INT(jobs_explain_claim(s, plan, sizeof plan), 0);
    CHECK_REPORT(strstr(plan, "TEMP B-TREE") == NULL, "the claim sorts:\n%s", plan);
    CHECK_REPORT(strstr(plan, "jobs_claim") != NULL, "the claim skips its index:\n%s", plan);
    char tiny[8];
    CHECK_INT(jobs_explain_claim(s, tiny, sizeof tiny), JOBS_ERR_BAD_ARGUMENT);
    jobs_store_close(s);
}

static void test_fork_guard(void)
{
    struct jobs_store *s = open_store("fork");
    add_job(s, NULL, 0, 0, NULL);
    pid_t pid = fork();
    if (pid == 0) {
        struct jobs_job j;
        jobs_job_init(&j);
        int rc = jobs_claim(s, jobs_now_ms(), getpid(), 0, 0, &j);
        jobs_store_close(s); /* abandons it: must not touch the parent's connection */
        _exit(rc == JOBS_ERR_FORKED ? 0 : 1);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct jobs_job j;
    jobs_job_init(&j);
    CHECK_INT(jobs_claim(s, jobs_now_ms(), 1, 0, 0, &j), 0);
    jobs_job_cleanup(&j);
    jobs_store_close(s);
}

/* Two processes, each with its own connection, claim from one queue until it is empty:
 * every job is claimed exactly once (one BEGIN IMMEDIATE per claim). */
static void test_concurrent_claims(void)
{
    enum { JOBS = 300, WORKERS = 3 };
    struct jobs_store *s = open_store("concurrent");
    for (int i = 0; i < JOBS; i++)
        add_job(s, NULL, i % 3, 0, NULL);
    jobs_store_close(s);
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t pids[WORKERS];
    for (int w = 0; w < WORKERS; w++) {
        pids[w] = fork();
        if (pids[w] == 0) {
            close(fds[0]);
            struct jobs_store *mine = open_store("concurrent");
            struct jobs_job j;
            jobs_job_init(&j);
            int rc;
            while ((rc = jobs_claim(mine, jobs_now_ms(), getpid(), 0, 0, &j)) == 0) {
                int64_t id = j.id;
                if (write(fds[1], &id, sizeof id) != (ssize_t)sizeof id ||
                    jobs_finish(mine, j.id, j.attempts, "{}") != 0)
                    _exit(2);
            }
            jobs_job_cleanup(&j);
            jobs_store_close(mine);
            _exit(rc == JOBS_ERR_EMPTY ? 0 : 1);
        }
    }
    close(fds[1]);
    static int seen[JOBS + 1];
    int64_t id;
    int total = 0;
    while (read(fds[0], &id, sizeof id) == (ssize_t)sizeof id) {
        CHECK(id >= 1 && id <= JOBS);
        if (id >= 1 && id <= JOBS)
            seen[id]++;
        total++;
    }
    close(fds[0]);
    for (int w = 0; w < WORKERS; w++) {
        int status = 0;
        CHECK(waitpid(pids[w], &status, 0) == pids[w]);
        CHECK_REPORT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "worker %d status %d", w,
                     status);
    }
    CHECK_INT(total, JOBS);
    int twice = 0;
    for (int i = 1; i <= JOBS; i++)
        twice += seen[i] != 1;
    CHECK_INT(twice, 0);
    CHECK_INT(sql_int("concurrent", "SELECT count(*) FROM jobs WHERE state = 2 AND attempts = 1"),
              JOBS);
}

static void test_progress_value(void)
{
    struct disp_progress_value v = {.state = JOBS_RUNNING, .percent = 42, .attempt = 2,
                                    .updated_ms = 1700000000123};
    disp_progress_set_message(&v, "Writing keyframe 3 of \"Track\\1\"");
    char buf[2048];
    size_t n = disp_progress_format(&v, buf, sizeof buf);
    CHECK(n > 0);
    struct disp_progress_value back;
    CHECK_INT(disp_progress_parse(buf, n, &back), 0);
    CHECK_INT(back.state, JOBS_RUNNING);
    CHECK_INT(back.percent, 42);
    CHECK_INT(back.attempt, 2);
    CHECK_INT(back.updated_ms, 1700000000123);
    CHECK_STR(back.message, v.message);
    CHECK_INT(disp_progress_parse("{\"v\":99}", 8, &back), JOBS_ERR_NOT_FOUND);
    /* no servers: stores nothing, finds nothing, never fails the caller */
    struct disp_progress *p = NULL;
    CHECK_INT(disp_progress_open("", 50, 60, &p), 0);
    CHECK(disp_progress_put(p, "AAAAAAAAAAAAAAAAAAAAAA", &v) != 0);
    CHECK(disp_progress_get(p, "AAAAAAAAAAAAAAAAAAAAAA", &back) != 0);
    disp_progress_free(p);
    disp_progress_free(NULL);
}

/* Whether a connection waits on the listening socket (without accepting it). */
static bool connection_pending(int listener)
{
    struct pollfd pfd = {.fd = listener, .events = POLLIN};
    return poll(&pfd, 1, 0) == 1;
}

/* A server that accepts TCP connections but never answers: every call times out, the
 * client backs off, and the listening socket shows whether the client tried again. */
static void test_progress_backoff(void)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof addr;
    CHECK(listener >= 0);
    CHECK_INT(bind(listener, (struct sockaddr *)&addr, sizeof addr), 0);
    CHECK_INT(listen(listener, 8), 0);
    CHECK_INT(getsockname(listener, (struct sockaddr *)&addr, &alen), 0);
    char servers[64];
    snprintf(servers, sizeof servers, "127.0.0.1:%d", ntohs(addr.sin_port));
    struct disp_progress *p = NULL;
    CHECK_INT(disp_progress_open(servers, 100, 60, &p), 0);
    const char *token = "AAAAAAAAAAAAAAAAAAAAAA";
    struct disp_progress_value v = {.state = JOBS_RUNNING, .percent = 50, .attempt = 1};
    CHECK_INT(disp_progress_put(p, token, &v), JOBS_ERR_UNAVAILABLE); /* times out */
    CHECK(connection_pending(listener));
    int conn = accept(listener, NULL, NULL);
    CHECK(conn >= 0);
    close(conn);
    /* backing off: a progress update does not even connect */
    CHECK_INT(disp_progress_put(p, token, &v), JOBS_ERR_UNAVAILABLE);
    CHECK(!connection_pending(listener));
    /* the final state is still tried */
    v.state = JOBS_DONE;
    v.percent = 100;
    CHECK_INT(disp_progress_put(p, token, &v), JOBS_ERR_UNAVAILABLE);
    CHECK(connection_pending(listener));
    disp_progress_free(p);
    close(listener);
}

/* ------------------------------------------------------------------ runner */


/* ------------------------------------------------------------------ schema 1 → 2 */

/* A database as version 1 of the schema left it, with rows of every kind of error its
 * writers stored: the cancel's bare -12, the dispatcher's -13, the child's converter codes. */
static void test_migrate_v1(void)
{
    sql_exec("v1", "PRAGMA journal_mode = WAL;"
                   "CREATE TABLE jobs ( id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE,"
                   " queue TEXT NOT NULL DEFAULT 'default', state INTEGER NOT NULL DEFAULT 0,"
                   " priority INTEGER NOT NULL DEFAULT 0, run_at INTEGER NOT NULL,"
                   " attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL DEFAULT 3,"
                   " ttr INTEGER NOT NULL DEFAULT 300, worker_pid INTEGER, worker_start INTEGER,"
                   " lease_until INTEGER, created INTEGER NOT NULL, started INTEGER,"
                   " finished INTEGER, input_name TEXT NOT NULL, input_path TEXT NOT NULL,"
                   " options TEXT NOT NULL DEFAULT '{}', percent INTEGER NOT NULL DEFAULT 0,"
                   " message TEXT, error_code INTEGER NOT NULL DEFAULT 0, error TEXT,"
                   " exit_code INTEGER, exit_signal INTEGER, result TEXT);"
                   "CREATE INDEX jobs_claim ON jobs(state, priority, run_at, id);"
                   "CREATE INDEX jobs_finished ON jobs(finished) WHERE finished IS NOT NULL;"
                   "INSERT INTO jobs (token, state, run_at, created, input_name, input_path,"
                   " error_code, error, exit_code, exit_signal, result, finished) VALUES"
                   " ('AAAAAAAAAAAAAAAAAAAAAA', 4, 1, 1, 'a.nk', '/x/input', -12,"
                   "  'Cancelled', 77, 0, NULL, 5),"
                   " ('BBBBBBBBBBBBBBBBBBBBBB', 3, 1, 1, 'b.nk', '/x/input', -8,"
                   "  'Line 3: expected a number', 0, 0, NULL, 5),"
                   " ('CCCCCCCCCCCCCCCCCCCCCC', 3, 1, 1, 'c.nk', '/x/input', -13,"
                   "  'The conversion crashed (signal 11, Segmentation fault), on every"
                   " attempt; the job was given up.', -1, 11, NULL, 5),"
                   " ('DDDDDDDDDDDDDDDDDDDDDD', 0, 1, 1, 'd.nk', '/x/input', -2,"
                   "  'Cannot create an output file', 75, 0, NULL, NULL),"
                   " ('EEEEEEEEEEEEEEEEEEEEEE', 2, 1, 1, 'e.nk', '/x/input', 0, NULL, 0, 0,"
                   "  '{\"trackers\":1}', 5),"
                   " ('FFFFFFFFFFFFFFFFFFFFFF', 3, 1, 1, 'f.nk', '/x/input', -12,"
                   "  'Cancelled by the converter', 0, 0, NULL, 5);"
                   "PRAGMA user_version = 1;");
    struct jobs_store *s = open_store("v1");
    CHECK(s != NULL);
    CHECK_INT(sql_int("v1", "PRAGMA user_version"), 2);
    CHECK_INT(jobs_store_schema_version(), 2);
    static const struct {
        const char *token;
        int state, code, domain;
        const char *name;
    } want[] = {
        {"AAAAAAAAAAAAAAAAAAAAAA", JOBS_CANCELLED, JOBS_ERR_CANCELLED, JOBS_DOMAIN_JOBS,
         "JOBS_ERR_CANCELLED"},
        {"BBBBBBBBBBBBBBBBBBBBBB", JOBS_FAILED, TP_ERR_PARSE, JOBS_DOMAIN_CONVERTER,
         "TP_ERR_PARSE"},
        {"CCCCCCCCCCCCCCCCCCCCCC", JOBS_FAILED, JOBS_ERR_UNAVAILABLE, JOBS_DOMAIN_JOBS,
         "JOBS_ERR_UNAVAILABLE"},
        {"DDDDDDDDDDDDDDDDDDDDDD", JOBS_QUEUED, TP_ERR_IO, JOBS_DOMAIN_CONVERTER, "TP_ERR_IO"},
        {"EEEEEEEEEEEEEEEEEEEEEE", JOBS_DONE, 0, JOBS_DOMAIN_NONE, ""},
        /* -12 outside a cancelled row was the converter's own TP_ERR_CANCELLED */
        {"FFFFFFFFFFFFFFFFFFFFFF", JOBS_FAILED, TP_ERR_CANCELLED, JOBS_DOMAIN_CONVERTER,
         "TP_ERR_CANCELLED"},
    };
    struct jobs_job j;
    jobs_job_init(&j);
    for (size_t i = 0; s && i < sizeof want / sizeof want[0]; i++) {
        CHECK_INT(jobs_get(s, want[i].token, &j), 0);
        CHECK_INT(j.state, want[i].state);
        CHECK_INT(j.error_code, want[i].code);
        CHECK_INT(j.error_domain, want[i].domain);
        CHECK_STR(jobs_life_error_name(j.error_domain, j.error_code), want[i].name);
    }
    /* the jobs are all still there, and the store works on them */
    CHECK_INT(sql_int("v1", "SELECT count(*) FROM jobs"), 6);
    CHECK_STR(j.error, "Cancelled by the converter");
    CHECK_INT(jobs_retry(s, "AAAAAAAAAAAAAAAAAAAAAA", 1), 0);
    CHECK_INT(jobs_get(s, "AAAAAAAAAAAAAAAAAAAAAA", &j), 0);
    CHECK_INT(j.error_code, 0);
    CHECK_INT(j.error_domain, JOBS_DOMAIN_NONE);
    /* a new cancel stores the job system's code, never a bare number */
    CHECK_INT(jobs_cancel(s, "AAAAAAAAAAAAAAAAAAAAAA", NULL), 0);
    CHECK_INT(jobs_get(s, "AAAAAAAAAAAAAAAAAAAAAA", &j), 0);
    CHECK_INT(j.error_code, JOBS_ERR_CANCELLED);
    CHECK_INT(j.error_domain, JOBS_DOMAIN_JOBS);
    jobs_job_cleanup(&j);
    jobs_store_close(s);
    /* opening again migrates nothing */
    s = open_store("v1");
    CHECK_INT(sql_int("v1", "SELECT count(*) FROM jobs WHERE error_domain = 1"), 3);
    jobs_store_close(s);
}

/* ------------------------------------------------------------------ a job's life */

/* A configuration whose data_dir is a fresh folder of the case; no memcached. */
static void life_config(const char *name, struct disp_config *cfg)
{
    char dir[512], err[256];
    snprintf(dir, sizeof dir, "%s/%s-data", test_dir, name);
    disp_config_defaults(cfg);
    CHECK_INT(disp_config_set(cfg, "data_dir", dir, err, sizeof err), 0);
    CHECK_INT(disp_config_set(cfg, "memcached_servers", "", err, sizeof err), 0);
    CHECK_INT(disp_config_finish(cfg, err, sizeof err), 0);
}

static struct jobs_store *life_store(const struct disp_config *cfg, int role)
{
    struct jobs_store *s = NULL;
    char err[1024];
    int rc = jobs_life_open_store(cfg, role, &s, err, sizeof err);
    CHECK_REPORT(rc == 0, "open: %s", err);
    return s;
}

/* A small input file in the case's folder. */
static void life_input(const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s.tsv", test_dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("tracker\tframe\tx\ty\tresidual\nA\t0\t1\t2\t0\n", f);
        fclose(f);
    }
}

/* A data_dir for case `name` with one job submitted from a small file (kept at src);
 * returns the store, opened for role. */
static struct jobs_store *life_one_job(const char *name, int role, struct disp_config *cfg,
                                       const char *options, char token[JOBS_TOKEN_SIZE],
                                       char *src, size_t src_size)
{
    life_config(name, cfg);
    struct jobs_store *s = life_store(cfg, role);
    life_input(name, src, src_size);
    struct jobs_life_params p = {.input_name = "shot.tsv", .options = options};
    CHECK_INT(jobs_life_submit_file(cfg, s, src, &p, token), 0);
    return s;
}

static int life_mode(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static long life_entries(const char *dir)
{
    char cmd[1600];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 0", dir);
    return system(cmd) == 0 ? 0 : 1;
}

static void test_life_layout(void)
{
    struct disp_config cfg;
    char src[512], token[JOBS_TOKEN_SIZE], dir[1200], input[1200], want[1300];
    struct jobs_store *s =
        life_one_job("layout", JOBS_LIFE_WORKER, &cfg, "{}", token, src, sizeof src);
    struct jobs_life_params p = {.input_name = "shot.tsv", .options = "{}"};
    CHECK_INT(jobs_life_dir(&cfg, token, dir, sizeof dir), 0);
    CHECK_INT(jobs_life_input_path(&cfg, token, input, sizeof input), 0);
    snprintf(want, sizeof want, "%s/jobs/%s/input", cfg.data_dir, token);
    CHECK_STR(input, want);
    CHECK_INT(life_mode(dir), JOBS_LIFE_DIR_MODE);
    CHECK_INT(life_mode(input), JOBS_LIFE_FILE_MODE);
    CHECK(access(input, R_OK) == 0);
    snprintf(want, sizeof want, "%s/input.part", dir);
    CHECK(access(want, F_OK) != 0);
    struct jobs_job j;
    jobs_job_init(&j);
    CHECK_INT(jobs_get(s, token, &j), 0);
    CHECK_STR(j.input_path, input);
    CHECK_STR(j.input_name, "shot.tsv");
    CHECK_STR(j.queue, "default");
    CHECK_INT(j.max_attempts, cfg.max_attempts);
    CHECK_INT(j.ttr_s, cfg.ttr_s);
    jobs_job_cleanup(&j);
    /* not a regular file: refused before anything is made */
    CHECK_INT(jobs_life_submit_file(&cfg, s, test_dir, &p, token), JOBS_ERR_BAD_ARGUMENT);
    CHECK_INT(jobs_life_dir(&cfg, "../../etc", dir, sizeof dir), JOBS_ERR_BAD_ARGUMENT);
    char name[32];
    jobs_life_safe_name("C:\\shots\\..my shot?.nk", name, sizeof name);
    CHECK_STR(name, "my_shot_.nk");
    jobs_life_safe_name("...", name, sizeof name);
    CHECK_STR(name, "upload");
    jobs_store_close(s);
}

/* Holds the write lock of cfg's database from another process until told to stop. */
static pid_t life_hold_lock(const struct disp_config *cfg, int *release_fd)
{
    int go[2], done[2];
    CHECK(pipe(go) == 0 && pipe(done) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(go[0]);
        close(done[1]);
        sqlite3 *db;
        char byte = 'x';
        if (sqlite3_open(cfg->db_path, &db) != SQLITE_OK ||
            sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            _exit(1);
        if (write(go[1], &byte, 1) != 1 || read(done[0], &byte, 1) < 0)
            _exit(1);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(db);
        _exit(0);
    }
    char byte;
    close(go[1]);
    close(done[0]);
    CHECK(read(go[0], &byte, 1) == 1);
    close(go[0]);
    *release_fd = done[1];
    return pid;
}

static void life_release_lock(pid_t pid, int release_fd)
{
    close(release_fd);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_life_busy(void)
{
    struct disp_config cfg;
    char src[512], token[JOBS_TOKEN_SIZE], jobs[1100];
    struct jobs_store *s =
        life_one_job("busy", JOBS_LIFE_SITE, &cfg, NULL, token, src, sizeof src);
    struct jobs_life_params p = {.input_name = "shot.tsv"};
    snprintf(jobs, sizeof jobs, "%s/jobs", cfg.data_dir);

    /* no store open across fork (jobs_store.h); opening one needs no write lock */
    jobs_store_close(s);
    int release;
    pid_t holder = life_hold_lock(&cfg, &release);
    s = life_store(&cfg, JOBS_LIFE_SITE);
    /* reads answer while the lock is held */
    struct jobs_job j;
    jobs_job_init(&j);
    CHECK_INT(jobs_get(s, token, &j), 0);
    jobs_job_cleanup(&j);
    int64_t depth = -1;
    CHECK_INT(jobs_queue_depth(s, jobs_now_ms(), &depth), 0);
    CHECK_INT(depth, 1);
    /* a submission gives up within the site's budget and leaves nothing behind */
    char other[JOBS_TOKEN_SIZE];
    CHECK_INT(jobs_life_submit_file(&cfg, s, src, &p, other), JOBS_ERR_BUSY);
    CHECK_INT(jobs_life_reconvert(&cfg, s, token, &p, other), JOBS_ERR_BUSY);
    CHECK_INT(jobs_life_cancel(&cfg, s, NULL, token, NULL, "test"), JOBS_ERR_BUSY);
    /* still held (the holder waits for us): the answers came before the release */
    CHECK(kill(holder, 0) == 0);
    life_release_lock(holder, release);
    char cmd[1300];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 1", jobs);
    CHECK_INT(system(cmd), 0);
    CHECK_INT(cfg_sql_int(&cfg, "SELECT count(*) FROM jobs"), 1);
    CHECK_INT(cfg_sql_int(&cfg, "SELECT state FROM jobs"), JOBS_QUEUED);
    jobs_store_close(s);
}

static void test_life_reconvert(void)
{
    struct disp_config cfg;
    char src[512], old[JOBS_TOKEN_SIZE], made[JOBS_TOKEN_SIZE];
    struct jobs_store *s = life_one_job("reconvert", JOBS_LIFE_WORKER, &cfg,
                                        "{\"importer\":\"tsv\"}", old, src, sizeof src);
    CHECK_INT(jobs_cancel(s, old, NULL), 0);
    struct jobs_job before, after, nj;
    jobs_job_init(&before);
    jobs_job_init(&after);
    jobs_job_init(&nj);
    CHECK_INT(jobs_get(s, old, &before), 0);
    struct jobs_life_params q = {.input_name = "ignored", .options = "{\"exporters\":[\"tsv\"]}"};
    CHECK_INT(jobs_life_reconvert(&cfg, s, old, &q, made), 0);
    CHECK(strcmp(made, old) != 0);
    CHECK_INT(jobs_get(s, made, &nj), 0);
    CHECK_INT(nj.state, JOBS_QUEUED);
    CHECK_STR(nj.input_name, "shot.tsv");
    CHECK_STR(nj.options, "{\"exporters\":[\"tsv\"]}");
    char a[1200], b[1200];
    CHECK_INT(jobs_life_input_path(&cfg, old, a, sizeof a), 0);
    CHECK_INT(jobs_life_input_path(&cfg, made, b, sizeof b), 0);
    CHECK_STR(nj.input_path, b);
    struct stat sa, sb;
    CHECK(stat(a, &sa) == 0 && stat(b, &sb) == 0);
    CHECK(sa.st_ino == sb.st_ino && sa.st_size == sb.st_size); /* a hard link */
    CHECK_INT(life_mode(b), JOBS_LIFE_FILE_MODE);
    CHECK_INT(jobs_get(s, old, &after), 0);
    CHECK_INT(after.state, before.state);
    CHECK_STR(after.options, before.options);
    CHECK_INT(after.finished_ms, before.finished_ms);
    CHECK_INT(jobs_life_reconvert(&cfg, s, "AAAAAAAAAAAAAAAAAAAAAA", &q, made),
              JOBS_ERR_NOT_FOUND);
    /* an input gone from disk: nothing is made */
    CHECK(unlink(a) == 0);
    CHECK_INT(jobs_life_reconvert(&cfg, s, old, &q, made), JOBS_ERR_NOT_FOUND);
    CHECK_INT(cfg_sql_int(&cfg, "SELECT count(*) FROM jobs"), 2);
    jobs_job_cleanup(&before);
    jobs_job_cleanup(&after);
    jobs_job_cleanup(&nj);
    jobs_store_close(s);
}

static void test_life_cancel_purge(void)
{
    struct disp_config cfg;
    char src[512], token[JOBS_TOKEN_SIZE], dir[1200];
    struct jobs_store *s =
        life_one_job("lifecancel", JOBS_LIFE_WORKER, &cfg, NULL, token, src, sizeof src);
    struct jobs_job after;
    CHECK_INT(jobs_life_cancel(&cfg, s, NULL, token, &after, "test"), 0);
    CHECK_INT(after.state, JOBS_CANCELLED);
    CHECK_INT(after.error_code, JOBS_ERR_CANCELLED);
    CHECK_INT(after.error_domain, JOBS_DOMAIN_JOBS);
    jobs_job_cleanup(&after);
    CHECK_INT(jobs_life_cancel(&cfg, s, NULL, token, &after, "test"), JOBS_ERR_STATE);
    CHECK_INT(after.state, JOBS_CANCELLED);
    jobs_job_cleanup(&after);
    CHECK_INT(jobs_life_cancel(&cfg, s, NULL, "AAAAAAAAAAAAAAAAAAAAAA", &after, "test"),
              JOBS_ERR_NOT_FOUND);
    CHECK_INT(jobs_life_retry(&cfg, s, NULL, token, "test"), 0);
    CHECK_INT(jobs_life_cancel(&cfg, s, NULL, token, NULL, "test"), 0);

    size_t n = 9;
    CHECK_INT(jobs_life_purge(&cfg, s, NULL, jobs_now_ms() - 3600000, 0, &n, "test"), 0);
    CHECK_INT(n, 0);
    CHECK_INT(jobs_life_dir(&cfg, token, dir, sizeof dir), 0);
    CHECK(access(dir, F_OK) == 0);
    CHECK_INT(jobs_life_purge(&cfg, s, NULL, jobs_now_ms() + 1, 0, &n, "test"), 0);
    CHECK_INT(n, 1);
    CHECK(access(dir, F_OK) != 0);
    CHECK_INT(jobs_get(s, token, &after), JOBS_ERR_NOT_FOUND);
    jobs_store_close(s);
}

static void test_life_partials(void)
{
    struct disp_config cfg;
    life_config("partials", &cfg);
    char token[JOBS_TOKEN_SIZE], out[1200], path[1400];
    CHECK_INT(jobs_token_new(token), 0);
    size_t n = 9;
    CHECK_INT(jobs_life_remove_partials(&cfg, token, &n), 0); /* no folder yet */
    CHECK_INT(n, 0);
    CHECK_INT(jobs_life_out_dir(&cfg, token, out, sizeof out), 0);
    char cmd[1500];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", out);
    CHECK_INT(system(cmd), 0);
    static const char *const names[] = {"shot_nuke.nk.partial-a1B2c3", "shot_tsv.txt.partial-XXXXXX",
                                        "shot_tsv.txt", "x.partial-toolong1", ".partial-abcdef"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", out, names[i]);
        FILE *f = fopen(path, "w");
        CHECK(f != NULL);
        if (f)
            fclose(f);
    }
    CHECK_INT(jobs_life_remove_partials(&cfg, token, &n), 0);
    CHECK_INT(n, 2);
    snprintf(path, sizeof path, "%s/shot_tsv.txt", out);
    CHECK(access(path, F_OK) == 0);
    snprintf(path, sizeof path, "%s/shot_nuke.nk.partial-a1B2c3", out);
    CHECK(access(path, F_OK) != 0);
    CHECK(!jobs_life_is_partial(".partial-abcdef"));
    CHECK(jobs_life_remove_dir(&cfg, token) == 0);
    CHECK(access(out, F_OK) != 0);
    snprintf(path, sizeof path, "%s/jobs", cfg.data_dir);
    CHECK(life_entries(path) == 0);
    CHECK(jobs_life_remove_dir(&cfg, token) == 0); /* gone already */
}

static const struct check_case cases[] = {
    {"tokens", test_tokens},
    {"open_migrate", test_open_migrate},
    {"enqueue", test_enqueue},
    {"claim_order", test_claim_order},
    {"attempts", test_attempts},
    {"guarded", test_guarded},
    {"cancel_retry", test_cancel_retry},
    {"purge", test_purge},
    {"stats_lists", test_stats_lists},
    {"explain", test_explain},
    {"fork_guard", test_fork_guard},
    {"concurrent_claims", test_concurrent_claims},
    {"progress_value", test_progress_value},
    {"progress_backoff", test_progress_backoff},
    {"migrate_v1", test_migrate_v1},
    {"life_layout", test_life_layout},
    {"life_busy", test_life_busy},
    {"life_reconvert", test_life_reconvert},
    {"life_cancel_purge", test_life_cancel_purge},
    {"life_partials", test_life_partials},
};

int main(int argc, char **argv)
{
    snprintf(test_dir, sizeof test_dir, "%s/trackport-jobs-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(test_dir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = check_main(cases, sizeof cases / sizeof cases[0], argc, argv);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", test_dir);
    return rc;
}
