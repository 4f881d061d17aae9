#!/usr/bin/env python3
"""Issue 24's three-run medians: reads BenchmarkDotNet CSV reports from several result directories (one per run of
the short matrix) and prints, per success-path row, each run's ratio against its peer and the median of them.

Usage: python3 eng/benchmark-medians.py RUN_DIR [RUN_DIR ...]
(eng/benchmark-medians.sh runs the matrix three times and calls this.)"""
import csv
import os
import statistics
import sys

# (label, report class, ours, peer, target ratio or None). A peer of "raw:<Method>" is a raw row of the same report:
# the figure shown is our overhead over it in ns instead of a ratio; "<Report>.<Method>" is a row of another report
# of the same run (the hand-written references of HandWrittenBenchmark).
ROWS = [
    ("retry", "RetryBenchmark", "Success_Resilience", "Success_Polly", 0.25),
    ("circuit breaker", "CircuitBreakerBenchmark", "Success_Resilience", "Success_Polly", 0.25),
    ("fallback", "FallbackBenchmark", "Success_Resilience", "Success_Polly", 0.25),
    ("bulkhead (Polly: concurrency limiter)", "BulkheadBenchmark", "Bulkhead_Resilience", "ConcurrencyLimiter_Polly", 0.25),
    ("timeout", "CoreBenchmark", "Timeout_Resilience", "Timeout_Polly", 0.25),
    ("rate limiter, token bucket", "RateLimiterBenchmark", "TokenBucket_Resilience", "TokenBucket_Polly", 0.25),
    ("rate limiter, concurrency limiter", "RateLimiterBenchmark", "Success_Resilience", "Success_Polly", 0.25),
    ("hedging, first attempt wins", "HedgingBenchmark", "Success_Resilience", "Success_Polly", 0.5),
    ("4-strategy pipeline", "PipelineBenchmark", "Sync_Resilience", "Sync_Polly", 0.20),
    ("empty pipeline", "CoreBenchmark", "Empty_Resilience", "Empty_Polly", 0.33),
    ("timeout over a hand-written token source", "CoreBenchmark", "Timeout_Resilience", "HandWrittenBenchmark.Timeout_CancellationTokenSource", 3.0),
    ("retry over a hand-written loop", "RetryBenchmark", "Success_Resilience", "HandWrittenBenchmark.Retry_Loop", 3.0),
    ("fallback over a hand-written catch", "FallbackBenchmark", "Success_Resilience", "HandWrittenBenchmark.Fallback_Catch", 3.0),
    ("bulkhead over a hand-written SemaphoreSlim", "BulkheadBenchmark", "Bulkhead_Resilience", "BulkheadBenchmark.RawSemaphoreSlim", 3.0),
    ("token bucket over the raw call", "RateLimiterBenchmark", "TokenBucket_Resilience", "raw:RawTokenBucket_AttemptAcquire", None),
    ("bulkhead over a raw SemaphoreSlim", "BulkheadBenchmark", "Bulkhead_Resilience", "raw:RawSemaphoreSlim", None),
]

UNITS = {"ns": 1.0, "μs": 1000.0, "us": 1000.0, "ms": 1e6}


def nanoseconds(text):
    value, unit = text.replace(",", "").split()
    return float(value) * UNITS[unit]


def load(run_dir, report):
    path = os.path.join(run_dir, f"Resilience.Benchmarks.{report}-report.csv")
    if not os.path.exists(path):
        return {}
    with open(path, newline="", encoding="utf-8") as f:
        return {row["Method"]: row for row in csv.DictReader(f) if not row.get("Callers")}


def main(run_dirs):
    print("| row | " + " | ".join(f"run {i + 1}" for i in range(len(run_dirs))) + " | median | spread | ours (median) | allocated | target |")
    print("|---|" + "---:|" * len(run_dirs) + "---:|---:|---:|---|---|")
    for label, report, ours, peer, target in ROWS:
        figures, mine, allocated = [], [], "?"
        for run_dir in run_dirs:
            rows = load(run_dir, report)
            raw = peer.startswith("raw:")
            if "." in peer:
                # A row of another report of the same run (the hand-written references).
                other_report, other_method = peer.split(".", 1)
                other = load(run_dir, other_report).get(other_method)
            else:
                other = rows.get(peer[4:] if raw else peer)
            if ours not in rows or other is None:
                figures.append(None)
                continue
            a, b = nanoseconds(rows[ours]["Mean"]), nanoseconds(other["Mean"])
            mine.append(a)
            allocated = rows[ours].get("Allocated", "?")
            figures.append(a - b if raw else a / b)
        present = [x for x in figures if x is not None]
        if not present:
            continue
        fmt = (lambda x: f"{x:.1f} ns") if peer.startswith("raw:") else (lambda x: f"{x:.2f}x")
        median = statistics.median(present)
        spread = max(present) - min(present)
        goal = "" if target is None else f"<= {target:.2f}x ({'met' if median <= target else 'not met'})"
        cells = " | ".join("-" if x is None else fmt(x) for x in figures)
        print(f"| {label} | {cells} | **{fmt(median)}** | {fmt(spread)} | {statistics.median(mine):.1f} ns | {allocated} | {goal} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
