/*
 * pfmatchit.c — PFTrack 2011 / PFMatchit 2D tracks: every tracker on camera number 1, frames
 * counted from 1 and plain LF line breaks. The block itself comes from pftrack_writer.c.
 */
#include "pftrack_writer.h"

static const struct tp__pf_style pfm_style = {.camera = "1", .frame_offset = 1, .eol = "\n"};

static int pfm_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    (void)state;
    return tp__pf_write_tracker(out, t, &pfm_style);
}

const struct tp_exporter tp_export_pfmatchit = {
    .name = "pfmatchit",
    .human_name = "PFTrack2011/PFMatchit .txt file (single camera)",
    .suffix = "pftrack_2011_pfmatchit.txt",
    .application = "PFTrack",
    .note = "PFTrack 2011 and later, PFMatchit; single camera",
    .tracker = pfm_tracker,
};
