#!/usr/bin/env bash
# Packages the native gateway for the boards: a .deb and a tarball per architecture, under artifacts/packages/.
#   deploy/package.sh                                   both architectures (linux-x64 → amd64, linux-arm64 → arm64)
#   deploy/package.sh --rid linux-arm64 --from-native DIR --out DIR
# Options: --rid RID (repeatable: linux-x64, linux-arm64), --from-native DIR (deploy/build-native.sh's output,
#   default artifacts/native; built there only when a RID's folder is missing), --out DIR (default artifacts/packages).
# Output: gateway_<version>_<arch>.deb (dpkg-deb; the version is Directory.Build.props' <Version>) and
#   gateway_<version>_linux-<arch>.tar.gz (the binaries, the unit, the configuration and install.sh; unpack it and
#   run 'sudo ./install.sh'). Exit 3 when a native build is missing and the AOT toolchain is not here to make it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
rids=() native="$repo/artifacts/native" out="$repo/artifacts/packages"
# No project mail address exists yet; Debian policy §5.6.2 wants "name <address>": override with GATEWAY_MAINTAINER.
maintainer=${GATEWAY_MAINTAINER:-"Gateway contributors <gateway@localhost>"}

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "package.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --rid) [ $# -ge 2 ] || die "--rid needs a runtime identifier, e.g. linux-arm64"; rids+=("$2"); shift ;;
    --from-native) [ $# -ge 2 ] || die "--from-native needs a folder"; native=$2; shift ;;
    --out) [ $# -ge 2 ] || die "--out needs a folder"; out=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64 linux-arm64)
for tool in dpkg-deb readelf tar gzip; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (Debian: apt-get install dpkg binutils tar gzip)"
done
version=$(sed -n 's:.*<Version>\([^<]*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -n 1)
[ -n "$version" ] || die "no <Version> in Directory.Build.props"
# Reproducible: the same sources and native builds give byte-identical packages (reproducible-builds.org's
# SOURCE_DATE_EPOCH, which dpkg-deb honours for its archive members): every file dated at the last commit.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}
mkdir -p "$out"
native=$(cd "$native" 2>/dev/null && pwd || echo "$native")
out=$(cd "$out" && pwd)

deb_arch() {
  case "$1" in
    linux-x64) echo amd64 ;;
    linux-arm64) echo arm64 ;;
    *) die "--rid $1 is not packaged (linux-x64, linux-arm64; linux-arm has no NativeAOT: use deploy/install.sh --jit)" ;;
  esac
}

# The Debian package that provides a shared library a binary names in DT_NEEDED (readelf -d). Only what the
# NativeAOT runtime links against; anything else is a change worth a look, so it stops the build.
package_of() {
  case "$1" in
    libc.so.6|libm.so.6|libdl.so.2|libpthread.so.0|librt.so.1|ld-linux-*.so.*) echo libc6 ;;
    libgcc_s.so.1) echo libgcc-s1 ;;
    libstdc++.so.6) echo libstdc++6 ;;
    libz.so.1) echo zlib1g ;;
    *) die "no Debian package known for $1 (needed by the native binaries): add it to package_of in deploy/package.sh" ;;
  esac
}

# Depends: for the given ELF files: each needed library's package, libc6 at the newest GLIBC_ symbol version any of
# them references (readelf -V, .gnu.version_r), and libssl, which .NET's crypto shim loads with dlopen (so it is in no
# DT_NEEDED): the gateway signs and checks commands with HMAC-SHA256 and speaks TLS through it. Debian 12 has libssl3.
depends() {
  local needed glibc packages
  needed=$(readelf -d "$@" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)
  glibc=$(readelf -V "$@" 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)
  [ -n "$glibc" ] || die "no GLIBC_ symbol versions in $* (not glibc binaries?)"
  packages=$(for lib in $needed; do package_of "$lib"; done | sort -u | grep -vx libc6 || true)
  printf 'libc6 (>= %s)' "$glibc"
  for p in $packages; do printf ', %s' "$p"; done
  printf ', libssl3 | libssl1.1\n'
}

build_native_when_missing() { # RID: the native folders, built with deploy/build-native.sh when missing
  local rid=$1
  if [ -f "$native/$rid/gateway/Gateway" ] && [ -f "$native/$rid/gateway/libe_sqlite3.so" ] && [ -f "$native/$rid/gwctl/gwctl" ]; then
    echo "package.sh: $rid: using the native build in $native/$rid"
    return
  fi
  echo "package.sh: $rid: no native build in $native/$rid, building it with deploy/build-native.sh"
  set +e
  "$here/build-native.sh" --rid "$rid" --out "$native"
  local code=$?
  set -e
  [ $code -eq 0 ] || { echo "package.sh: deploy/build-native.sh --rid $rid failed (exit $code)" >&2; exit "$code"; }
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for rid in "${rids[@]}"; do
  arch=$(deb_arch "$rid")
  build_native_when_missing "$rid"
  src="$native/$rid"

  # The .deb: files as a Debian system has them, owned by root (--root-owner-group), modes set here explicitly.
  pkg="$work/deb-$arch"
  install -d -m 0755 "$pkg/DEBIAN" "$pkg/opt/gateway" "$pkg/usr/bin" "$pkg/lib/systemd/system" "$pkg/etc/gateway" \
    "$pkg/usr/share/doc/gateway"
  install -m 0755 "$src/gateway/Gateway" "$pkg/opt/gateway/Gateway"
  install -m 0644 "$src/gateway/libe_sqlite3.so" "$pkg/opt/gateway/libe_sqlite3.so"
  install -m 0755 "$src/gwctl/gwctl" "$pkg/opt/gateway/gwctl"
  ln -s /opt/gateway/gwctl "$pkg/usr/bin/gwctl"
  install -m 0644 "$here/gateway.service" "$pkg/lib/systemd/system/gateway.service"
  # A conffile (deb-conffiles(5)): an operator's edits survive upgrades, and dpkg asks before replacing them.
  install -m 0640 "$here/appsettings.Production.json" "$pkg/etc/gateway/appsettings.json"
  install -m 0644 "$repo/docs/deploy.md" "$pkg/usr/share/doc/gateway/deploy.md"
  for script in postinst prerm postrm; do
    install -m 0755 "$here/debian/$script" "$pkg/DEBIAN/$script"
  done
  echo /etc/gateway/appsettings.json > "$pkg/DEBIAN/conffiles"
  chmod 0644 "$pkg/DEBIAN/conffiles"
  find "$pkg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  installed_kib=$(du -sk --apparent-size --exclude=DEBIAN "$pkg" | cut -f1)
  cat > "$pkg/DEBIAN/control" <<CONTROL
Package: gateway
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_kib
Depends: $(depends "$src/gateway/Gateway" "$src/gateway/libe_sqlite3.so" "$src/gwctl/gwctl")
Section: net
Priority: optional
Description: IoT telemetry gateway for Raspberry Pi-class boards
 Reads I2C, 1-Wire and GPIO sensors, stores readings in a local outbox and
 delivers them upstream (TCP, WebSocket, MQTT), answering signed commands.
 This package holds the NativeAOT build (no .NET runtime needed), gwctl, and
 the hardened systemd unit, which is enabled and started on installation.
CONTROL
  chmod 0644 "$pkg/DEBIAN/control"
  touch -d "@$SOURCE_DATE_EPOCH" "$pkg/DEBIAN/control"
  deb="$out/gateway_${version}_${arch}.deb"
  dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
  echo "package.sh: $deb ($(du -k "$deb" | cut -f1) KiB)"

  # The tarball: the same files for a board without dpkg, installed by its own install.sh (--from its folder).
  name="gateway_${version}_$rid"
  tree="$work/$name"
  install -d -m 0755 "$tree/gateway" "$tree/gwctl"
  install -m 0755 "$src/gateway/Gateway" "$tree/gateway/Gateway"
  install -m 0644 "$src/gateway/libe_sqlite3.so" "$tree/gateway/libe_sqlite3.so"
  install -m 0755 "$src/gwctl/gwctl" "$tree/gwctl/gwctl"
  install -m 0755 "$here/install.sh" "$tree/install.sh"
  install -m 0644 "$here/gateway.service" "$tree/gateway.service"
  install -m 0644 "$here/appsettings.Production.json" "$tree/appsettings.Production.json"
  install -m 0644 "$repo/docs/deploy.md" "$tree/deploy.md"
  tarball="$out/$name.tar.gz"
  tar -C "$work" --owner=0 --group=0 --numeric-owner --sort=name --mtime="@$SOURCE_DATE_EPOCH" -cf - "$name" | gzip -n -9 > "$tarball"
  echo "package.sh: $tarball ($(du -k "$tarball" | cut -f1) KiB)"
done
