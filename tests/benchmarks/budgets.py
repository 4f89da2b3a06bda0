#!/usr/bin/env python3
"""The native build's budgets (issue 15), measured on this machine, with the framework-dependent (JIT) build beside them.

    tests/benchmarks/budgets.py                 both builds, every figure (about 6 minutes)
    tests/benchmarks/budgets.py --only native   one build
    tests/benchmarks/budgets.py --idle 60       seconds of idle CPU measurement (default 60)

Builds: native from artifacts/native/linux-x64 (deploy/build-native.sh builds it when missing); JIT published
framework-dependent into a temporary folder (what deploy/install.sh --jit installs). Each figure:
  binary          the shipped executable (native) / the published folder without the runtime (JIT)
  ready           start to READY=1 on a NOTIFY_SOCKET, median of 5 starts (default appsettings.json, web console on)
  idle RSS        VmRSS 10 s after start, default appsettings.json (simulated board, web console on, no links)
  idle CPU        utime+stime from /proc/<pid>/stat over --idle seconds after that, as % of one core
  load RSS        VmRSS and VmHWM after 30 s sampling at ~1,000 readings/s with TCP, WebSocket (gwctl listen) and
                  MQTT (mosquitto) links up; the readings/s and each link's delivered count are printed beside it
  gwctl           `gwctl --version`, median wall time of 20 runs
Network: 127.0.0.1 only. Every wait is bounded.
"""
import argparse
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TICKS = os.sysconf("SC_CLK_TCK")


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (proc(5): fields 14 and 15)


class Build:
    def __init__(self, name, command, gwctl, size_bytes):
        self.name, self.command, self.gwctl, self.size_bytes = name, command, gwctl, size_bytes


def native_build():
    folder = os.path.join(ROOT, "artifacts", "native", "linux-x64")
    if not os.path.exists(os.path.join(folder, "gateway", "Gateway")):
        subprocess.run([os.path.join(ROOT, "deploy", "build-native.sh"), "--rid", "linux-x64"], check=True)
    binary = os.path.join(folder, "gateway", "Gateway")
    return Build("native", [binary], [os.path.join(folder, "gwctl", "gwctl")], os.path.getsize(binary))


def jit_build(scratch):
    out = os.path.join(scratch, "jit")
    for project, folder in (("src/Gateway/Gateway.csproj", "gateway"), ("src/Gateway.Console/Gateway.Console.csproj", "gwctl")):
        subprocess.run(["dotnet", "publish", os.path.join(ROOT, project), "-c", "Release", "--self-contained", "false",
                        "-p:UseAppHost=false", "-o", os.path.join(out, folder), "-nologo", "-v", "quiet"],
                       check=True, stdout=subprocess.DEVNULL)
    gateway = os.path.join(out, "gateway")
    size = sum(os.path.getsize(os.path.join(gateway, f)) for f in os.listdir(gateway)
               if not f.endswith((".pdb", ".xml")) and os.path.isfile(os.path.join(gateway, f)))
    return Build("JIT", ["dotnet", os.path.join(gateway, "Gateway.dll")], ["dotnet", os.path.join(out, "gwctl", "gwctl.dll")], size)


def start(build, work, args, env=None, stdout=subprocess.DEVNULL):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_") and k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC")}
    full_env.update({"DOTNET_NOLOGO": "1", "DOTNET_CLI_TELEMETRY_OPTOUT": "1"})
    full_env.update(env or {})
    return subprocess.Popen(build.command + args, cwd=work, env=full_env, stdout=stdout, stderr=subprocess.STDOUT)


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def default_config(work):
    shutil.copy(os.path.join(ROOT, "appsettings.json"), os.path.join(work, "appsettings.json"))
    return [f"--Gateway:Listener:Http=127.0.0.1:{free_port()}", "--Gateway:StateDirectory=state"]


def ready_ms(build, scratch):
    times = []
    for i in range(5):
        work = tempfile.mkdtemp(dir=scratch)
        args = default_config(work)
        path = os.path.join(work, "notify.sock")
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
            notify.bind(path)
            notify.settimeout(30)
            began = time.monotonic()
            process = start(build, work, args, {"NOTIFY_SOCKET": path})
            try:
                deadline = began + 30
                while time.monotonic() < deadline:
                    if b"READY=1" in notify.recv(4096):
                        times.append((time.monotonic() - began) * 1000)
                        break
                else:
                    raise RuntimeError(f"{build.name}: no READY=1 within 30 s")
            finally:
                stop(process)
    return statistics.median(times), min(times), max(times)


def idle(build, scratch, seconds):
    work = tempfile.mkdtemp(dir=scratch)
    process = start(build, work, default_config(work))
    try:
        time.sleep(10)
        if process.poll() is not None:
            raise RuntimeError(f"{build.name} exited early ({process.returncode})")
        rss = proc_status(process.pid, "VmRSS")
        before, began = cpu_ticks(process.pid), time.monotonic()
        time.sleep(seconds)
        used = (cpu_ticks(process.pid) - before) / TICKS
        elapsed = time.monotonic() - began
        return rss / 1024, 100 * used / elapsed, proc_status(process.pid, "Threads")
    finally:
        stop(process)


def wait_for_line(path, text, limit=60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with open(path, errors="replace") as f:
            for line in f:
                if text in line:
                    return line
        time.sleep(0.1)
    raise RuntimeError(f"'{text}' did not appear in {path} within {limit} s")


def under_load(build, scratch, seconds=30):
    mosquitto = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None)
    if mosquitto is None:
        return None
    work = tempfile.mkdtemp(dir=scratch)
    mqtt_port = free_port()
    with open(os.path.join(work, "mosquitto.conf"), "w") as f:
        f.write(f"listener {mqtt_port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    broker = subprocess.Popen([mosquitto, "-c", os.path.join(work, "mosquitto.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    listen_log = os.path.join(work, "listen.log")
    with open(listen_log, "w") as log:
        listen = subprocess.Popen(build.gwctl + ["listen", "--tcp", "127.0.0.1:0", "--ws", "127.0.0.1:0"], cwd=work,
                                  stdout=subprocess.DEVNULL, stderr=log)
    gateway = None
    try:
        tcp = wait_for_line(listen_log, "listening on tcp://").split("tcp://")[1].split()[0]
        ws = wait_for_line(listen_log, "listening on ws://").split("listening on ")[1].split()[0]
        args = default_config(work) + [
            "--Gateway:Sampling:Interval=10ms", "--Gateway:Sensors:light:Interval=10ms",
            f"--Gateway:Upstream:Tcp:Endpoint={tcp}", f"--Gateway:Upstream:WebSocket:Url={ws}",
            f"--Gateway:Upstream:Mqtt:Broker=127.0.0.1:{mqtt_port}",
        ]
        gateway = start(build, work, args)
        time.sleep(5)
        db = os.path.join(work, "state", "gateway.db")
        first, began = last_seq(db), time.monotonic()
        time.sleep(seconds)
        if gateway.poll() is not None:
            raise RuntimeError(f"{build.name} exited under load ({gateway.returncode})")
        rate = (last_seq(db) - first) / (time.monotonic() - began)
        rss, hwm = proc_status(gateway.pid, "VmRSS"), proc_status(gateway.pid, "VmHWM")
        stop(gateway)
        return rss / 1024, hwm / 1024, rate, cursors(db)
    finally:
        for p in (gateway, listen, broker):
            if p is not None:
                stop(p)


def last_seq(db):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as c:
        return c.execute("SELECT COALESCE(MAX(seq), 0) FROM readings").fetchone()[0]


def cursors(db):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as c:
        return dict(c.execute("SELECT link, seq FROM cursors").fetchall())


def gwctl_ms(build):
    times = []
    for _ in range(20):
        began = time.monotonic()
        subprocess.run(build.gwctl + ["--version"], check=True, stdout=subprocess.DEVNULL)
        times.append((time.monotonic() - began) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["native", "jit"])
    parser.add_argument("--idle", type=int, default=60)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gateway-budgets-") as scratch:
        builds = []
        if options.only in (None, "native"):
            builds.append(native_build())
        if options.only in (None, "jit"):
            builds.append(jit_build(scratch))
        print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        for build in builds:
            median, low, high = ready_ms(build, scratch)
            rss, cpu, threads = idle(build, scratch, options.idle)
            load = under_load(build, scratch)
            gwctl = gwctl_ms(build)
            print(f"{build.name}: binary {build.size_bytes / 1e6:.1f} MB; ready {median:.0f} ms (min {low:.0f}, max {high:.0f}); "
                  f"idle RSS {rss:.1f} MiB, idle CPU {cpu:.2f} % of a core over {options.idle} s, {threads} threads; "
                  + ("load: mosquitto missing; " if load is None else
                     f"load RSS {load[0]:.1f} MiB (peak {load[1]:.1f}) at {load[2]:.0f} readings/s, delivered {load[3]}; ")
                  + f"gwctl --version {gwctl:.0f} ms", flush=True)


if __name__ == "__main__":
    sys.exit(main())
