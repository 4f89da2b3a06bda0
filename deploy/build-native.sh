#!/usr/bin/env bash
# Publishes the gateway and gwctl as NativeAOT binaries (one file each, no .NET runtime needed on the board).
#   deploy/build-native.sh                        for this machine's architecture
#   deploy/build-native.sh --rid linux-arm64      cross-compile for a Raspberry Pi (64-bit OS) from x64
#   deploy/build-native.sh --rid linux-x64 --rid linux-arm64 --out DIR
# Options: --rid RID (repeatable: linux-x64, linux-arm64), --out DIR (default artifacts/native),
#   --only gateway|gwctl, --no-install (never apt-get the toolchain), --dry-run (print the steps).
# Output: DIR/<rid>/gateway/ (Gateway, libe_sqlite3.so, appsettings.json), DIR/<rid>/gwctl/gwctl, and the
# debug symbols apart in DIR/<rid>/symbols/ (not shipped). Exit 3 when the AOT toolchain is missing and cannot be
# installed here: deploy/install.sh then falls back to the framework-dependent build.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
rids=() out="$repo/artifacts/native" only="" install=1 dry_run=0

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "build-native.sh: $*" >&2; exit 2; }
missing() { echo "build-native.sh: $*" >&2; exit 3; }

while [ $# -gt 0 ]; do
  case "$1" in
    --rid) [ $# -ge 2 ] || die "--rid needs a runtime identifier, e.g. linux-arm64"; rids+=("$2"); shift ;;
    --out) [ $# -ge 2 ] || die "--out needs a folder"; out=$2; shift ;;
    --only) [ $# -ge 2 ] || die "--only needs gateway or gwctl"; only=$2; shift ;;
    --no-install) install=0 ;;
    --dry-run) dry_run=1 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
case "$only" in ""|gateway|gwctl) ;; *) die "--only takes gateway or gwctl, not '$only'" ;; esac

host_rid() {
  case "$(uname -m)" in
    x86_64) echo linux-x64 ;;
    aarch64|arm64) echo linux-arm64 ;;
    *) echo "unknown-$(uname -m)" ;;
  esac
}
host=$(host_rid)
[ ${#rids[@]} -gt 0 ] || rids=("$host")
for rid in "${rids[@]}"; do
  case "$rid" in
    linux-x64|linux-arm64) ;;
    linux-arm) missing "linux-arm (32-bit Raspberry Pi OS): .NET 10 has no NativeAOT compiler for 32-bit Arm (no runtime.linux-arm.Microsoft.DotNet.ILCompiler package); use deploy/install.sh's framework-dependent build (it falls back by itself)" ;;
    *) die "--rid $rid is not supported (linux-x64, linux-arm64)" ;;
  esac
done

run() { if [ $dry_run -eq 1 ]; then echo "would: $*"; else "$@"; fi; }

apt_updated=0
apt_install() { # apt_install PACKAGE...: installs with apt-get when root, else explains and exits 3
  if [ $install -eq 0 ] || [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    missing "the NativeAOT toolchain is incomplete: missing $*; install them (as root: apt-get install $*), or run as root so this script installs them"
  fi
  if [ $dry_run -eq 1 ]; then echo "would: apt-get install $*"; return 0; fi
  if [ $apt_updated -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
    apt_updated=1
  fi
  echo "build-native.sh: installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 \
    || missing "could not install $* with apt-get"
}

has_package() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

toolchain() { # toolchain RID: the linker and, for a cross build, the target's C libraries
  local rid=$1 need=()
  command -v clang >/dev/null 2>&1 || need+=(clang)
  if [ "$rid" = "$host" ]; then
    command -v ld.lld >/dev/null 2>&1 || command -v ld >/dev/null 2>&1 || need+=(lld)
    if command -v dpkg-query >/dev/null 2>&1; then has_package zlib1g-dev || need+=(zlib1g-dev); fi
  else
    [ "$rid" = linux-arm64 ] && [ "$host" = linux-x64 ] || missing "cross-compiling $rid from $host is not set up; build on the board or on x64"
    command -v dpkg >/dev/null 2>&1 || missing "cross-compiling for $rid needs Debian's arm64 libraries (dpkg multiarch)"
    command -v ld.lld >/dev/null 2>&1 || need+=(lld)
    command -v aarch64-linux-gnu-objcopy >/dev/null 2>&1 || need+=(binutils-aarch64-linux-gnu)
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
      if [ $install -eq 1 ] && [ "$(id -u)" -eq 0 ]; then
        run dpkg --add-architecture arm64
        apt_updated=0
      else
        missing "cross-compiling for $rid needs 'dpkg --add-architecture arm64' and the arm64 C libraries (run as root to have them installed)"
      fi
    fi
    local p
    for p in libc6-dev:arm64 zlib1g-dev:arm64 libgcc-12-dev:arm64 libstdc++-12-dev:arm64; do
      has_package "$p" || need+=("$p")
    done
  fi
  [ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
}

publish() { # publish RID PROJECT FOLDER
  local rid=$1 project=$2 folder=$3
  run rm -rf "$folder"
  run dotnet publish "$repo/$project" -c Release -r "$rid" -p:PublishAot=true -o "$folder" -nologo -v quiet
  if [ $dry_run -eq 0 ]; then
    # Ship the binary and what it loads; keep the symbols apart (for crash reports), drop docs and pdbs.
    mkdir -p "$out/$rid/symbols"
    find "$folder" -maxdepth 1 -name '*.dbg' -exec mv -f {} "$out/$rid/symbols/" \;
    find "$folder" -maxdepth 1 \( -name '*.pdb' -o -name '*.xml' \) -delete
  fi
}

for rid in "${rids[@]}"; do
  toolchain "$rid"
  started=$(date +%s)
  if [ "$only" != gwctl ]; then
    publish "$rid" src/Gateway/Gateway.csproj "$out/$rid/gateway"
  fi
  if [ "$only" != gateway ]; then
    publish "$rid" src/Gateway.Console/Gateway.Console.csproj "$out/$rid/gwctl"
  fi
  if [ $dry_run -eq 0 ]; then
    echo "build-native.sh: $rid in $(( $(date +%s) - started )) s:"
    [ "$only" = gwctl ] || ls -l "$out/$rid/gateway/Gateway" | awk '{printf "  %s %.1f MB\n", $NF, $5/1e6}'
    [ "$only" = gateway ] || ls -l "$out/$rid/gwctl/gwctl" | awk '{printf "  %s %.1f MB\n", $NF, $5/1e6}'
  fi
done
