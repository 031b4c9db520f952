/*
 * flamestabilizer.c — Flame/Smoke 2D Stabilizer setup.
 *
 * A version 5.0 setup, read by Flame and Smoke up to 2013; trackers are named tracker1,
 * tracker2... in the order they come. The writing is shared with the other Flame exporters
 * (flame_common.c).
 */
#include "flame_common.h"

static const struct tp__flame_flavor flame5_flavor = {
    .version = TP__FLAME_V5,
    .naming = TP__FLAME_NUMBERED,
};

static int flame5_begin(void *state, struct tp_out *out, int width, int height)
{
    return tp__flame_begin(state, out, width, height, &flame5_flavor);
}

const struct tp_exporter tp_export_flamestabilizer = {
    .name = "flamestabilizer",
    .human_name = "Flame/Smoke 2D Stabilizer setup",
    .suffix = "flame.stabilizer",
    .application = "Flame/Smoke",
    .note = "Flame and Smoke before 2014",
    .state_size = sizeof(struct tp__flame_state),
    .begin = flame5_begin,
    .tracker = tp__flame_tracker,
    .end = tp__flame_end,
    .cleanup = tp__flame_cleanup,
};
