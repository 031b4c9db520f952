/*
 * keep_sink.h — the sink the tests put at the end of a conversion: it keeps deep copies of
 * the first KEEP_SINK_MAX trackers it receives and notes what a test may want to check: the
 * comp size given to begin, how often begin and end ran, how many trackers arrived, and
 * whether every one arrived sorted with unique frames. It never fails a conversion itself,
 * so a test sees the importer's (or the edits') own result.
 *
 * keep_sink_init prepares one (no memory held yet); keep_sink_cleanup frees the copies and
 * leaves it ready for reuse. Everything is static inline: one copy per test program.
 */
#ifndef TP_TEST_KEEP_SINK_H
#define TP_TEST_KEEP_SINK_H

#include "trackport.h"

#include <stdbool.h>
#include <string.h>

#define KEEP_SINK_MAX 64

struct keep_sink {
    struct tp_sink base;
    struct tp_tracker t[KEEP_SINK_MAX]; /* the first n trackers received, owned */
    size_t n;
    size_t received;  /* every tracker, kept or not */
    int width, height; /* as given to begin */
    int begun, ended;
    bool sorted;      /* every tracker came with strictly increasing frames */
};

static inline int keep_sink_begin(struct tp_sink *s, int width, int height, struct tp_diag *d)
{
    (void)d;
    struct keep_sink *k = (struct keep_sink *)s;
    k->width = width;
    k->height = height;
    k->begun++;
    return TP_OK;
}

static inline int keep_sink_tracker(struct tp_sink *s, struct tp_tracker *t, struct tp_diag *d)
{
    (void)d;
    struct keep_sink *k = (struct keep_sink *)s;
    k->received++;
    for (size_t i = 1; i < t->len; i++)
        if (t->keys[i - 1].frame >= t->keys[i].frame)
            k->sorted = false;
    if (k->n == KEEP_SINK_MAX)
        return TP_OK;
    tp_tracker_init(&k->t[k->n]);
    return tp_tracker_copy(&k->t[k->n++], t);
}

static inline int keep_sink_end(struct tp_sink *s, struct tp_diag *d)
{
    (void)d;
    ((struct keep_sink *)s)->ended++;
    return TP_OK;
}

static inline void keep_sink_init(struct keep_sink *k)
{
    memset(k, 0, sizeof *k);
    k->base.begin = keep_sink_begin;
    k->base.tracker = keep_sink_tracker;
    k->base.end = keep_sink_end;
    k->sorted = true;
}

static inline void keep_sink_cleanup(struct keep_sink *k)
{
    for (size_t i = 0; i < k->n; i++)
        tp_tracker_cleanup(&k->t[i]);
    keep_sink_init(k);
}

/* keep_sink_import reads len bytes of text with imp at the given comp size into k (which it
 * initialises); diag is cleared first. Returns the importer's result. */
static inline int keep_sink_import(const struct tp_importer *imp, const char *text, size_t len,
                                   int width, int height, struct keep_sink *k,
                                   struct tp_diag *diag)
{
    struct tp_input *in;
    keep_sink_init(k);
    memset(diag, 0, sizeof *diag);
    if (tp_input_open_memory(text, len, &in) != TP_OK)
        return TP_ERR_NOMEM;
    int rc = tp_import(imp, in, width, height, &k->base, NULL, NULL, diag);
    tp_input_free(in);
    return rc;
}

/* keep_sink_mismatches counts the keyframes of got that differ from want's (frame, or x or y
 * by more than tol), plus one if their lengths differ. */
static inline size_t keep_sink_mismatches(const struct tp_tracker *want,
                                          const struct tp_tracker *got, double tol)
{
    size_t bad = want->len != got->len;
    for (size_t j = 0; j < want->len && j < got->len; j++) {
        const struct tp_keyframe *a = &want->keys[j], *b = &got->keys[j];
        bad += a->frame != b->frame || a->x - b->x > tol || b->x - a->x > tol ||
               a->y - b->y > tol || b->y - a->y > tol;
    }
    return bad;
}

#endif
