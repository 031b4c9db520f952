/*
 * disp_loop.c — the dispatcher's event loop (contract in disp_loop.h).
 *
 * Shape: one poll() over the signalfd, the wake socket and the lifeline, with a timeout that
 * is the nearest of: the poll interval, a child's time-to-run deadline or SIGKILL time, the
 * next delayed job's run_at, the next recovery and purge. Each turn reaps children, applies
 * deadlines and cancellations, recovers and purges when due, then claims and forks.
 *
 * Database connection discipline: the store is opened lazily and closed before every
 * fork(), because SQLite's per-process lock bookkeeping would otherwise be inherited by
 * the child, whose own connection would then believe it holds locks it does not (with a
 * dead dispatcher, another process could then checkpoint and delete the WAL under it).
 * Jobs are claimed first (one transaction each), the connection is closed, then one child is
 * forked per claimed job. When there is nothing to fork the connection stays open.
 *
 * Who writes what: the child writes start, milestones and its result. The dispatcher writes
 * only when a child ended without its result (crash, kill, TTR, store failure): a retry or a
 * final failure, guarded by the attempt, so a result the child did write always wins; and
 * the exit status of cancelled children. Success costs the dispatcher no write at all.
 */
#include "disp_loop.h"

#include "disp_child.h"
#include "disp_log.h"
#include "disp_metrics.h"
#include "disp_proc.h"
#include "disp_progress.h"
#include "disp_spawn.h"
#include "jobs_life.h"
#include "jobs_store.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Why the dispatcher signalled a child. */
enum loop_kill { LOOP_KILL_NONE, LOOP_KILL_TTR, LOOP_KILL_CANCEL };

/* One running child. */
struct loop_slot {
    pid_t pid; /* 0: free */
    int64_t job_id;
    int attempt;
    int ttr_s;
    char token[JOBS_TOKEN_SIZE];
    int64_t deadline;  /* monotonic ms: TTR */
    int64_t kill_at;   /* monotonic ms: SIGKILL after SIGTERM, 0 if not signalled */
    int why;           /* enum loop_kill */
};

struct loop {
    const struct disp_config *cfg;
    struct jobs_store *store;       /* NULL while closed */
    struct disp_progress *progress; /* opened on first use */
    struct loop_slot *slots;
    int nslots, running;
    int sigfd, wakefd, lifeline, lockfd;
    bool stopping, check_cancel, want_claim;
    pid_t self;
    int64_t self_start;
    int64_t next_recover, next_purge, next_cancel_check; /* monotonic ms */
    int64_t next_run_at;                                  /* wall ms of a delayed job, 0 none */
};

#define LOG(l, level, ...) disp_log((l)->cfg->log_level, level, "dispatcher", __VA_ARGS__)

/* ------------------------------------------------------------------ setup */

static int loop_lock(struct loop *l)
{
    l->lockfd = open(l->cfg->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (l->lockfd < 0) {
        LOG(l, DISP_LOG_ERROR, "cannot open the lock file %s: %s", l->cfg->lock_path,
            strerror(errno));
        return JOBS_ERR_IO;
    }
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    if (fcntl(l->lockfd, F_SETLK, &fl) != 0) {
        if (errno == EAGAIN || errno == EACCES)
            return JOBS_ERR_LOCKED;
        LOG(l, DISP_LOG_ERROR, "cannot lock %s: %s", l->cfg->lock_path, strerror(errno));
        return JOBS_ERR_IO;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    if (ftruncate(l->lockfd, 0) != 0 || pwrite(l->lockfd, pid, (size_t)n, 0) != n)
        LOG(l, DISP_LOG_WARN, "cannot write the pid into %s", l->cfg->lock_path);
    return 0;
}

static int loop_socket(struct loop *l)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t len = strlen(l->cfg->wake_socket);
    if (len >= sizeof addr.sun_path)
        return JOBS_ERR_CONFIG;
    memcpy(addr.sun_path, l->cfg->wake_socket, len + 1);
    l->wakefd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (l->wakefd < 0)
        return JOBS_ERR_IO;
    unlink(l->cfg->wake_socket); /* a previous dispatcher's; we hold the lock */
    if (bind(l->wakefd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        LOG(l, DISP_LOG_ERROR, "cannot bind %s: %s", l->cfg->wake_socket, strerror(errno));
        return JOBS_ERR_IO;
    }
    return 0;
}

static int loop_signals(struct loop *l, sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, old) != 0)
        return JOBS_ERR_IO;
    l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    signal(SIGPIPE, SIG_IGN);
    return l->sigfd < 0 ? JOBS_ERR_IO : 0;
}

static int loop_open_store(struct loop *l)
{
    if (l->store)
        return 0;
    char err[DISP_PATH_MAX + 256];
    int rc = jobs_life_open_store(l->cfg, JOBS_LIFE_WORKER, &l->store, err, sizeof err);
    if (rc) {
        LOG(l, DISP_LOG_ERROR, "cannot open the database: %s", err);
        disp_metrics_add(l->cfg, DISP_METRIC_SQLITE_ERRORS, 1);
    }
    return rc;
}

static void loop_close_store(struct loop *l)
{
    jobs_store_close(l->store);
    l->store = NULL;
}

/* The dispatcher's memcached client, opened on first use; NULL without memcached. */
static struct disp_progress *loop_progress_client(struct loop *l)
{
    if (!l->cfg->memcached_servers[0])
        return NULL;
    if (!l->progress && disp_progress_open(l->cfg->memcached_servers, l->cfg->memcached_timeout_ms,
                                           l->cfg->progress_ttl_s, &l->progress) != 0)
        return NULL;
    return l->progress;
}

/* Tells memcached about a state change the dispatcher made (best effort). */
static void loop_progress(struct loop *l, const char *token, int state, int attempt,
                          const char *message)
{
    if (!loop_progress_client(l))
        return;
    struct disp_progress_value v = {.state = state, .percent = 0, .attempt = attempt};
    disp_progress_set_message(&v, message);
    if (disp_progress_put(l->progress, token, &v) != 0)
        disp_metrics_add(l->cfg, DISP_METRIC_MEMCACHED_ERRORS, 1);
}

static int64_t loop_backoff_ms(const struct disp_config *cfg, int attempt)
{
    int64_t d = cfg->retry_backoff_ms;
    for (int i = 1; i < attempt && d < cfg->retry_backoff_max_ms; i++)
        d *= 2;
    return d < cfg->retry_backoff_max_ms ? d : cfg->retry_backoff_max_ms;
}

/*
 * Records that attempt `attempt` of job id ended without a result: a retry with backoff, or
 * the final failure. When the child did write something (its result, or its own retry), the
 * guard makes this STALE and only the exit status is recorded.
 */
static void loop_fail_attempt(struct loop *l, int64_t id, const char *token, int attempt,
                              int exit_code, int exit_signal, const char *what, int reason)
{
    if (loop_open_store(l) != 0)
        return; /* recovery will find the job again */
    char message[512], final[512];
    snprintf(message, sizeof message, "%s; it will be tried again.", what);
    snprintf(final, sizeof final, "%s, on every attempt; the job was given up.", what);
    struct jobs_failure f = {.error_code = JOBS_ERR_UNAVAILABLE,
                             .error_domain = JOBS_DOMAIN_JOBS,
                             .message = message,
                             .final_message = final,
                             .exit_code = exit_code,
                             .exit_signal = exit_signal,
                             .retry = true,
                             .retry_at_ms = jobs_now_ms() + loop_backoff_ms(l->cfg, attempt)};
    int state = -1;
    int rc = jobs_fail(l->store, id, attempt, &f, &state);
    if (rc == 0) {
        LOG(l, DISP_LOG_DEBUG, "job %s attempt %d: %s -> %s", token, attempt, what,
            jobs_state_name(state));
        char text[300];
        disp_log_job_event(l->cfg, "dispatcher",
                           state == JOBS_QUEUED ? DISP_EVENT_RETRIED : DISP_EVENT_FAILED, token,
                           "attempt=%d exit=%s%d retry_in_ms=%lld message=\"%s\"", attempt,
                           exit_signal ? "signal " : "code ", exit_signal ? exit_signal : exit_code,
                           state == JOBS_QUEUED ? (long long)(f.retry_at_ms - jobs_now_ms()) : 0LL,
                           disp_log_text(state == JOBS_QUEUED ? message : final, text,
                                         sizeof text));
        if (state == JOBS_FAILED)
            disp_metrics_failure(l->cfg, reason);
        loop_progress(l, token, state, attempt, state == JOBS_QUEUED ? message : final);
    } else if (rc == JOBS_ERR_STALE) {
        if (exit_code != -1 || exit_signal != 0)
            (void)jobs_set_exit(l->store, id, attempt, exit_code, exit_signal);
    } else {
        LOG(l, DISP_LOG_ERROR, "job %s: cannot record the failure: %s", token,
            jobs_strerror(rc));
    }
}

/* ------------------------------------------------------------------ children */

static struct loop_slot *loop_slot_of(struct loop *l, pid_t pid)
{
    for (int i = 0; i < l->nslots; i++)
        if (l->slots[i].pid == pid)
            return &l->slots[i];
    return NULL;
}

static void loop_child_ended(struct loop *l, struct loop_slot *s, int status)
{
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    LOG(l, DISP_LOG_DEBUG, "job %s attempt %d: child %d ended (code %d, signal %d)", s->token,
        s->attempt, (int)s->pid, code, sig);
    if (code != DISP_EXIT_OK) {
        /* Killed, crashed or timed out mid-write: nobody else will remove its partial files. */
        size_t n = 0;
        if (jobs_life_remove_partials(l->cfg, s->token, &n) != 0)
            LOG(l, DISP_LOG_WARN, "job %s: cannot remove its partial files: %s", s->token,
                strerror(errno));
        else if (n)
            LOG(l, DISP_LOG_DEBUG, "job %s: removed %zu partial files", s->token, n);
    }
    if (code == DISP_EXIT_OK) {
        /* The child wrote its result (done, or failed for bad input), exit status included. */
    } else if (s->why == LOOP_KILL_CANCEL) {
        if (loop_open_store(l) == 0)
            (void)jobs_set_exit(l->store, s->job_id, s->attempt, code, sig);
    } else if (code == DISP_EXIT_STALE) {
        /* The attempt had been taken away (cancel, recovery) before the child started. */
    } else {
        char what[256];
        int reason = sig ? DISP_REASON_CRASHED : DISP_REASON_TEMPORARY;
        if (s->why == LOOP_KILL_TTR)
            reason = DISP_REASON_TIMED_OUT;
        else if (code == DISP_EXIT_NO_STORE)
            reason = DISP_REASON_NO_DATABASE;
        if (code == DISP_EXIT_NO_STORE)
            disp_metrics_add(l->cfg, DISP_METRIC_SQLITE_ERRORS, 1);
        if (s->why == LOOP_KILL_TTR)
            snprintf(what, sizeof what, "The conversion took longer than its limit of %d s and "
                                        "was stopped",
                     s->ttr_s);
        else if (sig)
            snprintf(what, sizeof what, "The conversion crashed (signal %d, %s)", sig,
                     strsignal(sig));
        else if (code == DISP_EXIT_RETRY)
            snprintf(what, sizeof what, "The conversion hit a temporary problem");
        else if (code == DISP_EXIT_NO_STORE)
            snprintf(what, sizeof what, "The conversion could not reach the job database");
        else
            snprintf(what, sizeof what, "The conversion stopped unexpectedly (exit code %d)",
                     code);
        loop_fail_attempt(l, s->job_id, s->token, s->attempt, code, sig, what, reason);
    }
    memset(s, 0, sizeof *s);
    l->running--;
    l->want_claim = true;
}

static void loop_reap(struct loop *l)
{
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0)
            break;
        struct loop_slot *s = loop_slot_of(l, pid);
        if (s)
            loop_child_ended(l, s, status);
    }
}

static void loop_signal_child(struct loop *l, struct loop_slot *s, int why, int64_t now)
{
    if (s->kill_at)
        return; /* already on its way out */
    s->why = why;
    s->kill_at = now + l->cfg->kill_grace_ms;
    kill(s->pid, SIGTERM);
    LOG(l, DISP_LOG_INFO, "child %d of job %s (attempt %d) sent SIGTERM: %s", (int)s->pid,
        s->token, s->attempt, why == LOOP_KILL_TTR ? "past its time to run" : "cancelled");
}

static void loop_deadlines(struct loop *l, int64_t now)
{
    for (int i = 0; i < l->nslots; i++) {
        struct loop_slot *s = &l->slots[i];
        if (!s->pid)
            continue;
        if (!s->kill_at && now >= s->deadline)
            loop_signal_child(l, s, LOOP_KILL_TTR, now);
        if (s->kill_at && now >= s->kill_at) {
            kill(s->pid, SIGKILL);
            s->kill_at = INT64_MAX; /* once */
        }
    }
}

/* Kills children whose job is no longer theirs (cancelled, or taken back by an operator). */
static void loop_cancellations(struct loop *l, int64_t now)
{
    if (l->running == 0 || loop_open_store(l) != 0)
        return;
    struct jobs_job job;
    jobs_job_init(&job);
    for (int i = 0; i < l->nslots; i++) {
        struct loop_slot *s = &l->slots[i];
        if (!s->pid || s->kill_at)
            continue;
        int rc = jobs_get_id(l->store, s->job_id, &job);
        if (rc == JOBS_ERR_NOT_FOUND ||
            (rc == 0 && (job.state == JOBS_CANCELLED ||
                         (job.state != JOBS_RUNNING && job.attempts != s->attempt))))
            loop_signal_child(l, s, LOOP_KILL_CANCEL, now);
    }
    jobs_job_cleanup(&job);
}

/* ------------------------------------------------------------------ recovery, purge */

static bool loop_is_mine(const struct loop *l, const struct jobs_job *job)
{
    for (int i = 0; i < l->nslots; i++)
        if (l->slots[i].pid && l->slots[i].job_id == job->id)
            return true;
    return false;
}

static void loop_recover(struct loop *l)
{
    if (loop_open_store(l) != 0)
        return;
    struct jobs_list list = {0};
    if (jobs_list_running(l->store, &list) != 0)
        return;
    int64_t now = jobs_now_ms();
    for (size_t i = 0; i < list.n; i++) {
        const struct jobs_job *job = &list.jobs[i];
        if (loop_is_mine(l, job))
            continue;
        bool alive = disp_proc_alive(job->worker_pid, job->worker_start);
        if (alive && job->worker_pid == l->self && job->worker_start == l->self_start)
            alive = false; /* claimed by this dispatcher but no child holds it: lost */
        if (alive && now <= job->lease_until_ms)
            continue; /* an orphaned child still at work: it writes its own result */
        const char *what = "The process running the conversion disappeared";
        if (alive) {
            kill(job->worker_pid, SIGKILL);
            what = "The conversion did not finish within its time limit";
        }
        LOG(l, DISP_LOG_WARN, "recovering job %s attempt %d (worker %d %s)", job->token,
            job->attempts, (int)job->worker_pid, alive ? "past its lease" : "gone");
        (void)jobs_life_remove_partials(l->cfg, job->token, NULL);
        loop_fail_attempt(l, job->id, job->token, job->attempts, -1, 0, what,
                          alive ? DISP_REASON_TIMED_OUT : DISP_REASON_CRASHED);
    }
    jobs_list_cleanup(&list);
}

static void loop_purge(struct loop *l)
{
    if (l->cfg->retention_hours <= 0 || loop_open_store(l) != 0)
        return;
    int64_t before = jobs_now_ms() - (int64_t)l->cfg->retention_hours * 3600 * 1000;
    size_t n = 0;
    int rc = jobs_life_purge(l->cfg, l->store, loop_progress_client(l), before, 1000, &n,
                             "retention");
    if (rc)
        LOG(l, DISP_LOG_WARN, "purge: %s", jobs_strerror(rc));
    else if (n)
        LOG(l, DISP_LOG_INFO, "purged %zu finished jobs", n);
}

/* ------------------------------------------------------------------ claim and fork */

static void loop_start_children(struct loop *l, const sigset_t *child_mask)
{
    int free_slots = l->nslots - l->running;
    if (l->stopping || free_slots <= 0 || !l->want_claim)
        return;
    if (jobs_life_paused(l->cfg))
        return; /* want_claim stays set: the resume's wake-up claims at once */
    if (loop_open_store(l) != 0)
        return;
    struct jobs_job claimed[16];
    int n = 0;
    int64_t now = jobs_now_ms();
    int64_t lease_grace = (int64_t)l->cfg->lease_grace_s * 1000;
    l->want_claim = false;
    while (n < free_slots && n < (int)(sizeof claimed / sizeof claimed[0])) {
        jobs_job_init(&claimed[n]);
        int rc = jobs_claim(l->store, now, l->self, l->self_start, lease_grace, &claimed[n]);
        if (rc == JOBS_ERR_EMPTY) {
            int64_t at = 0;
            if (jobs_next_run_at(l->store, &at) == 0)
                l->next_run_at = at;
            break;
        }
        if (rc) {
            LOG(l, DISP_LOG_ERROR, "claim: %s (%s)", jobs_strerror(rc),
                jobs_store_errmsg(l->store));
            disp_metrics_add(l->cfg, DISP_METRIC_SQLITE_ERRORS, 1);
            l->want_claim = true; /* try again at the next turn */
            break;
        }
        n++;
    }
    if (n == free_slots)
        l->want_claim = true; /* there may be more once a slot frees */
    if (n == 0)
        return;
    loop_close_store(l); /* never carry SQLite state across fork (see the top comment) */
    /* Hand the free heap back first: a page the child then touches is a fresh zero page
     * rather than a copy-on-write copy of ours, whose fault also flushes the TLB on every
     * CPU (measured: most of a tiny job's cost was such faults). */
    malloc_trim(0);
    int64_t mono = jobs_mono_ms();
    for (int i = 0; i < n; i++) {
        struct jobs_job *job = &claimed[i];
        pid_t pid = fork();
        if (pid == 0) {
            sigprocmask(SIG_SETMASK, child_mask, NULL);
            signal(SIGPIPE, SIG_IGN);
            for (int j = i + 1; j < n; j++) /* the jobs of the later children are theirs */
                jobs_job_cleanup(&claimed[j]);
            disp_child_run(l->cfg, job);
        }
        if (pid < 0) {
            LOG(l, DISP_LOG_ERROR, "fork: %s; job %s goes back to the queue", strerror(errno),
                job->token);
            if (loop_open_store(l) == 0)
                (void)jobs_requeue(l->store, job->id, job->attempts, jobs_now_ms() + 1000);
            loop_close_store(l);
        } else {
            struct loop_slot *s = loop_slot_of(l, 0);
            s->pid = pid;
            s->job_id = job->id;
            s->attempt = job->attempts;
            s->ttr_s = job->ttr_s;
            memcpy(s->token, job->token, sizeof s->token);
            s->deadline = mono + (int64_t)job->ttr_s * 1000;
            s->kill_at = 0;
            s->why = LOOP_KILL_NONE;
            l->running++;
            disp_log_job_event(l->cfg, "dispatcher", DISP_EVENT_STARTED, job->token,
                               "attempt=%d/%d pid=%d queue=%s", job->attempts, job->max_attempts,
                               (int)pid, job->queue ? job->queue : "");
        }
        jobs_job_cleanup(job);
    }
}

/* ------------------------------------------------------------------ events */

static void loop_read_signals(struct loop *l)
{
    struct signalfd_siginfo si;
    while (read(l->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGHUP) {
            if (!l->stopping)
                LOG(l, DISP_LOG_INFO, "signal %u: stopping", si.ssi_signo);
            l->stopping = true;
        }
        /* SIGCHLD: loop_reap runs every turn */
    }
}

static void loop_read_wakeups(struct loop *l)
{
    char buf[64];
    ssize_t n;
    while ((n = recv(l->wakefd, buf, sizeof buf, 0)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == DISP_WAKE_CANCEL)
                l->check_cancel = true;
            else if (buf[i] == DISP_WAKE_STOP)
                l->stopping = true;
        }
        l->want_claim = true;
    }
}

static int loop_timeout(struct loop *l, int64_t mono)
{
    int64_t wait = l->cfg->poll_interval_ms;
    for (int i = 0; i < l->nslots; i++) {
        const struct loop_slot *s = &l->slots[i];
        if (!s->pid)
            continue;
        int64_t at = s->kill_at ? s->kill_at : s->deadline;
        if (at != INT64_MAX && at - mono < wait)
            wait = at - mono;
    }
    if (l->next_run_at) {
        int64_t d = l->next_run_at - jobs_now_ms();
        if (d < wait)
            wait = d;
    }
    if (l->next_recover - mono < wait)
        wait = l->next_recover - mono;
    if (l->running > 0 && l->next_cancel_check - mono < wait)
        wait = l->next_cancel_check - mono;
    return wait < 0 ? 0 : (int)wait;
}

int disp_loop_run(const struct disp_config *cfg, int lifeline_fd)
{
    struct loop l = {.cfg = cfg, .sigfd = -1, .wakefd = -1, .lifeline = lifeline_fd,
                     .lockfd = -1};
    int status = DISP_LOOP_EXIT_ERROR;
    sigset_t old_mask;
    sigemptyset(&old_mask);
    l.self = getpid();
    l.self_start = disp_proc_start_time(l.self, false);

    if (mkdir(cfg->data_dir, JOBS_LIFE_DIR_MODE) != 0 && errno != EEXIST) {
        LOG(&l, DISP_LOG_ERROR, "cannot create %s: %s", cfg->data_dir, strerror(errno));
        return DISP_LOOP_EXIT_ERROR;
    }
    int rc = loop_lock(&l);
    if (rc == JOBS_ERR_LOCKED) {
        LOG(&l, DISP_LOG_DEBUG, "another dispatcher runs for %s", cfg->data_dir);
        close(l.lockfd);
        return DISP_LOOP_EXIT_LOCKED;
    }
    /* Only the dispatcher that holds the lock writes the log; a loser of the race leaves
     * no trace there. */
    disp_log_redirect(cfg);
    l.nslots = cfg->max_children > 0 ? cfg->max_children : 1;
    l.slots = calloc((size_t)l.nslots, sizeof *l.slots);
    if (rc || !l.slots || loop_signals(&l, &old_mask) != 0 || loop_socket(&l) != 0 ||
        loop_open_store(&l) != 0)
        goto out;
    LOG(&l, DISP_LOG_INFO, "started for %s (%d children at most)", cfg->data_dir, l.nslots);

    int64_t mono = jobs_mono_ms();
    loop_recover(&l);
    l.next_recover = mono + (int64_t)cfg->recover_interval_s * 1000;
    loop_purge(&l);
    l.next_purge = mono + (int64_t)cfg->purge_interval_s * 1000;
    l.next_cancel_check = mono + cfg->poll_interval_ms;
    l.want_claim = true;

    while (!l.stopping) {
        mono = jobs_mono_ms();
        loop_reap(&l);
        loop_deadlines(&l, mono);
        if (l.check_cancel || (l.running > 0 && mono >= l.next_cancel_check)) {
            loop_cancellations(&l, mono);
            l.check_cancel = false;
            l.next_cancel_check = mono + cfg->poll_interval_ms;
        }
        if (mono >= l.next_recover) {
            loop_recover(&l);
            l.next_recover = mono + (int64_t)cfg->recover_interval_s * 1000;
        }
        if (mono >= l.next_purge) {
            loop_purge(&l);
            l.next_purge = mono + (int64_t)cfg->purge_interval_s * 1000;
        }
        if (l.next_run_at && jobs_now_ms() >= l.next_run_at) {
            l.next_run_at = 0;
            l.want_claim = true;
        }
        loop_start_children(&l, &old_mask);

        struct pollfd fds[3] = {{.fd = l.sigfd, .events = POLLIN},
                                {.fd = l.wakefd, .events = POLLIN},
                                {.fd = l.lifeline, .events = POLLIN}};
        int nfds = l.lifeline >= 0 ? 3 : 2;
        int timeout = loop_timeout(&l, jobs_mono_ms());
        if (timeout >= cfg->poll_interval_ms)
            l.want_claim = true; /* the safety net: look at the queue on every timer tick */
        int n = poll(fds, (nfds_t)nfds, timeout);
        if (n < 0 && errno != EINTR) {
            LOG(&l, DISP_LOG_ERROR, "poll: %s", strerror(errno));
            break;
        }
        if (n <= 0)
            continue;
        if (fds[0].revents)
            loop_read_signals(&l);
        if (fds[1].revents)
            loop_read_wakeups(&l);
        if (nfds == 3 && fds[2].revents) {
            char byte;
            if (read(l.lifeline, &byte, 1) <= 0) {
                LOG(&l, DISP_LOG_INFO, "the parent process is gone: stopping");
                l.stopping = true;
            }
        }
    }
    status = DISP_LOOP_EXIT_OK;
    if (l.running)
        LOG(&l, DISP_LOG_INFO, "stopping with %d children at work; they finish on their own",
            l.running);
out:
    loop_close_store(&l);
    disp_progress_free(l.progress);
    free(l.slots);
    if (l.wakefd >= 0) {
        unlink(cfg->wake_socket);
        close(l.wakefd);
    }
    if (l.sigfd >= 0)
        close(l.sigfd);
    if (l.lockfd >= 0)
        close(l.lockfd);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    return status;
}
