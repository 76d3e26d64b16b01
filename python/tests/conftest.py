import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))
DOPPEL = os.environ.get("DOPPEL_CLI", os.path.join(ROOT, "build", "doppel"))
SMALL = os.path.join(ROOT, "tests", "cli", "data", "small.jsonl")
BAD = os.path.join(ROOT, "tests", "cli", "data", "bad.jsonl")


def run_cli(*args):
    """stdout of `doppel ARGS` (bytes); fails the test on a non-zero exit."""
    p = subprocess.run([DOPPEL] + [str(a) for a in args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    assert p.returncode == 0, p.stderr.decode()
    return p.stdout


@pytest.fixture(scope="session")
def synth(tmp_path_factory):
    """A small synthetic corpus made by `doppel synth` (copies of every kind)."""
    path = tmp_path_factory.mktemp("synth") / "synth.jsonl"
    run_cli("synth", "-n", 600, "-s", 7, "-o", path)
    return path
