"""Speed of `gumbel sample -k K --without-replacement` (Gumbel-top-k) against plain Gumbel-max.

Run:  python benchmarks/bench_topk.py            (about a minute on a 2-core machine)
      python benchmarks/bench_topk.py --quick    (smaller sizes, for a smoke run)

Every timing is the median of several repetitions, the candidates of a row run interleaved
(plain, top-1, top-5, top-10, full sort, plain, ...) so that a noisy neighbour slows all of them
alike, on one thread, through the engine (seeding, chunking, counting included). The target
(issue #6):

  top-k / plain Gumbel-max    <= 1.5 for k <= 10 at K = 100000

Top-k draws the same noise as Gumbel-max (one exponential variate per category and draw) and
then finds the k smallest race values by a partial sort; "full sort / top-10" shows what the
partial sort saves over ordering every category (np.argsort of the same race values). There is no
target for small K: ordering 5 or 10 of K = 10 values per draw costs about as much as their noise
(2.5-3x plain), and at K = 1000 NumPy's per-row overhead of the selection shows (1.6-2.1x).

Measured (x86_64, 2 shared cores, Python 3.11, NumPy 2.4, median of 9):
K = 100000: top-1 1.04, top-5 1.21-1.26, top-10 1.11-1.15 (target <= 1.5); full sort / top-10 4.4-4.9.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np
from anchors import interleaved, machine

from gumbelcli.engine import BLOCK_VARIATES, GumbelMaxSampler, TopKSampler
from gumbelcli.inputs import target_from_probs
from gumbelcli.sampling import exponential_noise


def plain(n: int, p: np.ndarray) -> np.ndarray:
    return GumbelMaxSampler(target_from_probs(p), n, seed=1).counts(1)


def topk(n: int, p: np.ndarray, k: int) -> np.ndarray:
    return TopKSampler(target_from_probs(p), n, seed=1, k=k).counts(1)


def full_sort(n: int, p: np.ndarray, k: int) -> None:
    """The same noise, then np.argsort of every race value (what a partial sort avoids)."""
    rng = np.random.default_rng(1)
    inv = 1.0 / p
    m = max(1, BLOCK_VARIATES // len(p))
    for start in range(0, n, m):
        noise = exponential_noise(rng, min(m, n - start), len(p)) * inv
        np.argsort(noise, axis=1)[:, :k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not a measurement")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    scale = 8 if args.quick else 1
    repeats = 3 if args.quick else args.repeats

    print(f"# gumbel sample -k benchmark — {machine()}; 1 thread, median of {repeats}")
    print()
    print("| K | n | plain (s) | top-1 / plain | top-5 / plain | top-10 / plain | target | full sort / top-10 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    rng = np.random.default_rng(0)
    for big_k in (10, 1000, 100_000):
        n = (1 << 25) // big_k // scale
        p = rng.random(big_k) + 0.01
        p /= p.sum()
        ks = [k for k in (1, 5, 10) if k <= big_k]
        candidates: dict[str, Callable[[], object]] = {"plain": lambda: plain(n, p)}
        for k in ks:
            candidates[f"top{k}"] = lambda k=k: topk(n, p, k)
        candidates["sort"] = lambda: full_sort(n, p, 10)
        t = interleaved(candidates, repeats)
        ratios = " | ".join(f"{t[f'top{k}'] / t['plain']:.2f}" for k in ks)
        target = "≤ 1.5" if big_k == 100_000 else ""
        print(f"| {big_k} | {n} | {t['plain']:.3f} | {ratios} | {target} | {t['sort'] / t['top10']:.1f} |")


if __name__ == "__main__":
    main()
