/* error.c — error codes to sentences, and the user diagnostic. */
#include "trackport.h"

#include <errno.h>
#include <stdio.h>

const char *tp_strerror(int code)
{
    switch (code) {
#define TP__TEXT(name, value, text)                                                           \
    case value:                                                                               \
        return text;
        TP_ERRORS(TP__TEXT)
#undef TP__TEXT
    }
    return "unknown error";
}

int tp_errno_code(int err)
{
    switch (err) {
    case ENOSPC:
    case EDQUOT:
        return TP_ERR_DISK_FULL;
    case EFBIG:
        return TP_ERR_FILE_TOO_BIG;
    case ENOMEM:
        return TP_ERR_NOMEM;
    default:
        return TP_ERR_IO;
    }
}

const char *tp_error_name(int code)
{
    switch (code) {
#define TP__NAME(name, value, text)                                                           \
    case value:                                                                               \
        return #name;
        TP_ERRORS(TP__NAME)
#undef TP__NAME
    }
    return "TP_UNKNOWN";
}

int tp_diag_set(struct tp_diag *diag, int code, long line, const char *fmt, ...)
{
    if (!diag)
        return code;
    diag->line = line;
    size_t used = 0;
    if (line > 0) {
        int n = snprintf(diag->message, sizeof diag->message, "Line %ld: ", line);
        used = n > 0 ? (size_t)n : 0;
        if (used >= sizeof diag->message)
            used = sizeof diag->message - 1;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag->message + used, sizeof diag->message - used, fmt, ap);
    va_end(ap);
    return code;
}
