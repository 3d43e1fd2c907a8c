"""What every benchmark script shares: interleaved medians, the RNG floor, a CLI timer, the machine.

The scripts import this module from their own folder (``python benchmarks/bench_*.py`` puts
``benchmarks/`` first on ``sys.path``).
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np

from gumbelcli.engine import BLOCK_VARIATES

GUMBEL = [sys.executable, "-m", "gumbelcli"]


def interleaved(candidates: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median seconds of each candidate, the candidates run in turn ``repeats`` times.

    Interleaving (a, b, c, a, b, c, ...) makes a noisy neighbour slow every candidate alike, so
    the ratios between them stay meaningful on a shared 2-core machine.
    """
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def floor(n: int, k: int) -> None:
    """The floor: generate n*k float64 standard exponentials, block by block into one reused buffer."""
    rng = np.random.default_rng(1)
    m = max(1, BLOCK_VARIATES // k)
    buf = np.empty((m, k))
    for _ in range(n // m):
        rng.standard_exponential(out=buf)
    if n % m:
        rng.standard_exponential((n % m, k))


def run_cli(args: list[str], shell_tail: str = "") -> float:
    """Wall-clock seconds of one whole `gumbel` process, with a shell tail such as ``| cat``."""
    cmd = " ".join(GUMBEL + args) + shell_tail
    start = time.perf_counter()
    subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def machine() -> str:
    """CPU model, cores, the SIMD level NumPy uses, Python and NumPy versions: the table's caption."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            model = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features

        simd = max((f for f in ("AVX2", "AVX512F") if features.get(f)), default="no AVX2", key=len)
    except ImportError:
        simd = "SIMD unknown"
    return (f"{model}, {os.cpu_count()} cores, {simd}, Python {platform.python_version()}, "
            f"NumPy {np.__version__}")
