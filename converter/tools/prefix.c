/*
 * prefix.c — puts a text and an underscore before every tracker name (--prefix TEXT), to tell
 * apart trackers from several shots merged in one scene.
 *
 * One trailing underscore of the prefix is dropped first so "shot1_" and "shot1" give the
 * same "shot1_name"; an empty prefix leaves names alone. Each prefix is one tool, so
 * --prefix a --prefix b gives "b_a_name". Each run of whitespace in the result becomes one
 * '_', as in every name: the reference writes a prefix's spaces as they are (unless a later
 * --trim, --min-length or --autoslip renames the tracker), and a space in a name splits it
 * in the whitespace-separated formats (boujou, SynthEyes, 3DE point lists).
 */
#include "tools.h"

#include <stdlib.h>
#include <string.h>

#define PREFIX_MAX 1024

struct prefix_params {
    size_t len;
    char text[PREFIX_MAX + 1];
};

struct prefix_sink {
    struct tp_sink base;
    struct prefix_params p;
};

static int prefix_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    struct prefix_sink *s = (struct prefix_sink *)self;
    if (s->p.len == 0 || t->len == 0)
        return tp__sink_forward(self, t, diag);
    size_t name_len = t->name ? strlen(t->name) : 0;
    size_t len = s->p.len + (name_len ? 1 + name_len : 0);
    if (len > TP_MAX_NAME)
        return tp_diag_set(diag, TP_ERR_LIMIT, 0,
                           "--prefix makes the name of tracker \"%.200s\" longer than %d bytes",
                           t->name ? t->name : "", TP_MAX_NAME);
    char buf[TP_MAX_NAME + 1];
    memcpy(buf, s->p.text, s->p.len);
    if (name_len) {
        buf[s->p.len] = '_';
        memcpy(buf + s->p.len + 1, t->name, name_len);
    }
    int rc = tp_tracker_set_name(t, buf, len);
    if (rc)
        return tp_diag_set(diag, rc, 0, "Could not rename tracker \"%.200s\": %s",
                           t->name ? t->name : "", tp_strerror(rc));
    return tp__sink_forward(self, t, diag);
}

static int prefix_set(void *params, const char *flag, const char *value, struct tp_diag *diag)
{
    struct prefix_params *p = params;
    size_t len = strlen(value);
    if (len > PREFIX_MAX)
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                           "--%s is too long: %zu bytes, at most %d", flag, len, PREFIX_MAX);
    if (len && value[len - 1] == '_')
        len--;
    memcpy(p->text, value, len);
    p->text[len] = '\0';
    p->len = len;
    return TP_OK;
}

static int prefix_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    struct prefix_sink *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    tp__sink_init(&s->base, next, NULL, prefix_tracker, NULL, NULL);
    s->p = *(const struct prefix_params *)params;
    *out = &s->base;
    return TP_OK;
}

const struct tp__tool tp__tool_prefix = {
    .name = "prefix",
    .params_size = sizeof(struct prefix_params),
    .set = prefix_set,
    .sink_new = prefix_sink_new,
};
