/*
 * reader.h — the reader's state, shared by its files (internal), each of
 * which calls only those after it: read.c (inputs, files, kinds, lines),
 * walk.c (the directory walk), table.c (JSON arrays and CSV/TSV rows),
 * record.c (a record's fields from its JSON text or row).
 */
#ifndef DOPPEL_IO_READER_H
#define DOPPEL_IO_READER_H

#include "io/jsonl.h"
#include "io/stream.h"

#include <jansson.h>
#include <sys/types.h>

#define DP_READ_CHUNK (1u << 20)

/* The members of a record the reader extracts, in reader->fields. */
enum { FLD_ID, FLD_TEXT, FLD_TITLE, FLD_DATE, FLD_COUNT };

/* How the current file is read. */
typedef enum {
    K_NONE = 0,   /* no file open: the next one is to be found */
    K_TEXT,       /* the whole file is one document, not yet returned */
    K_TEXT_DONE,  /* ... returned */
    K_JSONL,
    K_ARRAY,      /* a JSON array of objects */
    K_CSV,
    K_TSV
} dp_file_kind;

typedef struct dp_dir_frame {
    char *path;        /* relative to the root ("" for the root) */
    char **names;      /* sorted entries still to visit */
    size_t count, next;
} dp_dir_frame;

struct doppel_reader {
    doppel_reader_options opt;
    doppel_input *inputs;    /* copies */
    size_t n_inputs, next_input;

    /* the directory being walked, when an input is one */
    char *root;              /* its path */
    char *root_name;         /* prefix of ids and messages: "" for a single input */
    dp_dir_frame *stack;
    size_t depth, stack_cap;
    dev_t *seen_dev;
    ino_t *seen_ino;
    size_t seen, seen_cap;

    /* the current file */
    dp_file_kind kind;
    dp_stream *stream;
    char *source;            /* its name in ids and messages */
    uint64_t line;           /* lines consumed from the stream */
    char *chunk;             /* read buffer, DP_READ_CHUNK bytes */
    size_t chunk_pos, chunk_len;
    int stream_done;
    doppel_buf line_buf;     /* the current line, element, row or file when copied */
    const char *cur;         /* the current JSON text: in chunk, or line_buf.data */
    size_t cur_len;

    /* record state */
    dp_jsonl_field fields[FLD_COUNT];
    int dotted[FLD_COUNT];   /* the field's name holds a '.': may be a path */
    doppel_buf scratch;      /* the scanner's decoded strings */
    doppel_buf id_buf, text_buf, title_buf, date_buf;  /* values copied to be NUL-terminated */
    doppel_buf repair_buf;   /* the line with invalid UTF-8 replaced */
    doppel_buf pos_id;       /* an id made from the position */
    doppel_buf present, guess; /* fields present, likely text field, on a FIELD error */
    doppel_buf compact;      /* a record made one JSON line */
    json_t *json;            /* jansson's tree, for a refused line or dotted fields */
    char numtext[FLD_COUNT][40];  /* numbers jansson parsed, printed */

    /* JSON array */
    int array_state;         /* 0: before '[', 1: inside, 2: after ']' */
    uint64_t element;        /* elements read */

    /* CSV/TSV */
    char delim;
    int header_done;
    char **columns;          /* the header's names */
    size_t ncolumns;
    long col[FLD_COUNT];     /* column of each field, -1 when none */
    size_t *cell;            /* offsets of the current row's cells in line_buf */
    size_t ncells, cell_cap;

    uint64_t done_bytes;     /* bytes of finished streams */
    uint64_t total_bytes;
};

/* record.c */
/* A byte count as people write it: "64 MiB", "1 KiB", "1500 bytes"
 * (binary units, exact; bytes when not a whole number of them). */
typedef struct dp_size_text { char s[32]; } dp_size_text;
dp_size_text dp_size(uint64_t n);
int dp_reader_refill(doppel_reader *r, doppel_error *err);
/* Fill the record's fields from the values in r->fields (set by the JSONL
 * scanner or a CSV row): id (or one from the position), text, title, date.
 * id_sep is ':' (FILE:LINE) or '#' (FILE#ELEMENT), pos the number. */
doppel_status dp_reader_take_fields(doppel_reader *r, doppel_record *rec, char id_sep,
                                    uint64_t pos, doppel_error *err);
/* Scan r->cur as one JSON object into the record. */
doppel_status dp_reader_parse_json(doppel_reader *r, doppel_record *rec, char id_sep,
                                   uint64_t pos, doppel_error *err);

/* walk.c: enter directory rel of r->root; the next file of the walk as a
 * malloc'ed path relative to the root (DOPPEL_END when the walk is done). */
doppel_status dp_walk_push(doppel_reader *r, const char *rel, doppel_error *err);
doppel_status dp_walk_next(doppel_reader *r, char **rel, doppel_error *err);
void dp_walk_reset(doppel_reader *r);
char *dp_path_join(const char *a, const char *b);

/* table.c */
doppel_status dp_array_next(doppel_reader *r, doppel_record *rec, doppel_error *err);
doppel_status dp_csv_next(doppel_reader *r, doppel_record *rec, doppel_error *err);
void dp_csv_reset(doppel_reader *r);
/* s as a JSON string literal appended to b (invalid UTF-8 as U+FFFD). */
doppel_status dp_json_put_string(doppel_buf *b, const char *s, size_t len);

#endif
