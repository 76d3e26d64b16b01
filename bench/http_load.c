/*
 * http_load.c — a small HTTP/1.1 load client for doppel serve: CLIENTS
 * threads, each on one keep-alive connection, POST the lines of INPUT
 * (one JSON document each) to /v1/check for SECONDS; prints checks/s and
 * the p50 / p99 of the round trip. In C so that the client is not the
 * limit (the Python one was: bench/index_http.py).
 * usage: build/bench/http_load PORT INPUT.jsonl [clients] [seconds]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char **lines;
static size_t *lens, nlines;
static int port;
static double stop_at;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct client {
    int k, clients;
    double *lat;
    size_t n, cap, errors;
} client;

static int connect_one(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One response: headers, then Content-Length bytes. Returns the status or -1. */
static int read_response(int fd, char *buf, size_t cap) {
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        ssize_t r = read(fd, buf + have, cap - have - 1);
        if (r <= 0) return -1;
        have += (size_t)r;
        buf[have] = 0;
        end = strstr(buf, "\r\n\r\n");
    }
    int status = atoi(buf + 9);
    char *cl = strcasestr(buf, "content-length:");
    size_t body = cl ? strtoul(cl + 15, NULL, 10) : 0, got = have - (size_t)(end + 4 - buf);
    while (got < body) {
        ssize_t r = read(fd, buf, cap);
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return status;
}

static void *run(void *p) {
    client *c = p;
    int fd = connect_one();
    char *buf = malloc(1 << 20);
    char head[256];
    for (size_t i = (size_t)c->k; fd >= 0 && now() < stop_at; i += (size_t)c->clients) {
        size_t j = i % nlines;
        int hl = snprintf(head, sizeof head,
                          "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                          "application/json\r\nContent-Length: %zu\r\n\r\n", lens[j]);
        double t = now();
        if (write(fd, head, (size_t)hl) != hl || write(fd, lines[j], lens[j]) != (ssize_t)lens[j]) break;
        int st = read_response(fd, buf, 1 << 20);
        if (st < 0) break;
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 4096;
            c->lat = realloc(c->lat, c->cap * sizeof *c->lat);
        }
        c->lat[c->n++] = now() - t;
        c->errors += st != 200;
    }
    if (fd >= 0) close(fd);
    free(buf);
    return NULL;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: http_load PORT INPUT.jsonl [clients] [seconds]\n");
        return 2;
    }
    port = atoi(argv[1]);
    int clients = argc > 3 ? atoi(argv[3]) : 8;
    double seconds = argc > 4 ? atof(argv[4]) : 10;
    FILE *fp = fopen(argv[2], "r");
    if (!fp) { perror(argv[2]); return 1; }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, fp)) > 0) {
        if (line[len - 1] == '\n') len--;
        lines = realloc(lines, (nlines + 1) * sizeof *lines);
        lens = realloc(lens, (nlines + 1) * sizeof *lens);
        lines[nlines] = malloc((size_t)len);
        memcpy(lines[nlines], line, (size_t)len);
        lens[nlines++] = (size_t)len;
    }
    fclose(fp);
    free(line);
    client *cs = calloc((size_t)clients, sizeof *cs);
    pthread_t *tid = calloc((size_t)clients, sizeof *tid);
    double t0 = now();
    stop_at = t0 + seconds;
    for (int k = 0; k < clients; k++) {
        cs[k] = (client){k, clients, NULL, 0, 0, 0};
        pthread_create(&tid[k], NULL, run, &cs[k]);
    }
    size_t n = 0, errors = 0;
    for (int k = 0; k < clients; k++) {
        pthread_join(tid[k], NULL);
        n += cs[k].n;
        errors += cs[k].errors;
    }
    double el = now() - t0;
    double *all = malloc((n + 1) * sizeof *all);
    size_t m = 0;
    for (int k = 0; k < clients; k++) {
        memcpy(all + m, cs[k].lat, cs[k].n * sizeof *all);
        m += cs[k].n;
    }
    qsort(all, n, sizeof *all, cmp_d);
    if (n)
        printf("HTTP check: %d clients, %zu checks in %.1fs = %.0f checks/s, p50 %.2f ms, "
               "p99 %.2f ms, errors %zu\n", clients, n, el, (double)n / el, all[n / 2] * 1e3,
               all[(size_t)((double)n * 0.99)] * 1e3, errors);
    return 0;
}
