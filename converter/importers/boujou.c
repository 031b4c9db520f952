/*
 * boujou.c — boujou "2d tracks export: text" feature track files.
 *
 *   # boujou 2d tracks export: text
 *   # track_id    view      x    y
 *   Target_track_1  5  252.046  171.677
 *
 * One row per keyframe; the "# track_id" comment names the columns (their order is taken
 * from it). Rows of one track come together, so a track is complete when the name
 * changes; a name that comes back later starts another track of the same name, as
 * boujou's readers treat it. Views count from 1 and y runs down from the top, measured
 * so that the model's y is height - y - 1 (boujou's pixel origin sits one pixel off the
 * model's). The comp size is not in the file and must be given.
 */
#include "misc_scan.h"

enum { BJ_ID, BJ_VIEW, BJ_X, BJ_Y, BJ_COLUMNS };
#define BJ_MAX_COLUMNS 64

static int bj_sniff(const char *head, size_t len)
{
    (void)len;
    if (strncmp(head, "# boujou", 8) == 0 || strstr(head, "\n# boujou 2d tracks"))
        return 95;
    if (strncmp(head, "# track_id", 10) == 0 || strstr(head, "\n# track_id"))
        return 70;
    return 0;
}

/* Reads the column header ("# track_id view x y") into col[]: the position of each
 * needed column. Returns false if one is missing. */
static bool bj_columns(const char *line, size_t len, size_t col[BJ_COLUMNS], size_t *ncols)
{
    static const char *const names[BJ_COLUMNS] = {"track_id", "view", "x", "y"};
    const char *tok[BJ_MAX_COLUMNS];
    size_t tl[BJ_MAX_COLUMNS];
    /* skip the "#" */
    size_t n = misc_tokens(line + 1, len - 1, tok, tl, BJ_MAX_COLUMNS);
    if (n > BJ_MAX_COLUMNS)
        return false;
    *ncols = n;
    for (int c = 0; c < BJ_COLUMNS; c++) {
        col[c] = SIZE_MAX;
        for (size_t i = 0; i < n && col[c] == SIZE_MAX; i++)
            if (tl[i] == strlen(names[c]) && memcmp(tok[i], names[c], tl[i]) == 0)
                col[c] = i;
        if (col[c] == SIZE_MAX)
            return false;
    }
    return true;
}

static int bj_read(struct tp_reader *r)
{
    struct tp_input *in = tp_reader_input(r);
    const double height = tp_reader_height(r);
    struct tp_tracker t;
    struct misc_keys keys = {0};
    tp_tracker_init(&t);
    int rc = TP_OK;
    char *line;
    size_t len;
    size_t col[BJ_COLUMNS], ncols = 0;
    bool have_columns = false;

    while (rc == TP_OK && (line = tp_input_getline(in, &len))) {
        const char *s = line;
        misc_strip(&s, &len);
        if (!have_columns) {
            if (misc_starts(s, len, "# track_id")) {
                if (!bj_columns(s, len, col, &ncols))
                    rc = tp_reader_fail(r, tp_input_line_number(in),
                                        "The column header must name the columns track_id, "
                                        "view, x and y");
                have_columns = true;
            }
            continue;
        }
        if (len == 0 || s[0] == '#')
            continue;
        const char *tok[BJ_MAX_COLUMNS];
        size_t tl[BJ_MAX_COLUMNS];
        size_t n = misc_tokens(s, len, tok, tl, BJ_MAX_COLUMNS);
        if (n < ncols) {
            rc = tp_reader_fail(r, tp_input_line_number(in),
                                "Expected %zu columns (track_id, view, x, y), found %zu", ncols,
                                n);
            break;
        }
        int frame;
        double x, y;
        if (!misc_integer(tok[col[BJ_VIEW]], tl[col[BJ_VIEW]], -1, &frame) ||
            !misc_number(tok[col[BJ_X]], tl[col[BJ_X]], &x) ||
            !misc_number(tok[col[BJ_Y]], tl[col[BJ_Y]], &y)) {
            rc = tp_reader_fail(r, tp_input_line_number(in),
                                "Expected a whole view number and x, y coordinates");
            break;
        }
        const char *name = tok[col[BJ_ID]];
        size_t nlen = tl[col[BJ_ID]];
        if (t.name && (strlen(t.name) != nlen || memcmp(t.name, name, nlen) != 0)) {
            if ((rc = misc_emit(r, &keys, &t)))
                break;
        }
        if (!t.name) {
            if ((rc = tp_tracker_set_name(&t, name, nlen)))
                break;
            tp_reader_progress(r, "Reading track \"%s\"", t.name);
        }
        rc = misc_keys_push(&keys, frame, x, height - y - 1.0, 0.0);
    }
    if (rc == TP_OK && !have_columns && !tp_input_error(in))
        rc = tp_reader_fail(r, 0,
                            "No \"# track_id view x y\" column header was found: this does not "
                            "look like a boujou feature track export");
    return misc_finish(r, rc, t.name != NULL, &keys, &t);
}

const struct tp_importer tp_import_boujou = {
    .name = "boujou",
    .human_name = "Boujou feature tracks export",
    .extension = NULL, /* .txt, shared with many formats: the sniffer decides */
    .flags = 0,
    .sniff = bj_sniff,
    .read = bj_read,
};
