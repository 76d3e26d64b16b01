/*
 * extract_speed.c — throughput of doppel_extract on synthetic pages.
 *
 * Builds N pages per format (plain text with site chrome, Markdown with
 * front matter and links, HTML with head, nav, article, aside and footer)
 * from a fixed vocabulary and a fixed seed, then extracts them all with one
 * warm extractor and prints MB/s of input per format. Usage:
 *   extract_speed [pages-per-format]   (default 3000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doppel.h"

static const char *const words[] = {
    "the", "council", "said", "on", "Tuesday", "that", "a", "new", "bridge", "would", "open",
    "in", "spring", "and", "residents", "of", "the", "valley", "were", "asked", "to", "comment",
    "before", "work", "begins", "with", "engineers", "from", "county", "who", "have", "studied",
    "river", "for", "years", "it", "is", "not", "clear", "how", "much", "project", "will",
    "cost", "but", "officials", "expect", "budget", "to", "rise", "by", "several", "million"};
#define NWORDS (sizeof words / sizeof *words)

static unsigned long long rng = 88172645463325252ull;
static unsigned next(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (unsigned)(rng >> 16);
}

static size_t sentence(char *o) {
    size_t n = 0, len = 8 + next() % 16;
    for (size_t i = 0; i < len; i++) {
        const char *w = words[next() % NWORDS];
        if (i) o[n++] = ' ';
        size_t k = strlen(w);
        memcpy(o + n, w, k);
        if (!i && o[n] >= 'a') o[n] -= 32;
        n += k;
    }
    o[n++] = '.';
    return n;
}

static size_t paragraph(char *o, int md) {
    size_t n = 0, s = 2 + next() % 4;
    for (size_t i = 0; i < s; i++) {
        if (i) o[n++] = ' ';
        if (md && i == 1) n += (size_t)sprintf(o + n, "[a source](https://example.org/%u) says ", next());
        n += sentence(o + n);
    }
    return n;
}

static size_t page(char *o, int fmt, int i) {
    size_t n = 0;
    int paras = 6 + (int)(next() % 8);
    if (fmt == 0) {
        n += (size_t)sprintf(o + n, "Home | News | Sport | Weather\n\nSubscribe now\n\n"
                                    "Headline number %d about the bridge\n\n", i);
        for (int p = 0; p < paras; p++) n += paragraph(o + n, 0), o[n++] = '\n', o[n++] = '\n';
        n += (size_t)sprintf(o + n, "- Advertisement -\n\nMost Popular\n\nAnother story\n\n"
                                    "Leave a comment\nCopyright 2024 Example\n");
    } else if (fmt == 1) {
        n += (size_t)sprintf(o + n, "---\ntitle: \"Post %d\"\ndate: 2024-01-%02d\ntags:\n  - a\n---\n"
                                    "# Post %d\n\n", i, 1 + i % 28, i);
        for (int p = 0; p < paras; p++) n += paragraph(o + n, 1), o[n++] = '\n', o[n++] = '\n';
        n += (size_t)sprintf(o + n, "![img](/x.jpg)\n\n[Subscribe](/s)\n");
    } else {
        n += (size_t)sprintf(o + n,
                             "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Story %d</title>"
                             "<meta property=\"og:title\" content=\"Story %d\"><script>var a=1;</script>"
                             "</head><body><nav><a href=\"/\">Home</a> <a href=\"/n\">News</a></nav>"
                             "<article><h1>Story %d</h1>", i, i, i);
        for (int p = 0; p < paras; p++) {
            n += (size_t)sprintf(o + n, "<p>");
            n += paragraph(o + n, 0);
            n += (size_t)sprintf(o + n, " <a href=\"/l\">link</a></p>\n");
        }
        n += (size_t)sprintf(o + n, "</article><aside><ul><li><a href=\"/x\">Popular</a></li></ul>"
                                    "</aside><footer>Copyright 2024</footer></body></html>\n");
    }
    return n;
}

int main(int argc, char **argv) {
    int pages = argc > 1 ? atoi(argv[1]) : 3000;
    const char *names[] = {"text", "markdown", "html"};
    doppel_extractor *ex;
    if (doppel_extractor_new(&ex, NULL)) return 1;
    for (int fmt = 0; fmt < 3; fmt++) {
        size_t cap = (size_t)pages * 8192, len = 0;
        char *buf = malloc(cap);
        size_t *off = malloc(((size_t)pages + 1) * sizeof *off);
        for (int i = 0; i < pages; i++) off[i] = len, len += page(buf + len, fmt, i);
        off[pages] = len;
        struct timespec t0, t1;
        size_t kept = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < pages; i++) {
            doppel_extract_result r;
            if (doppel_extract(ex, buf + off[i], off[i + 1] - off[i], NULL, &r, NULL)) return 1;
            kept += r.text_len;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
        printf("extract %-8s %5d pages, %6.1f MB in %.3f s: %7.1f MB/s (%.0f%% of bytes kept)\n",
               names[fmt], pages, len / 1e6, s, len / 1e6 / s, 100.0 * kept / len);
        free(buf);
        free(off);
    }
    doppel_extractor_free(ex);
    return 0;
}
