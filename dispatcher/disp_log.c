/* disp_log.c — formats a whole line first and writes it with one write(2), so the lines of
 * the dispatcher and its children never interleave mid-line in a shared error log. */
#include "disp_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void disp_log(int max_level, int level, const char *who, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    if (level > max_level || level < 0 || level > DISP_LOG_DEBUG)
        return;
    char line[1024], stamp[32] = "";
    struct timespec now;
    struct tm utc;
    if (clock_gettime(CLOCK_REALTIME, &now) == 0 && gmtime_r(&now.tv_sec, &utc))
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ ", &utc);
    int n = snprintf(line, sizeof line, "%strackport-%s[%d] %s: ", stamp, who, (int)getpid(),
                     names[level]);
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

int disp_log_redirect(const struct disp_config *cfg)
{
    if (!cfg)
        return -1;
    if (!cfg->log_file[0])
        return 0;
    int fd = open(cfg->log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        disp_log(cfg->log_level, DISP_LOG_WARN, "dispatcher",
                 "cannot open log_file %s (%s): logging here instead", cfg->log_file,
                 strerror(errno));
        return 0;
    }
    if (fd != STDERR_FILENO) {
        dup2(fd, STDERR_FILENO); /* the copy is not close-on-exec: children inherit it */
        close(fd);
    }
    return 0;
}
