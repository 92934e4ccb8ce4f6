"""Peak resident memory of `python run_bot.py serve` (bound to 127.0.0.1:
bench/serve_loopback.py) serving a synthetic ledger while it answers a few
hundred signed requests over HTTP: `/status <place>`, the overview, `/claims`
and `/ceasefire` (load.py's read mix), from a few clients at once.

Read from /proc/<pid>/status: VmHWM (the kernel's high-water mark of the
resident set) and VmRSS, once the server answers /healthz (started: settings,
migrations checked, the due step's scheduler, the app) and after the requests.
The server reads a copy of the cached ledger.

    python bench/memory.py [--sizes 1000000] [--requests 400] [--clients 4]
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    OUT,
    SECRET,
    TOKEN,
    ServeProcess,
    SignedClient,
    cached_ledger,
    drop_working_copy,
    line,
    read_status,
    summary,
    working_copy,
    write_json,
)
from bench.load import Workload  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402

USER = "UREADER01"


def mib(kib: int) -> float:
    return kib / 1024


def measure(size: int, args: argparse.Namespace) -> dict[str, Any]:
    cached = cached_ledger(size, args.seed)
    path = working_copy(cached.path, "memory")
    work = Workload(cached.ledger, args.seed)
    try:
        with FakeSlack(token=TOKEN) as fake:
            for i in range(args.clients):
                fake.add_user(f"{USER}{i}", tz="Asia/Baku")
            began = time.perf_counter()
            server = ServeProcess(
                {
                    "DATABASE_URL": f"sqlite:///{path}",
                    "SLACK_BOT_TOKEN": TOKEN,
                    "SLACK_SIGNING_SECRET": SECRET,
                    "SLACK_API_URL": fake.api_url,
                },
                OUT / "memory-server.log",
            )
            start_s = time.perf_counter() - began
            try:
                started = read_status(server.pid)
                timings, failures, sampled = drive(server.port, server.pid, work, args)
                after = read_status(server.pid)
            finally:
                server.stop()
    finally:
        drop_working_copy(path)
    result: dict[str, Any] = {
        "size": size,
        "database_mib": cached.path.stat().st_size / 2**20,
        "start_s": start_s,
        "rss_started_mib": mib(started["VmRSS"]),
        "hwm_started_mib": mib(started["VmHWM"]),
        "rss_after_mib": mib(after["VmRSS"]),
        "peak_rss_mib": mib(after["VmHWM"]),
        "peak_sampled_mib": mib(sampled),
        "requests": len(timings),
        "failures": failures,
        "latency": summary(timings),
    }
    print(
        f"{size:,} updates ({result['database_mib']:.0f} MiB database): started in {start_s:.1f} s "
        f"at {result['rss_started_mib']:.0f} MiB resident; after {len(timings)} requests "
        f"{result['rss_after_mib']:.0f} MiB; peak (VmHWM) {result['peak_rss_mib']:.0f} MiB; "
        f"failures {failures}"
    )
    print(line("answers", result["latency"]))
    return result


def drive(
    port: int, pid: int, work: Workload, args: argparse.Namespace
) -> tuple[list[float], int, int]:
    timings: list[float] = []
    failures = [0]
    lock = threading.Lock()
    done = threading.Event()
    peak = [0]

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], read_status(pid).get("VmRSS", 0))
            done.wait(0.05)

    def client(index: int) -> None:
        rng = random.Random(f"memory-{index}")
        conn = SignedClient(port, f"{USER}{index}", timeout=60)
        try:
            for _ in range(args.requests // args.clients):
                _, command, text = work.read(rng)
                answer = conn.command(command, text)
                with lock:
                    timings.append(answer.ms)
                    if not answer.answered:
                        failures[0] += 1
        finally:
            conn.close()

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    clients = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
    for t in clients:
        t.start()
    for t in clients:
        t.join(timeout=args.max_seconds)
    done.set()
    sampler.join(timeout=5)
    return timings, failures[0], peak[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000000")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    results = [measure(size, args) for size in sizes]
    write_json("memory", {"sizes": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
