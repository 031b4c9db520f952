/*
 * flamestabilizer2014cornerpin.c — Flame/Smoke 2D Stabilizer setup (v. 2014 and above) for
 * corner pins.
 *
 * A version 6.0 setup for 2014 corner pins, which name the corners by grid index (tracker0_0
 * bottom left, tracker0_1 top left, tracker1_0 bottom right, tracker1_1 top right) and list
 * them column by column. Only the first four trackers are written; when there are four, they
 * are reordered by where they start. The writing is shared with the other Flame exporters
 * (flame_common.c).
 */
#include "flame_common.h"

static const struct tp__flame_flavor flamepin2014_flavor = {
    .version = TP__FLAME_2014,
    .naming = TP__FLAME_CORNERS_2014,
};

static int flamepin2014_begin(void *state, struct tp_out *out, int width, int height)
{
    return tp__flame_begin(state, out, width, height, &flamepin2014_flavor);
}

const struct tp_exporter tp_export_flamestabilizer2014cornerpin = {
    .name = "flamestabilizer2014cornerpin",
    .human_name = "Flame/Smoke 2D Stabilizer setup (v. 2014 and above) for corner pins",
    .suffix = "flamesmoke_2014_cornerpin.stabilizer",
    .application = "Flame/Smoke",
    .note = "Flame and Smoke 2014 and later, the first four trackers as a corner pin",
    .state_size = sizeof(struct tp__flame_state),
    .begin = flamepin2014_begin,
    .tracker = tp__flame_tracker,
    .end = tp__flame_end,
    .cleanup = tp__flame_cleanup,
};
