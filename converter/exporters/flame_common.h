/*
 * flame_common.h — the writer shared by the four Flame/Smoke 2D Stabilizer exporters.
 *
 * The exporters differ in the setup version (5.0 for Flame up to 2013, 6.0 from 2014, whose
 * keys carry CurveMode/CurveOrder and whose tracker list records each tracker's first
 * reference frame) and in tracker naming: "trackerN" for plain setups, or the corner names
 * a bilinear corner pin looks for, after reordering the first four trackers by where they
 * start. Each exporter file defines its descriptor with tp__flame_begin bound to its
 * flavour through a small begin wrapper; the other callbacks are shared as they are.
 *
 * Memory: plain setups spill the channels to a temporary file (the header needs the
 * tracker count) and keep one int per tracker; corner pin setups keep at most four
 * trackers, the only ones they write. Nothing here is safe to share between exports.
 */
#ifndef TP_FLAME_COMMON_H
#define TP_FLAME_COMMON_H

#include "trackport.h"

enum tp__flame_version {
    TP__FLAME_V5,   /* StabilizerFileVersion 5.0 */
    TP__FLAME_2014, /* StabilizerFileVersion 6.0 */
};

enum tp__flame_naming {
    TP__FLAME_NUMBERED,        /* tracker1, tracker2... */
    TP__FLAME_CORNERS,         /* top_left, top_right, bottom_left, bottom_right */
    TP__FLAME_CORNERS_2014,    /* tracker0_0 (bottom left), 0_1, 1_0, 1_1 (top right) */
};

struct tp__flame_flavor {
    enum tp__flame_version version;
    enum tp__flame_naming naming;
};

/* The exporter state; zeroed by the pipeline, sized by the descriptors' state_size. */
struct tp__flame_state {
    const struct tp__flame_flavor *flavor;
    int width, height;
    struct tp_spill *spill;     /* numbered setups: the channels, written as trackers come */
    size_t count;               /* trackers written (numbered) */
    int *first_frames;          /* numbered 2014 setups: each tracker's first Flame frame */
    size_t first_cap;
    struct tp_tracker corners[4]; /* corner pin setups: the first four trackers */
    size_t corner_count;
};

/* tp__flame_begin starts an export of the given flavour (borrowed, usually static). */
int tp__flame_begin(void *state, struct tp_out *out, int width, int height,
                    const struct tp__flame_flavor *flavor);
int tp__flame_tracker(void *state, struct tp_out *out, const struct tp_tracker *t);
int tp__flame_end(void *state, struct tp_out *out);
void tp__flame_cleanup(void *state);

#endif
