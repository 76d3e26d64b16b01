#!/usr/bin/python3
"""Clough & Stevenson answers against their source: how many of each grade
(cut, light, heavy, non) doppel links, and as what.

usage: bench/clough_links.py DOPPEL DATA_DIR [doppel options...]
Links: a pair reported by `doppel pairs` (any relation) or the two in one
cluster of `doppel cluster`. Prints one line per grade."""
import collections, json, subprocess, sys, tempfile, os

doppel, data = sys.argv[1], sys.argv[2]
opts = sys.argv[3:]
docs = os.path.join(data, 'docs.jsonl')
with tempfile.TemporaryDirectory() as t:
    subprocess.run([doppel, 'pairs', '-q', docs, '-o', t + '/p'] + opts, check=True)
    subprocess.run([doppel, 'cluster', '-q', docs, '-o', t + '/c'] + opts, check=True)
    rel = {}
    for l in open(t + '/p'):
        p = json.loads(l)
        rel[frozenset((p['a'], p['b']))] = p['relation']
    cl = {}
    for l in open(t + '/c'):
        d = json.loads(l)
        cl[d['id']] = d['cluster']
grades = collections.defaultdict(collections.Counter)
for l in open(os.path.join(data, 'pairs.jsonl')):
    p = json.loads(l)
    r = rel.get(frozenset((p['a'], p['b'])))
    if r is None and cl.get(p['a']) == cl.get(p['b']):
        r = 'linked'
    grades[p['label']][r or 'none'] += 1
for g in ('cut', 'light', 'heavy', 'non'):
    c = grades[g]
    n = sum(c.values())
    linked = n - c['none']
    print('%-5s %d/%d linked  %s' % (g, linked, n, ' '.join('%s=%d' % kv for kv in sorted(c.items()))))
