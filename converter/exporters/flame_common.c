/*
 * flame_common.c — writes Flame/Smoke 2D Stabilizer setups for the four Flame exporters
 * (see flame_common.h for how they differ).
 *
 * How a tracker is expressed: Flame does not store positions. Its track box is parked in
 * the centre of the frame; the reference channels (ref/x, ref/y) hold one key, on Flame
 * frame 1, at the tracker's first position; the shift channels hold, for every keyframe,
 * the first position minus the current one (the sign is inverted), starting with an
 * integer 0 so that Flame takes that key as the reference frame of the shift. Flame
 * numbers frames from 1.
 *
 * Why the order of channels matters: Flame only picks up the shift animation of a tracker
 * when its offset channels come after the shift channels, so every tracker ends with them.
 * The header needs the number of trackers, hence the spill file; the list of trackers
 * after ChannelEnd is regenerated from the count (and, for 2014 setups, first frames).
 */
#include "flame_common.h"

#include "corner_order.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const flame_corner_names[2][4] = {
    {"top_left", "top_right", "bottom_left", "bottom_right"},
    {"tracker0_0", "tracker0_1", "tracker1_0", "tracker1_1"},
};

static void flame_num(struct tp_out *o, double v)
{
    tp_out_fixed(o, v, 3);
}

static void flame_channel_open(struct tp_out *o, const char *name, const char *part)
{
    tp_out_puts(o, "Channel ");
    tp_out_puts(o, name);
    tp_out_putc(o, '/');
    tp_out_puts(o, part);
    tp_out_putc(o, '\n');
}

/* A channel without keys: extrapolation, an integer value, the usual colour. */
static void flame_static_channel(struct tp_out *o, const char *name, const char *part,
                                 const char *extrapolation, long long value)
{
    flame_channel_open(o, name, part);
    tp_out_puts(o, "\tExtrapolation ");
    tp_out_puts(o, extrapolation);
    tp_out_puts(o, "\n\tValue ");
    tp_out_int(o, value);
    tp_out_puts(o, "\n\tColour 50 50 50\n\tEnd\n");
}

/* The reference channel: one constant key on Flame frame 1 at the first position. */
static void flame_ref_channel(struct tp_out *o, const char *name, const char *part, double v)
{
    flame_channel_open(o, name, part);
    tp_out_puts(o, "\tExtrapolation constant\n\tValue ");
    flame_num(o, v);
    tp_out_puts(o, "\n\tColour 50 50 50\n\tKeyVersion 1\n\tSize 1\n\tKey 0\n\t\tFrame 1\n"
                   "\t\tValue ");
    flame_num(o, v);
    tp_out_puts(o, "\n\t\tInterpolation constant\n\t\tLeftSlope 2.400\n\t\tRightSlope 2.400\n"
                   "\t\tEnd\n\tEnd\n");
}

/* The offset-tracking deltas, zero and locked. */
static void flame_delta_channel(struct tp_out *o, const char *name, const char *part)
{
    flame_channel_open(o, name, part);
    tp_out_puts(o, "\tExtrapolation constant\n\tValue 0\n\tColour 50 50 50\n\tSize 2\n"
                   "\tKeyVersion 1\n");
    for (int k = 0; k < 2; k++) {
        tp_out_puts(o, k == 0 ? "\tKey 0\n\t\tFrame 0\n" : "\tKey 1\n\t\tFrame 1\n");
        tp_out_puts(o, "\t\tValue 0\n\t\tValueLock yes\n\t\tDeleteLock yes\n"
                       "\t\tInterpolation constant\n\t\tEnd\n");
    }
    tp_out_puts(o, "\tEnd\n");
}

static void flame_shift_channel(struct tp_out *o, const struct tp__flame_flavor *f,
                                const char *name, const char *part, const struct tp_tracker *t,
                                bool y)
{
    const char *key_tail = f->version == TP__FLAME_2014
                               ? "\t\tCurveMode hermite\n\t\tCurveOrder linear\n\t\tEnd\n"
                               : "\t\tInterpolation linear\n\t\tLeftSlope 2.400\n"
                                 "\t\tRightSlope 2.400\n\t\tEnd\n";
    double base = y ? t->keys[0].y : t->keys[0].x;
    flame_channel_open(o, name, part);
    tp_out_puts(o, "\tExtrapolation constant\n\tValue 0\n\tKeyVersion 1\n\tSize ");
    tp_out_int(o, (long long)t->len);
    tp_out_putc(o, '\n');
    for (size_t i = 0; i < t->len; i++) {
        tp_out_puts(o, "\tKey ");
        tp_out_int(o, (long long)i);
        tp_out_puts(o, "\n\t\tFrame ");
        tp_out_int(o, (long long)t->keys[i].frame + 1);
        tp_out_puts(o, "\n\t\tValue ");
        /* The reference key must read as the integer 0 for Flame to anchor the shift. */
        if (i == 0)
            tp_out_putc(o, '0');
        else
            flame_num(o, base - (y ? t->keys[i].y : t->keys[i].x));
        tp_out_putc(o, '\n');
        tp_out_puts(o, key_tail);
    }
    tp_out_puts(o, "\tEnd\n");
}

static void flame_offset_channel(struct tp_out *o, const char *name, const char *part)
{
    flame_channel_open(o, name, part);
    tp_out_puts(o, "\tExtrapolation constant\n\tValue 0\n\tEnd\n");
}

static void flame_write_tracker(struct tp_out *o, const struct tp__flame_state *s,
                                const char *name, const struct tp_tracker *t)
{
    flame_static_channel(o, name, "track/x", "constant", s->width / 2);
    flame_static_channel(o, name, "track/y", "constant", s->height / 2);
    flame_static_channel(o, name, "track/width", "linear", 15);
    flame_static_channel(o, name, "track/height", "linear", 15);
    flame_static_channel(o, name, "ref/width", "linear", 10);
    flame_static_channel(o, name, "ref/height", "linear", 10);
    flame_ref_channel(o, name, "ref/x", t->keys[0].x);
    flame_ref_channel(o, name, "ref/y", t->keys[0].y);
    flame_delta_channel(o, name, "ref/dx");
    flame_delta_channel(o, name, "ref/dy");
    flame_shift_channel(o, s->flavor, name, "shift/x", t, false);
    flame_shift_channel(o, s->flavor, name, "shift/y", t, true);
    flame_offset_channel(o, name, "offset/x");
    flame_offset_channel(o, name, "offset/y");
}

static void flame_write_header(struct tp_out *o, const struct tp__flame_state *s, size_t count)
{
    char date[64] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm))
        strftime(date, sizeof date, "%a %b %d %H:%M:%S %Y", &tm);
    tp_out_puts(o, s->flavor->version == TP__FLAME_2014 ? "StabilizerFileVersion 6.0\n"
                                                        : "StabilizerFileVersion 5.0\n");
    tp_out_puts(o, "CreationDate ");
    tp_out_puts(o, date);
    tp_out_puts(o, "\n\n\nNbTrackers ");
    tp_out_int(o, (long long)count);
    tp_out_puts(o, "\nSelected 0\nFrameWidth ");
    tp_out_int(o, s->width);
    tp_out_puts(o, "\nFrameHeight ");
    tp_out_int(o, s->height);
    tp_out_puts(o, "\nAutoKey yes\nMotionPath yes\nIcons yes\nAutoPan no\nEditMode 0\n"
                   "Format 0\nPadding\n\tRed 0\n\tGreen 100\n\tBlue 0\nOversampling no\n"
                   "Opacity 50\nZoom 3\nField no\nBackward no\nAnim\n");
}

/* One entry of the tracker list after ChannelEnd; first_frame is used by 2014 setups. */
static void flame_write_list_entry(struct tp_out *o, const struct tp__flame_state *s, size_t i,
                                   long long first_frame)
{
    tp_out_puts(o, "Tracker ");
    tp_out_int(o, (long long)i);
    tp_out_puts(o, "\n\tActive yes\n\tColour\n\t\tRed 0\n\t\tGreen 100\n\t\tBlue 0\n"
                   "\tFixedRef yes\n\tFixedX no\n\tFixedY no\n\tTolerance 100\n");
    if (s->flavor->version == TP__FLAME_2014) {
        tp_out_puts(o, "\tOffsetsX 0\n\tOffsetsY 0\n\tFirstRefFrame ");
        tp_out_int(o, first_frame);
        tp_out_putc(o, '\n');
    }
}

int tp__flame_begin(void *state, struct tp_out *out, int width, int height,
                    const struct tp__flame_flavor *flavor)
{
    struct tp__flame_state *s = state;
    (void)out;
    s->flavor = flavor;
    s->width = width;
    s->height = height;
    for (size_t i = 0; i < 4; i++)
        tp_tracker_init(&s->corners[i]);
    if (flavor->naming == TP__FLAME_NUMBERED)
        return tp_spill_new(&s->spill);
    return TP_OK;
}

int tp__flame_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct tp__flame_state *s = state;
    (void)out;
    if (t->len == 0)
        return TP_OK;
    if (s->flavor->naming != TP__FLAME_NUMBERED) {
        /* A corner pin has four corners: later trackers are left out. */
        if (s->corner_count == 4)
            return TP_OK;
        return tp_tracker_copy(&s->corners[s->corner_count++], t);
    }
    if (s->flavor->version == TP__FLAME_2014) {
        if (s->count == s->first_cap) {
            size_t cap = s->first_cap ? s->first_cap * 2 : 64;
            int *p = realloc(s->first_frames, cap * sizeof *p);
            if (!p)
                return TP_ERR_NOMEM;
            s->first_frames = p;
            s->first_cap = cap;
        }
        s->first_frames[s->count] = t->keys[0].frame;
    }
    s->count++;
    char name[32];
    snprintf(name, sizeof name, "tracker%zu", s->count);
    struct tp_out *body = tp_spill_out(s->spill);
    flame_write_tracker(body, s, name, t);
    return tp_out_error(body);
}

static int flame_end_corners(struct tp__flame_state *s, struct tp_out *out)
{
    const struct tp_tracker *order[4];
    size_t n = s->corner_count;
    for (size_t i = 0; i < n; i++)
        order[i] = &s->corners[i];
    bool v2014 = s->flavor->naming == TP__FLAME_CORNERS_2014;
    if (n == 4) {
        const struct tp_tracker *c[4];
        tp__corner_order(order, c);
        if (v2014) {
            order[0] = c[TP__BOTTOM_LEFT]; /* Flame 2014 walks the corners column by column */
            order[1] = c[TP__TOP_LEFT];
            order[2] = c[TP__BOTTOM_RIGHT];
            order[3] = c[TP__TOP_RIGHT];
        } else {
            order[0] = c[TP__TOP_LEFT]; /* older Flame reads them in Z order */
            order[1] = c[TP__TOP_RIGHT];
            order[2] = c[TP__BOTTOM_LEFT];
            order[3] = c[TP__BOTTOM_RIGHT];
        }
    }
    flame_write_header(out, s, n);
    for (size_t i = 0; i < n; i++)
        flame_write_tracker(out, s, flame_corner_names[v2014][i], order[i]);
    tp_out_puts(out, "ChannelEnd\n");
    for (size_t i = 0; i < n; i++)
        flame_write_list_entry(out, s, i, (long long)order[i]->keys[0].frame + 1);
    tp_out_puts(out, "End\n");
    return tp_out_error(out);
}

int tp__flame_end(void *state, struct tp_out *out)
{
    struct tp__flame_state *s = state;
    if (s->flavor->naming != TP__FLAME_NUMBERED)
        return flame_end_corners(s, out);
    flame_write_header(out, s, s->count);
    int rc = tp_spill_copy_to(s->spill, out);
    if (rc)
        return rc;
    tp_out_puts(out, "ChannelEnd\n");
    for (size_t i = 0; i < s->count; i++)
        flame_write_list_entry(out, s, i,
                               s->first_frames ? (long long)s->first_frames[i] + 1 : 0);
    tp_out_puts(out, "End\n");
    return tp_out_error(out);
}

void tp__flame_cleanup(void *state)
{
    struct tp__flame_state *s = state;
    tp_spill_free(s->spill);
    s->spill = NULL;
    free(s->first_frames);
    s->first_frames = NULL;
    for (size_t i = 0; i < 4; i++)
        tp_tracker_cleanup(&s->corners[i]);
}
