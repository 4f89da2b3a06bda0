#!/usr/bin/env bash
# Measures the gateway's memory at idle: publishes it (Release, framework-dependent), starts it on the default
# simulated board in a temporary working directory, waits, then prints VmRSS/VmHWM/threads from /proc.
# Usage: tests/benchmarks/idle-rss.sh [seconds-to-wait, default 30]
set -euo pipefail
cd "$(dirname "$0")/../.."
wait_s=${1:-30}
out=$(mktemp -d)
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$out" "$work"' EXIT
dotnet publish src/Gateway/Gateway.csproj -c Release -o "$out" -p:UseAppHost=false -nologo -v quiet >/dev/null
(cd "$work" && exec dotnet "$out/Gateway.dll" >"$work/log" 2>&1) &
pid=$!
sleep "$wait_s"
if ! kill -0 "$pid" 2>/dev/null; then
  echo "gateway exited early:"; cat "$work/log"; exit 1
fi
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
threads=$(awk '/^Threads/ {print $2}' "/proc/$pid/status")
awk -v w="$wait_s" -v r="$rss" -v h="$hwm" -v t="$threads" \
  'BEGIN { printf "idle after %ss: VmRSS %d KiB (%.1f MiB), VmHWM %d KiB (%.1f MiB), threads %d\n", w, r, r/1024, h, h/1024, t }'
kill -TERM "$pid"
wait "$pid" || true
