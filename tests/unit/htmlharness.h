/* htmlharness.h — extractharness.h with options set to read HTML, and
 * paragraphs of prose: the harness of the tests that assert what
 * doppel_extract keeps of crafted pages (test_extract_parser.c,
 * test_extract_tokenizer.c). Include after testutil.h. */
#ifndef DOPPEL_HTMLHARNESS_H
#define DOPPEL_HTMLHARNESS_H

#define EXTRACT_HARNESS_FORMAT DOPPEL_FORMAT_HTML
#include "extractharness.h"

/* Paragraphs of prose the scorer keeps. */
#define PROSE1 "The harbour authority said on Thursday that the new breakwater would protect " \
               "the old town from winter storms, and that work on it would begin in the spring."
#define PROSE2 "The council voted to fund the repairs after a decade of planning and debate, " \
               "and residents of the quay said they were relieved that the work would start."
#endif
