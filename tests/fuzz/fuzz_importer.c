/*
 * fuzz_importer.c — a libFuzzer target for one importer, chosen at build time with
 * -DTP_FUZZ_IMPORTER="\"name\"". The input bytes are parsed as that format with a given
 * comp size; every outcome but a crash, a hang or a sanitizer report is fine.
 *
 * Without libFuzzer (TP_FUZZ_STANDALONE) the same file builds a replayer: every file
 * named on the command line, or found in directories named there, is run once, so
 * crashes found by fuzzing stay fixed as ordinary tests.
 */
#include "trackport.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef TP_FUZZ_IMPORTER
#error "define TP_FUZZ_IMPORTER"
#endif

struct null_sink {
    struct tp_sink base;
    size_t keyframes;
};

static int null_begin(struct tp_sink *s, int w, int h, struct tp_diag *d)
{
    (void)s;
    (void)d;
    return (w > 0 && h > 0) ? TP_OK : TP_ERR_BAD_ARGUMENT;
}

static int null_tracker(struct tp_sink *s, struct tp_tracker *t, struct tp_diag *d)
{
    (void)d;
    /* Touch every keyframe so the sanitizers see any bad memory handed downstream. */
    struct null_sink *n = (struct null_sink *)s;
    for (size_t i = 0; i < t->len; i++)
        n->keyframes += (t->keys[i].x == t->keys[i].x) ? 1u : 0u;
    n->keyframes += strlen(t->name) > 0;
    return TP_OK;
}

static int null_end(struct tp_sink *s, struct tp_diag *d)
{
    (void)s;
    (void)d;
    return TP_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct tp_importer *importer = tp_find_importer(TP_FUZZ_IMPORTER);
    if (!importer)
        abort();
    struct tp_input *in;
    if (tp_input_open_memory(data, size, &in))
        return 0;
    struct null_sink sink = {.base = {null_begin, null_tracker, null_end, NULL, NULL}};
    struct tp_diag diag = {0};
    int rc = tp_import(importer, in, 1920, 1080, &sink.base, NULL, NULL, &diag);
    if (rc != TP_OK && diag.message[0] == '\0')
        abort(); /* every failure must explain itself to the user */
    tp_input_free(in);
    return 0;
}

#ifdef TP_FUZZ_STANDALONE
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
        return 0; /* an absent seed folder is not an error */
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
    return bad;
}
#endif
