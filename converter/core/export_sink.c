/* export_sink.c — the last sink: fans each tracker out to every exporter. */
#include "trackport.h"

#include <stdlib.h>
#include <string.h>

struct export_target {
    const struct tp_exporter *exporter;
    struct tp_out *out; /* borrowed */
    void *state;        /* owned, exporter->state_size bytes */
    bool begun;
};

struct export_sink {
    struct tp_sink base;
    struct export_target *targets;
    size_t n;
};

static int fail_for(const struct export_target *t, int rc, struct tp_diag *diag)
{
    int io = tp_out_error(t->out);
    if (io)
        rc = io;
    return tp_diag_set(diag, rc, 0, "The %s exporter failed: %s", t->exporter->human_name,
                       tp_strerror(rc));
}

static int export_begin(struct tp_sink *self, int width, int height, struct tp_diag *diag)
{
    struct export_sink *s = (struct export_sink *)self;
    for (size_t i = 0; i < s->n; i++) {
        struct export_target *t = &s->targets[i];
        int rc = t->exporter->begin ? t->exporter->begin(t->state, t->out, width, height) : 0;
        t->begun = true;
        if (rc || tp_out_error(t->out))
            return fail_for(t, rc ? rc : TP_ERR_IO, diag);
    }
    return TP_OK;
}

static int export_tracker(struct tp_sink *self, struct tp_tracker *tr, struct tp_diag *diag)
{
    struct export_sink *s = (struct export_sink *)self;
    if (tr->len == 0)
        return TP_OK;
    for (size_t i = 0; i < s->n; i++) {
        struct export_target *t = &s->targets[i];
        int rc = t->exporter->tracker(t->state, t->out, tr);
        if (rc || tp_out_error(t->out))
            return fail_for(t, rc ? rc : TP_ERR_IO, diag);
    }
    return TP_OK;
}

static int export_end(struct tp_sink *self, struct tp_diag *diag)
{
    struct export_sink *s = (struct export_sink *)self;
    for (size_t i = 0; i < s->n; i++) {
        struct export_target *t = &s->targets[i];
        int rc = t->exporter->end ? t->exporter->end(t->state, t->out) : 0;
        if (!rc)
            rc = tp_out_flush(t->out);
        if (rc)
            return fail_for(t, rc, diag);
    }
    return TP_OK;
}

static void export_destroy(struct tp_sink *self)
{
    struct export_sink *s = (struct export_sink *)self;
    for (size_t i = 0; i < s->n; i++) {
        struct export_target *t = &s->targets[i];
        if (t->state && t->exporter->cleanup)
            t->exporter->cleanup(t->state);
        free(t->state);
    }
    free(s->targets);
    free(s);
}

int tp_export_sink_new(const struct tp_exporter *const *exporters, struct tp_out *const *outs,
                       size_t n, struct tp_sink **sink)
{
    struct export_sink *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    s->base.begin = export_begin;
    s->base.tracker = export_tracker;
    s->base.end = export_end;
    s->base.destroy = export_destroy;
    s->targets = calloc(n ? n : 1, sizeof *s->targets);
    if (!s->targets) {
        free(s);
        return TP_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        s->targets[i].exporter = exporters[i];
        s->targets[i].out = outs[i];
        s->targets[i].state = calloc(1, exporters[i]->state_size ? exporters[i]->state_size : 1);
        s->n = i + 1;
        if (!s->targets[i].state) {
            export_destroy(&s->base);
            return TP_ERR_NOMEM;
        }
    }
    *sink = &s->base;
    return TP_OK;
}
