/* detect.c — choose an importer from the file name, then from the content. */
#include "trackport.h"

#include <stdio.h>
#include <string.h>

/* Lower-cased last extension of name (".nk"), or "" when it has none. */
static void extension_of(const char *name, char *ext, size_t size)
{
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    const char *dot = strrchr(base, '.');
    ext[0] = '\0';
    if (!dot || dot == base || strlen(dot) >= size)
        return;
    size_t i = 0;
    for (; dot[i]; i++) {
        char c = dot[i];
        ext[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    ext[i] = '\0';
}

/* Whether ext is one of the space-separated extensions an importer claims. */
static bool claims_extension(const char *claimed, const char *ext)
{
    size_t n = strlen(ext);
    for (const char *p = claimed; *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && memcmp(p, ext, n) == 0)
            return true;
        p += len;
        p += strspn(p, " ");
    }
    return false;
}

int tp_detect(const char *file_name, const char *head, size_t len,
              const struct tp_importer **importer, struct tp_diag *diag)
{
    size_t count;
    const struct tp_importer *const *all = tp_importers(&count);
    char ext[32];
    extension_of(file_name ? file_name : "", ext, sizeof ext);

    /* An extension that exactly one importer claims decides, as in the reference, unless
     * that importer's sniffer rejects the content and another one recognises it (a file
     * named after one format holding another). */
    const struct tp_importer *by_ext = NULL;
    size_t ext_claims = 0;
    for (size_t i = 0; ext[0] && i < count; i++) {
        if (all[i]->extension && claims_extension(all[i]->extension, ext)) {
            by_ext = all[i];
            ext_claims++;
        }
    }
    if (ext_claims == 1 && (!by_ext->sniff || by_ext->sniff(head, len) > 0)) {
        *importer = by_ext;
        return TP_OK;
    }

    int best = 0;
    const struct tp_importer *winners[64];
    size_t n_winners = 0;
    for (size_t i = 0; i < count; i++) {
        if (!all[i]->sniff)
            continue;
        int score = all[i]->sniff(head, len);
        if (score <= 0 || score < best)
            continue;
        if (score > best) {
            best = score;
            n_winners = 0;
        }
        if (n_winners < sizeof winners / sizeof winners[0])
            winners[n_winners++] = all[i];
    }
    if (n_winners == 1) {
        *importer = winners[0];
        return TP_OK;
    }
    if (ext_claims == 1) {
        /* Nothing else is sure either: the extension's importer says what is wrong. */
        *importer = by_ext;
        return TP_OK;
    }
    if (n_winners == 0)
        return tp_diag_set(diag, TP_ERR_UNKNOWN_FORMAT, 0,
                           "Unknown input format: the file's name and content match no "
                           "importer. Choose the importer explicitly.");
    char names[256] = "";
    for (size_t i = 0; i < n_winners; i++) {
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", winners[i]->name);
    }
    return tp_diag_set(diag, TP_ERR_AMBIGUOUS_FORMAT, 0,
                       "The input format is ambiguous: it could be any of %s. Choose the "
                       "importer explicitly.",
                       names);
}
