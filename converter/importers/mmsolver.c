/*
 * mmsolver.c — mmSolver (Maya MatchMove Solver) .uv 2D marker files, every version.
 *
 * Version 1 is text, derived from 3DEqualizer's point export: the number of points, then
 * for each point its name on a line, its number of frames, and that many rows
 * "frame u v weight". Versions 2 to 5 are one JSON object: "version", "points" (a list of
 * {"name", "per_frame": [{"frame", "pos", "pos_dist", "weight"}], ...}) and, from
 * version 4, "camera" with the image "resolution" [width, height].
 *
 * u and v are fractions of the image from its lower-left corner (0,0) to its upper-right
 * corner (1,1), so a pixel position is u * width, v * height. Frames are Maya's, counted
 * from 1; the model's frame is one less. From version 3 a frame carries both "pos_dist"
 * (as tracked, on the distorted plate) and "pos" (lens distortion removed): the distorted
 * one is taken, since every other format trackport writes describes the plate; version 2
 * has "pos" only. The weight (0 to 1, how much the solver trusts the marker) has no
 * place in the model and is dropped; residuals are 0.
 *
 * Only files of versions 4 and 5 can carry the comp size; without it (and for the text
 * version) the width and height must be given. A size the user gives wins, so a file can
 * be read into another resolution.
 *
 * Version 1 is read line by line. JSON is read whole (up to MMS_MAX_JSON bytes), its top
 * level walked by hand, and each point handed to cJSON alone, so memory stays the text
 * plus one point's tree however many points there are.
 */
#include "trackport.h"

#include "misc_scan.h"

#include <cjson/cJSON.h>
#include <math.h>

enum {
    MMS_MAX_JSON = 512 * 1024 * 1024, /* bytes of a JSON .uv read at most */
    MMS_MAX_COUNT = 100000000,        /* points or frames a count may announce */
};

/* mms_finish ends a read: a bare out-of-memory or limit code gets a message (one a parser
 * already wrote stays), and the collector and t are released. */
static int mms_finish(struct tp_reader *r, int rc, struct misc_keys *keys, struct tp_tracker *t)
{
    if ((rc == TP_ERR_NOMEM || rc == TP_ERR_LIMIT) && !tp_reader_diag(r)->message[0])
        rc = tp_reader_failc(r, rc, 0, "%s", tp_strerror(rc));
    misc_keys_free(keys);
    tp_tracker_cleanup(t);
    return rc;
}

/* ------------------------------------------------------------------ version 1 */

struct mms_text {
    struct tp_reader *r;
    struct tp_input *in;
    int width, height;
};

/* mms_next returns the next non-blank line, trimmed, or NULL at the end of input. */
static const char *mms_next(struct mms_text *p, size_t *len)
{
    char *line;
    while ((line = tp_input_getline(p->in, len))) {
        const char *s = line;
        misc_strip(&s, len);
        if (*len)
            return s;
    }
    return NULL;
}

static long mms_line(const struct mms_text *p)
{
    return tp_input_line_number(p->in);
}

/* mms_count reads a line holding a whole count. */
static int mms_count(struct mms_text *p, const char *what, const char *owner, long long *out)
{
    size_t len;
    const char *s = mms_next(p, &len);
    if (!s)
        return tp_reader_fail(p->r, mms_line(p) + 1, "the file ends where %s%s%s was expected",
                              what, owner ? " of point " : "", owner ? owner : "");
    if (!tp__ns_all_digits(s, len) || !misc_leading_int(s, len, MMS_MAX_COUNT, out))
        return tp_reader_fail(p->r, mms_line(p),
                              "expected %s%s%s (a whole number) but found "
                              "\"%.*s\"",
                              what, owner ? " of point " : "", owner ? owner : "",
                              len > 40 ? 40 : (int)len, s);
    return TP_OK;
}

static int mms_read_v1(struct tp_reader *r)
{
    struct mms_text p = {r, tp_reader_input(r), tp_reader_width(r), tp_reader_height(r)};
    if (p.width <= 0 || p.height <= 0)
        return tp_reader_failc(r, TP_ERR_SIZE_REQUIRED, 0,
                               "mmSolver .uv files of version 1 hold no image size: give the "
                               "width and height of the comp");
    struct tp_tracker t;
    struct misc_keys keys = {0};
    tp_tracker_init(&t);
    long long points;
    int rc = mms_count(&p, "the number of points", NULL, &points);
    for (long long i = 0; rc == TP_OK && i < points; i++) {
        size_t len;
        const char *name = mms_next(&p, &len);
        if (!name) {
            rc = tp_reader_fail(r, mms_line(&p) + 1,
                                "the file ends after %lld of the %lld points its first line "
                                "announces",
                                i, points);
            break;
        }
        if (memchr(name, '\0', len)) {
            rc = tp_reader_fail(r, mms_line(&p),
                                "a point name contains a NUL byte; this is "
                                "not a text file");
            break;
        }
        if (len > TP_MAX_NAME) {
            rc = tp_reader_failc(r, TP_ERR_LIMIT, mms_line(&p),
                                 "the point name is longer than %u characters", TP_MAX_NAME);
            break;
        }
        if ((rc = tp_tracker_set_name(&t, name, len)))
            break;
        tp_reader_progress(r, "Reading point \"%s\"", t.name);
        long long frames;
        if ((rc = mms_count(&p, "the number of frames", t.name, &frames)))
            break;
        for (long long k = 0; rc == TP_OK && k < frames; k++) {
            const char *row = mms_next(&p, &len);
            const char *f[4];
            size_t fl[4];
            int frame;
            double u, v, weight;
            if (!row) {
                rc = tp_reader_fail(r, mms_line(&p) + 1,
                                    "the file ends after %lld of the %lld frames of point "
                                    "\"%s\"",
                                    k, frames, t.name);
            } else if (misc_tokens(row, len, f, fl, 4) != 4) {
                rc = tp_reader_fail(r, mms_line(&p),
                                    "expected frame %lld of %lld of point \"%s\" as \"frame u v "
                                    "weight\"",
                                    k + 1, frames, t.name);
            } else if (!misc_integer(f[0], fl[0], -1, &frame)) {
                rc = tp_reader_fail(r, mms_line(&p),
                                    "the frame of point \"%s\" is not a whole number in range",
                                    t.name);
            } else if (!misc_number(f[1], fl[1], &u) || !misc_number(f[2], fl[2], &v) ||
                       !misc_number(f[3], fl[3], &weight)) {
                rc = tp_reader_fail(r, mms_line(&p),
                                    "frame %d of point \"%s\" holds something other than "
                                    "numbers",
                                    frame + 1, t.name);
            } else {
                rc = misc_keys_push(&keys, frame, u * p.width, v * p.height, 0);
            }
        }
        int dup;
        if (rc == TP_OK && (rc = misc_keys_sort(&keys)) == TP_OK &&
            misc_keys_duplicate(&keys, &dup))
            rc = tp_reader_fail(r, mms_line(&p), "point \"%s\" has two rows for frame %d", t.name,
                                dup + 1);
        if (rc == TP_OK)
            rc = misc_emit(r, &keys, &t);
    }
    if (rc == TP_OK) {
        size_t len;
        const char *more = mms_next(&p, &len);
        if (more)
            rc = tp_reader_fail(r, mms_line(&p),
                                "the file holds more than the %lld points its first line "
                                "announces",
                                points);
    }
    return mms_finish(r, rc, &keys, &t);
}

/* ------------------------------------------------------------------ JSON (2 to 5) */

struct mms_json {
    struct tp_reader *r;
    const char *text, *end;
    int width, height; /* given by the user, else from camera.resolution */
};

/* mms_line_at is the 1-based line of position s. */
static long mms_line_at(const struct mms_json *j, const char *s)
{
    long line = 1;
    for (const char *p = j->text; p < s; p++)
        line += *p == '\n';
    return line;
}

static const char *mms_ws(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++;
    return s;
}

/* mms_skip_string returns the position after the string starting at s ('"'), or NULL. */
static const char *mms_skip_string(const char *s, const char *end)
{
    for (s++; s < end; s++) {
        if (*s == '\\')
            s++;
        else if (*s == '"')
            return s + 1;
    }
    return NULL;
}

/*
 * mms_skip_value returns the position after the JSON value starting at s, or NULL when
 * it is cut short. Only its extent is found: cJSON checks the grammar of what is kept.
 */
static const char *mms_skip_value(const char *s, const char *end)
{
    if (s >= end)
        return NULL;
    if (*s == '"')
        return mms_skip_string(s, end);
    if (*s == '{' || *s == '[') {
        size_t depth = 0;
        for (; s < end; s++) {
            if (*s == '"') {
                s = mms_skip_string(s, end);
                if (!s)
                    return NULL;
                s--;
            } else if (*s == '{' || *s == '[') {
                depth++;
            } else if (*s == '}' || *s == ']') {
                if (--depth == 0)
                    return s + 1;
            }
        }
        return NULL;
    }
    while (s < end && *s != ',' && *s != '}' && *s != ']' && !tp__ns_space(*s))
        s++;
    return s;
}

/* A value's extent in the text. */
struct mms_span {
    const char *start, *end; /* start NULL: absent */
};

static int mms_bad_json(struct mms_json *j, const char *at, const char *what)
{
    return tp_reader_fail(j->r, mms_line_at(j, at < j->end ? at : j->end),
                          "this mmSolver .uv file is not valid JSON: %s", what);
}

/*
 * mms_top walks the top-level object, noting where "version", "points" and "camera" are.
 */
static int mms_top(struct mms_json *j, struct mms_span *version, struct mms_span *points,
                   struct mms_span *camera)
{
    const char *s = mms_ws(j->text, j->end);
    if (s == j->end || *s != '{')
        return mms_bad_json(j, s, "it does not start with '{'");
    s = mms_ws(s + 1, j->end);
    if (s < j->end && *s == '}')
        return TP_OK;
    for (;;) {
        if (s == j->end || *s != '"')
            return mms_bad_json(j, s, "expected a key in quotes");
        const char *key = s + 1, *key_end = mms_skip_string(s, j->end);
        if (!key_end)
            return mms_bad_json(j, s, "a key is not closed");
        size_t key_len = (size_t)(key_end - 1 - key);
        s = mms_ws(key_end, j->end);
        if (s == j->end || *s != ':')
            return mms_bad_json(j, s, "expected ':' after a key");
        s = mms_ws(s + 1, j->end);
        const char *value_end = mms_skip_value(s, j->end);
        if (!value_end || value_end == s)
            return mms_bad_json(j, s, "a value is missing or cut short");
        struct mms_span span = {s, value_end};
        if (key_len == 7 && memcmp(key, "version", 7) == 0)
            *version = span;
        else if (key_len == 6 && memcmp(key, "points", 6) == 0)
            *points = span;
        else if (key_len == 6 && memcmp(key, "camera", 6) == 0)
            *camera = span;
        s = mms_ws(value_end, j->end);
        if (s < j->end && *s == ',') {
            s = mms_ws(s + 1, j->end);
            continue;
        }
        if (s < j->end && *s == '}')
            break;
        return mms_bad_json(j, s, "expected ',' or '}' after a value");
    }
    s = mms_ws(s + 1, j->end);
    if (s != j->end)
        return mms_bad_json(j, s, "something follows the closing '}'");
    return TP_OK;
}

static cJSON *mms_parse(const struct mms_span *span)
{
    return cJSON_ParseWithLength(span->start, (size_t)(span->end - span->start));
}

/* mms_whole reads a JSON number that must be a whole number within [lo, hi]. */
static bool mms_whole(const cJSON *item, double lo, double hi, int *out)
{
    if (!cJSON_IsNumber(item))
        return false;
    double v = item->valuedouble;
    if (!(v >= lo && v <= hi) || floor(v) != v)
        return false;
    *out = (int)v;
    return true;
}

/* mms_pair reads [a, b] of two finite numbers. */
static bool mms_pair(const cJSON *item, double *a, double *b)
{
    if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) != 2)
        return false;
    const cJSON *x = item->child, *y = x->next;
    if (!cJSON_IsNumber(x) || !cJSON_IsNumber(y) || !isfinite(x->valuedouble) ||
        !isfinite(y->valuedouble))
        return false;
    *a = x->valuedouble;
    *b = y->valuedouble;
    return true;
}

/* mms_camera takes the comp size from camera.resolution when the user gave none. */
static int mms_camera(struct mms_json *j, const struct mms_span *camera)
{
    if (!camera->start || (j->width > 0 && j->height > 0))
        return TP_OK;
    cJSON *cam = mms_parse(camera);
    if (!cam)
        return mms_bad_json(j, camera->start, "the \"camera\" object is malformed");
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(cam, "resolution");
    double w, h;
    int rc = TP_OK;
    /* Files written from Maya can hold a resolution such as [2224.6, 1480.0000000000002]
     * (a film back times a scale): the nearest whole pixels are the comp size. */
    if (res && !cJSON_IsNull(res)) {
        if (!mms_pair(res, &w, &h) || !(w >= 0.5 && w < 1e6) || !(h >= 0.5 && h < 1e6)) {
            rc = tp_reader_fail(j->r, mms_line_at(j, camera->start),
                                "the camera \"resolution\" is not two numbers of pixels");
        } else {
            j->width = (int)lround(w);
            j->height = (int)lround(h);
            tp_reader_set_size(j->r, j->width, j->height);
        }
    }
    cJSON_Delete(cam);
    return rc;
}

/*
 * mms_point reads the entry of "points" that starts at *cursor (its 1-based index), emits
 * it, and moves *cursor past it. cJSON finds where the entry ends, so the text is walked once.
 */
static int mms_point(struct mms_json *j, const char **cursor, const char *end, size_t index,
                     struct tp_tracker *t, struct misc_keys *keys)
{
    const char *at = *cursor, *parse_end = NULL;
    cJSON *pt = cJSON_ParseWithLengthOpts(at, (size_t)(end - at), &parse_end, false);
    if (!pt)
        return mms_bad_json(j, parse_end ? parse_end : at, "a point is malformed");
    *cursor = parse_end;
    int rc = TP_OK;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(pt, "name");
    const cJSON *per_frame = cJSON_GetObjectItemCaseSensitive(pt, "per_frame");
    if (!cJSON_IsObject(pt) || !cJSON_IsString(name)) {
        rc = tp_reader_fail(j->r, mms_line_at(j, at), "point %zu has no \"name\" string", index);
        goto done;
    }
    size_t name_len = strlen(name->valuestring);
    if (name_len > TP_MAX_NAME) {
        rc = tp_reader_failc(j->r, TP_ERR_LIMIT, mms_line_at(j, at),
                             "the name of point %zu is longer than %u characters", index,
                             TP_MAX_NAME);
        goto done;
    }
    if ((rc = tp_tracker_set_name(t, name->valuestring, name_len)))
        goto done;
    if (per_frame && !cJSON_IsNull(per_frame) && !cJSON_IsArray(per_frame)) {
        rc = tp_reader_fail(j->r, mms_line_at(j, at),
                            "the \"per_frame\" of point \"%s\" is not a list", t->name);
        goto done;
    }
    int width = j->width, height = j->height;
    size_t k = 0;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, per_frame)
    {
        k++;
        int frame;
        double u, v;
        const cJSON *pos = cJSON_GetObjectItemCaseSensitive(entry, "pos_dist");
        if (!pos || cJSON_IsNull(pos))
            pos = cJSON_GetObjectItemCaseSensitive(entry, "pos");
        const cJSON *weight = cJSON_GetObjectItemCaseSensitive(entry, "weight");
        if (!cJSON_IsObject(entry) || !mms_whole(cJSON_GetObjectItemCaseSensitive(entry, "frame"),
                                                 INT_MIN + 2.0, INT_MAX, &frame)) {
            rc = tp_reader_fail(j->r, mms_line_at(j, at),
                                "entry %zu of the \"per_frame\" of point \"%s\" has no whole "
                                "\"frame\" number",
                                k, t->name);
            goto done;
        }
        if (!pos || cJSON_IsNull(pos)) {
            rc = tp_reader_fail(j->r, mms_line_at(j, at),
                                "frame %d of point \"%s\" has neither \"pos_dist\" nor \"pos\"",
                                frame, t->name);
            goto done;
        }
        if (!mms_pair(pos, &u, &v)) {
            rc = tp_reader_fail(j->r, mms_line_at(j, at),
                                "the position of frame %d of point \"%s\" is not two numbers",
                                frame, t->name);
            goto done;
        }
        if (weight && !cJSON_IsNull(weight) && !cJSON_IsNumber(weight)) {
            rc = tp_reader_fail(j->r, mms_line_at(j, at),
                                "the \"weight\" of frame %d of point \"%s\" is not a number", frame,
                                t->name);
            goto done;
        }
        double x = u * width, y = v * height;
        if (!isfinite(x) || !isfinite(y)) {
            rc = tp_reader_fail(j->r, mms_line_at(j, at),
                                "the position of frame %d of point \"%s\" is out of range", frame,
                                t->name);
            goto done;
        }
        if ((rc = misc_keys_push(keys, frame - 1, x, y, 0)))
            goto done;
    }
    int dup;
    if ((rc = misc_keys_sort(keys)))
        goto done;
    if (misc_keys_duplicate(keys, &dup)) {
        rc = tp_reader_fail(j->r, mms_line_at(j, at), "point \"%s\" lists frame %d twice", t->name,
                            dup + 1);
        goto done;
    }
    rc = misc_emit(j->r, keys, t);
done:
    cJSON_Delete(pt);
    return rc;
}

static int mms_read_json(struct tp_reader *r)
{
    struct tp_input *in = tp_reader_input(r);
    char *text;
    size_t len;
    int rc = tp_input_read_all(in, MMS_MAX_JSON, &text, &len);
    if (rc == TP_ERR_LIMIT)
        return tp_reader_failc(r, rc, 0, "a JSON mmSolver .uv file may be up to %d MiB",
                               MMS_MAX_JSON / (1024 * 1024));
    if (rc)
        return tp_reader_failc(r, rc, 0, "the file could not be read");
    size_t bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    struct mms_json j = {r, text + bom, text + len, tp_reader_width(r), tp_reader_height(r)};
    struct mms_span version = {0}, points = {0}, camera = {0};
    struct tp_tracker t;
    struct misc_keys keys = {0};
    tp_tracker_init(&t);
    int v = 0;
    if ((rc = mms_top(&j, &version, &points, &camera)))
        goto done;
    cJSON *ver = version.start ? mms_parse(&version) : NULL;
    bool known = mms_whole(ver, 2, 5, &v);
    cJSON_Delete(ver);
    if (!known) {
        rc = tp_reader_fail(r, version.start ? mms_line_at(&j, version.start) : 1,
                            version.start ? "this mmSolver .uv file has a \"version\" other "
                                            "than 2, 3, 4 or 5, which this reader knows"
                                          : "this JSON file has no \"version\": it is not an "
                                            "mmSolver .uv file");
        goto done;
    }
    if ((rc = mms_camera(&j, &camera)))
        goto done;
    if (j.width <= 0 || j.height <= 0) {
        rc = tp_reader_failc(r, TP_ERR_SIZE_REQUIRED, 0,
                             v < 4 ? "mmSolver .uv files of version %d hold no image size: give "
                                     "the width and height of the comp"
                                   : "this mmSolver .uv file (version %d) has no camera "
                                     "resolution: give the width and height of the comp",
                             v);
        goto done;
    }
    if (!points.start)
        goto done; /* no points: nothing to emit */
    const char *s = mms_ws(points.start, points.end);
    if (*s != '[') {
        rc = tp_reader_fail(r, mms_line_at(&j, s), "\"points\" is not a list");
        goto done;
    }
    s = mms_ws(s + 1, points.end);
    size_t index = 0;
    while (rc == TP_OK && s < points.end && *s != ']') {
        index++;
        tp_reader_progress_at(r, (size_t)(s - text), len, "Reading point %zu", index);
        rc = mms_point(&j, &s, points.end, index, &t, &keys);
        if (rc)
            break;
        s = mms_ws(s, points.end);
        if (*s == ',')
            s = mms_ws(s + 1, points.end);
        else if (*s != ']')
            rc = mms_bad_json(&j, s, "expected ',' or ']' between points");
    }
done:
    free(text);
    return mms_finish(r, rc, &keys, &t);
}

/* ------------------------------------------------------------------ entry points */

static int mms_read(struct tp_reader *r)
{
    size_t got;
    const char *head = tp_input_peek(tp_reader_input(r), 4096, &got);
    size_t i = 0;
    if (got >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < got && tp__ns_space(head[i]))
        i++;
    if (i < got && head[i] == '{')
        return mms_read_json(r);
    return mms_read_v1(r);
}

/*
 * A JSON object with "version" and "points" and "per_frame" is very likely; version 1
 * text is a count, a name, a count and a row of four numbers, which other formats share
 * (3DEqualizer), so it is claimed faintly and the extension decides.
 */
static int mms_sniff(const char *head, size_t len)
{
    const char *s = mms_ws(head, head + len);
    if (s < head + len && *s == '{')
        return strstr(s, "\"version\"") && strstr(s, "\"points\"") &&
                       (strstr(s, "\"per_frame\"") || strstr(s, "\"num_points\""))
                   ? 90
                   : 0;
    return 0;
}

const struct tp_importer tp_import_mmsolver = {
    .name = "mmsolver",
    .human_name = "mmSolver .uv 2D marker file (version 1 text or JSON versions 2-5)",
    .extension = ".uv",
    .flags = TP_IMPORT_SIZE_IN_SOME,
    .sniff = mms_sniff,
    .read = mms_read,
};
