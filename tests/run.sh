#!/usr/bin/env bash
# The README's test command. On a fresh Debian machine with only the .NET SDK it installs what the
# tests need (skipping anything already there), builds the solution with warnings as errors, runs every
# test project, and ends with one plain line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

apt_updated=0
need() { # need COMMAND DEBIAN-PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "tests/run.sh: '$1' is missing and cannot be installed here (needs root and apt-get); tests that need it will say so" >&2
    return 0
  fi
  if [ $apt_updated -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
    apt_updated=1
  fi
  echo "tests/run.sh: installing $2 (for $1)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null 2>&1 \
    || echo "tests/run.sh: could not install $2" >&2
}
need systemd-analyze systemd
need python3 python3 # tests/commands/sign.py, the independent command signer
need mosquitto mosquitto
need mosquitto_pub mosquitto-clients # signed commands sent the way an operator would
need tmux tmux # the terminal test of gwctl's live view
need influxd influxdb # the HTTP line-protocol link against a real InfluxDB (tests/Gateway.IntegrationTests/Links/InfluxDbLinkTests)
need prometheus prometheus # the /metrics endpoint scraped by a real Prometheus (tests/Gateway.IntegrationTests/Service/MetricsScrapeTests)

need qemu-aarch64-static qemu-user-static # the arm64 binary, run under qemu-user (tests/Gateway.IntegrationTests/Native)

# The web console's browser tests (tests/Gateway.WebTests): Debian's headless Chromium, driven from node by
# playwright-core at the exact version pinned in tests/Gateway.WebTests/browser/package.json (no browser download).
need chromium chromium
need node nodejs
need npm npm
if command -v npm >/dev/null 2>&1 && [ ! -d tests/Gateway.WebTests/browser/node_modules/playwright-core ]; then
  echo "tests/run.sh: installing playwright-core (npm ci in tests/Gateway.WebTests/browser)"
  (cd tests/Gateway.WebTests/browser && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1) \
    || echo "tests/run.sh: could not install playwright-core; the browser tests will say so" >&2
fi

# Tested as shipped: the NativeAOT binaries (deploy/build-native.sh; it installs the AOT and arm64 cross toolchains when
# missing), built once before the solution build (a RID-specific publish re-restores the projects it touches) and used by
# the package tests, the arm64-under-qemu test, the kernel in the loop and the native pass below. NATIVE_SKIP=1 leaves
# them out; where they cannot be built the tests that need them skip with the reason.
native_dir="$root/artifacts/native"
native_rids=()
native_host=""
native_skip=""
case "$(uname -m)" in
  x86_64) native_rids=(--rid linux-x64 --rid linux-arm64) native_host=linux-x64 ;;
  aarch64) native_rids=(--rid linux-arm64) native_host=linux-arm64 ;;
  *) native_skip="no NativeAOT target for $(uname -m)" ;;
esac
[ -z "${NATIVE_SKIP:-}" ] || native_skip="NATIVE_SKIP is set"
native_failed=0
if [ -z "$native_skip" ]; then
  native_started=$(date +%s)
  deploy/build-native.sh "${native_rids[@]}" --out "$native_dir"
  case $? in
    0) echo "tests/run.sh: native binaries built in $(( $(date +%s) - native_started )) s" ;;
    3) native_skip="the NativeAOT toolchain is missing and could not be installed (see above)" ;;
    *) native_skip="deploy/build-native.sh failed (see above)"; native_failed=1 ;;
  esac
fi
[ -z "$native_skip" ] || echo "tests/run.sh: native pass skipped: $native_skip"
export TEST_NATIVE_DIR="$native_dir"

configuration=${CONFIGURATION:-Release}
if ! dotnet build Gateway.sln -c "$configuration" -nologo -v quiet; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# The fleet test (tests/Gateway.IntegrationTests/Fleet: twenty gateways, docs/fleet.md) runs once: in the native pass
# where there is one (its figures are the shipped build's), else here against the JIT build.
native_pass=0
if [ -z "$native_skip" ] && [ -x "$native_dir/$native_host/gateway/Gateway" ]; then native_pass=1; fi

passed=0
failed_tests=()
failed=$native_failed
status=$native_failed
run_tests() { # run_tests PROJECT TRX-NAME [dotnet test arguments...]
  local project=$1 name=$2
  shift 2
  trx="$results/$name.trx"
  dotnet test "$project" -c "$configuration" --no-build -nologo \
    --logger "trx;LogFileName=$trx" --logger "console;verbosity=normal" \
    --blame-hang-timeout 5m --results-directory "$results" "$@" || status=1
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    # Name every failed test again at the end, where CI's tail shows it.
    # Each with the first lines of its failure message, so a failure seen only in CI's tail can be diagnosed.
    while IFS= read -r test; do
      [ -n "$test" ] && failed_tests+=("$name: $test")
    done < <(awk '
      function flush() { if (want) print test (msg != "" ? " -- " msg : ""); want = 0; inmsg = 0; msg = "" }
      /<UnitTestResult / { flush() }
      /<UnitTestResult / && /outcome="Failed"/ { match($0, /testName="[^"]*"/); test = substr($0, RSTART + 10, RLENGTH - 11); want = 1; lines = 0 }
      want && !inmsg && /<Message>/ { inmsg = 1; sub(/.*<Message>/, "") }
      inmsg { last = sub(/<\/Message>.*/, ""); if (lines < 4) { msg = msg (lines ? " | " : "") substr($0, 1, 240); lines++ } if (last) { inmsg = 0; flush() } }
      END { flush() }
    ' "$trx" | sed 's/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&#xD;//g; s/&amp;/\&/g')
  else
    echo "tests/run.sh: $name produced no results (crashed or hung); counted as one failure"
    failed=$((failed + 1))
    status=1
  fi
}
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  grep -q '<PackageReference Include="Microsoft.NET.Test.Sdk"' "$project" || continue
  if [ "$name" = Gateway.IntegrationTests ] && [ $native_pass -eq 1 ]; then
    run_tests "$project" "$name" --filter "FullyQualifiedName!~Gateway.IntegrationTests.Fleet"
  else
    run_tests "$project" "$name"
  fi
done

# The native pass: the test projects that start the gateway and gwctl as processes, again, against this machine's
# native binaries (ProgramUnderTest: TEST_GATEWAY_BINARY, TEST_GWCTL_BINARY). The package and arm64 tests do not depend on
# which build is under test and ran above.
if [ $native_pass -eq 1 ]; then
  echo "tests/run.sh: native pass: the process-level tests against $native_dir/$native_host"
  export TEST_GATEWAY_BINARY="$native_dir/$native_host/gateway/Gateway" TEST_GWCTL_BINARY="$native_dir/$native_host/gwctl/gwctl"
  run_tests tests/Gateway.IntegrationTests/Gateway.IntegrationTests.csproj Gateway.IntegrationTests.native \
    --filter "FullyQualifiedName!~Gateway.IntegrationTests.Deploy&FullyQualifiedName!~Gateway.IntegrationTests.Native&FullyQualifiedName!~DotnetRunTests"
  run_tests tests/Gateway.Console.Tests/Gateway.Console.Tests.csproj Gateway.Console.Tests.native
  run_tests tests/Gateway.WebTests/Gateway.WebTests.csproj Gateway.WebTests.native
  unset TEST_GATEWAY_BINARY TEST_GWCTL_BINARY
fi

# Kernel in the loop (docs/kernel-in-the-loop.md): the Linux GPIO/I2C layer and the gateway itself against a real
# Linux kernel under qemu, with simulated GPIO chips and I2C adapters. Its checks count in the totals; where the
# platform cannot run it, it says so and why.
kil_skip=""
if [ -n "${KIL_SKIP:-}" ]; then
  kil_skip="KIL_SKIP is set"
elif [ "$(uname -m)" != x86_64 ]; then
  kil_skip="needs an x86_64 machine, this is $(uname -m)"
elif ! grep -qs '^ID=debian$' /etc/os-release || ! command -v apt-get >/dev/null 2>&1; then
  kil_skip="needs Debian (it installs qemu and Debian's kernel packages with apt-get)"
elif [ "$(id -u)" -ne 0 ]; then
  kil_skip="needs root (to install qemu and the kernel packages)"
fi
if [ -n "$kil_skip" ]; then
  echo "kernel-in-the-loop: skipped ($kil_skip)"
else
  if [ -n "$native_skip" ]; then export KIL_NATIVE=none; fi
  bash tests/kernel-in-the-loop/run.sh || status=1
  kil_results=$(cat artifacts/kernel-in-the-loop/results 2>/dev/null || true)
  kil_passed=$(sed -n 's/.*passed=\([0-9]*\).*/\1/p' <<<"$kil_results")
  kil_failed=$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' <<<"$kil_results")
  if [ -z "$kil_passed" ] || [ -z "$kil_failed" ]; then
    echo "tests/run.sh: kernel-in-the-loop produced no results; counted as one failure"
    kil_passed=0 kil_failed=1
  fi
  passed=$((passed + kil_passed))
  failed=$((failed + kil_failed))
fi

[ "$failed" -gt 0 ] && status=1
for test in "${failed_tests[@]}"; do
  echo "FAILED $test"
done
echo "$passed passed, $failed failed"
exit $status
