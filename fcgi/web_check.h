/*
 * web_check.h — `trackport-fcgi --check`: what an installed site will use, and whether it
 * can. Prints the resolved configuration (the format of conf/trackport.conf), then one
 * "# check:" line per program, folder, file and server the site depends on, saying what
 * it is and whether it is there, executable, writable or reachable, as the user running
 * the check. Starts nothing and writes nothing.
 *
 * No state; the report goes to the stream the caller passes.
 */
#ifndef WEB_CHECK_H
#define WEB_CHECK_H

#include "config.h"

#include <stdio.h>

/* web_check_report prints the configuration and the checks to `to`. Returns the number of
 * checks that failed (0: everything the site needs is in place). */
int web_check_report(const struct disp_config *cfg, FILE *to);

#endif
