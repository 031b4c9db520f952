/*
 * disp_loop.h — the dispatcher: one small process per data_dir that claims queued jobs and
 * forks one converter child per job (DESIGN §3, §6).
 *
 * It poll()s on the wake socket (datagrams from enqueuers, see disp_spawn.h), a signalfd
 * (SIGCHLD, SIGTERM, SIGINT, SIGHUP), the lifeline pipe from its parent (EOF: the parent
 * is gone) and a timer (poll_interval_ms, the safety net). While fewer than max_children
 * children run it claims jobs; it reaps children and records their exit status; a child
 * that ended without writing its result (crash, kill, hang past its TTR: SIGTERM, then
 * SIGKILL after kill_grace_ms) is retried with exponential backoff until max_attempts, then
 * failed with a message saying what happened. At start and every recover_interval_s it
 * requeues `running` jobs whose worker is gone (pid dead, zombie or reused) or whose lease
 * expired (the worker, if still there, is killed first), and every purge_interval_s it
 * purges final jobs older than retention_hours with their folders.
 *
 * Stopping (SIGTERM, SIGINT, lifeline EOF, DISP_WAKE_STOP): it stops claiming and exits;
 * running children are not signalled — they finish and write their own results, and the
 * next dispatcher's recovery leaves them alone while they live.
 *
 * Smallness: fork cost grows with the parent's size, so the dispatcher keeps no per-job
 * heap beyond its child table, uses a small SQLite cache and closes its database
 * connection before forking (the children open their own: see jobs_store.h).
 */
#ifndef TRACKPORT_DISP_LOOP_H
#define TRACKPORT_DISP_LOOP_H

#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Exit statuses of disp_loop_run (and of trackport-dispatcher). */
#define DISP_LOOP_EXIT_OK 0     /* stopped on request */
#define DISP_LOOP_EXIT_LOCKED 0 /* another dispatcher runs: nothing to do, not an error */
#define DISP_LOOP_EXIT_ERROR 1  /* could not start (database, socket, lock file) */

/*
 * disp_loop_run runs the dispatcher in the calling process until it is asked to stop and
 * returns an exit status. lifeline_fd: the read end of the parent's pipe, or -1 (foreground
 * mode). It takes the lock first and returns DISP_LOOP_EXIT_LOCKED at once if another
 * dispatcher holds it. It blocks SIGCHLD, SIGTERM, SIGINT and SIGHUP for its signalfd;
 * children get the original mask back. Logs go to stderr, one line each.
 */
int disp_loop_run(const struct disp_config *cfg, int lifeline_fd);


#ifdef __cplusplus
}
#endif
#endif
