"""Speed and memory of `gumbel sample`, as ratios against anchors measured in the same run.

Run:  python benchmarks/bench_sample.py            (about 3 minutes on a 2-core machine)
      python benchmarks/bench_sample.py --quick    (smaller sizes, for a smoke run)

Every timing is the median of several repetitions, and the candidates of one row are run
interleaved (floor, engine, naive, floor, engine, naive, ...) so that a noisy neighbour slows all
of them alike. The targets (issue #2):

  engine / floor          <= 1.25 (K >= 1000), <= 1.5 (K = 10); floor = generating the same n*K
                          float64 standard exponentials with NumPy, in cache-sized blocks
  naive / engine          >= 2;   naive = argmax(log p - log(-log(random()))) in NumPy
  1 thread / 2 threads    >= 1.7 for n*K >= 1e8
  pipe / --counts         <= 1.3 for `gumbel sample -n 1e7` (K = 10), whole process
  peak RSS                <= 200 MB for `gumbel sample -n 1e9 --counts`
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess

import numpy as np
from anchors import GUMBEL, floor, interleaved, machine, run_cli

from gumbelcli.engine import GumbelMaxSampler
from gumbelcli.inputs import target_from_probs


def naive(n: int, p: np.ndarray) -> np.ndarray:
    """The textbook Gumbel-max in NumPy, in blocks of about a million variates."""
    rng = np.random.default_rng(1)
    k = len(p)
    logp = np.log(p)
    m = max(1, (1 << 20) // k)
    out = []
    for start in range(0, n, m):
        size = min(m, n - start)
        out.append(np.argmax(logp - np.log(-np.log(rng.random((size, k)))), axis=1))
    return np.concatenate(out)


def floor_threads(n: int, k: int, threads: int) -> None:
    """The floor split over ``threads`` threads, each with its own generator: the machine's scaling."""
    import threading

    workers = [threading.Thread(target=floor, args=(n // threads, k)) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def engine(n: int, p: np.ndarray, threads: int) -> np.ndarray:
    return GumbelMaxSampler(target_from_probs(p), n, seed=1).counts(threads)




def peak_rss_mb(args: list[str]) -> float:
    """Peak resident memory of one `gumbel` process (ru_maxrss of the waited-for child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(GUMBEL + args, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(before, after) / 1024  # kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not a measurement")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    scale = 16 if args.quick else 1
    repeats = 3 if args.quick else args.repeats

    print(f"# gumbel sample benchmark — {machine()}")
    print()
    print("| K | n | floor (s) | engine / floor | target | naive / engine | target |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    rng = np.random.default_rng(0)
    for k in (10, 1000, 100_000):
        n = (1 << 24) // k // scale
        p = rng.random(k) + 0.01
        p /= p.sum()
        t = interleaved(
            {"floor": lambda: floor(n, k), "engine": lambda: engine(n, p, 1), "naive": lambda: naive(n, p)}, repeats
        )
        target = 1.5 if k == 10 else 1.25
        print(f"| {k} | {n} | {t['floor']:.3f} | {t['engine'] / t['floor']:.2f} | ≤ {target} | "
              f"{t['naive'] / t['engine']:.2f} | ≥ 2 |")

    print()
    # The ceiling: two threads that do nothing but generate exponentials (no engine at all). On a
    # VM whose two "cores" share a physical core, this is well below 2.
    print("| threads | K | n·K | 1 thread (s) | 1 thread / 2 threads | target | floor alone, 1 / 2 threads |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for k in (10, 1000):
        n = 10**8 // k // scale
        p = np.full(k, 1.0 / k)
        t = interleaved(
            {
                "one": lambda: engine(n, p, 1),
                "two": lambda: engine(n, p, 2),
                "floor one": lambda: floor(n, k),
                "floor two": lambda: floor_threads(n, k, 2),
            },
            max(3, repeats // 2),
        )
        print(f"| 2 | {k} | {n * k:.0e} | {t['one']:.2f} | {t['one'] / t['two']:.2f} | ≥ 1.7 | "
              f"{t['floor one'] / t['floor two']:.2f} |")

    print()
    n_cli = 10**7 // scale
    values = ["0.05", "0.1", "0.15", "0.2", "0.1", "0.1", "0.1", "0.05", "0.1", "0.05"]
    base = ["sample", *values, "-n", str(n_cli), "--seed", "1"]
    pipe_times, count_times = [], []
    for _ in range(max(3, repeats // 2)):
        pipe_times.append(run_cli(base, " | cat > /dev/null"))
        count_times.append(run_cli(base + ["--counts"], " | cat > /dev/null"))
    pipe, counts = statistics.median(pipe_times), statistics.median(count_times)
    print("| command (K = 10) | seconds | ratio | target |")
    print("|---|---:|---:|---:|")
    print(f"| `gumbel sample -n {n_cli:.0e} --counts \\| cat` | {counts:.2f} | 1.00 | |")
    print(f"| `gumbel sample -n {n_cli:.0e} \\| cat` | {pipe:.2f} | {pipe / counts:.2f} | ≤ 1.3 |")

    print()
    n_mem = 10**9 // scale
    rss = peak_rss_mb(["sample", "0.3", "0.7", "-n", str(n_mem), "--counts", "--seed", "1"])
    print("| command | peak RSS (MB) | target |")
    print("|---|---:|---:|")
    print(f"| `gumbel sample 0.3 0.7 -n {n_mem:.0e} --counts` | {rss:.0f} | ≤ 200 |")


if __name__ == "__main__":
    main()
