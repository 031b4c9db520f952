/*
 * move_to_first.c — slips every tracker by the same amount so that the earliest keyframe of
 * the whole file lands on frame 0 (--autoslip), for footage numbered from some large frame.
 *
 * The amount is known only once the last tracker has arrived, and nothing may leave before
 * it is known. Rather than hold every tracker in memory, each one is written as a compact
 * binary record to a spill file as it arrives (only the smallest first frame is kept), and
 * the records are read back, slipped and passed on at the end of the stream. Memory stays at
 * one tracker plus a read buffer whatever the input's size. begin goes through at once, since
 * the comp size does not depend on the slip.
 *
 * Record: u32 name length, u32 keyframe count, the name bytes, then per keyframe an i32
 * frame and three doubles (x, y, residual), all in host byte order (the file never leaves the
 * process).
 */
#include "tools.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MTF_KEY_BYTES (sizeof(int32_t) + 3 * sizeof(double))
#define MTF_BUFFER (64u * 1024u)

struct mtf_sink {
    struct tp_sink base;
    struct tp_spill *spill;
    size_t trackers;
    long long first; /* smallest first frame seen */
    /* reading back */
    struct tp_tracker replay;
    unsigned char *buf;
    size_t buf_len, buf_pos;
    uint64_t read_off;
};

static int mtf_io_error(int rc, struct tp_diag *diag)
{
    return tp_diag_set(diag, rc, 0, "--autoslip could not use its temporary file: %s",
                       tp_strerror(rc));
}

static int mtf_begin(struct tp_sink *self, int width, int height, struct tp_diag *diag)
{
    struct mtf_sink *s = (struct mtf_sink *)self;
    int rc = tp_spill_new(&s->spill);
    if (rc)
        return mtf_io_error(rc, diag);
    return self->next->begin(self->next, width, height, diag);
}

static int mtf_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    struct mtf_sink *s = (struct mtf_sink *)self;
    if (t->len == 0)
        return TP_OK;
    if (!s->spill)
        return mtf_io_error(TP_ERR_IO, diag);
    struct tp_out *out = tp_spill_out(s->spill);
    uint32_t head[2] = {(uint32_t)(t->name ? strlen(t->name) : 0), (uint32_t)t->len};
    tp_out_write(out, head, sizeof head);
    if (head[0])
        tp_out_write(out, t->name, head[0]);
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        unsigned char rec[MTF_KEY_BYTES];
        int32_t frame = k->frame;
        memcpy(rec, &frame, sizeof frame);
        memcpy(rec + sizeof frame, &k->x, sizeof k->x);
        memcpy(rec + sizeof frame + sizeof(double), &k->y, sizeof k->y);
        memcpy(rec + sizeof frame + 2 * sizeof(double), &k->residual, sizeof k->residual);
        tp_out_write(out, rec, sizeof rec);
    }
    int rc = tp_out_error(out);
    if (rc)
        return mtf_io_error(rc, diag);
    if (s->trackers == 0 || t->keys[0].frame < s->first)
        s->first = t->keys[0].frame;
    s->trackers++;
    return TP_OK;
}

/* Copies the next n bytes of the spill into dst, refilling the read buffer as needed. */
static int mtf_read(struct mtf_sink *s, void *dst, size_t n)
{
    unsigned char *d = dst;
    while (n) {
        if (s->buf_pos == s->buf_len) {
            size_t got;
            int rc = tp_spill_read(s->spill, s->read_off, s->buf, MTF_BUFFER, &got);
            if (rc)
                return rc;
            if (got == 0)
                return TP_ERR_IO; /* the file is shorter than what was written */
            s->read_off += got;
            s->buf_len = got;
            s->buf_pos = 0;
        }
        size_t take = s->buf_len - s->buf_pos < n ? s->buf_len - s->buf_pos : n;
        memcpy(d, s->buf + s->buf_pos, take);
        s->buf_pos += take;
        d += take;
        n -= take;
    }
    return TP_OK;
}

static int mtf_replay_one(struct mtf_sink *s, struct tp_diag *diag)
{
    struct tp_tracker *t = &s->replay;
    uint32_t head[2];
    char name[TP_MAX_NAME + 1];
    int rc = mtf_read(s, head, sizeof head);
    if (!rc && (head[0] > TP_MAX_NAME || head[1] == 0 || head[1] > TP_MAX_KEYFRAMES))
        rc = TP_ERR_IO;
    if (!rc)
        rc = mtf_read(s, name, head[0]);
    if (!rc)
        rc = tp_tracker_set_name(t, name, head[0]);
    if (rc)
        return mtf_io_error(rc, diag);
    t->len = 0;
    for (uint32_t i = 0; i < head[1]; i++) {
        unsigned char rec[MTF_KEY_BYTES];
        rc = mtf_read(s, rec, sizeof rec);
        if (rc)
            return mtf_io_error(rc, diag);
        int32_t frame;
        double x, y, residual;
        memcpy(&frame, rec, sizeof frame);
        memcpy(&x, rec + sizeof frame, sizeof x);
        memcpy(&y, rec + sizeof frame + sizeof(double), sizeof y);
        memcpy(&residual, rec + sizeof frame + 2 * sizeof(double), sizeof residual);
        long long slipped = (long long)frame - s->first;
        if (slipped > INT_MAX)
            return tp_diag_set(diag, TP_ERR_LIMIT, 0,
                               "--autoslip cannot move tracker \"%.200s\": its frames span more "
                               "than the range of frame numbers",
                               t->name);
        rc = tp_tracker_add(t, (int)slipped, x, y, residual);
        if (rc)
            return tp_diag_set(diag, rc, 0, "--autoslip failed on tracker \"%.200s\": %s",
                               t->name, tp_strerror(rc));
    }
    return tp__sink_forward(&s->base, t, diag);
}

static int mtf_end(struct tp_sink *self, struct tp_diag *diag)
{
    struct mtf_sink *s = (struct mtf_sink *)self;
    if (s->trackers) {
        s->buf = malloc(MTF_BUFFER);
        if (!s->buf)
            return tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory");
        for (size_t i = 0; i < s->trackers; i++) {
            int rc = mtf_replay_one(s, diag);
            if (rc)
                return rc;
        }
    }
    return self->next->end(self->next, diag);
}

static void mtf_destroy(struct tp_sink *self)
{
    struct mtf_sink *s = (struct mtf_sink *)self;
    tp_spill_free(s->spill);
    tp_tracker_cleanup(&s->replay);
    free(s->buf);
    free(s);
}

static int mtf_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    (void)params;
    struct mtf_sink *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    tp__sink_init(&s->base, next, mtf_begin, mtf_tracker, mtf_end, mtf_destroy);
    tp_tracker_init(&s->replay);
    *out = &s->base;
    return TP_OK;
}

const struct tp__tool tp__tool_move_to_first = {
    .name = "move_to_first",
    .sink_new = mtf_sink_new,
};
