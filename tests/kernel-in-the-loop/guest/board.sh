# The simulated board, sourced by init: loads the modules and builds one gpio-sim chip of 8 named lines, the
# i2c-regsim adapter with a device at 0x76, and i2c-stub (SMBus only) with a chip at 0x76. Exports where they are
# for the test program: KIL_GPIO_CHIP (/dev/gpiochipN), KIL_GPIO_SIM (the chip's sysfs folder with sim_gpioK/),
# KIL_I2C_REGSIM and KIL_I2C_STUB (bus numbers), KIL_REGSIM_DEBUGFS. A second gpio-sim chip of 2 lines is there to be
# unplugged by the test (KIL_UNPLUG_CHIP, KIL_UNPLUG_LIVE: write 0 to take it away).

# Line names, as a Raspberry Pi's chip names them; the test program and the gateway's configuration use them.
KIL_LINE_NAMES="GPIO17 GPIO22 GPIO23 GPIO24 GPIO25 GPIO26 GPIO27 GPIO5"

load() { # load MODULE [PARAMS]
  m=$1; shift
  insmod "/lib/modules/$m.ko" "$@" || { echo "FAIL insmod $m $*"; return 1; }
}

i2c_bus_named() { # the N of the i2c-N adapter whose name is $1
  for d in /sys/bus/i2c/devices/i2c-*; do
    [ "$(cat "$d/name")" = "$1" ] && { basename "$d" | sed 's/^i2c-//'; return 0; }
  done
  return 1
}

board_up() {
  load configfs && mount -t configfs configfs /sys/kernel/config || return 1
  load gpio-sim || return 1
  load i2c-dev || return 1
  load i2c-regsim devices=0x76 || return 1
  load i2c-stub chip_addr=0x76 || return 1

  sim=/sys/kernel/config/gpio-sim/kil
  mkdir "$sim" "$sim/bank0" || return 1
  echo 8 >"$sim/bank0/num_lines"
  echo kil-bank0 >"$sim/bank0/label"
  i=0
  for name in $KIL_LINE_NAMES; do
    mkdir "$sim/bank0/line$i" && echo "$name" >"$sim/bank0/line$i/name" || return 1
    i=$((i + 1))
  done
  echo 1 >"$sim/live" || { echo "FAIL gpio-sim: the chip did not come up"; return 1; }
  chip=$(cat "$sim/bank0/chip_name")
  export KIL_GPIO_CHIP=/dev/$chip
  export KIL_GPIO_SIM=/sys/devices/platform/$(cat "$sim/dev_name")/$chip
  [ -c "$KIL_GPIO_CHIP" ] && [ -d "$KIL_GPIO_SIM/sim_gpio0" ] || { echo "FAIL gpio-sim: $KIL_GPIO_CHIP or $KIL_GPIO_SIM missing"; return 1; }

  unplug=/sys/kernel/config/gpio-sim/kil-unplug
  mkdir "$unplug" "$unplug/bank0" && echo 2 >"$unplug/bank0/num_lines" && echo kil-unplug >"$unplug/bank0/label" \
    && echo 1 >"$unplug/live" || { echo "FAIL gpio-sim: the second chip did not come up"; return 1; }
  export KIL_UNPLUG_CHIP=/dev/$(cat "$unplug/bank0/chip_name") KIL_UNPLUG_LIVE=$unplug/live

  KIL_I2C_REGSIM=$(i2c_bus_named i2c-regsim) || { echo "FAIL i2c-regsim: no adapter"; return 1; }
  KIL_I2C_STUB=$(i2c_bus_named "SMBus stub driver") || { echo "FAIL i2c-stub: no adapter"; return 1; }
  export KIL_I2C_REGSIM KIL_I2C_STUB KIL_REGSIM_DEBUGFS=/sys/kernel/debug/i2c-regsim
  echo "INFO board: $KIL_GPIO_CHIP ($KIL_GPIO_SIM), $KIL_UNPLUG_CHIP to unplug, i2c-regsim on /dev/i2c-$KIL_I2C_REGSIM, i2c-stub on /dev/i2c-$KIL_I2C_STUB"
}
