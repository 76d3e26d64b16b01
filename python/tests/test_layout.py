"""cffi's ABI mode lays structs out from python/doppel/_ffi.py's copy of the
declarations: a probe compiled against include/doppel.h must agree on every
size and field offset, or the binding would read garbage."""
import os
import shutil
import subprocess

import pytest

from conftest import ROOT
from doppel._ffi import STRUCTS, ffi


def test_struct_layout_matches_header(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler to build the layout probe")
    lines = ['#include <stdio.h>', '#include <stddef.h>', '#include "doppel.h"', "int main(void) {"]
    for s in STRUCTS:
        lines.append('printf("%s %%zu\\n", sizeof(%s));' % (s, s))
        for name, _ in ffi.typeof(s).fields:
            lines.append('printf("%s.%s %%zu\\n", offsetof(%s, %s));' % (s, name, s, name))
    lines.append("return 0; }")
    src = tmp_path / "probe.c"
    src.write_text("\n".join(lines))
    exe = tmp_path / "probe"
    subprocess.run([cc, "-I", os.path.join(ROOT, "include"), str(src), "-o", str(exe)], check=True)
    real = dict(l.split() for l in subprocess.run([str(exe)], stdout=subprocess.PIPE,
                                                  check=True).stdout.decode().splitlines())
    mine = {}
    for s in STRUCTS:
        mine[s] = str(ffi.sizeof(s))
        for name, _ in ffi.typeof(s).fields:
            mine["%s.%s" % (s, name)] = str(ffi.offsetof(s, name))
    diff = {k: (mine[k], real[k]) for k in mine if mine[k] != real[k]}
    assert not diff, "binding (cffi, header) disagree: %r" % diff
