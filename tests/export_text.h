/*
 * export_text.h — runs one exporter over trackers in memory, as the pipeline would (begin,
 * tracker for each, end, cleanup), for tests that check what an exporter writes.
 * Static inline: one copy per test program.
 */
#ifndef TP_TEST_EXPORT_TEXT_H
#define TP_TEST_EXPORT_TEXT_H

#include "trackport.h"

#include <stdlib.h>
#include <string.h>

/* export_all returns the exporter's output as a NUL-terminated string (caller frees), or NULL
 * when the exporter failed or memory ran out. */
static inline char *export_all(const struct tp_exporter *e, const struct tp_tracker *ts, size_t n,
                               int w, int h)
{
    struct tp_out *out;
    if (tp_out_open_memory(&out) != TP_OK)
        return NULL;
    void *state = calloc(1, e->state_size ? e->state_size : 1);
    int rc = state ? TP_OK : TP_ERR_NOMEM;
    if (rc == TP_OK && e->begin)
        rc = e->begin(state, out, w, h);
    for (size_t i = 0; rc == TP_OK && i < n; i++)
        rc = e->tracker(state, out, &ts[i]);
    if (rc == TP_OK && e->end)
        rc = e->end(state, out);
    if (state && e->cleanup)
        e->cleanup(state);
    free(state);
    tp_out_flush(out);
    size_t len;
    const char *mem = tp_out_memory(out, &len);
    char *copy = rc == TP_OK ? malloc(len + 1) : NULL;
    if (copy) {
        memcpy(copy, mem, len);
        copy[len] = '\0';
    }
    tp_out_free(out);
    return copy;
}

#endif
