"""Speed of `gumbel relax`, as ratios against anchors measured in the same run.

Run:  python benchmarks/bench_relax.py            (about 2 minutes on a 2-core machine)
      python benchmarks/bench_relax.py --quick    (smaller sizes, for a smoke run)

Every timing is the median of several repetitions, and the candidates of one row are run
interleaved (floor, engine, torch, floor, engine, torch, ...) so that a noisy neighbour slows all of
them alike. The engine is `RelaxSampler` on one thread, producing every chunk of samples as the CLI
does (float64, y written out); no formatting. The targets (issue #4):

  engine / floor     <= 2.5   per relaxed sample; floor = generating its K float64 standard
                              exponentials with NumPy, in cache-sized blocks
  torch / engine     >= 4     torch.nn.functional.gumbel_softmax on the CPU, float64, one thread
                              (the row is skipped when torch is not installed; it is no dependency)

Anchors that explain the figures: `libm` = the floor plus one np.log and one np.exp per coordinate
(what the log-space formula cannot avoid for a general τ); `naive` = the textbook NumPy one-liner
softmax((l - log(-log U)) / τ).
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable

import numpy as np
from anchors import floor, interleaved, machine, run_cli

from gumbelcli.engine import BLOCK_VARIATES, CHUNK_VARIATES, RelaxSampler
from gumbelcli.inputs import target_from_probs

try:
    import torch
except ImportError:  # torch is optional: its row is skipped
    torch = None






def libm(n: int, k: int) -> None:
    """The floor plus one logarithm and one exponential per coordinate, in the same blocks."""
    rng = np.random.default_rng(1)
    m = max(1, BLOCK_VARIATES // k)
    buf = np.empty((m, k))
    for _ in range(-(-n // m)):
        rng.standard_exponential(out=buf)
        np.log(buf, out=buf)
        np.exp(buf, out=buf)


def naive(n: int, p: np.ndarray, tau: float) -> None:
    """The textbook Gumbel-Softmax in NumPy, in chunks of about a million variates."""
    rng = np.random.default_rng(1)
    k = len(p)
    logp = np.log(p)
    m = max(1, CHUNK_VARIATES // k)
    for start in range(0, n, m):
        z = (logp - np.log(-np.log(rng.random((min(m, n - start), k))))) / tau
        e = np.exp(z - z.max(axis=1, keepdims=True))
        e / e.sum(axis=1, keepdims=True)


def engine(n: int, p: np.ndarray, taus: list[float], threads: int = 1, **options: bool) -> None:
    sampler = RelaxSampler(target_from_probs(p), n, 1, np.array(taus), **options)
    for _ in sampler.tasks(threads):
        pass


def torch_gumbel_softmax(logits: object, n: int, k: int, tau: float) -> None:
    """torch.nn.functional.gumbel_softmax on (n, K) float64 logits, in chunks like the engine's."""
    torch.manual_seed(1)
    m = max(1, CHUNK_VARIATES // k)
    for start in range(0, n, m):
        torch.nn.functional.gumbel_softmax(logits[start : start + m], tau=tau)




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not a measurement")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    scale = 16 if args.quick else 1
    repeats = 3 if args.quick else args.repeats
    if torch is not None:
        torch.set_num_threads(1)

    print(f"# gumbel relax benchmark — {machine()}"
          + (f", torch {torch.__version__}" if torch is not None else ", torch not installed"))
    print()
    print("One τ, y written out, one thread. τ = 1 and 0.5 take the exact-power path (1/τ whole), "
          "τ = 0.3 and 2 the log-space path.")
    print()
    print("| K | τ | n | floor (s) | engine / floor | target | libm / floor | naive / engine | torch / engine | target |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rng = np.random.default_rng(0)
    for k in (10, 1000):
        n = (1 << 22) // k // scale
        p = rng.random(k) + 0.01
        p /= p.sum()
        logits = None if torch is None else torch.from_numpy(np.log(p)).expand(n, k).contiguous()
        for tau in (1.0, 0.5, 0.3, 2.0):
            candidates: dict[str, Callable[[], object]] = {
                "floor": lambda: floor(n, k),
                "engine": lambda: engine(n, p, [tau]),
                "libm": lambda: libm(n, k),
                "naive": lambda: naive(n, p, tau),
            }
            if logits is not None:
                candidates["torch"] = lambda: torch_gumbel_softmax(logits, n, k, tau)
            t = interleaved(candidates, repeats)
            vs_torch = f"{t['torch'] / t['engine']:.2f}" if "torch" in t else "skipped"
            print(f"| {k} | {tau:g} | {n} | {t['floor']:.3f} | {t['engine'] / t['floor']:.2f} | ≤ 2.5 | "
                  f"{t['libm'] / t['floor']:.2f} | {t['naive'] / t['engine']:.2f} | {vs_torch} | ≥ 4 |")

    print()
    print("Options, K = 10, relative to the same run with one τ = 0.3 and y written out:")
    print()
    print("| variant | seconds | ratio |")
    print("|---|---:|---:|")
    k, n = 10, (1 << 22) // 10 // scale
    p = np.full(k, 1.0 / k)
    variants: dict[str, Callable[[], object]] = {
        "τ = 0.3": lambda: engine(n, p, [0.3]),
        "--log": lambda: engine(n, p, [0.3], log=True),
        "--log-prob": lambda: engine(n, p, [0.3], log_prob=True),
        "report (summary)": lambda: engine(n, p, [0.3], summary=True),
        "--hard": lambda: engine(n, p, [0.3], hard=True),
        "--tau 0.1,0.3,1,3 (4 τ, one noise)": lambda: engine(n, p, [0.1, 0.3, 1.0, 3.0]),
    }
    t = interleaved(variants, repeats)
    for name, seconds in t.items():
        print(f"| {name} | {seconds:.3f} | {seconds / t['τ = 0.3']:.2f} |")

    print()
    print("| threads | K | τ | n·K | 1 thread (s) | 1 thread / 2 threads |")
    print("|---:|---:|---:|---:|---:|---:|")
    for k in (10, 1000):
        n = 10**8 // 4 // k // scale
        p = np.full(k, 1.0 / k)
        t = interleaved({"one": lambda: engine(n, p, [0.3], 1), "two": lambda: engine(n, p, [0.3], 2)}, max(3, repeats // 2))
        print(f"| 2 | {k} | 0.3 | {n * k:.1e} | {t['one']:.2f} | {t['one'] / t['two']:.2f} |")

    print()
    n_cli = 10**6 // scale
    values = ["0.05", "0.1", "0.15", "0.2", "0.1", "0.1", "0.1", "0.05", "0.1", "0.05"]
    base = ["relax", *values, "--tau", "0.3", "-n", str(n_cli), "--seed", "1"]
    npy_times, text_times = [], []
    for _ in range(max(3, repeats // 2)):
        npy_times.append(run_cli(base + ["--format", "npy"], " | cat > /dev/null"))
        text_times.append(run_cli(base, " | cat > /dev/null"))
    npy_s, text_s = statistics.median(npy_times), statistics.median(text_times)
    print("| command (K = 10, whole process) | seconds | ratio |")
    print("|---|---:|---:|")
    print(f"| `gumbel relax ... -n {n_cli:.0e} --format npy \\| cat` | {npy_s:.2f} | 1.00 |")
    print(f"| `gumbel relax ... -n {n_cli:.0e} \\| cat` (plain text, shortest round-trip) | {text_s:.2f} | {text_s / npy_s:.2f} |")


if __name__ == "__main__":
    main()
