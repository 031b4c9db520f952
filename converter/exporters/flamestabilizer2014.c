/*
 * flamestabilizer2014.c — Flame/Smoke 2D Stabilizer setup (v. 2014 and above).
 *
 * A version 6.0 setup for Flame and Smoke 2014 and later, which want the curve mode of every
 * key and the first reference frame of every tracker. The writing is shared with the other
 * Flame exporters (flame_common.c).
 */
#include "flame_common.h"

static const struct tp__flame_flavor flame2014_flavor = {
    .version = TP__FLAME_2014,
    .naming = TP__FLAME_NUMBERED,
};

static int flame2014_begin(void *state, struct tp_out *out, int width, int height)
{
    return tp__flame_begin(state, out, width, height, &flame2014_flavor);
}

const struct tp_exporter tp_export_flamestabilizer2014 = {
    .name = "flamestabilizer2014",
    .human_name = "Flame/Smoke 2D Stabilizer setup (v. 2014 and above)",
    .suffix = "flamesmoke2014.stabilizer",
    .application = "Flame/Smoke",
    .note = "Flame and Smoke 2014 and later",
    .state_size = sizeof(struct tp__flame_state),
    .begin = flame2014_begin,
    .tracker = tp__flame_tracker,
    .end = tp__flame_end,
    .cleanup = tp__flame_cleanup,
};
