/*
 * util.c — output files written whole or not at all, JSON strings, progress
 * and messages on stderr.
 */
#include "cli.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("doppel: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_warn(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("doppel: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- whole-or-nothing outputs ------------------------------------------------
 * The output is written to an unnamed file (O_TMPFILE) in the target's
 * directory, so that a run killed by anything, SIGKILL and power loss
 * included, leaves no file at all. Once complete and synced it is linked
 * under a hidden name beside the target and renamed over it (rename is
 * atomic on one file system, link alone cannot replace a file). Where the
 * file system has no unnamed files, or /proc is missing, a hidden named
 * temporary file is written instead; a signal handler removes it on SIGINT
 * and SIGTERM, but after SIGKILL it can remain. Never a partial file under
 * the requested name. */

static char *pending_tmp;  /* the one hidden temporary output that exists, if any */

static void on_signal(int sig) {
    if (pending_tmp) unlink(pending_tmp);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* An unnamed file in the directory of path (dir_len bytes of it, 0 for the
 * current one), or -1. Needs /proc to be linked later. */
static int open_unnamed(const char *path, size_t dir_len) {
#ifdef O_TMPFILE
    if (access("/proc/self/fd", X_OK) != 0) return -1;
    char *dir = dir_len ? strndup(path, dir_len) : strdup(".");
    if (!dir) return -1;
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    free(dir);
    return fd;
#else
    (void)path;
    (void)dir_len;
    return -1;
#endif
}

/* Give the unnamed file fd the hidden name out->tmp_path (its XXXXXX made
 * unique). 0, or -1 with errno set. */
static int link_unnamed(cli_out *out, int fd) {
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    char *x = out->tmp_path + strlen(out->tmp_path) - 6;
    for (unsigned attempt = 0; attempt < 100; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long v = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 12) ^ attempt;
        for (int i = 0; i < 6; i++, v /= 36) x[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
        if (linkat(AT_FDCWD, proc, AT_FDCWD, out->tmp_path, AT_SYMLINK_FOLLOW) == 0) {
            out->linked = 1;
            pending_tmp = out->tmp_path;
            return 0;
        }
        if (errno != EEXIST) return -1;
    }
    return -1;
}

/* Put a compressing stream over the file when its name asks for it. */
static int compress_if_named(cli_out *out, const char *path) {
    int kind = cli_compression_of(path);
    if (!kind) return 0;
    FILE *fp = cli_compress_open(out->fp, kind);
    if (!fp) {
        cli_error("cannot start compressing %s: out of memory", path);
        cli_out_abort(out);
        return -1;
    }
    out->raw = out->fp;
    out->fp = fp;
    return 0;
}

/* End the compressed stream, so that fp is the file itself again. */
static int finish_compression(cli_out *out) {
    if (!out->raw) return 0;
    int bad = ferror(out->fp) || fclose(out->fp) != 0;
    out->fp = out->raw;
    out->raw = NULL;
    return bad ? -1 : 0;
}

int cli_out_open(cli_out *out, const char *path) {
    *out = (cli_out){0};
    if (!path || strcmp(path, "-") == 0) {
        out->fp = stdout;
        return 0;
    }
    /* A device or FIFO (/dev/null, a named pipe) cannot be replaced by a
     * rename, and "whole or nothing" has no meaning for it: write directly. */
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        if (S_ISDIR(sb.st_mode)) {
            cli_error("output %s is a directory", path);
            return -1;
        }
        out->fp = fopen(path, "w");
        if (!out->fp) {
            cli_error("cannot write output %s: %s", path, strerror(errno));
            return -1;
        }
        out->direct = 1;
        return compress_if_named(out, path);
    }
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(path) + 32;
    out->tmp_path = malloc(n);
    out->path = strdup(path);
    if (!out->tmp_path || !out->path) {
        cli_error("out of memory");
        cli_out_abort(out);
        return -1;
    }
    snprintf(out->tmp_path, n, "%.*s.%s.doppel-tmp-XXXXXX", (int)dir_len, path, base);
    int fd = open_unnamed(path, dir_len);
    if (fd >= 0) {
        out->unnamed = 1;
    } else {
        fd = mkstemp(out->tmp_path);
        if (fd < 0) {
            cli_error("cannot create output %s: %s", path, strerror(errno));
            free(out->tmp_path);
            out->tmp_path = NULL;
            cli_out_abort(out);
            return -1;
        }
        out->linked = 1;
        pending_tmp = out->tmp_path;
    }
    fchmod(fd, 0644);
    out->fp = fdopen(fd, "w");
    if (!out->fp) {
        close(fd);
        cli_error("cannot write output %s: %s", path, strerror(errno));
        cli_out_abort(out);
        return -1;
    }
    setvbuf(out->fp, NULL, _IOFBF, 1 << 20);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    return compress_if_named(out, path);
}

int cli_out_commit(cli_out *out) {
    if (finish_compression(out)) {
        cli_error("compressing %s failed; no output written", out->path ? out->path : "output");
        cli_out_abort(out);
        return -1;
    }
    if (out->direct) {
        int bad = ferror(out->fp) || fclose(out->fp) != 0;
        *out = (cli_out){0};
        if (bad) cli_error("writing output failed: %s", strerror(errno));
        return bad ? -1 : 0;
    }
    if (!out->path) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
            cli_error("writing standard output: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    int bad = ferror(out->fp) || fflush(out->fp) != 0 || fsync(fileno(out->fp)) != 0;
    if (!bad && out->unnamed) bad = link_unnamed(out, fileno(out->fp)) != 0;
    int saved = errno;
    if (fclose(out->fp) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    out->fp = NULL;
    if (bad || rename(out->tmp_path, out->path) != 0) {
        if (!bad) saved = errno;
        cli_error("writing %s failed (%s); no output written", out->path, strerror(saved));
        cli_out_abort(out);
        return -1;
    }
    pending_tmp = NULL;
    free(out->tmp_path);
    free(out->path);
    *out = (cli_out){0};
    return 0;
}

void cli_out_abort(cli_out *out) {
    if (out->raw) {
        fclose(out->fp);  /* the compressing stream; its trailer goes nowhere useful */
        out->fp = out->raw;
        out->raw = NULL;
    }
    if (out->fp && out->fp != stdout) fclose(out->fp);
    if (out->direct) {
        *out = (cli_out){0};
        return;
    }
    /* An unnamed file vanishes with its descriptor; a named one is removed. */
    if (out->tmp_path && out->linked) unlink(out->tmp_path);
    if (pending_tmp == out->tmp_path) pending_tmp = NULL;
    free(out->tmp_path);
    free(out->path);
    *out = (cli_out){0};
}

/* ---- JSON ------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s, size_t avail) {
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
    else return 0;
    if (avail < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

void cli_json_string(FILE *fp, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    putc_unlocked('"', fp);
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            size_t j = i;
            while (j < len && p[j] >= 0x20 && p[j] != '"' && p[j] != '\\' && p[j] < 0x80) j++;
            fwrite_unlocked(p + i, 1, j - i, fp);
            i = j;
            continue;
        }
        switch (c) {
        case '"': fputs_unlocked("\\\"", fp); i++; continue;
        case '\\': fputs_unlocked("\\\\", fp); i++; continue;
        case '\n': fputs_unlocked("\\n", fp); i++; continue;
        case '\r': fputs_unlocked("\\r", fp); i++; continue;
        case '\t': fputs_unlocked("\\t", fp); i++; continue;
        default: break;
        }
        if (c < 0x20) {
            fprintf(fp, "\\u%04x", c);
            i++;
            continue;
        }
        size_t k = utf8_len(p + i, len - i);
        if (k) {
            fwrite_unlocked(p + i, 1, k, fp);
            i += k;
        } else {
            fputs_unlocked("\xEF\xBF\xBD", fp);
            i++;
        }
    }
    putc_unlocked('"', fp);
}

/* Decimal digits of v, without a terminating NUL; returns their count. */
static size_t u32_digits(char *out, uint32_t v) {
    char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    return n;
}

void cli_put_u32(FILE *fp, uint32_t v) {
    char buf[10];
    fwrite_unlocked(buf, 1, u32_digits(buf, v), fp);
}

void cli_put_u64(FILE *fp, uint64_t v) {
    if (v <= UINT32_MAX) {
        cli_put_u32(fp, (uint32_t)v);
        return;
    }
    fprintf(fp, "%" PRIu64, v);
}

/* The same text as fprintf("%.4f") for 0 <= v < 4e5, without its cost
 * (printf's float formatting was a third of writing 100k cluster lines).
 * Scaling by 10^4 rounds, so a value within a hair of a rounding tie is
 * left to printf, which rounds the exact binary value. */
void cli_put_fixed4(FILE *fp, double v) {
    double x = v * 10000.0;
    if (!(x >= 0 && x < 4e9) || fabs(x - floor(x) - 0.5) < 1e-6) {
        fprintf(fp, "%.4f", v);
        return;
    }
    uint32_t k = (uint32_t)(x + 0.5);
    char buf[16];
    size_t n = u32_digits(buf, k / 10000);
    buf[n++] = '.';
    for (uint32_t frac = k % 10000, div = 1000; div; div /= 10) buf[n++] = (char)('0' + frac / div % 10);
    fwrite_unlocked(buf, 1, n, fp);
}

/* ---- progress ---------------------------------------------------------------------- */

void cli_progress_init(cli_progress *p, cli_progress_mode mode) {
    int tty = isatty(2);
    p->enabled = mode == CLI_PROGRESS_ALWAYS || (mode == CLI_PROGRESS_AUTO && tty);
    p->lines = !tty;
    p->start = p->last = cli_now();
    if (p->lines) p->last -= 60;  /* a log shows the run started: its first line comes at once */
}

/* A redrawn line a few times a second on a terminal; a log line every five
 * seconds elsewhere, where each one stays. */
static int progress_due(cli_progress *p, double now) {
    if (now - p->last < (p->lines ? 5.0 : 0.25)) return 0;
    p->last = now;
    return 1;
}

void cli_progress_update(cli_progress *p, uint64_t docs, uint64_t bytes, uint64_t total_bytes) {
    if (!p->enabled) return;
    double now = cli_now();
    if (!progress_due(p, now)) return;
    double secs = now - p->start;
    double mbs = secs > 0 ? bytes / 1e6 / secs : 0;
    const char *pre = p->lines ? "doppel: progress: " : "\r\033[K";
    const char *post = p->lines ? "\n" : "";
    if (total_bytes && bytes && bytes <= total_bytes) {
        double eta = secs * (double)(total_bytes - bytes) / (double)bytes;
        fprintf(stderr, "%sreading: %llu docs, %.1f MB/s, %.0f%%, ETA %.0fs%s", pre,
                (unsigned long long)docs, mbs, 100.0 * bytes / total_bytes, eta, post);
    } else {
        fprintf(stderr, "%sreading: %llu docs, %.1f MB/s%s", pre, (unsigned long long)docs, mbs, post);
    }
}

void cli_progress_phase(cli_progress *p, const char *phase, double done) {
    if (!p->enabled) return;
    if (p->lines) {
        if (progress_due(p, cli_now()))
            fprintf(stderr, "doppel: progress: %s: %.0f%%\n", phase, done * 100.0);
        return;
    }
    fprintf(stderr, "\r\033[K%s: %.0f%%", phase, done * 100.0);
}

void cli_progress_done(cli_progress *p) {
    if (p->enabled && !p->lines) fputs("\r\033[K", stderr);
}
