"""The bytes `doppel cluster` writes for one document, made in Python so that
the Dask pipeline's output can be compared with the CLI's byte for byte
(cli/util.c: cli_json_string and cli_put_fixed4)."""
import math


def json_string(b):
    """A JSON string of raw id bytes, escaped as cli_json_string does: ASCII
    control characters escaped (\\n \\r \\t by name), valid UTF-8 kept as
    is, an invalid byte as U+FFFD."""
    out = bytearray(b'"')
    i, n = 0, len(b)
    while i < n:
        c = b[i]
        if 0x20 <= c < 0x80 and c != 0x22 and c != 0x5C:
            j = i
            while j < n and 0x20 <= b[j] < 0x80 and b[j] != 0x22 and b[j] != 0x5C:
                j += 1
            out += b[i:j]
            i = j
            continue
        if c == 0x22:
            out += b'\\"'
        elif c == 0x5C:
            out += b'\\\\'
        elif c == 0x0A:
            out += b'\\n'
        elif c == 0x0D:
            out += b'\\r'
        elif c == 0x09:
            out += b'\\t'
        elif c < 0x20:
            out += b'\\u%04x' % c
        else:
            k = _utf8_len(b, i)
            if k:
                out += b[i:i + k]
                i += k
                continue
            out += b'\xef\xbf\xbd'
        i += 1
    out += b'"'
    return bytes(out)


def _utf8_len(b, i):
    for k in (2, 3, 4):
        try:
            b[i:i + k].decode("utf-8")
            return k
        except UnicodeDecodeError:
            continue
    return 0


def fixed4(v):
    """A score with four decimals, rounded as cli_put_fixed4 rounds it."""
    x = v * 10000.0
    if not (0 <= x < 4e9) or abs(x - math.floor(x) - 0.5) < 1e-6:
        return b"%.4f" % v
    k = int(x + 0.5)
    return b"%d.%04d" % (k // 10000, k % 10000)


def cluster_line(id_bytes, cluster, canonical_id_bytes, relation, score, cluster_size):
    """One line of `doppel cluster` (relation already "unique" for a
    cluster of one)."""
    return (b'{"id":%s,"cluster":%d,"canonical":%s,"relation":"%s","score":%s,"cluster_size":%d}\n'
            % (json_string(id_bytes), cluster, json_string(canonical_id_bytes), relation.encode(),
               fixed4(score), cluster_size))
