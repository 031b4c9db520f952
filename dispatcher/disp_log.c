/* disp_log.c — formats a whole line first and writes it with one write(2), so the lines of
 * the dispatcher and its children never interleave mid-line in a shared error log. */
#include "disp_log.h"

#include "disp_metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Formats "<time> trackport-<who>[pid] <level>: " and the message into line (with a final
 * newline); returns its length. */
static size_t log_format(char *line, size_t size, int level, const char *who, const char *fmt,
                         va_list ap) __attribute__((format(printf, 5, 0)));
static size_t log_format(char *line, size_t size, int level, const char *who, const char *fmt,
                         va_list ap)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    char stamp[32] = "";
    struct timespec now;
    struct tm utc;
    if (clock_gettime(CLOCK_REALTIME, &now) == 0 && gmtime_r(&now.tv_sec, &utc))
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ ", &utc);
    int n = snprintf(line, size, "%strackport-%s[%d] %s: ", stamp, who, (int)getpid(),
                     names[level]);
    if (n < 0 || (size_t)n >= size - 2)
        return 0;
    int m = vsnprintf(line + n, size - (size_t)n - 1, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > size - 2)
        len = size - 2;
    line[len++] = '\n';
    return len;
}

static size_t log_line(char *line, size_t size, int level, const char *who,
                            const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static size_t log_line(char *line, size_t size, int level, const char *who,
                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t len = log_format(line, size, level, who, fmt, ap);
    va_end(ap);
    return len;
}

void disp_log(int max_level, int level, const char *who, const char *fmt, ...)
{
    if (level > max_level || level < 0 || level > DISP_LOG_DEBUG)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    size_t len = log_format(line, sizeof line, level, who, fmt, ap);
    va_end(ap);
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}

static const char *const job_event_names[] = {
#define DISP_EVENT_NAME(name, text) text,
    DISP_JOB_EVENTS(DISP_EVENT_NAME)
#undef DISP_EVENT_NAME
};

const char *disp_job_event_name(int event)
{
    return event >= 0 && event < DISP_EVENT_COUNT ? job_event_names[event] : "?";
}

const char *disp_log_text(const char *text, char *buf, size_t size)
{
    size_t n = 0;
    for (const char *p = text ? text : ""; *p && n + 1 < size; p++)
        buf[n++] = *p == '"' ? '\'' : ((unsigned char)*p < 0x20 || *p == 0x7f) ? ' ' : *p;
    if (size)
        buf[n] = '\0';
    return buf;
}

void disp_log_job_event(const struct disp_config *cfg, const char *who, int event,
                        const char *token, const char *fmt, ...)
{
    disp_metrics_event(cfg, event);
    int level = event == DISP_EVENT_FAILED ? DISP_LOG_WARN : DISP_LOG_INFO;
    if (level > cfg->log_level)
        return;
    char details[768] = "";
    if (fmt) {
        details[0] = ' ';
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(details + 1, sizeof details - 1, fmt, ap);
        va_end(ap);
    }
    char line[1024];
    size_t len = log_line(line, sizeof line, level, who, "job %s %s%s", token,
                               disp_job_event_name(event), details);
    /* Opened per event: the site's processes, the dispatcher, its children and
     * trackportctl all append to the same file, each line in one write(2). */
    int fd = cfg->log_file[0] ? open(cfg->log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                                     0640)
                              : -1;
    ssize_t w = write(fd >= 0 ? fd : STDERR_FILENO, line, len);
    (void)w;
    if (fd >= 0)
        close(fd);
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
