/*
 * cases.h — runs a test program's cases each in its own process, as the test suite's rule
 * asks: a crash or a leak fails that case only, and a case can be run alone by name.
 * Counts come back from the child through a pipe. check_run_cases returns main's exit
 * code after printing one line per case and "N passed, M failed".
 */
#ifndef TP_TEST_CASES_H
#define TP_TEST_CASES_H

#include "check.h"

#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

struct check_case {
    const char *name;
    void (*fn)(void);
};

/* check_run_cases runs every case of cases[0..n), or only the one named only (if not NULL). */
static inline int check_run_cases(const struct check_case *cases, size_t n, const char *only)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (only && strcmp(only, cases[i].name) != 0)
            continue;
        int fds[2];
        if (pipe(fds) != 0)
            return 1;
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            cases[i].fn();
            int counts[2] = {check_passed, check_failed};
            if (write(fds[1], counts, sizeof counts) != (ssize_t)sizeof counts)
                _exit(3);
            fflush(NULL);
            exit(0); /* exit, not _exit: the leak checker runs at exit */
        }
        close(fds[1]);
        int counts[2] = {0, 0};
        ssize_t got = read(fds[0], counts, sizeof counts);
        close(fds[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        bool ok = got == (ssize_t)sizeof counts && WIFEXITED(status) && WEXITSTATUS(status) == 0;
        passed += counts[0];
        failed += counts[1];
        if (!ok) {
            fprintf(stderr, "case %s: crashed or exited badly (status %d)\n", cases[i].name,
                    status);
            failed++;
        }
        printf("%-18s %s\n", cases[i].name, ok && counts[1] == 0 ? "ok" : "FAILED");
    }
    check_passed = passed;
    check_failed = failed;
    return check_summary();
}

#endif
