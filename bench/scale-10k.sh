#!/usr/bin/env bash
# 10,000 concurrent simulated clients on one machine: each server in its own process
# (`jukebox serve --server sN`), the clients in two `simulate` processes of 5,000 each
# (scenarios/10000-clients-scale.yaml with seeds 1 and 2), then `simulate merge`. Prints each
# process's peak resident memory. Bounded: every process is stopped on exit, and the whole run
# is given at most 3 minutes. Needs ports 5000 and 5001 free and `npm run build` done.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
pids=()
# SIGINT goes to the servers themselves: /usr/bin/time ignores it while it waits for its child.
stop() { for p in "${pids[@]}"; do pkill -INT -P "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT

for s in s1 s2; do
  /usr/bin/time -v -o "$out/$s.time" node bin/jukebox.js serve --server "$s" --max-connections 12000 > "$out/$s.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 1 100); do
  grep -q listening "$out/s1.log" 2>/dev/null && grep -q listening "$out/s2.log" 2>/dev/null && break
  sleep 0.1
done

halves=()
for seed in 1 2; do
  timeout 180 /usr/bin/time -v -o "$out/half$seed.time" node bin/simulate.js scenarios/10000-clients-scale.yaml --seed "$seed" --quiet --out "$out/half$seed.json" &
  halves+=($!)
done
status=0
for p in "${halves[@]}"; do wait "$p" || status=1; done
servers_open() { grep -o '([0-9]* open)' "$out/$1.log" | tr -dc '0-9\n' | sort -n | tail -1; }
echo "most connections open at once: s1 $(servers_open s1), s2 $(servers_open s2)"
stop
trap - EXIT
node bin/simulate.js merge "$out/half1.json" "$out/half2.json" -o "$out/merged.json" || status=1
for f in s1 s2 half1 half2; do echo "$f peak memory: $(awk '/Maximum resident/ {printf "%.0f MiB", $6/1024}' "$out/$f.time")"; done
echo "reports and logs: $out"
exit $status
