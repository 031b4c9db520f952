/* convert.c — the whole pipeline: detect, import, edit, export to files. */
#include "trackport.h"
#include "pending_file.h"

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

/* Counts what reaches the exporters, reports writing progress, honours cancel, keeps the
 * job within its bounds, and shows each tracker to the output watcher. */
struct stats_sink {
    struct tp_sink base;
    const struct tp_convert_options *opts;
    size_t trackers, keyframes;
    size_t input_keyframes; /* counted by the input sink, before the edits */
    int width, height;
    const struct tp_exporter *const *exporters;
    struct tp_out *const *outs;
    size_t n;
    const struct tp_input *in;
    bool rate_known;
    double bytes_per_keyframe; /* all exporters together, measured on the first tracker */
    double projected;          /* bytes the trackers so far will write, by that measure */
};

/* Sees the trackers as imported: counts them and shows them to the input watcher. */
struct input_sink {
    struct tp_sink base;
    struct stats_sink *stats;
};

static int input_begin(struct tp_sink *self, int width, int height, struct tp_diag *diag)
{
    struct tp_sink *w = ((struct input_sink *)self)->stats->opts->watch_input;
    int rc = w ? w->begin(w, width, height, diag) : TP_OK;
    return rc ? rc : self->next->begin(self->next, width, height, diag);
}

static int input_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    struct stats_sink *stats = ((struct input_sink *)self)->stats;
    struct tp_sink *w = stats->opts->watch_input;
    if (t->len == 0)
        return TP_OK;
    stats->input_keyframes += t->len;
    int rc = w ? w->tracker(w, t, diag) : TP_OK;
    return rc ? rc : self->next->tracker(self->next, t, diag);
}

static int input_end(struct tp_sink *self, struct tp_diag *diag)
{
    struct tp_sink *w = ((struct input_sink *)self)->stats->opts->watch_input;
    int rc = w ? w->end(w, diag) : TP_OK;
    return rc ? rc : self->next->end(self->next, diag);
}

/* Bytes one exporter writes for the first `len` keyframes of t as a whole file (into memory;
 * exporters that spill use a spill file as usual). Returns false if the exporter fails. */
static bool sample_bytes(const struct tp_exporter *e, int width, int height,
                         const struct tp_tracker *t, size_t len, uint64_t *bytes)
{
    struct tp_tracker view = {.name = t->name, .keys = t->keys, .len = len, .cap = len};
    void *state = calloc(1, e->state_size ? e->state_size : 1);
    struct tp_out *out = NULL;
    bool ok = state && tp_out_open_memory(&out) == TP_OK;
    if (ok)
        ok = (!e->begin || e->begin(state, out, width, height) == TP_OK) &&
             e->tracker(state, out, &view) == TP_OK && (!e->end || e->end(state, out) == TP_OK) &&
             !tp_out_error(out);
    if (ok)
        *bytes = tp_out_bytes(out);
    if (state && e->cleanup)
        e->cleanup(state);
    free(state);
    tp_out_free(out);
    return ok;
}

/* Measures what every exporter writes per keyframe on a prefix of t (len >= 2): the
 * difference between a file of one keyframe and one of many, so headers do not count. */
static double sample_rate(const struct stats_sink *s, const struct tp_tracker *t)
{
    size_t many = t->len < 64 ? t->len : 64;
    double rate = 0;
    for (size_t i = 0; i < s->n; i++) {
        uint64_t one, all;
        if (sample_bytes(s->exporters[i], s->width, s->height, t, 1, &one) &&
            sample_bytes(s->exporters[i], s->width, s->height, t, many, &all) && all > one)
            rate += (double)(all - one) / (double)(many - 1);
    }
    return rate;
}

/* "2 GB", "9.8 GB", "350 MB": a size for a sentence. */
static void human_bytes(double v, char *buf, size_t size)
{
    static const char *const units[] = {"bytes", "KB", "MB", "GB", "TB", "PB"};
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024;
        u++;
    }
    if (u == 0 || v >= 100 || v == (double)(long long)v)
        snprintf(buf, size, "%.0f %s", v, units[u]);
    else
        snprintf(buf, size, "%.1f %s", v, units[u]);
}

static uint64_t stats_written(const struct stats_sink *s)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < s->n; i++)
        sum += tp_out_bytes(s->outs[i]);
    return sum;
}

static bool stats_edited(const struct stats_sink *s)
{
    return s->opts->edits && tp_edits_count(s->opts->edits) > 0 &&
           s->keyframes > s->input_keyframes;
}

/* Fails a job whose output would cross max_output_bytes; `used` is what the trackers so
 * far write. The total is extrapolated from how much of the input has been read. */
static int stats_too_big(const struct stats_sink *s, double used, struct tp_diag *diag)
{
    double total = used;
    uint64_t all = s->in ? tp_input_total(s->in) : 0, read = s->in ? tp_input_consumed(s->in) : 0;
    if (all > 0 && read > 0 && read < all)
        total = used * (double)all / (double)read;
    char would[32], allowed[32];
    human_bytes(total, would, sizeof would);
    human_bytes((double)s->opts->max_output_bytes, allowed, sizeof allowed);
    return tp_diag_set(diag, TP_ERR_LIMIT, 0, "%s would write about %s; this site allows %s per job",
                       stats_edited(s) ? "The edits" : "This conversion", would, allowed);
}

static int stats_begin(struct tp_sink *self, int width, int height, struct tp_diag *diag)
{
    struct stats_sink *s = (struct stats_sink *)self;
    s->width = width;
    s->height = height;
    struct tp_sink *w = s->opts->watch_output;
    int rc = w ? w->begin(w, width, height, diag) : TP_OK;
    return rc ? rc : self->next->begin(self->next, width, height, diag);
}

static int stats_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    struct stats_sink *s = (struct stats_sink *)self;
    const struct tp_convert_options *o = s->opts;
    if (o->cancel && *o->cancel)
        return tp_diag_set(diag, TP_ERR_CANCELLED, 0, "The conversion was cancelled");
    if (t->len == 0)
        return TP_OK;
    if (o->max_keyframes && s->keyframes + t->len > o->max_keyframes) {
        char count[32];
        snprintf(count, sizeof count, "%zu", s->keyframes + t->len);
        return tp_diag_set(diag, TP_ERR_LIMIT, 0,
                           "%s would make %s keyframes or more; this site allows %llu per job",
                           s->keyframes + t->len > s->input_keyframes &&
                                   o->edits && tp_edits_count(o->edits) > 0
                               ? "The edits"
                               : "This file",
                           count, (unsigned long long)o->max_keyframes);
    }
    if (o->max_output_bytes) {
        if (!s->rate_known && t->len >= 2) {
            s->bytes_per_keyframe = sample_rate(s, t);
            s->rate_known = true;
        }
        s->projected += s->bytes_per_keyframe * (double)t->len;
        double written = (double)stats_written(s);
        double used = s->projected > written ? s->projected : written;
        if (used > (double)o->max_output_bytes) {
            s->keyframes += t->len; /* counted for the message: these are what would be written */
            return stats_too_big(s, used, diag);
        }
    }
    s->trackers++;
    s->keyframes += t->len;
    struct tp_sink *w = o->watch_output;
    int rc = w ? w->tracker(w, t, diag) : TP_OK;
    return rc ? rc : self->next->tracker(self->next, t, diag);
}

static int stats_end(struct tp_sink *self, struct tp_diag *diag)
{
    struct stats_sink *s = (struct stats_sink *)self;
    if (s->trackers == 0)
        return tp_diag_set(diag, TP_ERR_NO_TRACKERS, 0,
                           "No trackers are left after the edits: every tracker was removed");
    if (s->opts->progress)
        s->opts->progress(s->opts->progress_ctx, 96.0, "Finishing the output files");
    struct tp_sink *w = s->opts->watch_output;
    int rc = w ? w->end(w, diag) : TP_OK;
    rc = rc ? rc : self->next->end(self->next, diag);
    /* The last bytes (spilled bodies) are only written at the end: hold the bound there too. */
    if (!rc && s->opts->max_output_bytes && stats_written(s) > s->opts->max_output_bytes)
        rc = stats_too_big(s, (double)stats_written(s), diag);
    return rc;
}

struct output_slot {
    const struct tp_exporter *exporter;
    struct tp__pending file;
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
        char *path = join_path(dir, base, s->exporter->suffix, "");
        int err = path ? tp__pending_open(&s->file, path) : ENOMEM;
        free(path);
        if (err == ENOMEM)
            return tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory");
        if (err)
            return tp_diag_set(diag, tp_errno_code(err), 0,
                               "Cannot create an output file in %s: %s", dir, strerror(err));
        if (tp_out_open_fd(s->file.fd, &s->out))
            return tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory");
    }
    return TP_OK;
}

static void close_outputs(struct output_slot *slots, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tp_out_free(slots[i].out);
        tp__pending_discard(&slots[i].file);
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
    struct input_sink input = {.stats = &stats};
    bool ok = false;
    if (!dir || !base || !slots || !outs) {
        rc = tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_exporters; i++) {
        slots[i].exporter = exporters[i];
        slots[i].file.fd = -1;
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
    stats.exporters = exporters;
    stats.outs = outs;
    stats.n = n_exporters;
    stats.in = in;
    rc = tp_edits_wrap(opts->edits, &stats.base, &head, diag);
    if (rc)
        goto done;
    input.base = (struct tp_sink){input_begin, input_tracker, input_end, NULL, head};
    rc = tp_import(importer, in, opts->width, opts->height, &input.base, opts->progress,
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
        char *path = strdup(slots[i].file.final_path);
        int err = path ? tp__pending_commit(&slots[i].file) : ENOMEM;
        if (err) {
            rc = tp_diag_set(diag, tp_errno_code(err), 0, "Cannot write %s: %s",
                             path ? path : "an output", strerror(err));
            free(path);
            for (size_t j = 0; j < i; j++)
                unlink(result->outputs[j].path);
            goto done;
        }
        result->outputs[i].exporter = exporters[i];
        result->outputs[i].path = path;
        result->outputs[i].bytes = tp_out_bytes(slots[i].out);
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
        close_outputs(slots, n_exporters);
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
