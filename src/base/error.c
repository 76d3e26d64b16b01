/*
 * error.c — status strings and the one way the library reports a failure:
 * a code returned, a message written into the caller's doppel_error.
 */
#include "base/internal.h"

#include <stdio.h>

const char *doppel_strerror(int code) {
    switch (code) {
    case DOPPEL_OK: return "success";
    case DOPPEL_END: return "end of input";
    case DOPPEL_ERR_NOMEM: return "out of memory";
    case DOPPEL_ERR_IO: return "input/output error";
    case DOPPEL_ERR_ARG: return "invalid argument";
    case DOPPEL_ERR_JSON: return "malformed JSON";
    case DOPPEL_ERR_FIELD: return "missing or invalid field";
    case DOPPEL_ERR_TOO_LARGE: return "document too large";
    case DOPPEL_ERR_EMPTY: return "empty document";
    case DOPPEL_ERR_FORMAT: return "unsupported or corrupt data";
    case DOPPEL_ERR_STATE: return "call not valid in this state";
    case DOPPEL_ERR_LIMIT: return "limit reached";
    default: return "unknown error";
    }
}

doppel_status dp_fail(doppel_error *err, doppel_status code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}
