/*
 * matchmover.c — writes MatchMover (REALVIZ) ASCII point track files, .rz2.
 *
 * A fixed image sequence header (the comp size, a placeholder path, frames 1 to 211),
 * then one pointTrack block per tracker. Frames are 1-based and y runs down from the top.
 * The first keyframe of a track is written as a hand-placed key ("ki", with MatchMover's
 * default search and pattern areas), the others as tracked positions whose "p+" value is
 * the correlation, 1 - residual. Names are quoted with backslash escapes.
 */
#include "trackport.h"

#include <stdio.h>

struct mmx_state {
    int height;
};

static int mmx_begin(void *state, struct tp_out *out, int width, int height)
{
    struct mmx_state *s = state;
    s->height = height;
    tp_out_printf(out,
                  "imageSequence\t\"Sequence 01\"\n{\n\t%d\t%d\tf( \"D:/temp/sequence.%%04d.dpx\" "
                  ")\tb( 1 211 1 )\t\n}\n",
                  width, height);
    return tp_out_error(out);
}

/* Writes name as a double-quoted string literal: quotes, backslashes and control
 * characters escaped, and '#' escaped where it would start an interpolation. */
static void mmx_quoted(struct tp_out *out, const char *name)
{
    tp_out_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        unsigned char c = *p;
        switch (c) {
        case '"':
            tp_out_puts(out, "\\\"");
            break;
        case '\\':
            tp_out_puts(out, "\\\\");
            break;
        case '\n':
            tp_out_puts(out, "\\n");
            break;
        case '\t':
            tp_out_puts(out, "\\t");
            break;
        case '\r':
            tp_out_puts(out, "\\r");
            break;
        case '\f':
            tp_out_puts(out, "\\f");
            break;
        case '\v':
            tp_out_puts(out, "\\v");
            break;
        case '\a':
            tp_out_puts(out, "\\a");
            break;
        case '\b':
            tp_out_puts(out, "\\b");
            break;
        case 0x1b:
            tp_out_puts(out, "\\e");
            break;
        case '#':
            tp_out_puts(out, (p[1] == '{' || p[1] == '$' || p[1] == '@') ? "\\#" : "#");
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char esc[8];
                snprintf(esc, sizeof esc, "\\x%02X", c);
                tp_out_puts(out, esc);
            } else {
                tp_out_putc(out, (char)c);
            }
        }
    }
    tp_out_putc(out, '"');
}

static int mmx_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct mmx_state *s = state;
    tp_out_puts(out, "pointTrack  ");
    mmx_quoted(out, t->name);
    tp_out_puts(out, "  rgb( 255 0 0 )\t\n{\n");
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        tp_out_putc(out, '\t');
        tp_out_int(out, (long long)k->frame + 1);
        tp_out_puts(out, "\t   ");
        tp_out_fixed(out, k->x, 3);
        tp_out_puts(out, "     ");
        tp_out_fixed(out, s->height - k->y, 3);
        if (i == 0) {
            tp_out_puts(out, "    ki( 0.8 )\t    s( 66 66 64 64 )  p( 24 24 25 25 )\n");
        } else {
            tp_out_puts(out, "     p+( ");
            tp_out_fixed(out, 1.0 - k->residual, 6);
            tp_out_puts(out, " )\t\n");
        }
    }
    tp_out_puts(out, "}\n");
    return tp_out_error(out);
}

const struct tp_exporter tp_export_matchmover = {
    .name = "matchmover",
    .human_name = "MatchMover REALVIZ Ascii Point Tracks .rz2 file",
    .suffix = "matchmover.rz2",
    .application = "MatchMover",
    .note = "MatchMover (REALVIZ, Autodesk) 2D tracks",
    .state_size = sizeof(struct mmx_state),
    .begin = mmx_begin,
    .tracker = mmx_tracker,
};
