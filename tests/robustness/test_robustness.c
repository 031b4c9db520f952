/*
 * test_robustness.c — every importer against every corpus sample, whole, truncated and
 * mutated (deterministically): each run must end in success or in an error that carries a
 * message, never in a crash, a hang or a sanitizer report. This covers a wrong format
 * forced with -f, truncated files, binary garbage, huge numbers and empty input.
 *
 *   test_robustness CORPUS_SAMPLES_DIR [CASE]
 *
 * Each case runs in a child process of its own; CASE (after the samples directory, as ctest
 * passes it) runs only the case of that name. The corpus cases each read the corpus again:
 * reading is cheap next to the imports, and each runs its own share of them, so the whole
 * program costs what it did in one process.
 */
#include "check.h"
#include "trackport.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#define BIG_FILE (256u * 1024u)

struct count_sink {
    struct tp_sink base;
    size_t keyframes;
};

static int cs_begin(struct tp_sink *s, int w, int h, struct tp_diag *d)
{
    (void)s;
    (void)d;
    return (w > 0 && h > 0) ? TP_OK : TP_ERR_BAD_ARGUMENT;
}

static int cs_tracker(struct tp_sink *s, struct tp_tracker *t, struct tp_diag *d)
{
    (void)d;
    struct count_sink *c = (struct count_sink *)s;
    for (size_t i = 1; i < t->len; i++)
        if (t->keys[i - 1].frame >= t->keys[i].frame)
            return TP_ERR_BAD_ARGUMENT; /* the model's invariant: sorted, unique frames */
    c->keyframes += t->len;
    return t->name ? TP_OK : TP_ERR_BAD_ARGUMENT;
}

static int cs_end(struct tp_sink *s, struct tp_diag *d)
{
    (void)s;
    (void)d;
    return TP_OK;
}

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void run_one(const struct tp_importer *imp, const char *data, size_t len,
                    const char *what)
{
    struct tp_input *in;
    if (tp_input_open_memory(data, len, &in) != TP_OK) {
        CHECK(0);
        return;
    }
    struct count_sink sink = {.base = {cs_begin, cs_tracker, cs_end, NULL, NULL}};
    struct tp_diag diag = {0};
    int rc = tp_import(imp, in, 1920, 1080, &sink.base, NULL, NULL, &diag);
    tp_input_free(in);
    CHECK_REPORT(rc == TP_OK || diag.message[0] != '\0',
                 "%s with %s: error %s without a message", what, imp->name, tp_error_name(rc));
    CHECK_REPORT(rc != TP_ERR_BAD_ARGUMENT, "%s with %s: broken tracker sent downstream", what,
                 imp->name);
}

static const char *const nasty[] = {
    "1e308", "-1e308", "99999999999999999999999", "nan", "inf", "\"", "{", "}", "(", ")",
    "\n", "\0", "-", "2147483648", "-2147483649", "<", ">", "</", "=", ",", "0x1p9999",
};

static char *mutate(const char *data, size_t len, size_t *out_len)
{
    size_t extra = 64;
    char *m = malloc(len + extra);
    if (!m)
        return NULL;
    memcpy(m, data, len);
    size_t n = len;
    int edits = 1 + (int)(rng() % 8);
    for (int e = 0; e < edits && n > 0; e++) {
        size_t at = rng() % n;
        switch (rng() % 3) {
        case 0: /* flip a byte */
            m[at] = (char)(rng() & 0xff);
            break;
        case 1: { /* splice in a troublesome token */
            const char *tok = nasty[rng() % (sizeof nasty / sizeof nasty[0])];
            size_t tl = strlen(tok) ? strlen(tok) : 1;
            if (n + tl > len + extra)
                break;
            memmove(m + at + tl, m + at, n - at);
            memcpy(m + at, tok, tl);
            n += tl;
            break;
        }
        default: { /* cut a chunk */
            size_t cut = rng() % 64;
            if (at + cut > n)
                cut = n - at;
            memmove(m + at, m + at + cut, n - at - cut);
            n -= cut;
        }
        }
    }
    *out_len = n;
    return m;
}

/* What a corpus case does to each sample. */
enum torture_kind { TORTURE_WHOLE, TORTURE_TRUNCATED, TORTURE_MUTATED };

/* Where the corpus samples are: argv[1]. */
static const char *samples_dir;

static void torture(enum torture_kind kind, const char *path, const char *data, size_t len)
{
    size_t count;
    const struct tp_importer *const *all = tp_importers(&count);
    bool big = len > BIG_FILE;
    for (size_t i = 0; i < count; i++) {
        if (kind == TORTURE_WHOLE) {
            run_one(all[i], data, len, path);
            continue;
        }
        if (kind == TORTURE_TRUNCATED) {
            int cuts = big ? 2 : 7;
            for (int k = 1; k <= cuts; k++)
                run_one(all[i], data, len * (size_t)k / (size_t)(cuts + 1), path);
            continue;
        }
        if (big)
            continue;
        for (int k = 0; k < 6; k++) {
            size_t ml;
            char *m = mutate(data, len, &ml);
            if (m)
                run_one(all[i], m, ml, path);
            free(m);
        }
    }
}

static void walk(enum torture_kind kind, const char *dir_path)
{
    DIR *dir = opendir(dir_path);
    if (!dir) {
        CHECK_REPORT(0, "cannot open %s", dir_path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir_path, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk(kind, path);
            continue;
        }
        FILE *f = fopen(path, "rb");
        char *data = malloc((size_t)st.st_size + 1);
        size_t got = (f && data) ? fread(data, 1, (size_t)st.st_size, f) : 0;
        if (f)
            fclose(f);
        if (data)
            torture(kind, path, data, got);
        free(data);
    }
    closedir(dir);
}

/* Empty input, blank lines and binary garbage through every importer. */
static void test_synthetic(void)
{
    size_t count;
    const struct tp_importer *const *all = tp_importers(&count);
    for (size_t i = 0; i < count; i++) {
        run_one(all[i], "", 0, "empty input");
        run_one(all[i], "\n\n\n", 3, "blank lines");
        static const char garbage[] = "\x00\xff\xfe\x01{{{{((((\"\"\"<<<<\x7f";
        run_one(all[i], garbage, sizeof garbage - 1, "binary garbage");
    }
}

/* Every sample, whole, through every importer (the wrong ones included). */
static void test_corpus_whole(void)
{
    walk(TORTURE_WHOLE, samples_dir);
}

/* Every sample cut short at several lengths (fewer cuts for big files). */
static void test_corpus_truncated(void)
{
    walk(TORTURE_TRUNCATED, samples_dir);
}

/* Every sample but the big ones, mutated six times per importer; the mutations come from
 * one fixed sequence, so each run tries the same ones. */
static void test_corpus_mutated(void)
{
    walk(TORTURE_MUTATED, samples_dir);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: test_robustness CORPUS_SAMPLES_DIR [CASE]\n");
        return 2;
    }
    samples_dir = argv[1];
    static const struct check_case cases[] = {
        {"synthetic", test_synthetic},
        {"corpus_whole", test_corpus_whole},
        {"corpus_truncated", test_corpus_truncated},
        {"corpus_mutated", test_corpus_mutated},
    };
    check_run_cases(cases, sizeof cases / sizeof cases[0], argc > 2 ? argv[2] : NULL);
    return check_summary();
}
