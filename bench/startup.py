#!/usr/bin/env python3
"""Start-up time and idle memory of the Synapse Hotfix app (run through bench/startup.sh).

Start-up: time from spawning the app to the line `ui-ready` it logs when the front end has mounted
and called the `app_ready` command (the first screen is interactive). One warm-up run, then the
median of N warm runs (same SYNAPSE_HOTFIX_HOME, so the OS caches and the app's folders are warm).

Memory: after the last run has been idle for IDLE seconds, RSS and PSS (from
/proc/<pid>/smaps_rollup) of the app and every process it started (WebKitWebProcess,
WebKitNetworkProcess, ...), summed.

Writes a JSON record to bench/results/ and prints a Markdown table for BENCHMARKS.md.
"""

import argparse
import datetime
import json
import os
import platform
import selectors
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READY_MARK = "ui-ready"
REPO = Path(__file__).resolve().parent.parent


def descendants(pid: int) -> list[int]:
    """pid and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces; the fields after the closing parenthesis do not.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def memory_of(pid: int) -> dict:
    """Name, RSS and PSS (kB) of one process."""
    argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
    name = Path(argv0).name or Path(f"/proc/{pid}/comm").read_text().strip()
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        fields[key] = int(value.split()[0])
    return {"pid": pid, "name": name, "rss_kb": fields["Rss"], "pss_kb": fields["Pss"]}


def launch(app: Path, home: Path, log_path: Path, timeout: float) -> tuple[subprocess.Popen, float]:
    """Starts the app and returns it with the seconds until it logged READY_MARK."""
    env = dict(os.environ, SYNAPSE_HOTFIX_HOME=str(home), RUST_LOG=os.environ.get("RUST_LOG", "info"))
    log = log_path.open("ab")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(app)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buf = b""
    deadline = t0 + timeout
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            stop(proc)
            raise SystemExit(
                f"the app did not log '{READY_MARK}' within {timeout:.0f} s; see {log_path}. "
                "The UI calls the app_ready command on mount, which logs it."
            )
        if not sel.select(timeout=left):
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            raise SystemExit(f"the app exited with {proc.wait()} before it was ready; see {log_path}")
        log.write(chunk)
        buf += chunk
        if READY_MARK.encode() in buf:
            elapsed = time.perf_counter() - t0
            break
    # Keep draining the app's output so that it never blocks on a full pipe.
    sel.close()
    drain = subprocess.Popen(["cat"], stdin=proc.stdout, stdout=log)
    proc._drain = drain  # type: ignore[attr-defined]
    return proc, elapsed


def stop(proc: subprocess.Popen) -> None:
    """Ends the app and everything it started."""
    for pid in reversed(descendants(proc.pid)):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    drain = getattr(proc, "_drain", None)
    if drain:
        drain.wait(timeout=5)


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--app", type=Path, default=REPO / "target/release/synapse-hotfix")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--idle", type=float, default=10.0, help="seconds idle before measuring memory")
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()
    if not args.app.exists():
        raise SystemExit(f"{args.app} does not exist: build it with 'make app-release'")
    if not os.environ.get("DISPLAY"):
        raise SystemExit("no DISPLAY: run through bench/startup.sh (it starts Xvfb)")

    load_before = os.getloadavg()[0]
    if load_before > 1.0:
        print(f"note: load average is {load_before:.1f}; other work on the machine slows the figures", flush=True)
    work = Path(tempfile.mkdtemp(prefix="synapse-bench-"))
    home, log_path = work / "home", work / "app.log"
    home.mkdir()

    proc, first = launch(args.app, home, log_path, args.timeout)
    stop(proc)
    print(f"warm-up (first start, empty home): {first:.3f} s", flush=True)
    times = []
    for i in range(args.runs):
        proc, t = launch(args.app, home, log_path, args.timeout)
        times.append(t)
        print(f"run {i + 1}: {t:.3f} s", flush=True)
        if i < args.runs - 1:
            stop(proc)
    # The last run stays open: let it idle, then measure its memory.
    time.sleep(args.idle)
    procs = []
    for pid in descendants(proc.pid):
        try:
            procs.append(memory_of(pid))
        except (OSError, KeyError):
            pass  # a short-lived helper that has already gone
    stop(proc)

    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": git("rev-parse", "--short", "HEAD") or "(no commit)",
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "machine": {
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "mem_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "kernel": platform.release(),
            "os": platform.freedesktop_os_release().get("PRETTY_NAME", "?"),
        },
        "load_average_at_start": load_before,
        "webkit_env": {k: v for k, v in os.environ.items() if k.startswith("WEBKIT_")},
        "binary": str(args.app),
        "binary_bytes": args.app.stat().st_size,
        "first_start_s": round(first, 3),
        "warm_runs_s": [round(t, 3) for t in times],
        "warm_median_s": round(statistics.median(times), 3),
        "idle_s": args.idle,
        "processes": procs,
        "total_rss_mb": round(sum(p["rss_kb"] for p in procs) / 1024, 1),
        "total_pss_mb": round(sum(p["pss_kb"] for p in procs) / 1024, 1),
    }
    out_dir = REPO / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"{result['date'][:10]}-{result['commit']}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")

    ok_time = result["warm_median_s"] <= 1.0
    ok_mem = result["total_pss_mb"] <= 300
    print()
    print(f"| metric | figure | target |")
    print(f"|---|---|---|")
    print(f"| start → first screen interactive, warm median of {args.runs} | {result['warm_median_s']:.3f} s "
          f"({', '.join(f'{t:.2f}' for t in times)}) | ≤ 1.0 s {'✓' if ok_time else '✗'} |")
    print(f"| first start (empty home, after build) | {first:.3f} s | — |")
    for p in procs:
        print(f"| idle {args.idle:.0f} s: {p['name']} (pid {p['pid']}) | RSS {p['rss_kb'] / 1024:.1f} MB, "
              f"PSS {p['pss_kb'] / 1024:.1f} MB | — |")
    print(f"| idle {args.idle:.0f} s: total | RSS {result['total_rss_mb']} MB, PSS {result['total_pss_mb']} MB "
          f"| PSS ≤ 300 MB {'✓' if ok_mem else '✗'} |")
    print(f"\nrecorded in {out.relative_to(REPO)}; app log: {log_path}")


if __name__ == "__main__":
    sys.exit(main())
