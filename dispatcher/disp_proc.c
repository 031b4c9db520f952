/* disp_proc.c — reads a process's state and start time from /proc/<pid>/stat. The command
 * name in that line is in parentheses and may itself hold spaces and ')', so fields are
 * counted from the last ')'. */
#include "disp_proc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int64_t disp_proc_start_time(pid_t pid, bool zombie_is_gone)
{
    if (pid <= 0)
        return 0;
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ')
        return 0;
    p += 2; /* field 3: state */
    char state = *p;
    if (zombie_is_gone && (state == 'Z' || state == 'X' || state == 'x'))
        return 0;
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (!p)
            return 0;
        p++;
    }
    char *end;
    long long start = strtoll(p, &end, 10);
    if (end == p || start < 0)
        return 0;
    return start > 0 ? start : 1; /* 0 means "gone"; a process started at tick 0 is still one */
}

bool disp_proc_alive(pid_t pid, int64_t start)
{
    int64_t now = disp_proc_start_time(pid, true);
    return now != 0 && (start == 0 || now == start);
}
