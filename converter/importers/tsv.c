/* tsv.c — the plain keyframe table (see the corpus README): "# key<TAB>value" header
 * lines, an optional column header, then one "tracker frame x y residual" row a keyframe,
 * rows of one tracker together. */
#include "trackport.h"

#include <string.h>

static int tsv_sniff(const char *head, size_t len)
{
    (void)len;
    if (strstr(head, "tracker\tframe\tx\ty\tresidual"))
        return 90;
    return 0;
}

/* Splits line into up to max tab-separated fields; returns the field count. */
static size_t split_tabs(char *line, size_t len, char **fields, size_t *lens, size_t max)
{
    size_t n = 0;
    char *start = line, *end = line + len;
    while (n < max) {
        char *tab = memchr(start, '\t', (size_t)(end - start));
        fields[n] = start;
        lens[n] = (size_t)((tab ? tab : end) - start);
        n++;
        if (!tab)
            break;
        start = tab + 1;
    }
    return n;
}

static int tsv_read(struct tp_reader *r)
{
    struct tp_input *in = tp_reader_input(r);
    struct tp_tracker t;
    tp_tracker_init(&t);
    int width = 0, height = 0, rc = TP_OK;
    bool size_set = false;
    char *line;
    size_t len;
    while ((line = tp_input_getline(in, &len))) {
        long no = tp_input_line_number(in);
        if (len == 0)
            continue;
        if (line[0] == '#') {
            char *f[3];
            size_t fl[3];
            if (split_tabs(line, len, f, fl, 3) == 2) {
                int v;
                if (fl[0] == 7 && memcmp(f[0], "# width", 7) == 0 && tp_parse_int(f[1], fl[1], &v))
                    width = v;
                if (fl[0] == 8 && memcmp(f[0], "# height", 8) == 0 && tp_parse_int(f[1], fl[1], &v))
                    height = v;
            }
            continue;
        }
        if (strncmp(line, "tracker\t", 8) == 0)
            continue;
        if (!size_set) {
            if (width > 0 && height > 0)
                tp_reader_set_size(r, width, height);
            size_set = true;
        }
        char *f[6];
        size_t fl[6];
        if (split_tabs(line, len, f, fl, 6) != 5) {
            rc = tp_reader_fail(r, no, "expected 5 tab-separated fields (tracker, frame, x, y, "
                                       "residual)");
            break;
        }
        int frame;
        double x, y, residual;
        if (!tp_parse_int(f[1], fl[1], &frame) || !tp_parse_double(f[2], fl[2], &x) ||
            !tp_parse_double(f[3], fl[3], &y) || !tp_parse_double(f[4], fl[4], &residual)) {
            rc = tp_reader_fail(r, no, "expected a whole frame number and three numbers");
            break;
        }
        if (fl[0] == 0) {
            rc = tp_reader_fail(r, no, "the tracker name is empty");
            break;
        }
        if (t.name && (strlen(t.name) != fl[0] || memcmp(t.name, f[0], fl[0]) != 0)) {
            rc = tp_reader_emit(r, &t);
            if (rc)
                break;
        }
        if (!t.name && (rc = tp_tracker_set_name(&t, f[0], fl[0])))
            break;
        if ((rc = tp_tracker_add(&t, frame, x, y, residual)))
            break;
        tp_reader_progress(r, "Reading tracker \"%s\"", t.name);
    }
    if (rc == TP_OK && t.name)
        rc = tp_reader_emit(r, &t);
    if (rc == TP_ERR_NOMEM || rc == TP_ERR_LIMIT)
        rc = tp_reader_failc(r, rc, tp_input_line_number(in), "%s", tp_strerror(rc));
    tp_tracker_cleanup(&t);
    return rc;
}

const struct tp_importer tp_import_tsv = {
    .name = "tsv",
    .human_name = "Tab-separated keyframe table",
    .extension = ".tsv",
    .flags = TP_IMPORT_KNOWS_SIZE,
    .sniff = tsv_sniff,
    .read = tsv_read,
};
