/*
 * disp_log.h — one-line log messages on stderr for the dispatcher, its children and
 * trackportctl: "trackport-dispatcher[1234] warn: message". lighttpd collects the stderr of
 * the processes it starts into its error log. No state: the caller passes its configured
 * level. Safe anywhere (one write(2) per line, so lines of concurrent processes do not mix).
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

#ifdef __cplusplus
}
#endif
#endif
