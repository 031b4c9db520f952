/*
 * syntheyes.c — SynthEyes "Tracker 2-D paths" export: one "name frame u v outcome" line
 * a keyframe.
 *
 * u and v run from -1 to 1 across the image with v pointing down; SynthEyes puts -1 and
 * 1 on the centres of the outermost pixels, so the span is width - 1 (height - 1)
 * pixels.
 *
 * The export script has options that change what a row means:
 * - "Include Outcome Codes" adds the fifth column, SynthEyes' bits for that frame: 1 run,
 *   2 enabled, 4 a usable position was found, 8 a key, 16 jumped, 32 out of sight. A row
 *   without the 4 bit is a frame where the tracker was not found (written because of
 *   "Even when missing") and becomes no keyframe.
 * - "Even when missing" without outcome codes writes rows for frames where the tracker
 *   was not found that nothing tells apart: they are read as keyframes (the README asks
 *   for outcome codes with that option).
 * - The frame offset shifts every frame number; it is read as written (--slip undoes it).
 * - The U/V scale and offset change the ranges. Nothing in the file records them, and
 *   a 0..1 range (scale 0.5, offset 0.5) cannot be told from positions in one quarter of
 *   the frame, nor large values from trackers far off screen: rows are read as the
 *   default -1..1, and the README asks for the defaults (scale 1, offset 0).
 *
 * The rows of one tracker are normally contiguous and each tracker is emitted as soon as
 * its name changes. Nothing in the format promises that, though: when a name comes back
 * after another tracker's rows, its keyframes belong to the earlier tracker, and every
 * tracker has to be held until the end. For regular files and memory a quick first pass
 * over the names decides which way to go; input that cannot be read twice (a pipe) is
 * always held.
 */
#include "trackport.h"

#include "numscan.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One parsed row. */
struct sy_row {
    const char *name;
    size_t name_len;
    int frame;
    double u, v;
    bool found; /* false when an outcome code says the tracker was not found */
};

enum {
    SY_OUTCOME_OK = 4, /* "usable u/v present on this frame" */
};

/* A set of names (and, when holding everything, their trackers) by open addressing. */
struct sy_table {
    size_t *slots; /* index + 1 into trackers, 0 = empty; capacity is a power of two */
    size_t cap;
    struct tp_tracker *trackers; /* in order of first appearance */
    size_t len, alloc;
};

struct sy_reader {
    struct tp_reader *r;
    struct tp_input *in;
    double wspan, hspan, height;
    struct sy_table table;
    struct tp_tracker cur;
    unsigned long rows;
};

static uint64_t sy_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

static void sy_table_cleanup(struct sy_table *tb)
{
    for (size_t i = 0; i < tb->len; i++)
        tp_tracker_cleanup(&tb->trackers[i]);
    free(tb->trackers);
    free(tb->slots);
    memset(tb, 0, sizeof *tb);
}

/* sy_table_slot returns the slot for name: holding its index + 1, or 0 if absent. */
static size_t *sy_table_slot(struct sy_table *tb, const char *name, size_t len)
{
    size_t mask = tb->cap - 1;
    for (size_t i = (size_t)sy_hash(name, len) & mask;; i = (i + 1) & mask) {
        size_t *slot = &tb->slots[i];
        if (*slot == 0)
            return slot;
        const char *other = tb->trackers[*slot - 1].name;
        if (strlen(other) == len && memcmp(other, name, len) == 0)
            return slot;
    }
}

static int sy_table_grow(struct sy_table *tb)
{
    size_t cap = tb->cap ? tb->cap * 2 : 64;
    size_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return TP_ERR_NOMEM;
    free(tb->slots);
    tb->slots = slots;
    tb->cap = cap;
    for (size_t i = 0; i < tb->len; i++) {
        const char *n = tb->trackers[i].name;
        *sy_table_slot(tb, n, strlen(n)) = i + 1;
    }
    return TP_OK;
}

/*
 * sy_table_get finds the tracker named name (already made whitespace-free by the row
 * parser), adding an empty one if absent. *added tells which.
 */
static int sy_table_get(struct sy_table *tb, const char *name, size_t len,
                        struct tp_tracker **out, bool *added)
{
    if ((tb->len + 1) * 2 > tb->cap && sy_table_grow(tb))
        return TP_ERR_NOMEM;
    size_t *slot = sy_table_slot(tb, name, len);
    *added = *slot == 0;
    if (*slot) {
        *out = &tb->trackers[*slot - 1];
        return TP_OK;
    }
    if (tb->len == tb->alloc) {
        size_t n = tb->alloc ? tb->alloc * 2 : 64;
        struct tp_tracker *p = realloc(tb->trackers, n * sizeof *p);
        if (!p)
            return TP_ERR_NOMEM;
        tb->trackers = p;
        tb->alloc = n;
    }
    struct tp_tracker *t = &tb->trackers[tb->len];
    tp_tracker_init(t);
    int rc = tp_tracker_set_name(t, name, len);
    if (rc)
        return rc;
    tb->len++;
    *slot = tb->len;
    *out = t;
    return TP_OK;
}

/*
 * sy_fields splits a row. Names may hold spaces, so the last four fields are
 * "frame u v outcome" and everything before them is the name; a row of exactly four
 * fields has no outcome. Returns false when the row has fewer than four fields.
 */
static bool sy_fields(const char *line, size_t len, const char **f, size_t *fl,
                      struct sy_row *row, size_t *nfields)
{
    enum { MAX_FIELDS = 64 };
    const char *all[MAX_FIELDS + 1];
    size_t all_len[MAX_FIELDS + 1];
    size_t n = tp__ns_split(line, len, all, all_len, MAX_FIELDS);
    if (n < 4 || n > MAX_FIELDS)
        return false;
    size_t tail = n == 4 ? 3 : 4;
    size_t names = n - tail;
    row->name = all[0];
    row->name_len = (size_t)(all[names - 1] + all_len[names - 1] - all[0]);
    for (size_t i = 0; i < tail; i++) {
        f[i] = all[names + i];
        fl[i] = all_len[names + i];
    }
    *nfields = tail;
    return true;
}

/* sy_parse parses one non-blank row; the name is collapsed in place in line. */
static int sy_parse(struct sy_reader *p, char *line, size_t len, long no, struct sy_row *row)
{
    const char *f[4];
    size_t fl[4], n;
    if (!sy_fields(line, len, f, fl, row, &n))
        return tp_reader_fail(p->r, no,
                              "expected \"name frame u v status\" (a SynthEyes 2D tracker "
                              "path row)");
    if (memchr(row->name, '\0', row->name_len))
        return tp_reader_fail(p->r, no, "the tracker name contains a NUL byte; this is not a "
                                        "text file");
    if (row->name_len > TP_MAX_NAME)
        return tp_reader_failc(p->r, TP_ERR_LIMIT, no,
                               "the tracker name is longer than %u characters", TP_MAX_NAME);
    row->name_len = tp__ns_collapse_space(line + (row->name - line), row->name, row->name_len);
    int status;
    if (!tp__ns_int(f[0], fl[0], &row->frame))
        return tp_reader_fail(p->r, no, "the frame of tracker \"%.*s\" is not a whole number "
                                        "in range",
                              (int)row->name_len, row->name);
    if (!tp__ns_double(f[1], fl[1], &row->u) || !tp__ns_double(f[2], fl[2], &row->v))
        return tp_reader_fail(p->r, no, "the position of tracker \"%.*s\" is not a pair of "
                                        "numbers",
                              (int)row->name_len, row->name);
    if (n == 4 && !tp__ns_int(f[3], fl[3], &status))
        return tp_reader_fail(p->r, no, "the status of tracker \"%.*s\" is not a whole number",
                              (int)row->name_len, row->name);
    row->found = n != 4 || (status & SY_OUTCOME_OK) != 0;
    return TP_OK;
}

/* sy_add converts a row's position to pixels and stores it in t. */
static int sy_add(struct sy_reader *p, struct tp_tracker *t, const struct sy_row *row, long no)
{
    double x = (((row->u / 2.0) + 0.5) * p->wspan) + 0.5;
    double y = p->height - ((((row->v / 2.0) + 0.5) * p->hspan) + 0.5);
    if (!isfinite(x) || !isfinite(y))
        return tp_reader_fail(p->r, no, "the position of tracker \"%s\" is out of range",
                              t->name);
    if (t->len && t->keys[t->len - 1].frame >= row->frame && tp_tracker_find(t, row->frame))
        return tp_reader_fail(p->r, no, "tracker \"%s\" has two rows for frame %d", t->name,
                              row->frame);
    int rc = tp_tracker_add(t, row->frame, x, y, 0);
    if (rc)
        return tp_reader_failc(p->r, rc, no,
                               rc == TP_ERR_LIMIT ? "tracker \"%s\" has too many keyframes"
                                                  : "out of memory reading tracker \"%s\"",
                               t->name);
    if ((++p->rows & 4095) == 0)
        tp_reader_progress(p->r, "Reading frame %d of \"%s\"", row->frame, t->name);
    return TP_OK;
}

static int sy_input_failed(struct sy_reader *p)
{
    int err = tp_input_error(p->in);
    if (err == TP_ERR_LIMIT)
        return tp_reader_failc(p->r, err, tp_input_line_number(p->in) + 1,
                               "this line is too long for a SynthEyes file");
    if (err)
        return tp_reader_failc(p->r, err, 0, "the file could not be read");
    return TP_OK;
}

/*
 * sy_contiguous reads the names only and tells whether each tracker's rows are together.
 * Rows that do not parse are left for the real pass to report.
 */
static int sy_contiguous(struct sy_reader *p, bool *contiguous)
{
    struct sy_table seen = {0};
    char *prev = NULL;
    size_t prev_len = 0, prev_cap = 0;
    int rc = TP_OK;
    *contiguous = true;
    char *line;
    size_t len;
    while ((line = tp_input_getline(p->in, &len))) {
        const char *f[4];
        size_t fl[4], n;
        struct sy_row row;
        if (!sy_fields(line, len, f, fl, &row, &n) || row.name_len > TP_MAX_NAME)
            continue;
        row.name_len = tp__ns_collapse_space(line + (row.name - line), row.name, row.name_len);
        if (prev && prev_len == row.name_len && memcmp(prev, row.name, prev_len) == 0)
            continue;
        struct tp_tracker *t;
        bool added;
        if ((rc = sy_table_get(&seen, row.name, row.name_len, &t, &added)))
            break;
        if (!added) {
            *contiguous = false;
            break;
        }
        if (row.name_len + 1 > prev_cap) {
            char *np = realloc(prev, row.name_len + 1);
            if (!np) {
                rc = TP_ERR_NOMEM;
                break;
            }
            prev = np;
            prev_cap = row.name_len + 1;
        }
        memcpy(prev, row.name, row.name_len);
        prev_len = row.name_len;
    }
    free(prev);
    sy_table_cleanup(&seen);
    if (rc)
        return tp_reader_failc(p->r, rc, 0, "out of memory");
    if ((rc = sy_input_failed(p)))
        return rc;
    if (tp_input_rewind(p->in))
        return tp_reader_failc(p->r, TP_ERR_IO, 0, "the file could not be read a second time");
    return TP_OK;
}

static int sy_read(struct tp_reader *r)
{
    struct sy_reader p;
    memset(&p, 0, sizeof p);
    p.r = r;
    p.in = tp_reader_input(r);
    int w = tp_reader_width(r), h = tp_reader_height(r);
    if (w <= 0 || h <= 0)
        return tp_reader_failc(r, TP_ERR_SIZE_REQUIRED, 0,
                               "SynthEyes 2D paths hold no image size: give the width and "
                               "height of the comp");
    p.wspan = (double)w - 1;
    p.hspan = (double)h - 1;
    p.height = h;
    tp_tracker_init(&p.cur);

    bool stream = false;
    int rc = TP_OK;
    if (tp_input_total(p.in) > 0)
        rc = sy_contiguous(&p, &stream);
    char *line;
    size_t len;
    while (rc == TP_OK && (line = tp_input_getline(p.in, &len))) {
        long no = tp_input_line_number(p.in);
        const char *s = line;
        size_t l = len;
        tp__ns_trim(&s, &l);
        if (l == 0)
            continue;
        struct sy_row row;
        if ((rc = sy_parse(&p, line, len, no, &row)))
            break;
        struct tp_tracker *t = &p.cur;
        if (stream) {
            if (!p.cur.name || strlen(p.cur.name) != row.name_len ||
                memcmp(p.cur.name, row.name, row.name_len) != 0) {
                if (p.cur.name && (rc = tp_reader_emit(r, &p.cur)))
                    break;
                if ((rc = tp_tracker_set_name(&p.cur, row.name, row.name_len))) {
                    rc = tp_reader_failc(r, rc, no, "out of memory");
                    break;
                }
                tp_reader_progress(r, "Reading tracker \"%s\"", p.cur.name);
            }
        } else {
            bool added;
            if ((rc = sy_table_get(&p.table, row.name, row.name_len, &t, &added))) {
                rc = tp_reader_failc(r, rc, no, "out of memory");
                break;
            }
            if (added)
                tp_reader_progress(r, "Reading tracker \"%s\"", t->name);
        }
        if (row.found)
            rc = sy_add(&p, t, &row, no);
    }
    if (rc == TP_OK)
        rc = sy_input_failed(&p);
    if (rc == TP_OK && stream && p.cur.name)
        rc = tp_reader_emit(r, &p.cur);
    for (size_t i = 0; rc == TP_OK && !stream && i < p.table.len; i++)
        rc = tp_reader_emit(r, &p.table.trackers[i]);
    tp_tracker_cleanup(&p.cur);
    sy_table_cleanup(&p.table);
    return rc;
}

/* sy_sniff_row tells whether line is "name frame u v status" with a non-numeric name. */
static bool sy_sniff_row(const char *line, size_t len)
{
    const char *f[6];
    size_t fl[6];
    if (tp__ns_split(line, len, f, fl, 5) != 5)
        return false;
    int frame, status;
    double u, v;
    if (tp__ns_double(f[0], fl[0], &u) || f[0][0] == '#' || f[0][0] == '"')
        return false;
    return tp__ns_int(f[1], fl[1], &frame) && tp__ns_double(f[2], fl[2], &u) &&
           tp__ns_double(f[3], fl[3], &v) && tp__ns_int(f[4], fl[4], &status) && u > -100 &&
           u < 100 && v > -100 && v < 100;
}

/* Every complete line among the first few must be a 2D path row (blank lines allowed). */
static int sy_sniff(const char *head, size_t len)
{
    const char *p = head, *end = head + len;
    int rows = 0;
    while (p < end && rows < 50) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break; /* a partial last line proves nothing */
        size_t l = (size_t)(nl - p);
        const char *s = p;
        size_t sl = l;
        tp__ns_trim(&s, &sl);
        if (sl > 0) {
            if (!sy_sniff_row(p, l))
                return 0;
            rows++;
        }
        p = nl + 1;
    }
    if (rows == 0 && p < end && sy_sniff_row(p, (size_t)(end - p)))
        rows = 1; /* a one-line file without a final line break */
    if (rows == 0)
        return 0;
    return rows >= 3 ? 80 : 60;
}

const struct tp_importer tp_import_syntheyes = {
    .name = "syntheyes",
    .human_name = "Syntheyes 2D tracker paths file",
    .extension = ".txt .sni", /* .sni: Mocha's name for its SynthEyes export */
    .flags = 0,
    .sniff = sy_sniff,
    .read = sy_read,
};
