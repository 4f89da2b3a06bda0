#!/usr/bin/env bash
# Installs the Gateway as a systemd service on this machine (a Raspberry Pi or any systemd Linux).
#   sudo deploy/install.sh                  build the native binary, install to /opt/gateway, enable and start the unit
#   deploy/install.sh --dry-run             print every step, change nothing
#   sudo deploy/install.sh --uninstall      stop and remove the service (keeps /etc/gateway and /var/lib/gateway)
#   sudo deploy/install.sh --uninstall --purge   also remove configuration, state and the user
# Options: --rid RID (build for another runtime: linux-x64, linux-arm64, linux-arm), --jit (install the
# framework-dependent build, which needs the .NET runtime), --from DIR (install an already built folder: a native
# one from deploy/build-native.sh or a package, or a framework-dependent publish), --root DIR (install into a
# staging root, skipping users, groups and systemctl; for packaging and tests).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
dry_run=0 uninstall=0 purge=0 jit=0 rid="" from="" root=""

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "install.sh: $*" >&2; exit 2; }
say() { echo "install.sh: $*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --uninstall) uninstall=1 ;;
    --purge) purge=1 ;;
    --jit) jit=1 ;;
    --rid) [ $# -ge 2 ] || die "--rid needs a runtime identifier, e.g. linux-arm64"; rid=$2; shift ;;
    --from) [ $# -ge 2 ] || die "--from needs a folder"; from=$2; shift ;;
    --root) [ $# -ge 2 ] || die "--root needs a folder"; root=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[ $purge -eq 0 ] || [ $uninstall -eq 1 ] || die "--purge only goes with --uninstall"
case "$rid" in ""|linux-x64|linux-arm64|linux-arm) ;; *) die "--rid $rid is not supported (linux-x64, linux-arm64, linux-arm)" ;; esac

opt="$root/opt/gateway"
etc="$root/etc/gateway"
unit="$root/etc/systemd/system/gateway.service"
state="$root/var/lib/gateway"
# gwctl goes on PATH through a link: /usr/local/bin is where a locally installed program belongs (FHS 3.0 §4.9);
# the .deb links /usr/bin/gwctl instead, because Debian packages must not install into /usr/local (policy §9.1.2).
gwctl_link="$root/usr/local/bin/gwctl"
system=1
[ -z "$root" ] || system=0

run() { # run CMD...: print it under --dry-run, do it otherwise
  if [ $dry_run -eq 1 ]; then echo "would: $*"; else "$@"; fi
}
systemd_running() { [ -d /run/systemd/system ]; }

if [ $dry_run -eq 0 ] && [ $system -eq 1 ] && [ "$(id -u)" -ne 0 ]; then
  die "run as root (sudo), or use --dry-run or --root DIR"
fi

if [ $uninstall -eq 1 ]; then
  if [ $system -eq 1 ] && systemd_running; then
    run systemctl disable --now gateway.service || true
  fi
  run rm -f "$unit"
  if [ -L "$gwctl_link" ] && [ "$(readlink "$gwctl_link")" = /opt/gateway/gwctl ]; then run rm -f "$gwctl_link"; fi
  run rm -rf "$opt"
  if [ $system -eq 1 ] && systemd_running; then run systemctl daemon-reload; fi
  if [ $purge -eq 1 ]; then
    run rm -rf "$etc" "$state" "$root/var/log/gateway"
    if [ $system -eq 1 ] && id gateway >/dev/null 2>&1; then run userdel gateway; fi
  else
    say "kept $etc and $state (use --purge to remove them)"
  fi
  exit 0
fi

host_rid() {
  case "$(uname -m)" in
    aarch64|arm64) echo linux-arm64 ;;
    armv7l|armv6l) echo linux-arm ;;
    x86_64) echo linux-x64 ;;
    *) die "unknown architecture $(uname -m); give --rid" ;;
  esac
}

# The architecture an ELF file was built for, as a runtime identifier: e_machine, the 16-bit field at offset 18 of
# the ELF header (elf(5); little-endian on every board we ship for): 62 EM_X86_64, 183 EM_AARCH64, 40 EM_ARM.
elf_rid() {
  [ "$(head -c 4 "$1" | od -An -c | tr -d ' \n')" = '177ELF' ] || { echo "not-elf"; return; }
  case "$(od -An -tu2 -j18 -N2 "$1" | tr -d ' ')" in
    62) echo linux-x64 ;;
    183) echo linux-arm64 ;;
    40) echo linux-arm ;;
    *) echo "unknown" ;;
  esac
}

# What will be installed: form (native or jit), bin (the folder copied to /opt/gateway), gwctl (native gwctl or "").
form="" bin="" gwctl=""
use_folder() { # use_folder DIR: find out what DIR holds, by its files
  local dir=$1
  if [ -f "$dir/gateway/Gateway" ] && [ ! -f "$dir/gateway/Gateway.dll" ]; then
    # deploy/build-native.sh's <rid> folder, or an unpacked tarball: gateway/ and gwctl/ side by side.
    form=native bin="$dir/gateway"
    [ ! -f "$dir/gwctl/gwctl" ] || gwctl="$dir/gwctl/gwctl"
  elif [ -f "$dir/Gateway.dll" ]; then
    form=jit bin=$dir
  elif [ -f "$dir/Gateway" ]; then
    form=native bin=$dir
    if [ -f "$dir/gwctl" ]; then gwctl="$dir/gwctl"; elif [ -f "$dir/../gwctl/gwctl" ]; then gwctl="$dir/../gwctl/gwctl"; fi
  else
    die "--from $dir holds neither a native build (Gateway, or gateway/Gateway) nor a framework-dependent one (Gateway.dll)"
  fi
}

# An unpacked tarball (deploy/package.sh) carries its build beside this script: install that unless told otherwise.
if [ -z "$from" ] && [ $jit -eq 0 ] && [ -f "$here/gateway/Gateway" ]; then from=$here; fi
if [ -n "$from" ]; then
  [ -d "$from" ] || die "--from $from is not a folder"
  use_folder "$from"
  [ $jit -eq 0 ] || [ "$form" = jit ] || die "--jit, but --from $from holds a native build; give a framework-dependent publish (Gateway.dll)"
else
  [ -n "$rid" ] || rid=$(host_rid)
  if [ $dry_run -eq 1 ]; then
    staging="<temporary folder>"
  else
    staging=$(mktemp -d)
    trap 'rm -rf "$staging"' EXIT
  fi
  if [ $jit -eq 0 ]; then
    [ -x "$here/build-native.sh" ] || die "no build-native.sh beside this script: give --from DIR (a native folder) or --jit"
    say "building the native ($rid) gateway and gwctl with deploy/build-native.sh"
    native_args=(--rid "$rid" --out "$staging/native")
    [ $dry_run -eq 0 ] || native_args+=(--dry-run)
    set +e
    "$here/build-native.sh" "${native_args[@]}"
    code=$?
    set -e
    if [ $code -eq 0 ]; then
      form=native bin="$staging/native/$rid/gateway" gwctl="$staging/native/$rid/gwctl/gwctl"
    elif [ $code -eq 3 ]; then
      say "no NativeAOT toolchain for $rid here (build-native.sh exit 3, reason above): falling back to the framework-dependent build, which needs the .NET 10 runtime on this machine"
      jit=1
    else
      die "deploy/build-native.sh failed (exit $code)"
    fi
  fi
  if [ $jit -eq 1 ]; then
    command -v dotnet >/dev/null 2>&1 || die "dotnet is not on PATH: the framework-dependent build needs the .NET 10 SDK to publish (see docs/deploy.md)"
    run dotnet publish "$repo/src/Gateway/Gateway.csproj" -c Release -r "$rid" --self-contained false -p:UseAppHost=false -o "$staging/jit" -nologo
    form=jit bin="$staging/jit"
  fi
fi

if [ "$form" = native ] && [ -f "$bin/Gateway" ]; then
  # A binary for another architecture would only fail at start (exit 203/EXEC in the journal): refuse it here.
  built_for=$(elf_rid "$bin/Gateway")
  wanted=$rid
  [ -n "$wanted" ] || [ $system -eq 0 ] || wanted=$(host_rid)
  if [ -n "$wanted" ] && [ "$built_for" != "$wanted" ]; then
    die "$bin/Gateway is built for $built_for, not $wanted${rid:+ (--rid)}; build it with deploy/build-native.sh --rid $wanted"
  fi
  say "installing the native $built_for build from $bin (no .NET runtime needed)"
fi

dotnet_path=""
if [ "$form" = jit ]; then
  dotnet_path=$(command -v dotnet || true)
  [ -n "$dotnet_path" ] || die "dotnet is not on PATH: install the .NET 10 runtime with ASP.NET Core (see docs/deploy.md)"
  dotnet_path=$(readlink -f "$dotnet_path")
  say "installing the framework-dependent build from $bin (runs on $dotnet_path)"
fi
if [ "$form" = native ] && [ -z "$gwctl" ]; then
  say "no gwctl beside $bin: gwctl is not installed (build it with deploy/build-native.sh)"
fi

if [ $system -eq 1 ]; then
  for group in gpio i2c; do
    getent group "$group" >/dev/null || run groupadd --system "$group"
  done
  if ! id gateway >/dev/null 2>&1; then
    run useradd --system --no-create-home --home-dir /var/lib/gateway --shell /usr/sbin/nologin --user-group gateway
  fi
  run usermod -a -G gpio,i2c gateway
else
  say "--root: skipping the gateway user, the gpio/i2c groups and systemctl"
fi

run install -d -m 0755 "$etc" "$(dirname "$unit")" # 0755: ConfigurationDirectoryMode= in the unit
run rm -rf "$opt"
run mkdir -p "$opt"
run cp -a "$bin/." "$opt/"
# An appsettings.json beside the program is read before /etc/gateway/appsettings.json (ConfigurationSources.cs), so
# the development one a publish carries (simulated board, seven sensors, web console on) would be merged into the
# board's configuration: never install it.
run rm -f "$opt/appsettings.json"
if [ -n "$gwctl" ]; then
  run install -m 0755 "$gwctl" "$opt/gwctl"
  run mkdir -p "$(dirname "$gwctl_link")"
  run ln -sfn /opt/gateway/gwctl "$gwctl_link"
fi
if [ -e "$etc/appsettings.json" ]; then
  say "kept the existing $etc/appsettings.json (the example is deploy/appsettings.Production.json)"
else
  # The example's device id is a placeholder: use this machine's host name, which is what operators expect.
  device_id=$(hostname | tr -c 'A-Za-z0-9._\n-' '-' | cut -c1-64)
  if [ $dry_run -eq 1 ]; then
    echo "would: install $here/appsettings.Production.json as $etc/appsettings.json with Gateway:DeviceId $device_id"
  else
    sed "s#\"CHANGE-ME-pi-01\"#\"$device_id\"#" "$here/appsettings.Production.json" > "$etc/appsettings.json"
    chmod 0640 "$etc/appsettings.json"
  fi
  if [ $system -eq 1 ]; then run chgrp gateway "$etc/appsettings.json"; fi
  say "edit $etc/appsettings.json: check Gateway:DeviceId ($device_id) and describe the sensors of this board"
fi

# deploy/gateway.service is the native unit. The framework-dependent build runs under dotnet, and its JIT writes
# code into memory it then makes executable, which MemoryDenyWriteExecute=yes forbids (systemd.exec(5)).
native_exec='^ExecStart=/opt/gateway/Gateway --config /etc/gateway/appsettings.json$'
if [ "$form" = native ]; then
  run install -m 0644 "$here/gateway.service" "$unit"
elif [ $dry_run -eq 1 ]; then
  echo "would: install $here/gateway.service as $unit with ExecStart=$dotnet_path /opt/gateway/Gateway.dll and MemoryDenyWriteExecute=no"
else
  sed -e "s#^ExecStart=/opt/gateway/Gateway #ExecStart=$dotnet_path /opt/gateway/Gateway.dll #" \
      -e 's#^MemoryDenyWriteExecute=yes$#MemoryDenyWriteExecute=no#' "$here/gateway.service" > "$unit"
  chmod 0644 "$unit"
  if ! grep -q "^ExecStart=$dotnet_path /opt/gateway/Gateway.dll " "$unit" || ! grep -qx 'MemoryDenyWriteExecute=no' "$unit"; then
    die "$here/gateway.service no longer has the lines this script rewrites for the framework-dependent build ($native_exec, MemoryDenyWriteExecute=yes)"
  fi
fi

if [ $system -eq 1 ]; then
  if systemd_running; then
    run systemctl daemon-reload
    run systemctl enable --now gateway.service
    say "installed; see 'systemctl status gateway' and 'journalctl -u gateway -f'"
  else
    say "systemd is not running here; on the device run: systemctl daemon-reload && systemctl enable --now gateway"
  fi
fi
