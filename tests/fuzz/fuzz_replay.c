/*
 * fuzz_replay.c — the main() of a fuzz target built without libFuzzer: every file named on
 * the command line, or found below a folder named there, goes once through the target's
 * LLVMFuzzerTestOneInput, so inputs that once crashed stay fixed as ordinary tests. An
 * absent folder is skipped (not every target has regressions); finding no input at all is
 * a failure, as is a file that cannot be read. Prints "N passed, M failed".
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path, size_t *count)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 1;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc(len > 0 ? (size_t)len : 1);
    size_t got = data ? fread(data, 1, (size_t)(len > 0 ? len : 0), f) : 0;
    fclose(f);
    if (!data)
        return 1;
    LLVMFuzzerTestOneInput(data, got);
    free(data);
    (*count)++;
    return 0;
}

static int replay_path(const char *path, size_t *count)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode))
        return replay_file(path, count);
    DIR *dir = opendir(path);
    if (!dir)
        return 1;
    int bad = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        bad |= replay_path(child, count);
    }
    closedir(dir);
    return bad;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int bad = 0;
    for (int i = 1; i < argc; i++)
        bad |= replay_path(argv[i], &count);
    printf("%zu passed, %d failed\n", count, bad);
    return bad || count == 0 ? 1 : 0;
}
