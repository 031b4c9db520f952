/*
 * aecornerpin.c — the first four trackers as After Effects' Corner Pin effect, in the layout
 * Mocha's "After Effects Corner Pin Data" uses: Upper Left #2, Upper Right #3, Lower Left #4,
 * Lower Right #5, the corners placed by where the trackers start (corner_order.h).
 */
#include "ae_keyframe_writer.h"

static int aecp_end(void *state, struct tp_out *out)
{
    static const char *const headers[4] = {
        "Effects\tCorner Pin #1\tUpper Left #2", "Effects\tCorner Pin #1\tUpper Right #3",
        "Effects\tCorner Pin #1\tLower Left #4", "Effects\tCorner Pin #1\tLower Right #5"};
    return tp__ae_pin_end(state, out, headers);
}

const struct tp_exporter tp_export_aecornerpin = {
    .name = "aecornerpin",
    .human_name = "After Effects keyframe data: Corner Pin from the first four trackers",
    .suffix = "ae_cornerpin.txt",
    .application = "After Effects",
    .note = "Paste onto the layer to pin; corners taken from where the first four trackers start",
    .state_size = sizeof(struct tp__ae_pin_state),
    .begin = tp__ae_pin_begin,
    .tracker = tp__ae_pin_tracker,
    .end = aecp_end,
    .cleanup = tp__ae_pin_cleanup,
};
