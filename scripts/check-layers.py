#!/usr/bin/python3
"""Check the library's layering from its object files.

Usage: scripts/check-layers.py OBJECT...

One .o per library source file, named .../src/<folder>/<file>.o (the
Makefile passes $(LIB_OBJ), so objects of deleted files are not read).
A call from one file to another is an undefined symbol of the first that
the second defines (read with nm). Two rules, the ones src/README.md states:

  1. a folder uses only itself and the folders below it in LAYERS;
  2. no two files call each other, directly or round a longer loop.

Prints every breach and exits 1 if there is one. Run by `make check-layers`,
part of `make test`.
"""
import os
import subprocess
import sys

# The stages in the order data flows; a folder may use those to its left.
LAYERS = ["base", "io", "extract", "copy", "story", "store", "eval"]


def symbols(path):
    out = subprocess.run(["nm", "-g", path], check=True, capture_output=True,
                         text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] == "U":
            undefined.add(f[1])
        elif len(f) == 3 and f[1] in "TDBRCVW":
            defined.add(f[2])
    return defined, undefined


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: check-layers.py OBJECT...")
    files = {}
    for path in sys.argv[1:]:
        parts = os.path.normpath(path).split(os.sep)
        if len(parts) < 3 or parts[-3] != "src" or not parts[-1].endswith(".o"):
            sys.exit("check-layers: %s is not named .../src/FOLDER/FILE.o" % path)
        files["%s/%s" % (parts[-2], parts[-1][:-2])] = symbols(path)
    owner = {}
    for f, (defined, _) in files.items():
        for s in defined:
            owner[s] = f
    edges = {f: {} for f in files}
    for f, (_, undefined) in files.items():
        for s in sorted(undefined):
            g = owner.get(s)
            if g and g != f:
                edges[f].setdefault(g, s)
    bad = 0
    for f in sorted(edges):
        ff = f.split("/")[0]
        if ff not in LAYERS:
            print("check-layers: folder src/%s is not in LAYERS (scripts/check-layers.py)" % ff)
            bad += 1
            continue
        for g, s in sorted(edges[f].items()):
            gf = g.split("/")[0]
            if gf in LAYERS and LAYERS.index(gf) > LAYERS.index(ff):
                print("check-layers: src/%s.c calls %s in src/%s.c, a folder above it"
                      % (f, s, g))
                bad += 1
    # Loops: strongly connected components of more than one file (Tarjan).
    index, low, stack, on, comps = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    for comp in comps:
        print("check-layers: these files call each other in a loop:")
        for f in comp:
            for g, s in sorted(edges[f].items()):
                if g in comp:
                    print("  src/%s.c -> src/%s.c (%s)" % (f, g, s))
        bad += 1
    nedges = sum(len(e) for e in edges.values())
    if bad:
        print("check-layers: %d breach(es) in %d files, %d calls between files"
              % (bad, len(files), nedges))
        return 1
    print("check-layers: %d files, %d calls between files, layers %s, no loops"
          % (len(files), nedges, " < ".join(LAYERS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
