/* import.c — the reader context importers parse through, and tp_import. */
#include "trackport.h"

#include <stdio.h>
#include <string.h>

struct tp_reader {
    const struct tp_importer *importer;
    struct tp_input *in;
    struct tp_sink *sink;
    struct tp_diag *diag;
    tp_progress_fn progress;
    void *progress_ctx;
    int given_width, given_height;
    int width, height;
    bool begun;
    size_t emitted;      /* non-empty trackers sent downstream */
    int last_bucket;     /* progress throttle: last reported half-percent */
};

/* Reading spans 0..IMPORT_SHARE percent; exporters finishing take the rest. Writing
 * happens while reading (trackers stream through), so bytes consumed is the only
 * honest measure of how far along a conversion is. */
#define IMPORT_SHARE 95.0

struct tp_input *tp_reader_input(struct tp_reader *r)
{
    return r->in;
}

int tp_reader_width(const struct tp_reader *r)
{
    return r->given_width;
}

int tp_reader_height(const struct tp_reader *r)
{
    return r->given_height;
}

void tp_reader_set_size(struct tp_reader *r, int width, int height)
{
    if (!r->begun) {
        r->width = width;
        r->height = height;
    }
}

struct tp_diag *tp_reader_diag(struct tp_reader *r)
{
    return r->diag;
}

static int begin_once(struct tp_reader *r)
{
    if (r->begun)
        return TP_OK;
    if (r->width <= 0 || r->height <= 0)
        return tp_diag_set(r->diag, TP_ERR_SIZE_REQUIRED, 0,
                           "Width and height must be provided for the %s format",
                           r->importer->human_name);
    r->begun = true;
    return r->sink->begin(r->sink, r->width, r->height, r->diag);
}

int tp_reader_emit(struct tp_reader *r, struct tp_tracker *t)
{
    if (t->len == 0) {
        tp_tracker_reset(t);
        return TP_OK;
    }
    int rc = begin_once(r);
    if (rc)
        return rc;
    if (!t->name) {
        rc = tp_tracker_set_name(t, "", 0);
        if (rc)
            return tp_diag_set(r->diag, rc, 0, "Out of memory");
    }
    rc = r->sink->tracker(r->sink, t, r->diag);
    tp_tracker_reset(t);
    if (rc == TP_OK)
        r->emitted++;
    return rc;
}

int tp_reader_failc(struct tp_reader *r, int code, long line, const char *fmt, ...)
{
    if (!r->diag)
        return code;
    char text[sizeof r->diag->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return tp_diag_set(r->diag, code, line, "%s", text);
}

int tp_reader_fail(struct tp_reader *r, long line, const char *fmt, ...)
{
    if (!r->diag)
        return TP_ERR_PARSE;
    char text[sizeof r->diag->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return tp_diag_set(r->diag, TP_ERR_PARSE, line, "%s", text);
}

TP_PRINTF(4, 0) static void report(struct tp_reader *r, uint64_t pos, uint64_t total, const char *fmt,
                   va_list ap)
{
    if (!r->progress)
        return;
    double fraction = total ? (double)pos / (double)total : 0.0;
    if (fraction > 1.0)
        fraction = 1.0;
    int bucket = (int)(fraction * 200.0);
    if (bucket == r->last_bucket)
        return;
    r->last_bucket = bucket;
    char message[256];
    vsnprintf(message, sizeof message, fmt, ap);
    r->progress(r->progress_ctx, fraction * IMPORT_SHARE, message);
}

void tp_reader_progress(struct tp_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(r, tp_input_consumed(r->in), tp_input_total(r->in), fmt, ap);
    va_end(ap);
}

void tp_reader_progress_at(struct tp_reader *r, size_t pos, size_t total, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(r, pos, total, fmt, ap);
    va_end(ap);
}

int tp_import(const struct tp_importer *importer, struct tp_input *in, int width, int height,
              struct tp_sink *sink, tp_progress_fn progress, void *progress_ctx,
              struct tp_diag *diag)
{
    if (!(importer->flags & (TP_IMPORT_KNOWS_SIZE | TP_IMPORT_SIZE_IN_SOME)) &&
        (width <= 0 || height <= 0))
        return tp_diag_set(diag, TP_ERR_SIZE_REQUIRED, 0,
                           "Width and height must be provided for the %s format",
                           importer->human_name);
    struct tp_reader r = {
        .importer = importer,
        .in = in,
        .sink = sink,
        .diag = diag,
        .progress = progress,
        .progress_ctx = progress_ctx,
        .given_width = width,
        .given_height = height,
        .width = width,
        .height = height,
        .last_bucket = -1,
    };
    if (progress)
        progress(progress_ctx, 0.0, "Starting the parser");
    int rc = importer->read(&r);
    if (rc == TP_OK && tp_input_error(in) == TP_ERR_LIMIT)
        rc = tp_diag_set(diag, TP_ERR_LIMIT, 0,
                         "A line of the file is longer than the limit of %u bytes", TP_MAX_LINE);
    else if (rc == TP_OK && tp_input_error(in))
        rc = tp_diag_set(diag, tp_input_error(in), 0, "The file could not be read: %s",
                         tp_strerror(tp_input_error(in)));
    if (rc)
        return rc;
    if (r.emitted == 0)
        return tp_diag_set(diag, TP_ERR_NO_TRACKERS, 0,
                           "Could not recover any non-empty trackers from this file. Wrong "
                           "import format maybe?");
    return sink->end(sink, diag);
}
