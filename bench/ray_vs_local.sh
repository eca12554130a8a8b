#!/usr/bin/env bash
# Throughput of the local engine and the Ray engine on the same corpus, in the same session,
# alternating so that both see the same machine load.
#
#   python bench/make_corpus.py /tmp/corpus --mb 250 --shards 8
#   bench/ray_vs_local.sh /tmp/corpus 2        # 2 rounds; --workers 2 / a local 2-CPU Ray cluster
set -euo pipefail
corpus=${1:?corpus folder}
rounds=${2:-1}
bin=$(dirname "$0")/../.venv/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for round in $(seq "$rounds"); do
  for engine in local ray; do
    if [ "$engine" = local ]; then extra=(--workers 2); else extra=(--engine ray); fi
    start=$(date +%s.%N)
    "$bin/cleaner" run "$corpus" -o "$work/out-$engine" -q "${extra[@]}" --stats-json "$work/$engine.json" 2>/dev/null
    end=$(date +%s.%N)
    "$bin/python" - "$work/$engine.json" "$engine" "$round" "$start" "$end" <<'PY'
import json, sys
path, engine, rnd, start, end = sys.argv[1:]
t = json.load(open(path))["totals"]
wall = float(end) - float(start)
print(f"round {rnd} {engine:5}  {t['read']:>7} docs  {t['bytes_in'] / 1e6:6.1f} MB  "
      f"run {t['wall_seconds']:6.1f} s = {t['bytes_in'] / 1e6 / t['wall_seconds']:4.2f} MB/s  "
      f"command {wall:6.1f} s = {t['bytes_in'] / 1e6 / wall:4.2f} MB/s  "
      f"({t['read'] / t['wall_seconds']:.0f} docs/s)  peak RSS {t['peak_rss_mb']}", flush=True)
PY
    rm -rf "$work/out-$engine" "$work/out-$engine.quarantine.jsonl"
  done
done
