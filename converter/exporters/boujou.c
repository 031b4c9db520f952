/*
 * boujou.c — writes boujou "2d tracks export: text" feature track files.
 *
 * One "name  frame  x  y" row per keyframe under a fixed preamble whose third line is the
 * creation date. Frames are written as they are (0-based) and y runs down from the top,
 * as height - y + 1. This is one pixel off in the other direction from what the boujou
 * importer subtracts, and the importer also counts views from 1: a file written here and
 * read back comes out one frame earlier and two pixels lower. Both sides are kept that
 * way because boujou users' files and the established readers of this export agree on it.
 */
#include "trackport.h"

#include <time.h>

struct bjx_state {
    int height;
};

static int bjx_begin(void *state, struct tp_out *out, int width, int height)
{
    struct bjx_state *s = state;
    (void)width;
    s->height = height;
    char date[64] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm))
        strftime(date, sizeof date, "%a %b %d %H:%M:%S %Y", &tm);
    tp_out_puts(out, "# boujou 2d tracks export: text\n"
                     "# boujou version: 4.1.0 28444 \n"
                     "# Creation date : ");
    tp_out_puts(out, date);
    tp_out_puts(out, "\n# \n# track_id      view      x      y\n");
    return tp_out_error(out);
}

static int bjx_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct bjx_state *s = state;
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        tp_out_puts(out, t->name);
        tp_out_puts(out, "  ");
        tp_out_int(out, k->frame);
        tp_out_puts(out, "  ");
        tp_out_fixed(out, k->x, 3);
        tp_out_puts(out, "  ");
        tp_out_fixed(out, s->height - k->y + 1.0, 3);
        tp_out_putc(out, '\n');
    }
    return tp_out_error(out);
}

const struct tp_exporter tp_export_boujou = {
    .name = "boujou",
    .human_name = "boujou feature tracks",
    .suffix = "boujou_text.txt",
    .application = "boujou",
    .note = "Import as feature tracks (boujou 4 and later)",
    .state_size = sizeof(struct bjx_state),
    .begin = bjx_begin,
    .tracker = bjx_tracker,
};
