/*
 * misc_scan.h — small scanning helpers shared by the line-oriented importers of
 * 3DEqualizer, Boujou, Maya Live and MatchMover files: whitespace tokens, numbers in the
 * forms those applications write, and a keyframe collector that sorts once at the end.
 *
 * Everything is static inline so each importer stays one self-contained object. Numbers
 * are parsed strictly (a token must be a whole number); the applications only ever write
 * plain decimals, so anything else is a damaged file and deserves a clear message.
 *
 * The collector exists because some of these formats list a point's keyframes out of
 * order: inserting each one into a sorted tracker costs O(n) per keyframe, which a large
 * reversed file would turn into minutes. Collecting and sorting once stays O(n log n).
 */
#ifndef TP_MISC_SCAN_H
#define TP_MISC_SCAN_H

#include "numscan.h"
#include "trackport.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define misc_is_space tp__ns_space
#define misc_is_digit tp__ns_digit

/* misc_strip trims whitespace from both ends of [*s, *s + *len). */
static inline void misc_strip(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    while (n && misc_is_space(*p)) {
        p++;
        n--;
    }
    while (n && misc_is_space(p[n - 1]))
        n--;
    *s = p;
    *len = n;
}

/* misc_is_blank tells whether a line holds nothing but whitespace. */
static inline bool misc_is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!misc_is_space(s[i]))
            return false;
    return true;
}

/* misc_starts tells whether [s, s + len) begins with the NUL-terminated prefix. */
static inline bool misc_starts(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

/* misc_tokens splits [s, s + len) at whitespace into at most max tokens (pointers into s)
 * and returns how many tokens the line holds in all, which may exceed max. */
static inline size_t misc_tokens(const char *s, size_t len, const char **tok, size_t *tlen,
                                 size_t max)
{
    size_t n = 0, i = 0;
    while (i < len) {
        while (i < len && misc_is_space(s[i]))
            i++;
        if (i == len)
            break;
        size_t start = i;
        while (i < len && !misc_is_space(s[i]))
            i++;
        if (n < max) {
            tok[n] = s + start;
            tlen[n] = i - start;
        }
        n++;
    }
    return n;
}

/* misc_number parses a whole token as a finite decimal number ("12", "-0.5", "1e-3"). */
static inline bool misc_number(const char *s, size_t len, double *out)
{
    if (len == 0 || len >= 80)
        return false;
    /* Decimal notation only: no "inf", "nan" or hex floats, which strtod would take. */
    double v;
    if (!tp__ns_double(s, len, &v) || v > 1.7e308 || v < -1.7e308)
        return false;
    *out = v;
    return true;
}

/* misc_integer parses a whole token of an optional '-' and decimal digits, then adds
 * offset; false when it is not such a token or the sum leaves the int range. */
static inline bool misc_integer(const char *s, size_t len, long long offset, int *out)
{
    size_t i = 0;
    bool neg = false;
    if (len && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == len)
        return false;
    long long v = 0;
    for (; i < len; i++) {
        if (!misc_is_digit(s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
        if (v > (long long)INT_MAX * 4)
            return false;
    }
    v = (neg ? -v : v) + offset;
    if (v < INT_MIN || v > INT_MAX)
        return false;
    *out = (int)v;
    return true;
}

/* misc_leading_int reads the digits that begin [s, s + len) (after optional spaces and a
 * sign), as a size or count field is read: "61" and "61 points" both give 61. False when
 * no digit starts the text or the value exceeds max. */
static inline bool misc_leading_int(const char *s, size_t len, long long max, long long *out)
{
    size_t i = 0;
    while (i < len && misc_is_space(s[i]))
        i++;
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
    }
    if (i == len || !misc_is_digit(s[i]))
        return false;
    long long v = 0;
    for (; i < len && misc_is_digit(s[i]); i++) {
        v = v * 10 + (s[i] - '0');
        if (v > max)
            return false;
    }
    *out = neg ? -v : v;
    return true;
}

/* ------------------------------------------------------------------ keyframe collector */

struct misc_keys {
    struct tp_keyframe *v;
    size_t len, cap;
    bool unsorted; /* a keyframe arrived with a frame not above the one before it */
};

static inline void misc_keys_free(struct misc_keys *k)
{
    free(k->v);
    k->v = NULL;
    k->len = k->cap = 0;
    k->unsorted = false;
}

static inline int misc_keys_push(struct misc_keys *k, int frame, double x, double y,
                                 double residual)
{
    if (k->len == k->cap) {
        if (k->cap >= TP_MAX_KEYFRAMES)
            return TP_ERR_LIMIT;
        size_t cap = k->cap ? k->cap * 2 : 64;
        struct tp_keyframe *v = realloc(k->v, cap * sizeof *v);
        if (!v)
            return TP_ERR_NOMEM;
        k->v = v;
        k->cap = cap;
    }
    if (k->len && k->v[k->len - 1].frame >= frame)
        k->unsorted = true;
    k->v[k->len++] = (struct tp_keyframe){frame, x, y, residual};
    return TP_OK;
}

/* misc_keys_sort orders the keyframes by frame, keeping the order of arrival among equal
 * frames (a stable merge sort), so "the last one wins" can be applied afterwards. */
static inline int misc_keys_sort(struct misc_keys *k)
{
    if (!k->unsorted || k->len < 2)
        return TP_OK;
    struct tp_keyframe *tmp = malloc(k->len * sizeof *tmp);
    if (!tmp)
        return TP_ERR_NOMEM;
    struct tp_keyframe *src = k->v, *dst = tmp;
    for (size_t width = 1; width < k->len; width *= 2) {
        for (size_t lo = 0; lo < k->len; lo += 2 * width) {
            size_t mid = lo + width < k->len ? lo + width : k->len;
            size_t hi = lo + 2 * width < k->len ? lo + 2 * width : k->len;
            size_t a = lo, b = mid, o = lo;
            while (a < mid && b < hi)
                dst[o++] = src[b].frame < src[a].frame ? src[b++] : src[a++];
            while (a < mid)
                dst[o++] = src[a++];
            while (b < hi)
                dst[o++] = src[b++];
        }
        struct tp_keyframe *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != k->v)
        memcpy(k->v, src, k->len * sizeof *src);
    free(tmp);
    k->unsorted = false;
    return TP_OK;
}

/* misc_keys_duplicate returns the first frame listed twice (after sorting), or false. */
static inline bool misc_keys_duplicate(const struct misc_keys *k, int *frame)
{
    for (size_t i = 1; i < k->len; i++) {
        if (k->v[i].frame == k->v[i - 1].frame) {
            *frame = k->v[i].frame;
            return true;
        }
    }
    return false;
}

/* misc_keys_move_to sorts the collected keyframes and adds them to t in frame order (of
 * equal frames the last listed wins), then empties the collector for reuse. */
static inline int misc_keys_move_to(struct misc_keys *k, struct tp_tracker *t)
{
    int rc = misc_keys_sort(k);
    for (size_t i = 0; rc == TP_OK && i < k->len; i++) {
        const struct tp_keyframe *f = &k->v[i];
        rc = tp_tracker_add(t, f->frame, f->x, f->y, f->residual);
    }
    k->len = 0;
    k->unsorted = false;
    return rc;
}

/* misc_emit hands t to the reader with the collected keyframes (the collector is emptied). */
static inline int misc_emit(struct tp_reader *r, struct misc_keys *k, struct tp_tracker *t)
{
    int rc = misc_keys_move_to(k, t);
    return rc ? rc : tp_reader_emit(r, t);
}

/*
 * misc_finish ends an importer's read: while rc is TP_OK and emit_last is set, the tracker in
 * progress is emitted first; an out-of-memory or limit code becomes the reader's failure
 * message; the collector and t are released either way. Returns the read's result.
 */
static inline int misc_finish(struct tp_reader *r, int rc, bool emit_last, struct misc_keys *k,
                              struct tp_tracker *t)
{
    if (rc == TP_OK && emit_last)
        rc = misc_emit(r, k, t);
    if (rc == TP_ERR_NOMEM || rc == TP_ERR_LIMIT)
        rc = tp_reader_failc(r, rc, tp_input_line_number(tp_reader_input(r)), "%s",
                             tp_strerror(rc));
    misc_keys_free(k);
    tp_tracker_cleanup(t);
    return rc;
}

#endif
