#!/usr/bin/env python3
"""Prints every row of one run of the benchmark matrix (a BenchmarkDotNet results directory) as one markdown table:
class, method (and parameter), mean, allocated, and the ratio to the class's baseline where it has one.

Usage: python3 eng/benchmark-table.py RUN_DIR"""
import csv
import glob
import os
import sys


def main(run_dir):
    print("| benchmark | method | mean | allocated | ratio to the class baseline |")
    print("|---|---|---:|---:|---:|")
    for path in sorted(glob.glob(os.path.join(run_dir, "*-report.csv"))):
        name = os.path.basename(path).replace("Resilience.Benchmarks.", "").replace("-report.csv", "")
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                method = row["Method"] + (f" ({row['Callers']} callers)" if row.get("Callers") else "")
                ratio = row.get("Ratio", "")
                print(f"| {name} | {method} | {row['Mean']} | {row.get('Allocated', '')} | {ratio} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
