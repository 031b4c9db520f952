/* tracker.c — the tracker model: a name and frame-sorted, frame-unique keyframes. */
#include "numscan.h"
#include "trackport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tp_tracker_init(struct tp_tracker *t)
{
    memset(t, 0, sizeof *t);
}

void tp_tracker_cleanup(struct tp_tracker *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->keys);
    memset(t, 0, sizeof *t);
}

void tp_tracker_reset(struct tp_tracker *t)
{
    free(t->name);
    t->name = NULL;
    t->len = 0;
}

int tp_tracker_set_name(struct tp_tracker *t, const char *name, size_t len)
{
    if (len > TP_MAX_NAME)
        return TP_ERR_LIMIT;
    char *copy = malloc(len + 1);
    if (!copy)
        return TP_ERR_NOMEM;
    /* A run of whitespace becomes one '_' ("Track  two" -> "Track_two"), as the reference
     * renames every tracker it makes (its \s: the six ASCII spaces tp__ns_space knows). */
    copy[tp__ns_collapse_space(copy, name, len)] = '\0';
    free(t->name);
    t->name = copy;
    return TP_OK;
}

int tp_tracker_set_namef(struct tp_tracker *t, const char *fmt, ...)
{
    char buf[TP_MAX_NAME + 1];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return TP_ERR_BAD_ARGUMENT;
    if ((size_t)n >= sizeof buf)
        return TP_ERR_LIMIT;
    return tp_tracker_set_name(t, buf, (size_t)n);
}

static int reserve(struct tp_tracker *t, size_t need)
{
    if (need <= t->cap)
        return TP_OK;
    if (need > TP_MAX_KEYFRAMES)
        return TP_ERR_LIMIT;
    size_t cap = t->cap ? t->cap * 2 : 64;
    while (cap < need)
        cap *= 2;
    struct tp_keyframe *keys = realloc(t->keys, cap * sizeof *keys);
    if (!keys)
        return TP_ERR_NOMEM;
    t->keys = keys;
    t->cap = cap;
    return TP_OK;
}

/* Index of the first keyframe whose frame is >= frame. */
static size_t lower_bound(const struct tp_tracker *t, int frame)
{
    size_t lo = 0, hi = t->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->keys[mid].frame < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int tp_tracker_add(struct tp_tracker *t, int frame, double x, double y, double residual)
{
    struct tp_keyframe k = {frame, x, y, residual};
    if (t->len == 0 || t->keys[t->len - 1].frame < frame) {
        int rc = reserve(t, t->len + 1);
        if (rc)
            return rc;
        t->keys[t->len++] = k;
        return TP_OK;
    }
    size_t at = lower_bound(t, frame);
    if (at < t->len && t->keys[at].frame == frame) {
        t->keys[at] = k;
        return TP_OK;
    }
    int rc = reserve(t, t->len + 1);
    if (rc)
        return rc;
    memmove(&t->keys[at + 1], &t->keys[at], (t->len - at) * sizeof k);
    t->keys[at] = k;
    t->len++;
    return TP_OK;
}

struct tp_keyframe *tp_tracker_find(const struct tp_tracker *t, int frame)
{
    size_t at = lower_bound(t, frame);
    return (at < t->len && t->keys[at].frame == frame) ? &t->keys[at] : NULL;
}

int tp_tracker_copy(struct tp_tracker *dst, const struct tp_tracker *src)
{
    int rc =
        tp_tracker_set_name(dst, src->name ? src->name : "", src->name ? strlen(src->name) : 0);
    if (rc)
        return rc;
    dst->len = 0;
    rc = reserve(dst, src->len);
    if (rc)
        return rc;
    if (src->len)
        memcpy(dst->keys, src->keys, src->len * sizeof *src->keys);
    dst->len = src->len;
    return TP_OK;
}

void tp_sink_destroy_chain(struct tp_sink *sink)
{
    while (sink) {
        struct tp_sink *next = sink->next;
        if (sink->destroy)
            sink->destroy(sink);
        sink = next;
    }
}
