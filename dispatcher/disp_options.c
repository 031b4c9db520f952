/* disp_options.c — job options JSON <-> tp_convert arguments. Everything is checked here,
 * once, with a sentence for the user, so that the child can only fail on the file itself. */
#include "disp_options.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPTIONS_MAX_DIMENSION 1000000

void disp_options_cleanup(struct disp_options *o)
{
    free(o->importer);
    for (size_t i = 0; i < o->exporter_count; i++)
        free(o->exporters[i]);
    tp_edits_free(o->edits);
    free(o->json);
    memset(o, 0, sizeof *o);
}

static int options_int(const cJSON *item, const char *what, int min, int max, int *out,
                       struct tp_diag *diag)
{
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble) || item->valuedouble != floor(item->valuedouble) ||
        item->valuedouble < min || item->valuedouble > max)
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "%s must be a whole number from %d to %d",
                           what, min, max);
    *out = (int)item->valuedouble;
    return 0;
}

/* Turns an edit's value into the text tp_edits_add takes (numbers are accepted too). */
static int options_edit_value(const cJSON *v, char *buf, size_t size, const char **out)
{
    if (!v || cJSON_IsNull(v)) {
        *out = NULL;
        return 0;
    }
    if (cJSON_IsString(v)) {
        *out = v->valuestring;
        return 0;
    }
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
        snprintf(buf, size, "%.17g", v->valuedouble);
        *out = buf;
        return 0;
    }
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v) ? "true" : NULL;
        return 0;
    }
    return -1;
}

#ifdef DISP_TEST_HOOKS
static int options_test_hooks(const cJSON *test, struct disp_options *out, struct tp_diag *diag)
{
    if (!cJSON_IsObject(test))
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "test must be an object");
    const cJSON *item;
    cJSON_ArrayForEach(item, test)
    {
        int *field = NULL;
        if (strcmp(item->string, "crash_until") == 0)
            field = &out->test_crash_until;
        else if (strcmp(item->string, "hang_until") == 0)
            field = &out->test_hang_until;
        else if (strcmp(item->string, "sleep_ms") == 0)
            field = &out->test_sleep_ms;
        else if (strcmp(item->string, "exit_until") == 0)
            field = &out->test_exit_until;
        else
            return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "unknown test hook '%s'",
                               item->string);
        int rc = options_int(item, item->string, 0, 1000000, field, diag);
        if (rc)
            return rc;
    }
    return 0;
}
#endif

static int options_parse_tree(const cJSON *root, struct disp_options *out, struct tp_diag *diag)
{
    if (!cJSON_IsObject(root))
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "the job options must be a JSON object");
    const cJSON *item;
    int rc = 0;
    cJSON_ArrayForEach(item, root)
    {
        const char *key = item->string;
        if (strcmp(key, "importer") == 0) {
            if (cJSON_IsNull(item) || (cJSON_IsString(item) && !item->valuestring[0]))
                continue;
            if (!cJSON_IsString(item))
                return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "importer must be a name");
            const struct tp_importer *imp = tp_find_importer(item->valuestring);
            if (!imp)
                return tp_diag_set(diag, TP_ERR_UNKNOWN_IMPORTER, 0,
                                   "Unknown importer '%.64s'", item->valuestring);
            free(out->importer);
            out->importer = strdup(imp->name);
            if (!out->importer)
                return tp_diag_set(diag, TP_ERR_NOMEM, 0, "out of memory");
        } else if (strcmp(key, "width") == 0) {
            rc = options_int(item, "width", 0, OPTIONS_MAX_DIMENSION, &out->width, diag);
        } else if (strcmp(key, "height") == 0) {
            rc = options_int(item, "height", 0, OPTIONS_MAX_DIMENSION, &out->height, diag);
        } else if (strcmp(key, "exporters") == 0) {
            if (!cJSON_IsArray(item))
                return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                                   "exporters must be a list of names");
            const cJSON *e;
            cJSON_ArrayForEach(e, item)
            {
                if (!cJSON_IsString(e))
                    return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                                       "exporters must be a list of names");
                const struct tp_exporter *exp = tp_find_exporter(e->valuestring);
                if (!exp)
                    return tp_diag_set(diag, TP_ERR_UNKNOWN_EXPORTER, 0,
                                       "Unknown exporter '%.64s'", e->valuestring);
                if (out->exporter_count == DISP_MAX_EXPORTERS)
                    return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "too many exporters");
                out->exporters[out->exporter_count] = strdup(exp->name);
                if (!out->exporters[out->exporter_count])
                    return tp_diag_set(diag, TP_ERR_NOMEM, 0, "out of memory");
                out->exporter_count++;
            }
        } else if (strcmp(key, "edits") == 0) {
            if (!cJSON_IsArray(item))
                return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                                   "edits must be a list of [flag, value] pairs");
            const cJSON *e;
            cJSON_ArrayForEach(e, item)
            {
                const cJSON *flag = cJSON_GetArrayItem(e, 0);
                int size = cJSON_IsArray(e) ? cJSON_GetArraySize(e) : 0;
                if (size < 1 || size > 2 || !cJSON_IsString(flag))
                    return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                                       "edits must be a list of [flag, value] pairs");
                if (out->edit_count == DISP_MAX_EDITS)
                    return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "too many edits");
                char num[64];
                const char *value;
                if (options_edit_value(cJSON_GetArrayItem(e, 1), num, sizeof num, &value) != 0)
                    return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                                       "the value of edit '%.64s' must be text or a number",
                                       flag->valuestring);
                rc = tp_edits_add(out->edits, flag->valuestring, value, diag);
                if (rc)
                    return rc;
                out->edit_count++;
            }
#ifdef DISP_TEST_HOOKS
        } else if (strcmp(key, "test") == 0) {
            rc = options_test_hooks(item, out, diag);
#endif
        } else {
            return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "unknown option '%.64s'", key);
        }
        if (rc)
            return rc;
    }
    return 0;
}

int disp_options_parse(const char *json, struct disp_options *out, struct tp_diag *diag)
{
    memset(out, 0, sizeof *out);
    out->edits = tp_edits_new();
    if (!out->edits)
        return tp_diag_set(diag, TP_ERR_NOMEM, 0, "out of memory");
    if (!json || !*json)
        json = "{}";
    cJSON *root = cJSON_Parse(json);
    if (!root) {
        disp_options_cleanup(out);
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "the job options are not valid JSON");
    }
    int rc = options_parse_tree(root, out, diag);
    if (rc == 0) {
        out->json = cJSON_PrintUnformatted(root);
        if (!out->json)
            rc = tp_diag_set(diag, TP_ERR_NOMEM, 0, "out of memory");
    }
    cJSON_Delete(root);
    if (rc) {
        disp_options_cleanup(out);
        /* parse cleared out; keep a usable empty edit list for careless callers */
    }
    return rc;
}

/* ------------------------------------------------------------------ builder */

struct disp_options_builder {
    cJSON *root;
    struct tp_edits *check; /* validates edits as they are added */
};

struct disp_options_builder *disp_options_builder_new(void)
{
    struct disp_options_builder *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->root = cJSON_CreateObject();
    b->check = tp_edits_new();
    if (!b->root || !b->check) {
        disp_options_builder_free(b);
        return NULL;
    }
    return b;
}

void disp_options_builder_free(struct disp_options_builder *b)
{
    if (!b)
        return;
    cJSON_Delete(b->root);
    tp_edits_free(b->check);
    free(b);
}

static int builder_nomem(struct tp_diag *d)
{
    return tp_diag_set(d, TP_ERR_NOMEM, 0, "out of memory");
}

int disp_options_set_importer(struct disp_options_builder *b, const char *name, struct tp_diag *d)
{
    const struct tp_importer *imp = name ? tp_find_importer(name) : NULL;
    if (!imp)
        return tp_diag_set(d, TP_ERR_UNKNOWN_IMPORTER, 0, "Unknown importer '%.64s'",
                           name ? name : "");
    cJSON_DeleteItemFromObjectCaseSensitive(b->root, "importer");
    return cJSON_AddStringToObject(b->root, "importer", imp->name) ? 0 : builder_nomem(d);
}

int disp_options_set_size(struct disp_options_builder *b, int width, int height, struct tp_diag *d)
{
    if (width < 0 || height < 0 || width > OPTIONS_MAX_DIMENSION || height > OPTIONS_MAX_DIMENSION)
        return tp_diag_set(d, TP_ERR_BAD_ARGUMENT, 0,
                           "width and height must be whole numbers from 0 to %d",
                           OPTIONS_MAX_DIMENSION);
    cJSON_DeleteItemFromObjectCaseSensitive(b->root, "width");
    cJSON_DeleteItemFromObjectCaseSensitive(b->root, "height");
    if (!cJSON_AddNumberToObject(b->root, "width", width) ||
        !cJSON_AddNumberToObject(b->root, "height", height))
        return builder_nomem(d);
    return 0;
}

static cJSON *builder_array(struct disp_options_builder *b, const char *key)
{
    cJSON *a = cJSON_GetObjectItemCaseSensitive(b->root, key);
    return a ? a : cJSON_AddArrayToObject(b->root, key);
}

int disp_options_add_exporter(struct disp_options_builder *b, const char *name, struct tp_diag *d)
{
    const struct tp_exporter *exp = name ? tp_find_exporter(name) : NULL;
    if (!exp)
        return tp_diag_set(d, TP_ERR_UNKNOWN_EXPORTER, 0, "Unknown exporter '%.64s'",
                           name ? name : "");
    cJSON *a = builder_array(b, "exporters");
    if (!a)
        return builder_nomem(d);
    if (cJSON_GetArraySize(a) >= DISP_MAX_EXPORTERS)
        return tp_diag_set(d, TP_ERR_BAD_ARGUMENT, 0, "too many exporters");
    cJSON *s = cJSON_CreateString(exp->name);
    if (!s || !cJSON_AddItemToArray(a, s)) {
        cJSON_Delete(s);
        return builder_nomem(d);
    }
    return 0;
}

int disp_options_add_edit(struct disp_options_builder *b, const char *flag, const char *value,
                          struct tp_diag *d)
{
    if (!flag)
        return tp_diag_set(d, TP_ERR_BAD_ARGUMENT, 0, "an edit needs a flag");
    int rc = tp_edits_add(b->check, flag, value, d);
    if (rc)
        return rc;
    cJSON *a = builder_array(b, "edits");
    if (!a)
        return builder_nomem(d);
    if (cJSON_GetArraySize(a) >= DISP_MAX_EDITS)
        return tp_diag_set(d, TP_ERR_BAD_ARGUMENT, 0, "too many edits");
    cJSON *pair = cJSON_CreateArray();
    cJSON *f = cJSON_CreateString(flag);
    cJSON *v = value ? cJSON_CreateString(value) : cJSON_CreateNull();
    if (!pair || !f || !v || !cJSON_AddItemToArray(pair, f)) {
        cJSON_Delete(pair);
        cJSON_Delete(f);
        cJSON_Delete(v);
        return builder_nomem(d);
    }
    if (!cJSON_AddItemToArray(pair, v)) {
        cJSON_Delete(pair);
        cJSON_Delete(v);
        return builder_nomem(d);
    }
    if (!cJSON_AddItemToArray(a, pair)) {
        cJSON_Delete(pair);
        return builder_nomem(d);
    }
    return 0;
}

char *disp_options_builder_json(const struct disp_options_builder *b)
{
    return cJSON_PrintUnformatted(b->root);
}
