/*
 * disp_proc.h — process identity for recovery: a pid plus its start time (field 22 of
 * /proc/<pid>/stat, clock ticks since boot) names one process even after the pid is reused.
 * Stateless; safe anywhere.
 */
#ifndef TRACKPORT_DISP_PROC_H
#define TRACKPORT_DISP_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* disp_proc_start_time returns pid's start time, or 0 if it does not exist (or is a
 * zombie, when zombie_is_gone). */
int64_t disp_proc_start_time(pid_t pid, bool zombie_is_gone);

/* disp_proc_alive is true when pid runs (not a zombie) and, if start is non-zero, started at
 * start. */
bool disp_proc_alive(pid_t pid, int64_t start);

#ifdef __cplusplus
}
#endif
#endif
