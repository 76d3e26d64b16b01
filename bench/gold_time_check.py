#!/usr/bin/env python3
"""Does a labeled story set separate stories by content or by collection time?

usage: gold_time_check.py DOCS.jsonl GOLD.jsonl [PRED.jsonl [FIELD]]

DOCS lines carry "id", "title" (or "text") and "date" (epoch milliseconds or
seconds); GOLD lines "id" and "cluster". Prints
  - how long each gold story took to collect (first to last date);
  - pairs of identical headlines (same words in the same order, at least three
    content words), split by whether gold puts them in one story, against the
    time between them: identical text in different stories means the gold
    tells them apart by something other than the text;
  - with PRED (a `doppel cluster --level story` output; FIELD default
    "story"): the gold stories that share a predicted story with at least 10
    members each, and how much later each was collected than the first.
Used for docs/story.md, "What limits the headlines". Standard library only.
"""
import collections
import json
import re
import sys

STOP = {"the", "a", "an", "of", "to", "in", "on", "for", "and", "is", "with", "s"}
GAP_BINS_HOURS = [0.02, 1, 3, 6, 12, 24, 48, float("inf")]


def read_jsonl(path):
    with open(path, encoding="utf-8") as fp:
        return [json.loads(line) for line in fp if line.strip()]


def epoch_hours(value):
    t = float(value)
    return t / 3.6e6 if t > 1e11 else t / 3600.0  # milliseconds or seconds


def gap_histogram(gaps):
    counts = collections.Counter()
    for g in gaps:
        counts[next(b for b in GAP_BINS_HOURS if g <= b)] += 1
    return ", ".join("<=%gh: %d" % (b, counts[b]) for b in GAP_BINS_HOURS if counts[b])


def main(argv):
    if len(argv) not in (3, 4, 5):
        sys.exit(__doc__)
    docs = read_jsonl(argv[1])
    gold = {d["id"]: d["cluster"] for d in read_jsonl(argv[2])}
    docs = [d for d in docs if d["id"] in gold and d.get("date")]
    if not docs:
        print("no gold document has a date: nothing to check")
        return
    hours = {d["id"]: epoch_hours(d["date"]) for d in docs}
    headline = {d["id"]: d.get("title") or d.get("text", "") for d in docs}

    times = collections.defaultdict(list)
    for d in docs:
        times[gold[d["id"]]].append(hours[d["id"]])
    spans = sorted((max(v) - min(v)) * 60 for v in times.values())
    everything = [h for v in times.values() for h in v]
    print("%d dated documents, %d gold stories, collected over %.1f hours" %
          (len(docs), len(times), max(everything) - min(everything)))
    print("gold story collection span, minutes: median %.1f, 90th percentile %.1f, max %.1f" %
          (spans[len(spans) // 2], spans[int(len(spans) * 0.9)], spans[-1]))

    same_text = collections.defaultdict(list)
    for d in docs:
        words = re.findall(r"[a-z0-9]+", headline[d["id"]].lower())
        if sum(w not in STOP for w in words) >= 3:
            same_text[" ".join(words)].append(d["id"])
    together, apart = [], []
    for ids in same_text.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                gap = abs(hours[a] - hours[b])
                (together if gold[a] == gold[b] else apart).append(gap)
    print("identical headlines, pairs in one gold story: %d (%s)" %
          (len(together), gap_histogram(together)))
    print("identical headlines, pairs in different gold stories: %d (%s)" %
          (len(apart), gap_histogram(apart)))

    if len(argv) >= 4:
        field = argv[4] if len(argv) == 5 else "story"
        pred = {p["id"]: p[field] for p in read_jsonl(argv[3]) if field in p}
        shared = collections.defaultdict(collections.Counter)
        for doc_id, story in pred.items():
            if doc_id in gold and doc_id in hours:
                shared[story][gold[doc_id]] += 1
        first_title = {}
        for d in sorted(docs, key=lambda d: hours[d["id"]]):
            first_title.setdefault(gold[d["id"]], headline[d["id"]][:45])
        print("gold stories sharing a predicted story (10+ members each), hours after the first:")
        for story, counts in sorted(shared.items(), key=lambda kv: str(kv[0])):
            big = sorted((g for g, n in counts.items() if n >= 10), key=lambda g: min(times[g]))
            if len(big) < 2:
                continue
            start = min(times[big[0]])
            print("  %s: %s" % (story, "; ".join(
                "%s (%d) +%.1fh" % (first_title[g], counts[g], min(times[g]) - start)
                for g in big)))


if __name__ == "__main__":
    main(sys.argv)
