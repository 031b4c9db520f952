/*
 * mayalocators.c — a Maya ASCII scene (.ma) of MEL commands: a plane standing for the comp,
 * one keyed locator per tracker on it, and a group holding them all.
 *
 * The comp is scaled to 10 units across with its lower left corner at the origin (the plane
 * is moved by half its size to sit there), and Maya's frames start at 1, hence frame + 1.
 * Maya object names take only letters, digits and underscores, and the closing select lists
 * them unquoted, so every other byte of a name becomes '_' (Maya would rename it the same
 * way). The names for that select are collected in a spill file, not in memory.
 */
#include "script_quote.h"

#define MAYA_PLANE_WIDTH 10.0

struct maya_state {
    double factor;
    struct tp_spill *members; /* " name" per tracker, for the closing select */
};

static int maya_begin(void *state, struct tp_out *out, int width, int height)
{
    struct maya_state *st = state;
    int rc = tp_spill_new(&st->members);
    if (rc)
        return rc;
    st->factor = (1.0 / width) * MAYA_PLANE_WIDTH;
    double h = height * st->factor;
    tp_out_puts(out, "//Maya ASCII 2011 scene\n"
                     "//Name: TracksperantoLocators.ma\n"
                     "//Codeset: UTF-8\n"
                     "requires maya \"1.0\";\n"
                     "polyPlane -name \"TracksperantoImagePlane\" -width ");
    tp_out_fixed(out, MAYA_PLANE_WIDTH, 5);
    tp_out_puts(out, " -height ");
    tp_out_fixed(out, h, 5);
    tp_out_puts(out, ";\nrotate -r -os 90;\nmove -r ");
    tp_out_fixed(out, MAYA_PLANE_WIDTH / 2.0, 5);
    tp_out_putc(out, ' ');
    tp_out_fixed(out, h / 2.0, 5);
    tp_out_puts(out, " 0;\n");
    return TP_OK;
}

/* Writes one setKeyframe line: -time frame+1, -value v, on "name.attr". */
static void maya_key(struct tp_out *out, int frame, double v, const char *name, const char *attr)
{
    tp_out_puts(out, "setKeyframe -time ");
    tp_out_int(out, (long long)frame + 1);
    tp_out_puts(out, " -value ");
    tp_out_fixed(out, v, 5);
    tp_out_puts(out, " \"");
    tp__script_identifier(out, name);
    tp_out_putc(out, '.');
    tp_out_puts(out, attr);
    tp_out_puts(out, "\";\n");
}

static int maya_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct maya_state *st = state;
    tp_out_puts(out, "spaceLocator -name \"");
    tp__script_identifier(out, t->name);
    tp_out_puts(out, "\" -p 0 0 0;\n");
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        maya_key(out, k->frame, k->x * st->factor, t->name, "tx");
        maya_key(out, k->frame, k->y * st->factor, t->name, "ty");
    }
    struct tp_out *members = tp_spill_out(st->members);
    tp_out_putc(members, ' ');
    tp__script_identifier(members, t->name);
    return tp_out_error(members);
}

static int maya_end(void *state, struct tp_out *out)
{
    struct maya_state *st = state;
    tp_out_puts(out, "select -r TracksperantoImagePlane");
    int rc = tp_spill_copy_to(st->members, out);
    if (rc)
        return rc;
    tp_out_puts(out, ";\ngroup -name TracksperantoGroup; xform -os -piv 0 0 0;\n");
    return TP_OK;
}

static void maya_cleanup(void *state)
{
    struct maya_state *st = state;
    tp_spill_free(st->members);
    st->members = NULL;
}

const struct tp_exporter tp_export_mayalocators = {
    .name = "mayalocators",
    .human_name = "Maya ASCII scene with locators on an image plane",
    .suffix = "mayaLocators.ma",
    .application = "Maya",
    .note = "Maya ASCII scene: one locator per tracker on an image plane",
    .state_size = sizeof(struct maya_state),
    .begin = maya_begin,
    .tracker = maya_tracker,
    .end = maya_end,
    .cleanup = maya_cleanup,
};
