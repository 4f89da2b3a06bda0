#!/usr/bin/env bash
# Kernel in the loop: the gateway's Linux GPIO (uAPI v2) and I2C (i2c-dev, SMBus) code, and the gateway itself,
# run against a real Linux kernel under qemu, with simulated GPIO chips (gpio-sim) and I2C adapters (our own
# transfer-capable i2c-regsim, and the kernel's SMBus-only i2c-stub) behind the very same ioctls.
#
#   tests/kernel-in-the-loop/run.sh            run it; exit 0 when every check passed
#
# Needs Debian (bookworm) on x86_64 and root: it installs what is missing (qemu-system-x86, busybox-static, cpio,
# build-essential, linux-headers-<ABI>, linux-source-6.1), downloads the current Debian kernel image with
# apt-get download and unpacks it into its work folder (never /boot), builds gpio-sim and i2c-regsim out of tree,
# publishes the guest programs, packs an initramfs and boots it. The guest writes its failure count to qemu's
# isa-debug-exit port, so qemu's exit code is the verdict: 1 = all passed, 2N+1 = N failures, 0 = the guest died
# without a verdict, 124 = the time limit.
#
# The gateway checks run against the framework-dependent build, and again against the NativeAOT binary as shipped
# when $KIL_NATIVE names its folder (default artifacts/native/linux-x64/gateway, built by deploy/build-native.sh,
# when it is there; KIL_NATIVE=none leaves it out).
#
# Writes artifacts/kernel-in-the-loop/{console.log,results} in the repository (results: "passed=N failed=N").
# Built things are cached in $KIL_CACHE (default /tmp/gateway-kernel-in-the-loop), keyed by the kernel ABI and a
# hash of their sources, so a second run only boots. docs/kernel-in-the-loop.md says more.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/artifacts/kernel-in-the-loop"
cache=${KIL_CACHE:-/tmp/gateway-kernel-in-the-loop}
timeout_seconds=${KIL_TIMEOUT:-300}
jobs=$(nproc)

log() { printf 'kernel-in-the-loop: %s\n' "$*" >&2; }
die() { log "$*"; mkdir -p "$out"; printf 'passed=0 failed=1 error=%s\n' "$(tr ' ' _ <<<"$1")" >"$out/results"; exit 2; }
elapsed() { printf '%ss' $((SECONDS - start)); }
start=$SECONDS

mkdir -p "$out" "$cache"
rm -f "$out/results" "$out/console.log"

# One run at a time per cache (other clones or sessions on this machine may share it).
exec 9>"$cache/.lock"
flock 9

# ---------------------------------------------------------------------------------------------------------------
# The guest programs: the kernel test program and the gateway, framework-dependent (the runtime goes in beside),
# precompiled (ReadyToRun: the same IL, with native code beside it) because the JIT is slow under emulation.
command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not on PATH"
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime_dir=$(ls -d "$dotnet_root"/shared/Microsoft.NETCore.App/10.* | sort -V | tail -n 1)
aspnet_dir=$(ls -d "$dotnet_root"/shared/Microsoft.AspNetCore.App/10.* | sort -V | tail -n 1)
hostfxr_dir=$(ls -d "$dotnet_root"/host/fxr/10.* | sort -V | tail -n 1)
app_hash=$( (cd "$root" && find src firmware-sim tests/Gateway.KernelTests Directory.Build.props Directory.Packages.props appsettings.json \
  tests/kernel-in-the-loop/run.sh -type f -not -path '*/bin/*' -not -path '*/obj/*' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16)
pdir="$cache/publish-$app_hash"
# Published in the background, while the packages install and the modules build (it needs none of them).
[ -f "$pdir/.done" ] || (
  rm -rf "$cache"/publish-* && mkdir -p "$pdir"
  for p in tests/Gateway.KernelTests src/Gateway; do
    dotnet publish "$root/$p" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$pdir/$(basename "$p")" -p:UseAppHost=false -nologo -v quiet >>"$pdir/publish.log" 2>&1 \
      || { cat "$pdir/publish.log" >&2; exit 1; }
  done
  touch "$pdir/.done"
) &
publish_pid=$!

# ---------------------------------------------------------------------------------------------------------------
# Tools. apt-get update only when something is missing.
apt_updated=0
apt_install() {
  if [ $apt_updated -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || log "apt-get update failed; trying with the lists there are"
    apt_updated=1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >"$cache/apt.log" 2>&1 \
    || die "could not install $* (see $cache/apt.log)"
}
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
command -v cpio >/dev/null || missing+=(cpio)
command -v gcc >/dev/null && command -v make >/dev/null || missing+=(build-essential)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

# The ABI of Debian's current kernel (linux-image-amd64 depends on linux-image-<ABI>). Computed every run: Debian
# drops superseded ABIs from the mirror, so a remembered one would stop downloading.
abi_of() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*-amd64\)$/\1/p' | head -n 1; }
abi=$(abi_of)
if [ -z "$abi" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
  apt_updated=1
  abi=$(abi_of)
fi
[ -n "$abi" ] || die "cannot tell the current Debian kernel ABI (apt-cache depends linux-image-amd64 names none)"
missing=()
[ -d "/usr/src/linux-headers-$abi" ] || missing+=("linux-headers-$abi")
ls /usr/src/linux-source-6.1.tar.* >/dev/null 2>&1 || missing+=(linux-source-6.1)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
source_tar=$(ls /usr/src/linux-source-6.1.tar.* | head -n 1)
log "kernel $abi, tools ready ($(elapsed))"

# ---------------------------------------------------------------------------------------------------------------
# The kernel image and the stock modules the guest needs, from Debian's package (cached per ABI).
kdir="$cache/kernel-$abi"
stock_modules=(fs/configfs/configfs.ko drivers/i2c/i2c-dev.ko drivers/i2c/i2c-stub.ko)
if [ ! -f "$kdir/.done" ]; then
  rm -rf "$kdir" && mkdir -p "$kdir/deb"
  (cd "$kdir/deb" && apt-get download -q "linux-image-$abi" >/dev/null 2>&1) || die "apt-get download linux-image-$abi failed"
  patterns=("./boot/vmlinuz-$abi")
  for m in "${stock_modules[@]}"; do patterns+=("./lib/modules/$abi/kernel/$m"); done
  dpkg-deb --fsys-tarfile "$kdir"/deb/*.deb | tar -x -C "$kdir" "${patterns[@]}" || die "unpacking the kernel package failed"
  rm -rf "$kdir/deb"
  # The bzImage decompresses itself (xz) before the kernel starts, which takes seconds under emulation. Its payload,
  # the vmlinux ELF, boots directly through its PVH entry point (CONFIG_PVH=y): qemu -kernel vmlinux.
  xz_at=$(grep -abo $'\xfd7zXZ\x00' "$kdir/boot/vmlinuz-$abi" | head -n 1 | cut -d: -f1)
  [ -n "$xz_at" ] || die "vmlinuz-$abi holds no xz stream (not CONFIG_KERNEL_XZ?)"
  tail -c +$((xz_at + 1)) "$kdir/boot/vmlinuz-$abi" | xz -dc >"$kdir/vmlinux" 2>/dev/null || true # trailing data after the stream
  [ "$(head -c 4 "$kdir/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] || die "no vmlinux ELF inside vmlinuz-$abi"
  touch "$kdir/.done"
fi
log "kernel image unpacked ($(elapsed))"

# ---------------------------------------------------------------------------------------------------------------
# Modules built out of tree: gpio-sim (with irq_sim compiled in; Debian builds neither) from Debian's kernel
# sources, and our i2c-regsim. Cached per ABI and hash of our module sources.
sources_hash() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16; }
mod_key="$abi-$(sources_hash "$here/modules")-$(basename "$source_tar")"
mdir="$cache/modules-$mod_key"
if [ ! -f "$mdir/.done" ]; then
  rm -rf "$cache"/modules-* && mkdir -p "$mdir"
  src_dir="$cache/linux-source-6.1"
  if [ ! -f "$src_dir/.done" ]; then
    rm -rf "$src_dir" && mkdir -p "$src_dir"
    # Only three files are used (irq_sim.h is in the headers package); tar still reads the whole archive (~10 s).
    tar -x -C "$src_dir" --strip-components=1 -f "$source_tar" --wildcards \
      '*/drivers/gpio/gpio-sim.c' '*/drivers/gpio/gpiolib.h' '*/kernel/irq/irq_sim.c' \
      || die "extracting gpio-sim and irq_sim from $source_tar failed"
    touch "$src_dir/.done"
  fi
  cp -r "$here/modules/." "$mdir/"
  cp "$src_dir/drivers/gpio/gpio-sim.c" "$mdir/gpio-sim/gpio-sim-main.c"
  cp "$src_dir/drivers/gpio/gpiolib.h" "$mdir/gpio-sim/"
  # irq_sim.c runs the interrupt with handle_simple_irq(irq_to_desc(irq)), and irq_to_desc is not exported to
  # modules; generic_handle_irq(irq) looks up the same descriptor and calls its handler, handle_simple_irq.
  sed -e 's|handle_simple_irq(irq_to_desc(\([a-z_]*\)))|generic_handle_irq(\1)|' \
      "$src_dir/kernel/irq/irq_sim.c" >"$mdir/gpio-sim/irq_sim.c"
  grep -q irq_to_desc "$mdir/gpio-sim/irq_sim.c" && die "irq_sim.c still calls irq_to_desc: the patch in run.sh needs updating for this source"
  for m in gpio-sim i2c-regsim; do
    make -s -j"$jobs" -C "/usr/src/linux-headers-$abi" M="$mdir/$m" modules >"$mdir/$m.log" 2>&1 \
      || { cat "$mdir/$m.log" >&2; die "building $m against linux-headers-$abi failed"; }
  done
  touch "$mdir/.done"
fi
log "modules built ($(elapsed))"

# ---------------------------------------------------------------------------------------------------------------
# The verdict program: writes its argument to qemu's isa-debug-exit port (static, no libc needed at run time).
vdir="$cache/verdict-$(sources_hash "$here/guest")"
if [ ! -f "$vdir/.done" ]; then
  rm -rf "$cache"/verdict-* && mkdir -p "$vdir"
  gcc -static -O2 -o "$vdir/verdict" "$here/guest/verdict.c" || die "building verdict.c failed"
  touch "$vdir/.done"
fi

wait "$publish_pid" || die "publishing the guest programs failed (see $pdir/publish.log)"
log "guest programs published ($(elapsed))"

# ---------------------------------------------------------------------------------------------------------------
# The initramfs: busybox, init, modules, the .NET runtime with the glibc side it needs, the programs.
native=${KIL_NATIVE:-$root/artifacts/native/linux-x64/gateway}
native_hash=none
if [ "$native" = none ]; then
  log "the native gateway is left out (KIL_NATIVE=none)"
elif [ -x "$native/Gateway" ]; then
  native_hash=$(cat "$native/Gateway" "$native/libe_sqlite3.so" | sha256sum | cut -c1-16)
  log "the gateway checks run against the native binary in $native too"
elif [ -n "${KIL_NATIVE:-}" ]; then
  die "KIL_NATIVE=$native holds no executable Gateway (build it with deploy/build-native.sh)"
else
  log "no native gateway at $native (deploy/build-native.sh builds it): its checks are not run"
  native=none
fi
initrd_key=$(printf '%s\n' "$mod_key" "$vdir" "$app_hash" "$(sources_hash "$here/guest")" "$runtime_dir" "$aspnet_dir" \
  "$(dpkg-query -W -f='${Version}' busybox-static)" "$native_hash" | sha256sum | cut -c1-16)
initrd="$cache/initrd-$initrd_key.cpio"
if [ ! -f "$initrd" ]; then
  rm -f "$cache"/initrd-*.cpio
  stage="$cache/stage"
  rm -rf "$stage" && mkdir -p "$stage"/{bin,dev,proc,sys,tmp,run,etc,lib/modules,usr/share/dotnet/shared,usr/share/dotnet/host/fxr,app}
  cp /bin/busybox "$stage/bin/busybox"
  cp "$here/guest/init" "$stage/init" && chmod 755 "$stage/init"
  cp "$here/guest/board.sh" "$stage/etc/board.sh"
  cp "$vdir/verdict" "$stage/bin/verdict"
  for m in "${stock_modules[@]}"; do cp "$kdir/lib/modules/$abi/kernel/$m" "$stage/lib/modules/"; done
  cp "$mdir/gpio-sim/gpio-sim.ko" "$mdir/i2c-regsim/i2c-regsim.ko" "$stage/lib/modules/"
  cp "$dotnet_root/dotnet" "$stage/usr/share/dotnet/"
  cp -r "$hostfxr_dir" "$stage/usr/share/dotnet/host/fxr/"
  mkdir -p "$stage/usr/share/dotnet/shared/Microsoft.NETCore.App" "$stage/usr/share/dotnet/shared/Microsoft.AspNetCore.App"
  cp -r "$runtime_dir" "$stage/usr/share/dotnet/shared/Microsoft.NETCore.App/"
  cp -r "$aspnet_dir" "$stage/usr/share/dotnet/shared/Microsoft.AspNetCore.App/"
  cp -r "$pdir/Gateway.KernelTests" "$stage/app/kt"
  cp -r "$pdir/Gateway" "$stage/app/gateway"
  # The guest's gateway reads only the configuration the test gives it, not the developer's default sensors.
  rm -f "$stage/app/gateway/appsettings.json"
  if [ "$native" != none ]; then
    mkdir -p "$stage/app/gateway-native"
    cp "$native/Gateway" "$native/libe_sqlite3.so" "$stage/app/gateway-native/"
  fi
  # glibc and the C++ runtime, from wherever the host's loader finds them (the same paths in the guest).
  for lib in /lib64/ld-linux-x86-64.so.2 $(for so in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libstdc++.so.6 libgcc_s.so.1 libz.so.1 libssl.so.3 libcrypto.so.3; do
      ldconfig -p | sed -n "s/^\t$so (libc6,x86-64.*) => //p" | head -n 1; done); do
    mkdir -p "$stage$(dirname "$lib")"
    cp -L "$lib" "$stage$lib"
  done
  (cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet) >"$initrd.tmp" || die "packing the initramfs failed"
  mv "$initrd.tmp" "$initrd"
  rm -rf "$stage"
fi
log "initramfs ready, $(($(stat -c %s "$initrd") / 1048576)) MiB ($(elapsed))"

# ---------------------------------------------------------------------------------------------------------------
# Boot. Software emulation (no KVM here); the guest's verdict is qemu's exit code.
set +e
timeout --kill-after=10 "$timeout_seconds" qemu-system-x86_64 \
  -accel tcg,thread=multi -cpu max -smp 2 -m 1024 -nographic -no-reboot \
  -kernel "$kdir/vmlinux" -initrd "$initrd" \
  -append "console=ttyS0 quiet panic=-1 ${KIL_APPEND:-}" \
  -nic none -device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$out/console.log" 2>&1
code=$?
set -e
tr -d '\r' <"$out/console.log" >"$out/console.log.tmp" && mv "$out/console.log.tmp" "$out/console.log"
grep -E '^(PASS|FAIL|SKIP|INFO) ' "$out/console.log" >&2 || true
passed=$(grep -c '^PASS ' "$out/console.log" || true)
failed=$(grep -c '^FAIL ' "$out/console.log" || true)
case $code in
  1) verdict="all $passed checks passed" ;;
  124|137) verdict="time limit of ${timeout_seconds}s reached"; failed=$((failed + 1)) ;;
  0) verdict="the guest stopped without a verdict (kernel panic or init died; see $out/console.log)"; failed=$((failed + 1)) ;;
  *) if [ $((code % 2)) -eq 1 ]; then
       reported=$(((code - 1) / 2))
       verdict="the guest reported $reported failure(s)"
       [ "$failed" -ge "$reported" ] || failed=$reported
     else
       verdict="qemu failed (exit $code; see $out/console.log)"; failed=$((failed + 1))
     fi ;;
esac
printf 'passed=%s failed=%s\n' "$passed" "$failed" >"$out/results"
log "$verdict; $passed passed, $failed failed ($(elapsed))"
[ "$code" -eq 1 ] && [ "$failed" -eq 0 ]
