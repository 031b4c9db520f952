/*
 * disp_child.h — the converter child: what runs in the process the dispatcher forks for
 * one attempt of one job.
 *
 * It opens its own SQLite and memcached connections (never the inherited ones), sets its
 * resource limits (rlimit_*), registers itself (jobs_start: pid, start time, lease), runs
 * tp_convert on the job's input into <job dir>/out/ with progress to memcached (throttled)
 * and milestones to SQLite (start, 50 %, end), then writes its own result guarded by its
 * attempt number: done with the result JSON, or failed with the converter's user message.
 * Bad input (unknown/ambiguous format, unknown importer/exporter, size required, parse
 * error, no trackers, limits, bad argument) fails at once; other errors (I/O, memory) are
 * recorded with retry.
 *
 * Everything the job offers is made here, under the child's limits, before the job is done:
 * the outputs in <job dir>/out/, and in the same pass over the trackers preview.svg
 * (disp_preview.h), trackers.json and the result's summary (disp_summary.h); then, with the
 * progress message "Packing the archive" (the last tenth of the bar), all.zip and
 * archives/<application>.zip (disp_archive.h). The job's bounds (job_max_output_mb,
 * job_max_keyframes) go to tp_convert; crossing one is bad input. Spill files go to the job's
 * folder ($TMPDIR is set to it). A failed attempt removes whatever of these it made.
 * SIGTERM (TTR or cancel) stops the conversion at its next progress
 * point; the child then exits DISP_EXIT_TERMINATED without writing, and the dispatcher
 * records why. Output names come from a sanitised copy of the user's file name
 * (jobs_life_safe_name). Whatever ends an attempt, its .partial- files are removed
 * (jobs_life_remove_partials): by the child on its own failure paths, by the dispatcher
 * when it reaps a child that did not exit cleanly or recovers a lost worker's job.
 */
#ifndef TRACKPORT_DISP_CHILD_H
#define TRACKPORT_DISP_CHILD_H

#include "config.h"
#include "jobs_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * disp_child_run runs one attempt of job (as claimed: id, token, attempts, input, options,
 * ttr) and never returns: it ends with _exit() and a DISP_EXIT_* code. Call it in a fresh
 * fork() child with no inherited store or memcached handle in use; blocked signals are
 * restored by the caller.
 */
_Noreturn void disp_child_run(const struct disp_config *cfg, const struct jobs_job *job);

#ifdef __cplusplus
}
#endif
#endif
