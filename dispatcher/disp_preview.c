/*
 * disp_preview.c — SVG plot of a job's trackers, drawn as they stream (see disp_preview.h).
 *
 * Trackers stream through one at a time, so the point budget is shared out as they come:
 * each tracker may use a share of what is left (never fewer than a handful of points), so
 * the first trackers of a huge file are drawn finely and the last ones coarsely, but every
 * tracker is drawn and the document stays within a few megabytes.
 */
#include "disp_preview.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PREVIEW_MIN_POINTS 16
#define PREVIEW_MAX_TRACKER_POINTS 800
#define PREVIEW_MARKERS_PER_TRACKER 24

struct preview_sink {
    struct tp_sink base;
    struct tp_out *body; /* owned memory out: everything between the head and the tail */
    int width, height;
    size_t index;
    size_t points_left;
    size_t markers_left;
    double radius;                      /* markers' radius, from the frame's size */
    bool any;                           /* a keyframe has been seen */
    double min_x, max_x, min_y, max_y;  /* every keyframe, in SVG coordinates */
};

size_t disp_utf8_char(const unsigned char *p)
{
    unsigned char c = *p;
    if (c < 0x80)
        return 1;
    size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    for (size_t i = 1; n && i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if (n == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
        return 0; /* overlong, surrogate */
    if (n == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
        return 0; /* overlong, beyond U+10FFFF */
    return n;
}

/* Writes s as XML text: escapes markup characters, replaces control characters and bytes
 * that are not valid UTF-8 with '?'. */
static void preview_xml(struct tp_out *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        if (c < 0x80) {
            switch (c) {
            case '&': tp_out_puts(out, "&amp;"); break;
            case '<': tp_out_puts(out, "&lt;"); break;
            case '>': tp_out_puts(out, "&gt;"); break;
            case '"': tp_out_puts(out, "&quot;"); break;
            case '\'': tp_out_puts(out, "&#39;"); break;
            default: tp_out_putc(out, (c < 0x20 || c == 0x7f) ? '?' : (char)c); break;
            }
            p++;
            continue;
        }
        size_t n = disp_utf8_char(p);
        if (n == 0) {
            tp_out_putc(out, '?');
            p++;
            continue;
        }
        tp_out_write(out, p, n);
        p += n;
    }
}

static void preview_num(struct tp_out *out, double v)
{
    tp_out_fixed(out, v, 1);
}

static int preview_begin(struct tp_sink *self, int width, int height, struct tp_diag *diag)
{
    struct preview_sink *s = (struct preview_sink *)self;
    s->width = width;
    s->height = height;
    double big = width > height ? width : height;
    s->radius = big / 400.0 < 1.0 ? 1.0 : big / 400.0;
    return self->next ? self->next->begin(self->next, width, height, diag) : TP_OK;
}

static void preview_point(struct preview_sink *s, const struct tp_keyframe *k)
{
    preview_num(s->body, k->x);
    tp_out_putc(s->body, ',');
    preview_num(s->body, s->height - k->y);
}

/* Grows the bounds of the drawing to hold every keyframe of t (drawn or thinned out). */
static void preview_bounds(struct preview_sink *s, const struct tp_tracker *t)
{
    for (size_t i = 0; i < t->len; i++) {
        double x = t->keys[i].x, y = s->height - t->keys[i].y;
        if (!isfinite(x) || !isfinite(y))
            continue;
        if (!s->any) {
            s->min_x = s->max_x = x;
            s->min_y = s->max_y = y;
            s->any = true;
        }
        s->min_x = x < s->min_x ? x : s->min_x;
        s->max_x = x > s->max_x ? x : s->max_x;
        s->min_y = y < s->min_y ? y : s->min_y;
        s->max_y = y > s->max_y ? y : s->max_y;
    }
}

static int preview_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    struct preview_sink *s = (struct preview_sink *)self;
    struct tp_out *o = s->body;
    if (t->len == 0)
        return self->next ? self->next->tracker(self->next, t, diag) : TP_OK;
    preview_bounds(s, t);
    size_t budget = s->points_left / 8;
    if (budget > PREVIEW_MAX_TRACKER_POINTS)
        budget = PREVIEW_MAX_TRACKER_POINTS;
    if (budget < PREVIEW_MIN_POINTS)
        budget = PREVIEW_MIN_POINTS;
    size_t step = (t->len + budget - 1) / budget;
    if (step == 0)
        step = 1;
    double hue = (double)((s->index * 137508) % 360000) / 1000.0;
    char colour[64];
    snprintf(colour, sizeof colour, "hsl(%.1f,80%%,62%%)", hue);

    tp_out_puts(o, "<g class=\"tp-trk\" data-name=\"");
    preview_xml(o, t->name);
    tp_out_puts(o, "\"><title>");
    preview_xml(o, t->name);
    tp_out_printf(o, ": %zu keyframes, frames %d to %d</title>", t->len, t->keys[0].frame,
                  t->keys[t->len - 1].frame);

    /* One polyline per run of frames without a gap (thinned by step within the run). */
    size_t drawn = 0;
    size_t i = 0;
    while (i < t->len) {
        size_t j = i + 1;
        while (j < t->len && t->keys[j].frame == t->keys[j - 1].frame + 1)
            j++;
        tp_out_puts(o, "<polyline stroke=\"");
        tp_out_puts(o, colour);
        tp_out_puts(o, "\" points=\"");
        for (size_t k = i; k < j; k += step) {
            if (k > i)
                tp_out_putc(o, ' ');
            preview_point(s, &t->keys[k]);
            drawn++;
        }
        if ((j - 1 - i) % step != 0) { /* always end on the run's last keyframe */
            tp_out_putc(o, ' ');
            preview_point(s, &t->keys[j - 1]);
            drawn++;
        }
        if (j - i == 1) { /* a lone keyframe: a zero-length segment shows as a dot */
            tp_out_putc(o, ' ');
            preview_point(s, &t->keys[i]);
        }
        tp_out_puts(o, "\"/>");
        i = j;
    }

    /* Hover markers: evenly spread, first and last included. */
    size_t markers = PREVIEW_MARKERS_PER_TRACKER;
    if (markers > s->markers_left)
        markers = s->markers_left > 2 ? s->markers_left : 2;
    if (markers > t->len)
        markers = t->len;
    for (size_t m = 0; m < markers; m++) {
        size_t k = markers == 1 ? 0 : m * (t->len - 1) / (markers - 1);
        const struct tp_keyframe *kf = &t->keys[k];
        tp_out_puts(o, "<circle cx=\"");
        preview_num(o, kf->x);
        tp_out_puts(o, "\" cy=\"");
        preview_num(o, s->height - kf->y);
        tp_out_puts(o, "\" r=\"");
        preview_num(o, s->radius * (m == 0 ? 2.5 : 1.6));
        tp_out_puts(o, "\" fill=\"");
        tp_out_puts(o, colour);
        tp_out_puts(o, "\"><title>");
        preview_xml(o, t->name);
        tp_out_printf(o, " \xe2\x80\x94 frame %d (", kf->frame);
        tp_out_fixed(o, kf->x, 2);
        tp_out_puts(o, ", ");
        tp_out_fixed(o, kf->y, 2);
        tp_out_puts(o, ")</title></circle>");
    }
    tp_out_puts(o, "</g>\n");
    s->markers_left = s->markers_left > markers ? s->markers_left - markers : 0;
    s->points_left = s->points_left > drawn ? s->points_left - drawn : 0;
    s->index++;
    if (tp_out_error(o))
        return tp_diag_set(diag, tp_out_error(o), 0, "The preview could not be drawn: %s",
                           tp_strerror(tp_out_error(o)));
    return self->next ? self->next->tracker(self->next, t, diag) : TP_OK;
}

static int preview_end(struct tp_sink *self, struct tp_diag *diag)
{
    return self->next ? self->next->end(self->next, diag) : TP_OK;
}

static void preview_destroy(struct tp_sink *self)
{
    struct preview_sink *s = (struct preview_sink *)self;
    tp_out_free(s->body);
    free(s);
}

int disp_preview_sink_new(struct tp_sink **sink)
{
    struct preview_sink *s = calloc(1, sizeof *s);
    *sink = NULL;
    if (!s || tp_out_open_memory(&s->body) != TP_OK) {
        free(s);
        return TP_ERR_NOMEM;
    }
    s->base.begin = preview_begin;
    s->base.tracker = preview_tracker;
    s->base.end = preview_end;
    s->base.destroy = preview_destroy;
    s->points_left = DISP_PREVIEW_MAX_POINTS;
    s->markers_left = DISP_PREVIEW_MAX_MARKERS;
    *sink = &s->base;
    return TP_OK;
}

int disp_preview_write(struct tp_sink *sink, struct tp_out *o)
{
    struct preview_sink *s = (struct preview_sink *)sink;
    int width = s->width, height = s->height;
    /* The view holds the frame and every keyframe, with a margin for the frame's label. */
    double x0 = 0, y0 = 0, x1 = width, y1 = height;
    if (s->any) {
        x0 = s->min_x < x0 ? s->min_x : x0;
        y0 = s->min_y < y0 ? s->min_y : y0;
        x1 = s->max_x > x1 ? s->max_x : x1;
        y1 = s->max_y > y1 ? s->max_y : y1;
    }
    double big = x1 - x0 > y1 - y0 ? x1 - x0 : y1 - y0;
    if (big <= 0)
        big = 1;
    double pad = big / 40.0;
    double label = (width > height ? width : height) / 80.0;
    if (label <= 0)
        label = pad / 2;
    tp_out_puts(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tp-preview\" viewBox=\"");
    preview_num(o, x0 - pad);
    tp_out_putc(o, ' ');
    preview_num(o, y0 - pad - label);
    tp_out_putc(o, ' ');
    preview_num(o, x1 - x0 + 2 * pad);
    tp_out_putc(o, ' ');
    preview_num(o, y1 - y0 + 2 * pad + label);
    tp_out_puts(o, "\" preserveAspectRatio=\"xMidYMid meet\" font-family=\"sans-serif\">\n");
    tp_out_puts(o, "<style>.tp-trk polyline{fill:none;stroke-width:1.5px;stroke-linejoin:round;"
                   "stroke-linecap:round;vector-effect:non-scaling-stroke}"
                   ".tp-trk:hover polyline{stroke-width:4px}.tp-trk circle{stroke:none}"
                   ".tp-frame{vector-effect:non-scaling-stroke}</style>\n");
    tp_out_printf(o, "<title>Trackers over the %d x %d frame</title>\n", width, height);
    tp_out_printf(o,
                  "<rect class=\"tp-frame\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
                  "fill=\"#15181d\" stroke=\"#7d8590\" stroke-width=\"1.5\"/>\n",
                  width, height);
    tp_out_puts(o, "<text x=\"0\" y=\"");
    preview_num(o, -label / 4);
    tp_out_puts(o, "\" fill=\"#7d8590\" font-size=\"");
    preview_num(o, label);
    tp_out_printf(o, "\">%d \xc3\x97 %d</text>\n", width, height);
    size_t len;
    const char *body = tp_out_memory(s->body, &len);
    tp_out_write(o, body, len);
    tp_out_puts(o, "</svg>\n");
    return tp_out_error(o) ? tp_out_error(o) : tp_out_error(s->body);
}

int disp_preview_save(struct tp_sink *sink, const char *path, struct tp_diag *diag)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.partial-%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "The preview path is too long");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return tp_diag_set(diag, TP_ERR_IO, 0, "Cannot write the preview: %s", strerror(errno));
    struct tp_out *out = NULL;
    int rc = tp_out_open_fd(fd, &out);
    if (!rc)
        rc = disp_preview_write(sink, out);
    if (!rc)
        rc = tp_out_flush(out);
    tp_out_free(out);
    if (close(fd) != 0 && !rc)
        rc = TP_ERR_IO;
    if (!rc && rename(tmp, path) != 0)
        rc = TP_ERR_IO;
    if (rc) {
        unlink(tmp);
        return tp_diag_set(diag, rc, 0, "The preview could not be written: %s", tp_strerror(rc));
    }
    return TP_OK;
}
