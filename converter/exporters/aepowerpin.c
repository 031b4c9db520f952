/*
 * aepowerpin.c — the first four trackers as the CC Power Pin effect (After Effects' bundled
 * Cycore pin, which Mocha also exports): points 0002 top left, 0003 top right, 0004 bottom
 * left, 0005 bottom right, the corners placed by where the trackers start (corner_order.h).
 */
#include "ae_keyframe_writer.h"

static int aepp_end(void *state, struct tp_out *out)
{
    static const char *const headers[4] = {"Effects\tCC Power Pin #1\tCC Power Pin-0002",
                                           "Effects\tCC Power Pin #1\tCC Power Pin-0003",
                                           "Effects\tCC Power Pin #1\tCC Power Pin-0004",
                                           "Effects\tCC Power Pin #1\tCC Power Pin-0005"};
    return tp__ae_pin_end(state, out, headers);
}

const struct tp_exporter tp_export_aepowerpin = {
    .name = "aepowerpin",
    .human_name = "After Effects keyframe data: CC Power Pin from the first four trackers",
    .suffix = "ae_ccpowerpin.txt",
    .application = "After Effects",
    .note = "Paste onto the layer to pin; corners taken from where the first four trackers start",
    .state_size = sizeof(struct tp__ae_pin_state),
    .begin = tp__ae_pin_begin,
    .tracker = tp__ae_pin_tracker,
    .end = aepp_end,
    .cleanup = tp__ae_pin_cleanup,
};
