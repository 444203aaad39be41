"""The test suite's generators of sites and archives, for the benchmarks.

``tests/mocksite.py`` (a generated 중도일보) and ``tests/synthetic.py`` (synthetic archives
of long-tailed Korean) live with the tests, their main users; they import as top-level
modules from that directory.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import mocksite  # noqa: E402
import redisserver  # noqa: E402
import synthetic  # noqa: E402

#: The generated ND소프트 paper server (the cluster benchmark's sites).
MOCKPAPERS = Path(__file__).resolve().parent.parent / "tests" / "mockpapers.py"

__all__ = ["MOCKPAPERS", "mocksite", "redisserver", "synthetic"]
