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

/* disp_log_redirect makes log_file of cfg (appended to, created 0640) the process's
 * stderr. Nothing to do when log_file is empty. When the file cannot be opened, says so on
 * the current stderr, which stays in use; returns 0 either way, -1 only for a bad cfg. */
int disp_log_redirect(const struct disp_config *cfg);

#ifdef __cplusplus
}
#endif
#endif
