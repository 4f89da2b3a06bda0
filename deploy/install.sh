#!/usr/bin/env bash
# Installs the Gateway as a systemd service on this machine (a Raspberry Pi or any systemd Linux).
#   sudo deploy/install.sh                  publish, install to /opt/gateway, enable and start the unit
#   deploy/install.sh --dry-run             print every step, change nothing
#   sudo deploy/install.sh --uninstall      stop and remove the service (keeps /etc/gateway and /var/lib/gateway)
#   sudo deploy/install.sh --uninstall --purge   also remove configuration, state and the user
# Options: --rid RID (publish for another runtime, e.g. linux-arm64), --from DIR (install an already published
# folder), --root DIR (install into a staging root, skipping users, groups and systemctl; for packaging and tests).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
dry_run=0 uninstall=0 purge=0 rid="" from="" root=""

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "install.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --uninstall) uninstall=1 ;;
    --purge) purge=1 ;;
    --rid) [ $# -ge 2 ] || die "--rid needs a runtime identifier, e.g. linux-arm64"; rid=$2; shift ;;
    --from) [ $# -ge 2 ] || die "--from needs a folder"; from=$2; shift ;;
    --root) [ $# -ge 2 ] || die "--root needs a folder"; root=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[ $purge -eq 0 ] || [ $uninstall -eq 1 ] || die "--purge only goes with --uninstall"

opt="$root/opt/gateway"
etc="$root/etc/gateway"
unit="$root/etc/systemd/system/gateway.service"
state="$root/var/lib/gateway"
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
  run rm -rf "$opt"
  if [ $system -eq 1 ] && systemd_running; then run systemctl daemon-reload; fi
  if [ $purge -eq 1 ]; then
    run rm -rf "$etc" "$state" "$root/var/log/gateway"
    if [ $system -eq 1 ] && id gateway >/dev/null 2>&1; then run userdel gateway; fi
  else
    echo "install.sh: kept $etc and $state (use --purge to remove them)"
  fi
  exit 0
fi

dotnet_path=$(command -v dotnet || true)
[ -n "$dotnet_path" ] || die "dotnet is not on PATH: install the .NET 10 runtime with ASP.NET Core (see docs/deploy.md)"
dotnet_path=$(readlink -f "$dotnet_path")

if [ -z "$from" ]; then
  if [ -z "$rid" ]; then
    case "$(uname -m)" in
      aarch64|arm64) rid=linux-arm64 ;;
      armv7l|armv6l) rid=linux-arm ;;
      x86_64) rid=linux-x64 ;;
      *) die "unknown architecture $(uname -m); give --rid" ;;
    esac
  fi
  if [ $dry_run -eq 1 ]; then
    staging="<temporary folder>"
  else
    staging=$(mktemp -d)
    trap 'rm -rf "$staging"' EXIT
  fi
  run dotnet publish "$repo/src/Gateway/Gateway.csproj" -c Release -r "$rid" --self-contained false -p:UseAppHost=false -o "$staging" -nologo
  from=$staging
elif [ ! -f "$from/Gateway.dll" ]; then
  die "--from $from does not hold Gateway.dll"
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
  echo "install.sh: --root: skipping the gateway user, the gpio/i2c groups and systemctl"
fi

run mkdir -p "$opt" "$etc" "$(dirname "$unit")"
run rm -rf "$opt"
run mkdir -p "$opt"
run cp -a "$from/." "$opt/"
if [ -e "$etc/appsettings.json" ]; then
  echo "install.sh: kept the existing $etc/appsettings.json (the example is deploy/appsettings.Production.json)"
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
  echo "install.sh: edit $etc/appsettings.json: check Gateway:DeviceId ($device_id) and describe the sensors of this board"
fi
if [ $dry_run -eq 1 ]; then
  echo "would: install $here/gateway.service as $unit with ExecStart using $dotnet_path"
else
  sed "s#^ExecStart=/usr/bin/dotnet #ExecStart=$dotnet_path #" "$here/gateway.service" > "$unit"
  chmod 0644 "$unit"
fi

if [ $system -eq 1 ]; then
  if systemd_running; then
    run systemctl daemon-reload
    run systemctl enable --now gateway.service
    echo "install.sh: installed; see 'systemctl status gateway' and 'journalctl -u gateway -f'"
  else
    echo "install.sh: systemd is not running here; on the device run: systemctl daemon-reload && systemctl enable --now gateway"
  fi
fi
