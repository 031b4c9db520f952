/*
 * xsi.c — a Softimage (XSI) Python script that makes a grid standing for the comp and one
 * animated null per tracker, then groups them all in a model.
 *
 * As for 3ds Max the comp is scaled to 10 units across and centred on the origin. Softimage
 * frames start at 1, hence frame + 1. The closing lines select every null by name, so the
 * names are collected in a spill file as trackers pass rather than kept in memory.
 */
#include "script_quote.h"

#define XSI_GRID_WIDTH 10.0

struct xsi_state {
    double factor, half_w, half_h;
    struct tp_spill *selection; /* one AddToSelection line per tracker */
};

static int xsi_begin(void *state, struct tp_out *out, int width, int height)
{
    struct xsi_state *st = state;
    int rc = tp_spill_new(&st->selection);
    if (rc)
        return rc;
    st->factor = (1.0 / width) * XSI_GRID_WIDTH;
    double w = width * st->factor, h = height * st->factor;
    st->half_w = w / 2;
    st->half_h = h / 2;
    tp_out_puts(out, "Application.CreatePrim(\"Grid\", \"MeshSurface\", \"\", \"\")\n"
                     "Application.SetValue(\"grid.Name\", \"ImagePlane\", \"\")\n"
                     "Application.SetValue(\"ImagePlane.grid.ulength\", ");
    tp_out_fixed(out, w, 5);
    tp_out_puts(out, ", \"\")\nApplication.SetValue(\"ImagePlane.grid.vlength\", ");
    tp_out_fixed(out, h, 5);
    tp_out_puts(out, ", \"\")\nApplication.Rotate(\"\", 90, 0, 0, \"siRelative\", \"siLocal\", "
                     "\"siObj\", \"siXYZ\", \"\", \"\", \"\", \"\", \"\", \"\", \"\", 0, \"\")\n");
    return TP_OK;
}

static int xsi_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct xsi_state *st = state;
    tp_out_puts(out, "# Data for tracker ");
    tp__script_comment(out, t->name);
    tp_out_puts(out, "\nApplication.GetPrim(\"Null\", \"\", \"\", \"\")\n"
                     "Application.SetValue(\"null.Name\", ");
    tp__script_quote(out, t->name, TP__SCRIPT_PYTHON);
    tp_out_puts(out, ", \"\")\nApplication.SelectObj(");
    tp__script_quote(out, t->name, TP__SCRIPT_PYTHON);
    tp_out_puts(out, ", \"\", True)\n");
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        tp_out_puts(out, "Application.Translate(\"\", ");
        tp_out_fixed(out, k->x * st->factor - st->half_w, 5);
        tp_out_puts(out, ", ");
        tp_out_fixed(out, k->y * st->factor - st->half_h, 5);
        tp_out_puts(out, ", 0, \"siAbsolute\", \"siView\", \"siObj\", \"siXYZ\", \"\", \"\", "
                         "\"\", \"\", \"\", \"\", \"\", \"\", \"\", 0, \"\")\n"
                         "Application.SaveKeyOnKeyable(");
        tp__script_quote(out, t->name, TP__SCRIPT_PYTHON);
        tp_out_puts(out, ", ");
        tp_out_int(out, (long long)k->frame + 1);
        tp_out_puts(out, ", \"\", \"\", \"\", False, \"\")\n");
    }
    struct tp_out *sel = tp_spill_out(st->selection);
    tp_out_puts(sel, "Application.AddToSelection(");
    tp__script_quote(sel, t->name, TP__SCRIPT_PYTHON);
    tp_out_puts(sel, ", \"\", \"\")\n");
    return tp_out_error(sel);
}

static int xsi_end(void *state, struct tp_out *out)
{
    struct xsi_state *st = state;
    tp_out_puts(out, "Application.DeselectAll()\n"
                     "Application.AddToSelection(\"ImagePlane\", \"\", \"\")\n");
    int rc = tp_spill_copy_to(st->selection, out);
    if (rc)
        return rc;
    tp_out_puts(out, "Application.CreateModel(\"\", \"\", \"\", \"\")\n"
                     "Application.SetValue(\"Model.Name\", \"Tracksperanto\", \"\")\n");
    return TP_OK;
}

static void xsi_cleanup(void *state)
{
    struct xsi_state *st = state;
    tp_spill_free(st->selection);
    st->selection = NULL;
}

const struct tp_exporter tp_export_xsi = {
    .name = "xsi",
    .human_name = "Autodesk Softimage nulls Python script",
    .suffix = "xsi_nulls.py",
    .application = "Softimage",
    .note = "Python script making nulls on an image plane",
    .state_size = sizeof(struct xsi_state),
    .begin = xsi_begin,
    .tracker = xsi_tracker,
    .end = xsi_end,
    .cleanup = xsi_cleanup,
};
