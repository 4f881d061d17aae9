#!/usr/bin/env bash
# Runs the whole short benchmark matrix three times (about 6 minutes each on the 2-core CI machine kind, with nothing
# else running) and prints the median ratio of each success-path row against its peer (issue 24).
# Usage: bash eng/benchmark-medians.sh [OUT_DIR]   (default: BenchmarkDotNet.Artifacts/medians)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-BenchmarkDotNet.Artifacts/medians}"
mkdir -p "$out"
dotnet build -c Release tests/Resilience.Benchmarks >/dev/null
for run in 1 2 3; do
  rm -rf BenchmarkDotNet.Artifacts/results
  dotnet run -c Release --no-build --project tests/Resilience.Benchmarks -- --short --filter '*' >"$out/run$run.log" 2>&1
  rm -rf "$out/run$run" && cp -r BenchmarkDotNet.Artifacts/results "$out/run$run"
done
python3 eng/benchmark-medians.py "$out/run1" "$out/run2" "$out/run3" | tee "$out/medians.md"
