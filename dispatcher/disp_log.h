/*
 * disp_log.h — one-line log messages on stderr for the dispatcher, its children and
 * trackportctl: "2026-12-04T14:00:00Z trackport-dispatcher[1234] warn: message". The
 * dispatcher points its stderr at log_file (disp_log_redirect), which its children inherit;
 * without one, lighttpd collects the stderr of the processes it starts into its error log.
 * No state: the caller passes its configured level. Safe anywhere (one write(2) per line,
 * so lines of concurrent processes do not mix).
 */
#ifndef TRACKPORT_DISP_LOG_H
#define TRACKPORT_DISP_LOG_H

#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* disp_log prints when level <= max_level (enum disp_log_level). who: "dispatcher",
 * "child"... */
void disp_log(int max_level, int level, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Job events: one line per event of a job's life, written to log_file by whichever process
 * caused it (the site, the dispatcher, a converter child, trackportctl), so that the whole
 * life of a job is in one file, in order. The line is
 *   <UTC time> trackport-<who>[<pid>] <level>: job <token> <event>[ key=value...]
 * with the event's name from the list below, level warn for "failed" and info otherwise,
 * and text values quoted ("...", inner quotes turned into '). Without log_file the line
 * goes to stderr (lighttpd's error log).
 */
#define DISP_JOB_EVENTS(X)                                                                    \
    X(ENQUEUED, "enqueued")   /* queue=, priority=, file=, by= */                               \
    X(STARTED, "started")     /* attempt=N/M pid= */                                            \
    X(DONE, "done")           /* attempt=, duration_ms=, trackers=, keyframes=, bytes=, outputs= */ \
    X(FAILED, "failed")       /* attempt=, exit=, message= (given up, or bad input) */          \
    X(RETRIED, "retried")     /* attempt=, exit=, retry_in_ms=, message=; or by= (by hand) */   \
    X(CANCELLED, "cancelled") /* by= */                                                         \
    X(PURGED, "purged")       /* by= */

enum disp_job_event {
#define DISP_EVENT_ENUM(name, text) DISP_EVENT_##name,
    DISP_JOB_EVENTS(DISP_EVENT_ENUM)
#undef DISP_EVENT_ENUM
        DISP_EVENT_COUNT
};

/* disp_job_event_name returns "enqueued"... ("?" out of range). */
const char *disp_job_event_name(int event);

/* disp_log_job_event writes the line of one event of job `token`; fmt (may be NULL) gives
 * the key=value details. Honours log_level (failed is warn, the rest info). */
void disp_log_job_event(const struct disp_config *cfg, const char *who, int event,
                        const char *token, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* disp_log_text copies text into buf (size bytes) fit for a quoted value: quotes become ',
 * control characters spaces. Returns buf. */
const char *disp_log_text(const char *text, char *buf, size_t size);

/* disp_log_redirect makes log_file of cfg (appended to, created 0640) the process's
 * stderr. Nothing to do when log_file is empty. When the file cannot be opened, says so on
 * the current stderr, which stays in use; returns 0 either way, -1 only for a bad cfg. */
int disp_log_redirect(const struct disp_config *cfg);

#ifdef __cplusplus
}
#endif
#endif
