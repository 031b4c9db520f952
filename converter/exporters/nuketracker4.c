/*
 * nuketracker4.c — a Nuke 7+ script with one Tracker4 node holding every tracker as a row of
 * its "tracks" table, behind a Root and a Constant of the comp size (the Tracker's input).
 *
 * The table is what Nuke 7 writes: a preamble "{ 1 31 N }" (31 columns, N rows), the 31
 * column definitions, then one row a track: enable, name, track_x, track_y, offset_x/y, the
 * T/R/S switches, the error curve, error_min/max, the pattern and search boxes, and eleven
 * keyframe-box columns left empty. Nuke 8 and later add a visibility flag to each column
 * definition and read Nuke 7's table as it is; Nuke 7 would not read theirs, so this layout
 * serves every Tracker4 version. Each row's enable curve keys 1 where the tracker has
 * keyframes and 0 over its gaps and after its last one, so Nuke neither draws nor averages a
 * track where it was not tracked; the error curve carries the residual. Track names are TCL
 * strings, quoted.
 *
 * The preamble needs the row count and the Root the last frame, so the rows go to a spill
 * file and everything is written at the end. Frames are 1-based in Nuke.
 */
#include "nuke_curve.h"
#include "script_quote.h"

struct nk4_state {
    struct tp_spill *spill;
    int width, height;
    long long rows;
    int max_frame;
};

/* Nuke 7's column definitions: { type flags width name label }. */
static const char nk4_columns[] =
    "{ { 5 1 20 enable e }\n{ 3 1 75 name name }\n{ 2 1 58 track_x track_x }\n"
    "{ 2 1 58 track_y track_y }\n{ 2 1 63 offset_x offset_x }\n{ 2 1 63 offset_y offset_y }\n"
    "{ 4 1 27 T T }\n{ 4 1 27 R R }\n{ 4 1 27 S S }\n{ 2 0 45 error error }\n"
    "{ 1 1 0 error_min error_min }\n{ 1 1 0 error_max error_max }\n"
    "{ 1 1 0 pattern_x pattern_x }\n{ 1 1 0 pattern_y pattern_y }\n"
    "{ 1 1 0 pattern_r pattern_r }\n{ 1 1 0 pattern_t pattern_t }\n"
    "{ 1 1 0 search_x search_x }\n{ 1 1 0 search_y search_y }\n"
    "{ 1 1 0 search_r search_r }\n{ 1 1 0 search_t search_t }\n"
    "{ 2 1 0 key_track key_track }\n{ 2 1 0 key_search_x key_search_x }\n"
    "{ 2 1 0 key_search_y key_search_y }\n{ 2 1 0 key_search_r key_search_r }\n"
    "{ 2 1 0 key_search_t key_search_t }\n{ 2 1 0 key_track_x key_track_x }\n"
    "{ 2 1 0 key_track_y key_track_y }\n{ 2 1 0 key_track_r key_track_r }\n"
    "{ 2 1 0 key_track_t key_track_t }\n"
    "{ 2 1 0 key_centre_offset_x key_centre_offset_x }\n"
    "{ 2 1 0 key_centre_offset_y key_centre_offset_y }\n}\n";

static int nk4_begin(void *state, struct tp_out *out, int width, int height)
{
    struct nk4_state *s = state;
    (void)out;
    s->width = width;
    s->height = height;
    s->rows = 0;
    s->max_frame = 0;
    return tp_spill_new(&s->spill);
}

/* The enable curve: 1 from the first keyframe, 0 over every gap and after the last. */
static void nk4_enable(struct tp_out *o, const struct tp_tracker *t)
{
    tp_out_puts(o, "{curve K x");
    tp_out_int(o, (long long)t->keys[0].frame + 1);
    tp_out_puts(o, " 1");
    for (size_t i = 1; i < t->len; i++) {
        long long prev = (long long)t->keys[i - 1].frame + 1, f = (long long)t->keys[i].frame + 1;
        if (f == prev + 1)
            continue;
        tp_out_puts(o, " x");
        tp_out_int(o, prev + 1);
        tp_out_puts(o, " 0 x");
        tp_out_int(o, f);
        tp_out_puts(o, " 1");
    }
    tp_out_puts(o, " x");
    tp_out_int(o, (long long)t->keys[t->len - 1].frame + 2);
    tp_out_puts(o, " 0}");
}

static int nk4_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct nk4_state *s = state;
    (void)out;
    if (t->len == 0)
        return TP_OK;
    struct tp_out *o = tp_spill_out(s->spill);
    double max_error = 0;
    for (size_t i = 0; i < t->len; i++) {
        if (t->keys[i].frame > s->max_frame)
            s->max_frame = t->keys[i].frame;
        if (t->keys[i].residual > max_error)
            max_error = t->keys[i].residual;
    }
    tp_out_puts(o, " { ");
    nk4_enable(o, t);
    tp_out_putc(o, ' ');
    tp__script_quote(o, t->name, TP__SCRIPT_TCL);
    tp_out_putc(o, ' ');
    tp__nuke_curve(o, "curve", t, TP__NUKE_X, 4);
    tp_out_putc(o, ' ');
    tp__nuke_curve(o, "curve", t, TP__NUKE_Y, 4);
    tp_out_puts(o, " {curve K x");
    tp_out_int(o, (long long)t->keys[0].frame + 1);
    tp_out_puts(o, " 0} {curve K x");
    tp_out_int(o, (long long)t->keys[0].frame + 1);
    tp_out_puts(o, " 0} 1 0 0 ");
    tp__nuke_curve(o, "curve", t, TP__NUKE_RESIDUAL, 6);
    tp_out_puts(o, " 0 ");
    tp_out_fixed(o, max_error, 6);
    tp_out_puts(o, " -32 -32 32 32 -22 -22 22 22 {} {} {} {} {} {} {} {} {} {} {} }\n");
    s->rows++;
    return tp_out_error(o);
}

static int nk4_end(void *state, struct tp_out *out)
{
    struct nk4_state *s = state;
    int w = s->width, h = s->height;
    tp_out_printf(
        out,
        "#! Nuke 7 script: one Tracker4 node holding every track\n"
        "version 7.0 v1\nRoot {\n inputs 0\n frame 1\n last_frame %lld\n"
        " format \"%d %d 0 0 %d %d 1 CompSize_%dx%d\"\n}\n"
        "Constant {\n inputs 0\n channels rgb\n format \"%d %d 0 0 %d %d 1 CompSize_%dx%d\"\n"
        " name CompSize_%dx%d\n postage_stamp false\n xpos 0\n ypos -60\n}\n"
        "Tracker4 {\n tracks { { 1 31 %lld }\n",
        (long long)s->max_frame + 1, w, h, w, h, w, h, w, h, w, h, w, h, w, h, s->rows);
    tp_out_puts(out, nk4_columns);
    tp_out_puts(out, "{\n");
    int rc = tp_spill_copy_to(s->spill, out);
    if (rc)
        return rc;
    tp_out_puts(out, "}\n}\n name Tracker1\n selected true\n xpos 0\n ypos 0\n}\n");
    return tp_out_error(out);
}

static void nk4_cleanup(void *state)
{
    struct nk4_state *s = state;
    tp_spill_free(s->spill);
    s->spill = NULL;
}

const struct tp_exporter tp_export_nuketracker4 = {
    .name = "nuketracker4",
    .human_name = "Nuke .nk script with one Tracker4 node holding every track",
    .suffix = "nuke_tracker4.nk",
    .application = "Nuke",
    .note = "Nuke 7 and later: every tracker a row of one Tracker4 node's tracks table",
    .state_size = sizeof(struct nk4_state),
    .begin = nk4_begin,
    .tracker = nk4_tracker,
    .end = nk4_end,
    .cleanup = nk4_cleanup,
};
