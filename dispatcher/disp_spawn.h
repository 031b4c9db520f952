/*
 * disp_spawn.h — starting, finding and waking the dispatcher (DESIGN §6).
 *
 * Exactly one dispatcher runs per data_dir: it holds a POSIX write lock (fcntl) on
 * lock_path for its whole life and writes its pid there. POSIX locks are not inherited by
 * fork() and vanish when their process dies, so a crashed dispatcher never leaves a stale
 * lock and its converter children never hold it.
 *
 * Every FastCGI process calls disp_spawn once at start and disp_ensure now and then (e.g.
 * after each enqueue): the dispatcher runs as a child of one of them, tied to its lifetime
 * by a pipe it holds the write end of (EOF when the parent goes) and by PR_SET_PDEATHSIG
 * (SIGTERM). A dispatcher started by a process that finds the lock taken exits at once,
 * quietly. When the parent of the running one goes, any other process's disp_ensure starts
 * a replacement within its rate limit; children in flight finish on their own meanwhile.
 *
 * The dispatcher is started with fork() + exec() of dispatcher_binary (a fresh, tiny
 * process: it forks once per job, and it must not inherit the caller's SQLite,
 * memcached or FastCGI state). It receives `--config <cfg->path> --lifeline <fd>`, so the
 * caller's config must have been loaded from a file. stdin and stdout become /dev/null,
 * stderr is kept (lighttpd's error log); every other descriptor is closed.
 *
 * Waking: after an enqueue or cancel, disp_wake sends one datagram to the dispatcher's
 * unix socket (wake_socket). It never blocks and never fails the caller's request: when no
 * dispatcher listens, the job is still picked up by the next dispatcher's start-up scan.
 *
 * No global state: struct disp_handle lives in the caller's state struct. Nothing here
 * touches SQLite, so these calls are safe with a jobs_store open.
 */
#ifndef TRACKPORT_DISP_SPAWN_H
#define TRACKPORT_DISP_SPAWN_H

#include "config.h"

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a wake-up datagram says (one byte). Unknown bytes just wake the loop. */
enum disp_wake_reason {
    DISP_WAKE_JOB = 'j',    /* a job was enqueued or retried: claim now */
    DISP_WAKE_CANCEL = 'c', /* a job was cancelled: kill its child if it runs */
    DISP_WAKE_STOP = 's',   /* stop claiming and exit (trackportctl, tests); children go on */
};

/* disp_wake sends one wake-up datagram to cfg->wake_socket. Returns 0, or
 * JOBS_ERR_UNAVAILABLE when no dispatcher listens (harmless: see above). A full socket
 * buffer counts as success (the dispatcher is awake already). */
int disp_wake(const struct disp_config *cfg, int reason);

/* The dispatcher started by this process. */
struct disp_handle {
    pid_t pid;               /* 0 when none (never started, or reaped) */
    int lifeline_fd;         /* write end of the lifeline pipe, -1 when none; FD_CLOEXEC */
    int64_t last_spawn_ms;   /* for disp_ensure's rate limit */
};

/* disp_handle_init: no dispatcher yet. */
void disp_handle_init(struct disp_handle *h);

/* disp_spawn starts a dispatcher child (see above). Returns 0 (h->pid set) or JOBS_ERR_IO;
 * a started child may still exit at once if another dispatcher holds the lock. Reaps a
 * previous child of h first. */
int disp_spawn(const struct disp_config *cfg, struct disp_handle *h);

/* disp_ensure reaps h's child if it exited (waitpid WNOHANG, that pid only) and, when no
 * process holds the dispatcher lock, spawns one — at most once per second per handle.
 * Cheap enough to call on every request (one waitpid and one fcntl). 0 or JOBS_ERR_IO. */
int disp_ensure(const struct disp_config *cfg, struct disp_handle *h);

/* disp_handle_close closes the lifeline (so h's dispatcher exits if it runs) and reaps it,
 * waiting at most timeout_ms (then it is left to exit on its own). */
void disp_handle_close(struct disp_handle *h, int timeout_ms);

/* disp_lock_holder tells whether a dispatcher runs for cfg's data_dir: 0 and *pid (may be
 * NULL) set when one holds the lock, JOBS_ERR_NOT_FOUND when none, JOBS_ERR_IO otherwise. */
int disp_lock_holder(const struct disp_config *cfg, pid_t *pid);

#ifdef __cplusplus
}
#endif
#endif
