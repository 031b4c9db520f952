/*
 * disp_options.h — a job's conversion options: the JSON object stored in jobs.options
 * (schema in jobs_store.h) turned into tp_convert arguments, and built from CLI-style
 * arguments. The site and trackportctl call disp_options_parse before enqueueing, so a bad
 * importer, exporter or tool answers 400 at once; the child parses it again to run.
 *
 * Unknown keys are an error (a typo must not silently be ignored). Names are checked
 * against the converter's registry (tp_find_importer, tp_find_exporter, tp_edits_add).
 *
 * Ownership: struct disp_options owns everything it points to (disp_options_cleanup, safe
 * on a zeroed struct). Plain heap data: safe to carry across fork().
 */
#ifndef TRACKPORT_DISP_OPTIONS_H
#define TRACKPORT_DISP_OPTIONS_H

#include "trackport.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DISP_MAX_EXPORTERS 64
#define DISP_MAX_EDITS 64

struct disp_options {
    char *importer;                    /* NULL: detect */
    int width, height;                 /* 0: not given */
    char *exporters[DISP_MAX_EXPORTERS];
    size_t exporter_count;             /* 0: every exporter */
    struct tp_edits *edits;            /* never NULL after a successful parse */
    size_t edit_count;
    char *json;                        /* the normalised JSON text (disp_options_to_json) */
    /* test hooks: only honoured by a dispatcher built with DISP_TEST_HOOKS (never in
     * production builds, where the key "test" is rejected like any unknown key) */
    int test_crash_until;              /* abort() while attempt <= this */
    int test_hang_until;               /* hang ignoring SIGTERM while attempt <= this */
    int test_sleep_ms;                 /* sleep before converting, reporting progress */
    int test_exit_until;               /* exit(3) without a result while attempt <= this */
};

/* disp_options_parse parses json (NULL or "": no options). Returns 0, or TP_ERR_BAD_ARGUMENT /
 * TP_ERR_UNKNOWN_IMPORTER / TP_ERR_UNKNOWN_EXPORTER / TP_ERR_NOMEM with a sentence in diag. */
int disp_options_parse(const char *json, struct disp_options *out, struct tp_diag *diag);
void disp_options_cleanup(struct disp_options *o);

/* A builder for enqueuers: start empty, add, then take the JSON text. */
struct disp_options_builder;
struct disp_options_builder *disp_options_builder_new(void);
void disp_options_builder_free(struct disp_options_builder *b);
/* Each adder returns 0 or a tp_error with diag; names are checked as by parse. */
int disp_options_set_importer(struct disp_options_builder *b, const char *name, struct tp_diag *d);
int disp_options_set_size(struct disp_options_builder *b, int width, int height, struct tp_diag *d);
int disp_options_add_exporter(struct disp_options_builder *b, const char *name, struct tp_diag *d);
int disp_options_add_edit(struct disp_options_builder *b, const char *flag, const char *value,
                          struct tp_diag *d);
/* disp_options_builder_json returns the JSON text (caller owns: free) or NULL (no memory). */
char *disp_options_builder_json(const struct disp_options_builder *b);

#ifdef __cplusplus
}
#endif
#endif
