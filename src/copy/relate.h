/* relate.h — relations from alignments, and who copied whom (internal). */
#ifndef DOPPEL_RELATE_H
#define DOPPEL_RELATE_H
#include "base/internal.h"
#include "copy/align.h"

/* The relation an alignment shows (never EXACT: the caller knows that from
 * the text hashes); NONE when below every level. */
doppel_relation dp_relate(const doppel_config *cfg, const dp_alignment *al);

/* Whether a pair of this relation joins copy clusters. */
int dp_relation_joins(const doppel_config *cfg, doppel_relation rel);

/* The source of a contained, derived or partial pair (else a): the earlier
 * when both are dated, else the less covered (covering) one, the longer,
 * then a. */
uint32_t dp_relation_source(doppel_relation rel, uint32_t a, uint32_t b, int64_t date_a,
                            int64_t date_b, double cover_a, double cover_b, uint32_t na,
                            uint32_t nb);
#endif
