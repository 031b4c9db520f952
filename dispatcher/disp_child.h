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
 * recorded with retry. SIGTERM (TTR or cancel) stops the conversion at its next progress
 * point; the child then exits DISP_EXIT_TERMINATED without writing, and the dispatcher
 * records why. Output names come from a sanitised copy of the user's file name.
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

/* disp_child_safe_name copies the base of a user's file name into out, keeping letters,
 * digits, '.', '-' and '_' (others become '_'), no leading dot, at most size-1 bytes
 * ("upload" if nothing is left). Used for output names; never a path. */
void disp_child_safe_name(const char *user_name, char *out, size_t size);

/* disp_child_bad_input tells the error codes of a failure that retrying cannot mend (the
 * file or the options are wrong): the child fails those at once, and the admin page offers
 * no Retry for them. */
bool disp_child_bad_input(int code);

#ifdef __cplusplus
}
#endif
#endif
