/* disp_log.c — formats a whole line first and writes it with one write(2), so the lines of
 * the dispatcher and its children never interleave mid-line in a shared error log. */
#include "disp_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

void disp_log(int max_level, int level, const char *who, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    if (level > max_level || level < 0 || level > DISP_LOG_DEBUG)
        return;
    char line[1024];
    int n = snprintf(line, sizeof line, "trackport-%s[%d] %s: ", who, (int)getpid(), names[level]);
    if (n < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
