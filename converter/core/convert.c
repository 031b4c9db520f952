/* convert.c — the whole pipeline: detect, import, edit, export to files. */
#include "trackport.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNIFF_BYTES (64u * 1024u)

char *tp_output_base(const char *input_name)
{
    const char *slash = strrchr(input_name, '/');
    const char *base = slash ? slash + 1 : input_name;
    const char *dot = strrchr(base, '.');
    size_t len = (dot && dot != base) ? (size_t)(dot - base) : strlen(base);
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    memcpy(out, base, len);
    out[len] = '\0';
    return out;
}

/* Counts what reaches the exporters, reports writing progress, honours cancel. */
struct stats_sink {
    struct tp_sink base;
    const struct tp_convert_options *opts;
    size_t trackers, keyframes;
    int width, height;
};

static int stats_begin(struct tp_sink *self, int width, int height, struct tp_diag *diag)
{
    struct stats_sink *s = (struct stats_sink *)self;
    s->width = width;
    s->height = height;
    return self->next->begin(self->next, width, height, diag);
}

static int stats_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    struct stats_sink *s = (struct stats_sink *)self;
    if (s->opts->cancel && *s->opts->cancel)
        return tp_diag_set(diag, TP_ERR_CANCELLED, 0, "The conversion was cancelled");
    if (t->len == 0)
        return TP_OK;
    s->trackers++;
    s->keyframes += t->len;
    return self->next->tracker(self->next, t, diag);
}

static int stats_end(struct tp_sink *self, struct tp_diag *diag)
{
    struct stats_sink *s = (struct stats_sink *)self;
    if (s->trackers == 0)
        return tp_diag_set(diag, TP_ERR_NO_TRACKERS, 0,
                           "No trackers are left after the edits: every tracker was removed");
    if (s->opts->progress)
        s->opts->progress(s->opts->progress_ctx, 96.0, "Finishing the output files");
    return self->next->end(self->next, diag);
}

struct output_slot {
    const struct tp_exporter *exporter;
    char *final_path;
    char *temp_path;
    int fd;
    struct tp_out *out;
};

static int resolve_exporters(const struct tp_convert_options *opts,
                             const struct tp_exporter ***list, size_t *count,
                             struct tp_diag *diag)
{
    size_t all_count;
    const struct tp_exporter *const *all = tp_exporters(&all_count);
    size_t n = opts->exporters ? opts->exporter_count : all_count;
    const struct tp_exporter **chosen = calloc(n ? n : 1, sizeof *chosen);
    if (!chosen)
        return tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory");
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        const struct tp_exporter *e = opts->exporters ? tp_find_exporter(opts->exporters[i])
                                                      : all[i];
        if (!e) {
            free(chosen);
            return tp_diag_set(diag, TP_ERR_UNKNOWN_EXPORTER, 0, "Unknown exporter \"%s\"",
                               opts->exporters[i]);
        }
        bool seen = false;
        for (size_t j = 0; j < used; j++)
            seen = seen || chosen[j] == e;
        if (!seen)
            chosen[used++] = e;
    }
    if (used == 0) {
        free(chosen);
        return tp_diag_set(diag, TP_ERR_UNKNOWN_EXPORTER, 0, "No exporter was selected");
    }
    *list = chosen;
    *count = used;
    return TP_OK;
}

static char *join_path(const char *dir, const char *base, const char *suffix, const char *tail)
{
    size_t len = strlen(dir) + strlen(base) + strlen(suffix) + strlen(tail) + 4;
    char *p = malloc(len);
    if (p)
        snprintf(p, len, "%s/%s_%s%s", dir, base, suffix, tail);
    return p;
}

static int open_outputs(struct output_slot *slots, size_t n, const char *dir, const char *base,
                        struct tp_diag *diag)
{
    for (size_t i = 0; i < n; i++) {
        struct output_slot *s = &slots[i];
        s->final_path = join_path(dir, base, s->exporter->suffix, "");
        s->temp_path = join_path(dir, base, s->exporter->suffix, ".partial-XXXXXX");
        if (!s->final_path || !s->temp_path)
            return tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory");
        s->fd = mkstemp(s->temp_path);
        if (s->fd < 0) {
            int e = errno;
            free(s->temp_path);
            s->temp_path = NULL;
            return tp_diag_set(diag, TP_ERR_IO, 0, "Cannot create an output file in %s: %s",
                               dir, strerror(e));
        }
        fchmod(s->fd, 0644);
        if (tp_out_open_fd(s->fd, &s->out))
            return tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory");
    }
    return TP_OK;
}

static void close_outputs(struct output_slot *slots, size_t n, bool keep)
{
    for (size_t i = 0; i < n; i++) {
        struct output_slot *s = &slots[i];
        tp_out_free(s->out);
        if (s->fd >= 0)
            close(s->fd);
        if (s->temp_path && !keep)
            unlink(s->temp_path);
        free(s->temp_path);
        free(s->final_path);
    }
    free(slots);
}

static int read_head(struct tp_input *in, char **head, size_t *len)
{
    size_t got;
    const char *p = tp_input_peek(in, SNIFF_BYTES, &got);
    char *copy = malloc(got + 1);
    if (!copy)
        return TP_ERR_NOMEM;
    memcpy(copy, p, got);
    copy[got] = '\0';
    *head = copy;
    *len = got;
    return TP_OK;
}

int tp_convert(const struct tp_convert_options *opts, struct tp_convert_result *result,
               struct tp_diag *diag)
{
    memset(result, 0, sizeof *result);
    const char *name = opts->input_name ? opts->input_name : opts->input_path;
    const struct tp_importer *importer = NULL;
    if (opts->importer) {
        importer = tp_find_importer(opts->importer);
        if (!importer)
            return tp_diag_set(diag, TP_ERR_UNKNOWN_IMPORTER, 0, "Unknown importer \"%s\"",
                               opts->importer);
    }
    if ((opts->width < 0 || opts->height < 0) ||
        (opts->width > 0) != (opts->height > 0))
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                           "Width and height must both be given as positive numbers");

    const struct tp_exporter **exporters = NULL;
    size_t n_exporters = 0;
    int rc = resolve_exporters(opts, &exporters, &n_exporters, diag);
    if (rc)
        return rc;

    struct tp_input *in = NULL;
    rc = tp_input_open_file(opts->input_path, &in, diag);
    if (rc) {
        free(exporters);
        return rc;
    }
    if (!importer) {
        char *head;
        size_t head_len;
        rc = read_head(in, &head, &head_len);
        if (rc) {
            tp_input_free(in);
            free(exporters);
            return tp_diag_set(diag, rc, 0, "Out of memory");
        }
        rc = tp_detect(name, head, head_len, &importer, diag);
        free(head);
        if (rc) {
            tp_input_free(in);
            free(exporters);
            return rc;
        }
    }
    result->importer = importer;
    if (!(importer->flags & (TP_IMPORT_KNOWS_SIZE | TP_IMPORT_SIZE_IN_SOME)) &&
        (opts->width <= 0 || opts->height <= 0)) {
        tp_input_free(in);
        free(exporters);
        return tp_diag_set(diag, TP_ERR_SIZE_REQUIRED, 0,
                           "Width and height must be provided for the %s format",
                           importer->human_name);
    }

    char *dir = NULL;
    if (opts->output_dir) {
        dir = strdup(opts->output_dir);
    } else {
        const char *slash = strrchr(opts->input_path, '/');
        dir = slash ? strndup(opts->input_path, (size_t)(slash - opts->input_path + (slash == opts->input_path)))
                    : strdup(".");
    }
    char *base = tp_output_base(name);
    struct output_slot *slots = calloc(n_exporters, sizeof *slots);
    struct tp_out **outs = calloc(n_exporters, sizeof *outs);
    struct tp_sink *export = NULL, *head = NULL;
    struct stats_sink stats = {.opts = opts};
    bool ok = false;
    if (!dir || !base || !slots || !outs) {
        rc = tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_exporters; i++) {
        slots[i].exporter = exporters[i];
        slots[i].fd = -1;
    }
    rc = open_outputs(slots, n_exporters, dir, base, diag);
    if (rc)
        goto done;
    for (size_t i = 0; i < n_exporters; i++)
        outs[i] = slots[i].out;
    rc = tp_export_sink_new(exporters, outs, n_exporters, &export);
    if (rc) {
        tp_diag_set(diag, rc, 0, "Out of memory");
        goto done;
    }
    stats.base = (struct tp_sink){stats_begin, stats_tracker, stats_end, NULL, export};
    rc = tp_edits_wrap(opts->edits, &stats.base, &head, diag);
    if (rc)
        goto done;
    rc = tp_import(importer, in, opts->width, opts->height, head, opts->progress,
                   opts->progress_ctx, diag);
    if (rc)
        goto done;

    result->width = stats.width;
    result->height = stats.height;
    result->trackers = stats.trackers;
    result->keyframes = stats.keyframes;
    result->outputs = calloc(n_exporters, sizeof *result->outputs);
    if (!result->outputs) {
        rc = tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_exporters; i++) {
        if (rename(slots[i].temp_path, slots[i].final_path) != 0) {
            rc = tp_diag_set(diag, TP_ERR_IO, 0, "Cannot write %s: %s", slots[i].final_path,
                             strerror(errno));
            for (size_t j = 0; j < i; j++)
                unlink(result->outputs[j].path);
            goto done;
        }
        result->outputs[i].exporter = exporters[i];
        result->outputs[i].path = slots[i].final_path;
        result->outputs[i].bytes = tp_out_bytes(slots[i].out);
        slots[i].final_path = NULL;
        result->output_count = i + 1;
    }
    ok = true;
    if (opts->progress) {
        char message[160];
        snprintf(message, sizeof message, "Wrote %zu trackers with %zu keyframes",
                 stats.trackers, stats.keyframes);
        opts->progress(opts->progress_ctx, 100.0, message);
    }

done:
    if (head)
        tp_edits_unwrap(head, &stats.base);
    if (export)
        export->destroy(export);
    if (slots)
        close_outputs(slots, n_exporters, ok);
    if (!ok) {
        for (size_t i = 0; i < result->output_count; i++)
            free(result->outputs[i].path);
        free(result->outputs);
        result->outputs = NULL;
        result->output_count = 0;
    }
    free(outs);
    free(base);
    free(dir);
    free(exporters);
    tp_input_free(in);
    return rc;
}

void tp_convert_result_cleanup(struct tp_convert_result *result)
{
    if (!result)
        return;
    for (size_t i = 0; i < result->output_count; i++)
        free(result->outputs[i].path);
    free(result->outputs);
    memset(result, 0, sizeof *result);
}
