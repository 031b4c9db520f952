/* disp_summary.c — the job's summary and trackers.json (see disp_summary.h). */
#include "disp_summary.h"

#include "disp_preview.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One side of the stream: the comp size and frame range it saw. */
struct side {
    struct tp_sink base;
    struct disp_summary *owner;
    int width, height;
    bool any;
    int first, last;
};

struct disp_summary {
    struct side in, out;
    size_t trackers, keyframes, outside;
    char *final_path, *temp_path; /* trackers.json; NULL without one */
    int fd;
    struct tp_out *json;
    size_t written; /* entries in trackers.json */
    char *name;     /* scratch for a cleaned name */
    size_t name_cap;
};

static void side_frames(struct side *s, const struct tp_tracker *t)
{
    int first = t->keys[0].frame, last = t->keys[t->len - 1].frame;
    if (!s->any || first < s->first)
        s->first = first;
    if (!s->any || last > s->last)
        s->last = last;
    s->any = true;
}

static int side_begin(struct tp_sink *self, int width, int height, struct tp_diag *diag)
{
    struct side *s = (struct side *)self;
    s->width = width;
    s->height = height;
    return self->next ? self->next->begin(self->next, width, height, diag) : TP_OK;
}

static int side_end(struct tp_sink *self, struct tp_diag *diag)
{
    return self->next ? self->next->end(self->next, diag) : TP_OK;
}

static int input_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    struct side *s = (struct side *)self;
    if (t->len)
        side_frames(s, t);
    return self->next ? self->next->tracker(self->next, t, diag) : TP_OK;
}

/* The tracker's name as valid UTF-8 in the summary's scratch buffer (NULL: no memory). */
static const char *clean_name(struct disp_summary *s, const char *name)
{
    size_t need = strlen(name) * 3 + 1; /* each invalid byte may become 3 bytes of U+FFFD */
    if (need > s->name_cap) {
        char *p = realloc(s->name, need);
        if (!p)
            return NULL;
        s->name = p;
        s->name_cap = need;
    }
    const unsigned char *p = (const unsigned char *)name;
    size_t n = 0;
    while (*p) {
        size_t len = disp_utf8_char(p);
        if (len == 0) {
            memcpy(s->name + n, "\xef\xbf\xbd", 3);
            n += 3;
            p++;
        } else {
            memcpy(s->name + n, p, len);
            n += len;
            p += len;
        }
    }
    s->name[n] = '\0';
    return s->name;
}

static int output_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    struct side *side = (struct side *)self;
    struct disp_summary *s = side->owner;
    if (t->len == 0)
        return self->next ? self->next->tracker(self->next, t, diag) : TP_OK;
    side_frames(side, t);
    size_t outside = 0;
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        if (k->x < 0 || k->x > side->width || k->y < 0 || k->y > side->height)
            outside++;
    }
    s->trackers++;
    s->keyframes += t->len;
    s->outside += outside;
    if (s->json) {
        const char *name = clean_name(s, t->name ? t->name : "");
        cJSON *o = cJSON_CreateObject();
        char *text = NULL;
        if (name && o && cJSON_AddStringToObject(o, "name", name) &&
            cJSON_AddNumberToObject(o, "first", t->keys[0].frame) &&
            cJSON_AddNumberToObject(o, "last", t->keys[t->len - 1].frame) &&
            cJSON_AddNumberToObject(o, "keyframes", (double)t->len) &&
            cJSON_AddNumberToObject(o, "outside", (double)outside))
            text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (!text)
            return tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory while listing the trackers");
        tp_out_puts(s->json, s->written++ ? ",\n" : "[\n");
        tp_out_puts(s->json, text);
        free(text);
        if (tp_out_error(s->json))
            return tp_diag_set(diag, TP_ERR_IO, 0, "The list of trackers could not be written");
    }
    return self->next ? self->next->tracker(self->next, t, diag) : TP_OK;
}

int disp_summary_new(const char *trackers_path, struct disp_summary **out, struct tp_diag *diag)
{
    *out = NULL;
    struct disp_summary *s = calloc(1, sizeof *s);
    if (!s)
        return tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory");
    s->fd = -1;
    s->in = (struct side){{side_begin, input_tracker, side_end, NULL, NULL}, s, 0, 0, false, 0, 0};
    s->out = (struct side){{side_begin, output_tracker, side_end, NULL, NULL}, s, 0, 0, false, 0, 0};
    if (trackers_path) {
        size_t len = strlen(trackers_path) + 32;
        s->final_path = strdup(trackers_path);
        s->temp_path = malloc(len);
        if (!s->final_path || !s->temp_path) {
            disp_summary_free(s);
            return tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory");
        }
        snprintf(s->temp_path, len, "%s.partial-%ld", trackers_path, (long)getpid());
        s->fd = open(s->temp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (s->fd < 0) {
            int e = errno;
            free(s->temp_path);
            s->temp_path = NULL;
            disp_summary_free(s);
            return tp_diag_set(diag, TP_ERR_IO, 0, "Cannot write the list of trackers: %s",
                               strerror(e));
        }
        if (tp_out_open_fd(s->fd, &s->json) != TP_OK) {
            disp_summary_free(s);
            return tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory");
        }
    }
    *out = s;
    return TP_OK;
}

void disp_summary_free(struct disp_summary *s)
{
    if (!s)
        return;
    tp_out_free(s->json);
    if (s->fd >= 0)
        close(s->fd);
    if (s->temp_path)
        unlink(s->temp_path);
    free(s->temp_path);
    free(s->final_path);
    free(s->name);
    free(s);
}

struct tp_sink *disp_summary_input(struct disp_summary *s)
{
    return &s->in.base;
}

struct tp_sink *disp_summary_output(struct disp_summary *s)
{
    return &s->out.base;
}

int disp_summary_finish(struct disp_summary *s, struct tp_diag *diag)
{
    if (!s->json)
        return TP_OK;
    tp_out_puts(s->json, s->written ? "\n]\n" : "[]\n");
    int rc = tp_out_flush(s->json);
    tp_out_free(s->json);
    s->json = NULL;
    if (close(s->fd) != 0 && !rc)
        rc = TP_ERR_IO;
    s->fd = -1;
    if (!rc && rename(s->temp_path, s->final_path) != 0)
        rc = TP_ERR_IO;
    if (rc)
        return tp_diag_set(diag, rc, 0, "The list of trackers could not be written: %s",
                           tp_strerror(rc));
    free(s->temp_path); /* renamed: nothing left to remove */
    s->temp_path = NULL;
    return TP_OK;
}

static cJSON *int_pair(int a, int b)
{
    int v[2] = {a, b};
    return cJSON_CreateIntArray(v, 2);
}

cJSON *disp_summary_json(const struct disp_summary *s, const char *importer, const cJSON *edits)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    bool ok = cJSON_AddStringToObject(o, "importer", importer ? importer : "") != NULL;
    ok = ok && cJSON_AddItemToObject(o, "comp_in", int_pair(s->in.width, s->in.height));
    ok = ok && cJSON_AddItemToObject(o, "comp_out", int_pair(s->out.width, s->out.height));
    ok = ok && cJSON_AddItemToObject(o, "frames_in", s->in.any ? int_pair(s->in.first, s->in.last)
                                                               : cJSON_CreateNull());
    ok = ok && cJSON_AddItemToObject(o, "frames_out", s->out.any
                                                          ? int_pair(s->out.first, s->out.last)
                                                          : cJSON_CreateNull());
    ok = ok && cJSON_AddNumberToObject(o, "trackers", (double)s->trackers);
    ok = ok && cJSON_AddNumberToObject(o, "keyframes", (double)s->keyframes);
    ok = ok && cJSON_AddNumberToObject(o, "outside", (double)s->outside);
    cJSON *list = ok ? cJSON_AddArrayToObject(o, "edits") : NULL;
    const cJSON *e;
    cJSON_ArrayForEach(e, edits)
    {
        const cJSON *flag = cJSON_GetArrayItem(e, 0), *value = cJSON_GetArrayItem(e, 1);
        if (!list || !cJSON_IsString(flag))
            continue;
        char num[64];
        const char *text = "";
        if (cJSON_IsString(value))
            text = value->valuestring;
        else if (cJSON_IsNumber(value)) {
            snprintf(num, sizeof num, "%.17g", value->valuedouble);
            text = num;
        } else if (cJSON_IsTrue(value))
            text = "true";
        const char *pair[2] = {flag->valuestring, text};
        cJSON *item = cJSON_CreateStringArray(pair, 2);
        ok = ok && item && cJSON_AddItemToArray(list, item);
    }
    if (!ok || !list) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

size_t disp_summary_trackers(const struct disp_summary *s)
{
    return s->trackers;
}

size_t disp_summary_keyframes(const struct disp_summary *s)
{
    return s->keyframes;
}

size_t disp_summary_outside(const struct disp_summary *s)
{
    return s->outside;
}
