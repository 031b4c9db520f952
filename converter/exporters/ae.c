/*
 * ae.c — an After Effects script (.jsx) that makes one null layer per tracker in the comp the
 * user has focused, with its position keyed at every keyframe.
 *
 * After Effects measures y from the top of the comp and keys by time in seconds, so y is
 * flipped against the comp height and frames go through a helper that divides by the comp's
 * frame rate when the script runs. The script refuses to run without a focused comp, where
 * it would have nowhere to put the layers.
 */
#include "script_quote.h"

#include <stdio.h>

struct ae_state {
    int height;
    long long count; /* layers made so far: the next layer's number */
};

static int ae_begin(void *state, struct tp_out *out, int width, int height)
{
    struct ae_state *st = state;
    (void)width;
    st->height = height;
    tp_out_puts(out,
                "// Run this script from the Script Editor\n"
                "function convertFrameToSeconds(layerWithFootage, frameValue)\n"
                "{\n"
                "    var comp = layerWithFootage.containingComp;\n"
                "    var rate = 1.0 / comp.frameDuration;\n"
                "    // Frames in AE are 0-based by default\n"
                "    return (frameValue) / rate;\n"
                "}\n"
                "\n"
                "var activeComp = app.project.activeItem;\n"
                "if(!activeComp) {\n"
                "    // Totally fail\n"
                "    alert(\"You need to be focused on a comp for the tracker creation to work\");\n"
                "} else {\n"
                "\n");
    return TP_OK;
}

static int ae_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct ae_state *st = state;
    char layer[32];
    size_t n = (size_t)snprintf(layer, sizeof layer, "layer%lld", st->count++);
    tp_out_puts(out, "\nvar ");
    tp_out_write(out, layer, n);
    tp_out_puts(out, " = activeComp.layers.addNull();\n");
    tp_out_write(out, layer, n);
    tp_out_puts(out, ".name = ");
    tp__script_quote(out, t->name, TP__SCRIPT_JS);
    tp_out_puts(out, ";\n\nvar pos = ");
    tp_out_write(out, layer, n);
    tp_out_puts(out, ".property(\"Transform\").property(\"Position\");\n");
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        tp_out_puts(out, "pos.setValueAtTime(convertFrameToSeconds(");
        tp_out_write(out, layer, n);
        tp_out_puts(out, ", ");
        tp_out_int(out, k->frame);
        tp_out_puts(out, "), [");
        tp_out_fixed(out, k->x, 5);
        tp_out_putc(out, ',');
        tp_out_fixed(out, st->height - k->y, 5);
        tp_out_puts(out, "]);\n");
    }
    return TP_OK;
}

static int ae_end(void *state, struct tp_out *out)
{
    (void)state;
    tp_out_puts(out, "}\n");
    return TP_OK;
}

const struct tp_exporter tp_export_ae = {
    .name = "ae",
    .human_name = "AfterEffects .jsx script generating null layers",
    .suffix = "createNulls.jsx",
    .application = "After Effects",
    .note = "ExtendScript: File > Scripts > Run Script File makes one null per tracker",
    .state_size = sizeof(struct ae_state),
    .begin = ae_begin,
    .tracker = ae_tracker,
    .end = ae_end,
};
