/*
 * fusion.c — writes a Blackmagic Fusion / DaVinci Resolve (Fusion page) .setting: one
 * Tracker tool holding every tracker, each tracker's path an XYPath whose X and Y are
 * BezierSplines with a linear key per keyframe. Opening the file with a text editor,
 * copying it and pasting into the node editor (or File > Import > Setting) brings the
 * tracker in; the trackers' paths are ready for Match Move or for linking to any point.
 *
 * A .setting is a Lua table: `{ Tools = ordered() { Name = Type { ... }, ... },
 * ActiveTool = "..." }`. Fusion's points are fractions of the image, (0,0) at the
 * lower-left corner and (1,1) at the upper-right, so x / width and y / height. Frames
 * are written as the model counts them (from 0, as a Fusion comp and the Resolve Fusion
 * page start). Tool names are generated (TrackportPath1, TrackportPath1X...), never made
 * from tracker names, which go into the Tracker's Name1, Name2... inputs as Lua strings.
 * The Tracker's CustomData records the comp size for trackport's own importer.
 *
 * The splines and paths stream out tracker by tracker; the Tracker tool, which lists
 * every tracker in two places (its Trackers table and its Inputs), is assembled in two
 * spill files and written at the end.
 */
#include "script_quote.h"

#define FU_TRACKER_TOOL "TrackportTracker"

struct fu_state {
    double width, height;
    long long trackers;
    struct tp_spill *patterns; /* the entries of the Tracker's Trackers table */
    struct tp_spill *inputs;   /* the Tracker's NameN / PatternCenterN / TrackedCenterN */
};

static int fu_begin(void *state, struct tp_out *out, int width, int height)
{
    struct fu_state *s = state;
    s->width = width;
    s->height = height;
    int rc = tp_spill_new(&s->patterns);
    if (rc == TP_OK)
        rc = tp_spill_new(&s->inputs);
    tp_out_puts(out, "{\n\tTools = ordered() {\n");
    return rc ? rc : tp_out_error(out);
}

/* fu_spline writes one BezierSpline tool of the coordinate picked by y (x or y). */
static void fu_spline(struct tp_out *out, long long index, const struct tp_tracker *t, bool y,
                      double size)
{
    tp_out_puts(out, "\t\tTrackportPath");
    tp_out_int(out, index);
    tp_out_puts(out, y ? "Y = BezierSpline {\n\t\t\tSplineColor = { Red = 0, Green = 255, Blue = "
                         "0 },\n"
                       : "X = BezierSpline {\n\t\t\tSplineColor = { Red = 255, Green = 0, Blue = "
                         "0 },\n");
    tp_out_puts(out, "\t\t\tNameSet = true,\n\t\t\tKeyFrames = {\n");
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        tp_out_puts(out, "\t\t\t\t[");
        tp_out_int(out, k->frame);
        tp_out_puts(out, "] = { ");
        tp_out_fixed(out, (y ? k->y : k->x) / size, 15);
        tp_out_puts(out, ", Flags = { Linear = true } },\n");
    }
    tp_out_puts(out, "\t\t\t}\n\t\t},\n");
}

static int fu_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct fu_state *s = state;
    long long n = ++s->trackers;
    fu_spline(out, n, t, false, s->width);
    fu_spline(out, n, t, true, s->height);
    tp_out_puts(out, "\t\tTrackportPath");
    tp_out_int(out, n);
    tp_out_puts(out, " = XYPath {\n\t\t\tShowKeyPoints = false,\n\t\t\tDrawMode = \"ModifyOnly\",\n"
                     "\t\t\tInputs = {\n\t\t\t\tX = Input { SourceOp = \"TrackportPath");
    tp_out_int(out, n);
    tp_out_puts(out, "X\", Source = \"Value\", },\n\t\t\t\tY = Input { SourceOp = \"TrackportPath");
    tp_out_int(out, n);
    tp_out_puts(out, "Y\", Source = \"Value\", },\n\t\t\t},\n\t\t},\n");

    /* The pattern sits where the tracker starts. */
    double x0 = t->keys[0].x / s->width, y0 = t->keys[0].y / s->height;
    struct tp_out *p = tp_spill_out(s->patterns);
    tp_out_puts(p, "\t\t\t\t{ PatternTime = ");
    tp_out_int(p, t->keys[0].frame);
    tp_out_puts(p, ", PatternX = ");
    tp_out_fixed(p, x0, 15);
    tp_out_puts(p, ", PatternY = ");
    tp_out_fixed(p, y0, 15);
    tp_out_puts(p, " },\n");

    struct tp_out *in = tp_spill_out(s->inputs);
    tp_out_puts(in, "\t\t\t\tName");
    tp_out_int(in, n);
    tp_out_puts(in, " = Input { Value = ");
    tp__script_quote(in, t->name, TP__SCRIPT_LUA);
    tp_out_puts(in, ", },\n\t\t\t\tPatternCenter");
    tp_out_int(in, n);
    tp_out_puts(in, " = Input { Value = { ");
    tp_out_fixed(in, x0, 15);
    tp_out_puts(in, ", ");
    tp_out_fixed(in, y0, 15);
    tp_out_puts(in, " }, },\n\t\t\t\tTrackedCenter");
    tp_out_int(in, n);
    tp_out_puts(in, " = Input { SourceOp = \"TrackportPath");
    tp_out_int(in, n);
    tp_out_puts(in, "\", Source = \"Value\", },\n");
    int rc = tp_out_error(p);
    return rc ? rc : (rc = tp_out_error(in)) ? rc : tp_out_error(out);
}

static int fu_end(void *state, struct tp_out *out)
{
    struct fu_state *s = state;
    tp_out_puts(out, "\t\t" FU_TRACKER_TOOL " = Tracker {\n\t\t\tTrackers = {\n");
    int rc = tp_spill_copy_to(s->patterns, out);
    tp_out_puts(out, "\t\t\t},\n\t\t\tCustomData = { TrackportWidth = ");
    tp_out_int(out, (long long)s->width);
    tp_out_puts(out, ", TrackportHeight = ");
    tp_out_int(out, (long long)s->height);
    tp_out_puts(out, " },\n\t\t\tInputs = {\n");
    if (rc == TP_OK)
        rc = tp_spill_copy_to(s->inputs, out);
    tp_out_puts(out, "\t\t\t},\n\t\t\tViewInfo = OperatorInfo { Pos = { 0, 0 } },\n\t\t},\n"
                     "\t},\n\tActiveTool = \"" FU_TRACKER_TOOL "\"\n}\n");
    return rc ? rc : tp_out_error(out);
}

static void fu_cleanup(void *state)
{
    struct fu_state *s = state;
    tp_spill_free(s->patterns);
    tp_spill_free(s->inputs);
    s->patterns = s->inputs = NULL;
}

const struct tp_exporter tp_export_fusion = {
    .name = "fusion",
    .human_name = "Fusion / DaVinci Resolve .setting with a Tracker tool",
    .suffix = "fusion_tracker.setting",
    .application = "Fusion",
    .note = "Fusion Studio and DaVinci Resolve's Fusion page: paste into the node editor",
    .state_size = sizeof(struct fu_state),
    .begin = fu_begin,
    .tracker = fu_tracker,
    .end = fu_end,
    .cleanup = fu_cleanup,
};
