#!/usr/bin/env bash
# Measures a process's CPU at idle from /proc: starts the gateway (native binary, or the JIT build published here) on
# the default appsettings.json (simulated board, web console on 127.0.0.1:8080, no links) in an empty working folder,
# lets it settle, then reads utime+stime (/proc/<pid>/stat, fields 14 and 15, in clock ticks: proc(5)) and the context
# switches of every thread (/proc/<pid>/task/*/status: each one is the thread going to sleep or being preempted, so
# their rate is the wake-up rate) at the start and the end of the window.
#
#   tests/benchmarks/idle-cpu.sh --native artifacts/native/linux-x64/gateway/Gateway [--seconds 60]
#   tests/benchmarks/idle-cpu.sh --jit                  publishes src/Gateway (Release, framework-dependent) first
#   tests/benchmarks/idle-cpu.sh --command 'node-red -u /tmp/nr'    any other program (e.g. Node-RED beside ours)
# Options: --seconds N (window, default 60), --settle N (wait before it, default 10), --runs N (windows one after
#   another on the same process, default 1), --threads (CPU and wake-ups per thread name over the window),
#   --strace N (after the windows: `strace -c -f` for N s, to count the system calls behind the wake-ups),
#   -- ARGS... (passed to the gateway, e.g. -- --Gateway:Listener:Http= for the web console off).
# Environment variables are passed on, e.g. DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=6 to compare a setting.
# Prints one line per window: CPU in % of one core, wake-ups/s, VmRSS, threads. Loops are bounded by the window.
set -euo pipefail
cd "$(dirname "$0")/../.."

mode="" binary="" command="" seconds=60 settle=10 runs=1 threads=0 strace_s=0 args=()
die() { echo "idle-cpu.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --native) [ $# -ge 2 ] || die "--native needs the Gateway binary"; mode=native; binary=$(realpath "$2"); shift ;;
    --jit) mode=jit ;;
    --command) [ $# -ge 2 ] || die "--command needs a command line"; mode=command; command=$2; shift ;;
    --seconds) [ $# -ge 2 ] || die "--seconds needs a number"; seconds=$2; shift ;;
    --settle) [ $# -ge 2 ] || die "--settle needs a number"; settle=$2; shift ;;
    --runs) [ $# -ge 2 ] || die "--runs needs a number"; runs=$2; shift ;;
    --threads) threads=1 ;;
    --strace) [ $# -ge 2 ] || die "--strace needs a number of seconds"; strace_s=$2; shift ;;
    --) shift; args=("$@"); break ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[ -n "$mode" ] || die "say what to measure: --native BINARY, --jit or --command CMD (see --help)"
case "$seconds$settle$runs$strace_s" in *[!0-9]*) die "--seconds, --settle, --runs and --strace take whole numbers" ;; esac
[ "$seconds" -ge 1 ] && [ "$runs" -ge 1 ] || die "--seconds and --runs must be at least 1"
[ "$mode" != native ] || [ -x "$binary" ] || die "$binary is not an executable"

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

case "$mode" in
  native) (cd "$work" && exec "$binary" "${args[@]}" >"$work/log" 2>&1) & pid=$! ;;
  jit)
    dotnet publish src/Gateway/Gateway.csproj -c Release -o "$work/out" -p:UseAppHost=false -nologo -v quiet >/dev/null
    mkdir "$work/run"
    (cd "$work/run" && exec dotnet "$work/out/Gateway.dll" "${args[@]}" >"$work/log" 2>&1) & pid=$! ;;
  command) (cd "$work" && exec bash -c "exec $command" >"$work/log" 2>&1) & pid=$! ;;
esac

alive() { kill -0 "$pid" 2>/dev/null || { echo "idle-cpu.sh: the process exited early; its output:" >&2; cat "$work/log" >&2; exit 1; }; }
sleep "$settle"
alive

ticks_per_s=$(getconf CLK_TCK)
# utime+stime of the whole process, in clock ticks (proc(5): fields 14 and 15; the comm field may hold spaces, so
# count from the closing parenthesis).
cpu_ticks() { sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'; }
# Time on a CPU in nanoseconds, summed over the live threads (/proc/<pid>/task/*/schedstat, field 1: the scheduler's
# own account, exact where ticks are 10 ms; threads that end within the window take theirs with them).
run_ns() { cat /proc/"$pid"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
# Context switches summed over the live threads.
switches() { cat /proc/"$pid"/task/*/status 2>/dev/null | awk '/^(non)?voluntary_ctxt_switches/ { s += $2 } END { print s + 0 }'; }
# One line per live thread: tid, name, utime+stime, context switches.
thread_table() {
  local t
  for t in /proc/"$pid"/task/*; do
    [ -r "$t/stat" ] || continue
    local name ticks sw ns
    name=$(cat "$t/comm" 2>/dev/null | tr ' ' '_') || continue
    ns=$(awk '{ print $1 }' "$t/schedstat" 2>/dev/null) || continue
    ticks=$(sed 's/^.*) //' "$t/stat" 2>/dev/null | awk '{ print $12 + $13 }') || continue
    sw=$(awk '/^(non)?voluntary_ctxt_switches/ { s += $2 } END { print s + 0 }' "$t/status" 2>/dev/null) || continue
    echo "${t##*/} $name $ticks $sw $ns"
  done
}

label=$mode
[ "$mode" = native ] && label="native $(basename "$binary")"
[ "$mode" = command ] && label="$command"
for run in $(seq 1 "$runs"); do
  [ "$threads" -eq 0 ] || thread_table >"$work/threads.before"
  c0=$(cpu_ticks); s0=$(switches); n0=$(run_ns); t0=$(date +%s.%N)
  sleep "$seconds"
  alive
  c1=$(cpu_ticks); s1=$(switches); n1=$(run_ns); t1=$(date +%s.%N)
  rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
  nthreads=$(awk '/^Threads/ { print $2 }' "/proc/$pid/status")
  load=$(cut -d' ' -f1 /proc/loadavg)
  awk -v c="$((c1 - c0))" -v hz="$ticks_per_s" -v s="$((s1 - s0))" -v t0="$t0" -v t1="$t1" -v r="$rss" -v n="$nthreads" \
      -v run="$run" -v label="$label" -v load="$load" -v ns="$n0 $n1" \
    'BEGIN { w = t1 - t0; split(ns, q, " "); printf "%s, window %d: CPU %.2f %% of a core over %.1f s (%d ticks; %.3f %% by schedstat), wake-ups %.0f/s, VmRSS %.1f MiB, threads %d, load %s\n", label, run, 100 * c / hz / w, w, c, 100 * (q[2] - q[1]) / 1e9 / w, s / w, r / 1024, n, load }'
  if [ "$threads" -eq 1 ]; then
    thread_table >"$work/threads.after"
    # Per thread name: CPU and context switches over the window (threads that came and went count from zero).
    awk -v hz="$ticks_per_s" -v w="$seconds" '
      NR == FNR { c[$1] = $3; s[$1] = $4; q[$1] = $5; next }
      { dc = $3 - c[$1]; ds = $4 - s[$1]; dq = $5 - q[$1]; name[$2] += dc; sw[$2] += ds; ns[$2] += dq; count[$2]++ }
      END { for (n in name) printf "  %-24s x%-3d CPU %6.3f %%  wake-ups %7.1f/s\n", n, count[n], 100 * ns[n] / 1e9 / w, sw[n] / w }
    ' "$work/threads.before" "$work/threads.after" | sort -k4 -g -r
  fi
done

if [ "$strace_s" -gt 0 ]; then
  command -v strace >/dev/null 2>&1 || die "strace is not installed (apt-get install strace)"
  echo "strace -c -f over ${strace_s} s:"
  timeout -s INT "$strace_s" strace -c -f -p "$pid" -o "$work/strace" 2>/dev/null || true
  head -n 20 "$work/strace"
fi
