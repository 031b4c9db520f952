/*
 * check_cases.h — runs a C test program's cases each in its own process (a crash fails that
 * case only), all of them or the one named on the command line, and prints one line per
 * case and check.h's "N passed, M failed". Counts come back from the child through a pipe.
 *
 *   static const struct check_case cases[] = {{"name", fn}, ...};
 *   int main(int argc, char **argv) { return check_run_cases(cases, N, argc, argv); }
 */
#ifndef TP_CHECK_CASES_H
#define TP_CHECK_CASES_H

#include "check.h"

#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

struct check_case {
    const char *name;
    void (*fn)(void);
};

static inline int check_run_cases(const struct check_case *cases, size_t count, int argc,
                                  char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0;
    for (size_t i = 0; i < count; i++) {
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
        failed += counts[1] + (ok ? 0 : 1);
        printf("%-18s %s\n", cases[i].name, ok && counts[1] == 0 ? "ok" : "FAILED");
    }
    check_passed = passed;
    check_failed = failed;
    return check_summary();
}

#endif
