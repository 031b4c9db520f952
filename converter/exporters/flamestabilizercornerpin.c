/*
 * flamestabilizercornerpin.c — Flame/Smoke 2D Stabilizer setup for bilinear corner pins.
 *
 * A version 5.0 setup whose trackers carry the names Action's bilinear surfaces look for
 * (top_left, top_right, bottom_left, bottom_right). Only the first four trackers are written;
 * when there are four, they are reordered by where they start, in Z order. The writing is
 * shared with the other Flame exporters (flame_common.c).
 */
#include "flame_common.h"

static const struct tp__flame_flavor flamepin5_flavor = {
    .version = TP__FLAME_V5,
    .naming = TP__FLAME_CORNERS,
};

static int flamepin5_begin(void *state, struct tp_out *out, int width, int height)
{
    return tp__flame_begin(state, out, width, height, &flamepin5_flavor);
}

const struct tp_exporter tp_export_flamestabilizercornerpin = {
    .name = "flamestabilizercornerpin",
    .human_name = "Flame/Smoke 2D Stabilizer setup for bilinear corner pins",
    .suffix = "flame_cornerpin.stabilizer",
    .application = "Flame/Smoke",
    .note = "Flame and Smoke before 2014, the first four trackers as a bilinear corner pin",
    .state_size = sizeof(struct tp__flame_state),
    .begin = flamepin5_begin,
    .tracker = tp__flame_tracker,
    .end = tp__flame_end,
    .cleanup = tp__flame_cleanup,
};
