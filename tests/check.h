/*
 * check.h — the test suite's assertions. CHECK_* print file:line and both values on
 * failure, count the failure and go on (they survive NDEBUG). A test file calls
 * check_summary() at the end, which prints "N passed, M failed" and returns the exit code;
 * check_run_cases() runs a table of cases, each in a child process.
 */
#ifndef TP_CHECK_H
#define TP_CHECK_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int check_passed, check_failed;

#define CHECK_REPORT(ok, ...)                                                                 \
    do {                                                                                      \
        if (ok) {                                                                             \
            check_passed++;                                                                   \
        } else {                                                                              \
            check_failed++;                                                                   \
            fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                     \
            fputc('\n', stderr);                                                              \
        }                                                                                     \
    } while (0)

#define CHECK(cond) CHECK_REPORT((cond), "CHECK(%s) failed", #cond)
#define CHECK_INT(a, b)                                                                       \
    do {                                                                                      \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                      \
        CHECK_REPORT(check_a_ == check_b_, "%s == %s: %lld != %lld", #a, #b, check_a_,        \
                     check_b_);                                                               \
    } while (0)
#define CHECK_NEAR(a, b, tol)                                                                 \
    do {                                                                                      \
        double check_a_ = (a), check_b_ = (b);                                                \
        CHECK_REPORT(fabs(check_a_ - check_b_) <= (tol), "%s ~ %s: %.9g != %.9g", #a, #b,     \
                     check_a_, check_b_);                                                     \
    } while (0)
#define CHECK_STR(a, b)                                                                       \
    do {                                                                                      \
        const char *check_a_ = (a), *check_b_ = (b);                                          \
        CHECK_REPORT(check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0,                 \
                     "%s == %s: \"%s\" != \"%s\"", #a, #b, check_a_ ? check_a_ : "(null)",    \
                     check_b_ ? check_b_ : "(null)");                                         \
    } while (0)

static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

/* A test case: a name to run it by and a function that CHECKs. */
struct check_case {
    const char *name;
    void (*fn)(void);
};

/*
 * check_run_cases runs each case (or only the one named only, when not NULL) in a child
 * process of its own, so a crash fails that case alone, prints one line per case and
 * leaves the totals in check_passed / check_failed for check_summary. The counts come back
 * through a pipe; the child leaves by exit(), not _exit(), so the leak checker runs.
 */
static inline void check_run_cases(const struct check_case *cases, size_t n, const char *only)
{
    int passed = 0, failed = 0;
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (only && strcmp(only, cases[i].name) != 0)
            continue;
        found = true;
        int fds[2];
        if (pipe(fds) != 0) {
            failed++;
            continue;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            cases[i].fn();
            int counts[2] = {check_passed, check_failed};
            if (write(fds[1], counts, sizeof counts) != (ssize_t)sizeof counts)
                _exit(3);
            fflush(NULL);
            exit(0);
        }
        close(fds[1]);
        int counts[2] = {0, 0};
        ssize_t got = pid > 0 ? read(fds[0], counts, sizeof counts) : -1;
        close(fds[0]);
        int status = 0;
        if (pid > 0)
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
}

/* check_main is a test program's main: the case named by argv[1], or every case, each in a
 * process of its own; prints "N passed, M failed" and returns the exit status. */
static inline int check_main(const struct check_case *cases, size_t n, int argc, char **argv)
{
    check_run_cases(cases, n, argc > 1 ? argv[1] : NULL);
    return check_summary();
}

#endif
