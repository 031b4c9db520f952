/*
 * check.h — the test suite's assertions. CHECK_* print file:line and both values on
 * failure, count the failure and go on (they survive NDEBUG). A test file calls
 * check_summary() at the end, which prints "N passed, M failed" and returns the exit code.
 */
#ifndef TP_CHECK_H
#define TP_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

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

#endif
