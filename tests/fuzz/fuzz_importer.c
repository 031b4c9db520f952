/*
 * fuzz_importer.c — a libFuzzer target for one importer, chosen at build time with
 * -DTP_FUZZ_IMPORTER="\"name\"". The input bytes are parsed as that format with a given
 * comp size; every outcome but a crash, a hang or a sanitizer report is fine.
 *
 * Without libFuzzer the same file, linked with fuzz_replay.c, replays saved inputs as a test.
 */
#include "trackport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
