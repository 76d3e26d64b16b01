#!/usr/bin/python3
"""The peer in `make bench`: Debian's python3-readability (readability-lxml)
on the same pages doppel extracts, written in doppel extract's output form.

usage: readability_peer.py DOCS.jsonl.gz PRED.jsonl
Prints "pages=N bytes=B seconds=S" (CPU seconds of extraction alone, not
reading) to stdout. Each page's text is the text of readability's summary,
one line per block element. A page readability fails on is written empty.
Not a dependency of doppel: bench/run.sh skips it when the module is absent.
"""
import gzip
import json
import sys
import time

import lxml.html
from readability import Document

BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr",
          "blockquote", "pre", "dd", "dt", "br", "table", "ul", "ol", "article", "section"}


def text_of(html):
    root = lxml.html.fromstring(html)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in BLOCKS:
            el.tail = "\n" + (el.tail or "")
            if el.tag != "br":
                el.text = "\n" + (el.text or "")
    lines = (" ".join(l.split()) for l in root.text_content().split("\n"))
    return "\n".join(l for l in lines if l)


def main():
    docs = [json.loads(l) for l in gzip.open(sys.argv[1], "rt", encoding="utf-8")]
    nbytes = 0
    spent = 0.0
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        for d in docs:
            html = d.get("text") or ""
            nbytes += len(html.encode("utf-8", "surrogatepass"))
            t0 = time.process_time()
            try:
                text = text_of(Document(html).summary(html_partial=True))
            except Exception:  # the peer's failure is an empty page, as doppel reports them
                text = ""
            spent += time.process_time() - t0
            out.write(json.dumps({"id": d["id"], "text": text}, ensure_ascii=False) + "\n")
    print("pages=%d bytes=%d seconds=%.3f" % (len(docs), nbytes, spent))


if __name__ == "__main__":
    main()
