/* edits.c — the ordered edit list (placeholder until the tools land: no flags yet). */
#include "trackport.h"

#include <stdlib.h>

struct tp_edits {
    size_t count;
};

const struct tp_tool_flag *tp_tool_flags(size_t *count)
{
    *count = 0;
    return NULL;
}

struct tp_edits *tp_edits_new(void)
{
    return calloc(1, sizeof(struct tp_edits));
}

void tp_edits_free(struct tp_edits *edits)
{
    free(edits);
}

int tp_edits_add(struct tp_edits *edits, const char *flag, const char *value,
                 struct tp_diag *diag)
{
    (void)edits;
    (void)value;
    return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "Unknown edit \"%s\"", flag);
}

size_t tp_edits_count(const struct tp_edits *edits)
{
    return edits ? edits->count : 0;
}

int tp_edits_wrap(const struct tp_edits *edits, struct tp_sink *next, struct tp_sink **head,
                  struct tp_diag *diag)
{
    (void)edits;
    (void)diag;
    *head = next;
    return TP_OK;
}

void tp_edits_unwrap(struct tp_sink *head, struct tp_sink *next)
{
    while (head && head != next) {
        struct tp_sink *after = head->next;
        if (head->destroy)
            head->destroy(head);
        head = after;
    }
}
