/*
 * case_runner.h — runs a test program's cases each in its own child process, so a crash
 * fails that case only; a case is also runnable alone by name (argv[1]). Counts come back
 * from the child through a pipe and are summed into check.h's counters, then printed as
 * "N passed, M failed". Static inline: one copy per test program.
 */
#ifndef TP_TEST_CASE_RUNNER_H
#define TP_TEST_CASE_RUNNER_H

#include "check.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct test_case {
    const char *name;
    void (*fn)(void);
};

/* case_runner_main runs every case (or the one named by argv[1]); returns the exit code. */
static inline int case_runner_main(const struct test_case *cases, size_t n, int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0;
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (only && strcmp(only, cases[i].name) != 0)
            continue;
        found = true;
        int fds[2];
        if (pipe(fds) != 0)
            return 1;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
            return 1;
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
        printf("%-28s %s\n", cases[i].name, ok && counts[1] == 0 ? "ok" : "FAILED");
    }
    if (only && !found) {
        fprintf(stderr, "no case named %s\n", only);
        failed++;
    }
    check_passed = passed;
    check_failed = failed;
    return check_summary();
}

#endif
