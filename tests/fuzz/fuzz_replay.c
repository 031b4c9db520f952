/*
 * fuzz_replay.c — the main() of a fuzz target built without libFuzzer: every file named on
 * the command line, or found below a folder named there, goes once through the target's
 * LLVMFuzzerTestOneInput, so inputs that once crashed stay fixed as ordinary tests. An
 * absent folder is skipped (not every target has regressions); finding no input at all is
 * a failure, as is a file or folder that cannot be read. Prints "N passed, M failed".
 *
 * Each path named is a case of its own, replayed in a child process through check.h's runner,
 * so a crash (or a sanitizer report) fails that case and the others still run. When a folder's
 * case fails, each of its inputs is replayed again in a child of its own, which names the
 * inputs at fault. To replay one input alone, name its file as the only argument.
 */
#include "../check.h"

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The file or folder the running case replays (set before its child is forked). */
static const char *replay_target;

/* Replays one input: one check (that it could be read), then the target. */
static void replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    size_t got = 0;
    bool ok = false;
    if (f) {
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        fseek(f, 0, SEEK_SET);
        data = malloc(len > 0 ? (size_t)len : 1);
        got = data ? fread(data, 1, (size_t)(len > 0 ? len : 0), f) : 0;
        ok = data != NULL && len >= 0 && got == (size_t)len;
        fclose(f);
    }
    CHECK_REPORT(ok, "cannot read %s", path);
    if (ok)
        LLVMFuzzerTestOneInput(data, got);
    free(data);
}

/* Calls each(file) for every file at or below path; an absent path has none. */
static void each_file(const char *path, void (*each)(const char *file))
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        each(path);
        return;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        CHECK_REPORT(0, "cannot open folder %s", path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        each_file(child, each);
    }
    closedir(dir);
}

static void replay_case(void)
{
    each_file(replay_target, replay_file);
}

/* Totals over every case: check_run_cases leaves only its own run's in check_*. */
static int total_passed, total_failed;

/* Runs replay_case over path in a child process; returns its failures. */
static int run_case(const char *path)
{
    const struct check_case one = {path, replay_case};
    replay_target = path;
    check_passed = check_failed = 0; /* the child counts from what it inherits */
    check_run_cases(&one, 1, NULL);
    return check_failed;
}

static int alone_passed, alone_failed;

static void replay_alone(const char *file)
{
    run_case(file);
    alone_passed += check_passed;
    alone_failed += check_failed;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0)
            continue; /* not every target has regressions */
        int failed = run_case(argv[i]);
        int passed = check_passed;
        if (failed && S_ISDIR(st.st_mode)) {
            printf("replaying each input of %s alone\n", argv[i]);
            alone_passed = alone_failed = 0;
            each_file(argv[i], replay_alone);
            passed = alone_passed;
            if (alone_failed) /* else it fails only with the others: keep the folder's */
                failed = alone_failed;
        }
        total_passed += passed;
        total_failed += failed;
    }
    if (total_passed + total_failed == 0) {
        fprintf(stderr, "no input found\n");
        total_failed++;
    }
    check_passed = total_passed;
    check_failed = total_failed;
    return check_summary();
}
