"""Every benchmark, each in its own process, at sizes that finish in under ten
minutes on two cores once the synthetic ledgers are cached (building them the
first time — the 1M one takes minutes — is timed and reported apart), then
bench/out/results.md: a Markdown table of the figures, ready for the README.

    python bench/run_all.py [--full] [--only answer_latency,load,...]

--full runs each benchmark at its own defaults (2,000 requests a figure,
60-second load) instead; that takes longer.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.common import OUT, PG_LOAD_URL, PINNED, PYTHON, cached_ledger, machine  # noqa: E402

SIZES = (10_000, 100_000, 1_000_000)
STEP_TIMEOUT_S = 1800

QUICK: dict[str, list[str]] = {
    "answer_latency": ["--requests", "600"],
    "load": ["--seconds", "20", "--updates", "100000"],
    "briefing_build": ["--runs", "2"],
    "fanout": ["--workers", "1,8", "--tight-cap", "300"],
    "memory": ["--sizes", "1000000", "--requests", "200"],
}
FULL: dict[str, list[str]] = {
    "answer_latency": [],
    "load": [],
    "briefing_build": [],
    "fanout": ["--workers", "1,4,8", "--tight-cap", "300"],
    "memory": ["--sizes", "10000,1000000"],
}


def ensure_ledgers() -> list[dict[str, Any]]:
    """Every ledger size, built if missing; their files are handed to each
    benchmark (bench/common.py: PINNED)."""
    rows = []
    pinned: dict[str, str] = {}
    for size in SIZES:
        began = time.perf_counter()
        found = cached_ledger(size)
        rows.append(
            {
                "size": size,
                "cached": found.cached,
                "generation_s": found.ledger.seconds,
                "this_run_s": time.perf_counter() - began,
                "database_mib": found.path.stat().st_size / 2**20,
                "file": found.path.name,
            }
        )
        pinned[str(size)] = str(found.path)
        state = "cached" if found.cached else "built now"
        print(
            f"ledger {size:,}: {state}; generating it took {found.ledger.seconds:.0f} s; "
            f"{rows[-1]['database_mib']:.0f} MiB",
            flush=True,
        )
    os.environ[PINNED] = json.dumps(pinned)
    return rows


def run_step(name: str, extra: list[str], log: Any) -> tuple[int, float]:
    command = [PYTHON, str(ROOT / "bench" / f"{name}.py"), *extra]
    shown = " ".join(["python", f"bench/{name}.py", *extra])
    print(f"\n$ {shown}", flush=True)
    log.write(f"\n$ {shown}\n")
    began = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    deadline = time.monotonic() + STEP_TIMEOUT_S
    for row in process.stdout:
        print(row, end="", flush=True)
        log.write(row)
        if time.monotonic() > deadline:
            process.kill()
            print(f"{name}: stopped after {STEP_TIMEOUT_S} s", flush=True)
            break
    code = process.wait(timeout=60)
    return code, time.perf_counter() - began


def postgres_version(url: str = PG_LOAD_URL) -> str:
    try:
        engine = create_engine(make_url(url).set(database="postgres"))
        with engine.connect() as conn:
            version = str(conn.execute(text("SHOW server_version")).scalar())
        engine.dispose()
        return f"PostgreSQL {version.split()[0]}"
    except Exception as exc:  # reported in the table, not fatal
        return f"PostgreSQL unavailable ({type(exc).__name__})"


# ---- the table ---------------------------------------------------------------------


def ms(s: dict[str, Any]) -> str:
    return f"{s['median']:.1f} / {s['p95']:.1f} / {s['p99']:.1f} ms"


def size_label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


Row = tuple[str, str, str, str]


def answer_rows(data: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    n = data["requests"]
    for r in data["sizes"]:
        label = size_label(r["size"])
        rows.append(
            (
                f"answer, {label} updates: `/status <place>` cold (median / p95 / p99, n={n})",
                ms(r["cold"]),
                "",
                f"{r['cold_cache_misses']}/{r['cold']['n']} built, none from the cache",
            )
        )
        rows.append(
            (f"answer, {label}: `/status <place>` warm (from the cache)", ms(r["warm"]), "", "")
        )
        rows.append((f"answer, {label}: bare Bolt app, fixed text", ms(r["bare"]), "", ""))
        rows.append(
            (
                f"answer, {label}: ratio Sitrep/bare, median · p99",
                f"cold {r['ratio_cold']['median']:.0f}× · {r['ratio_cold']['p99']:.0f}×; "
                f"warm {r['ratio_warm']['median']:.1f}× · {r['ratio_warm']['p99']:.1f}×",
                "",
                "",
            )
        )
    return rows


def load_rows(data: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for backend, r in data["backends"].items():
        w = r["writes"]
        name = "SQLite" if backend == "sqlite" else "PostgreSQL"
        ok = data["goals_met"][backend]
        rows.append(
            (
                f"load, {name}, {r['clients']} clients × {data['seconds']:g} s, "
                f"{data['updates'] // 1000}k ledger: throughput",
                f"{r['throughput_rps']:.1f} requests/s ({r['requests']:,} requests)",
                "",
                "",
            )
        )
        rows.append(
            (
                f"load, {name}: latency (median / p95 / p99), max",
                f"{ms(r['latency'])}, max {r['latency']['max'] / 1000:.1f} s",
                "each ≤ 3 s",
                f"{verdict(ok)}: {r['over_ack_limit']} of {r['requests']:,} over 3 s, "
                f"{r['errors'] - r['over_ack_limit']} other errors",
            )
        )
        slowest = max(r["by_op"].items(), key=lambda kv: kv[1]["median"])
        rows.append(
            (
                f"load, {name}: slowest command (median)",
                f"{slowest[0]}: {slowest[1]['median']:.0f} ms",
                "",
                "",
            )
        )
        rows.append(
            (
                f"load, {name}: writes confirmed / rows in the database",
                f"{w['confirmed']} / {w['rows']} ({w['entries']} entries)",
                "none lost",
                verdict(w["lost"] == 0 and not w["unconfirmed_rows"]),
            )
        )
    return rows


def briefing_rows(data: dict[str, Any]) -> list[Row]:
    rows: list[Row] = [
        (
            f"briefing build, {size_label(r['size'])} updates, 24 h window (median / p95 / p99)",
            ms(r["build"]),
            "",
            f"{r['statements_per_briefing']:.0f} statements, {r['sql_ms_per_briefing']:.0f} ms in SQL",
        )
        for r in data["sizes"]
    ]
    if "ratio" in data:
        a, b = data["ratio_sizes"]
        rows.append(
            (
                f"briefing build: ratio {size_label(b)}/{size_label(a)} at the median",
                f"{data['ratio']:.2f}×",
                f"≤ {data['goal_ratio']:g}",
                verdict(data["ratio"] <= data["goal_ratio"]),
            )
        )
    return rows


def fanout_rows(data: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    floor = data["serial_floor_s"]
    for r in data["runs"]:
        who = "due step as it is (1 worker)" if r["workers"] == 1 else f"{r['workers']} workers"
        rows.append(
            (
                f"fan-out, {data['subscriptions']} briefings, {who}, cap {r['cap_per_minute']}/min",
                f"{r['wall_s']:.1f} s ({r['speedup_vs_floor']:.2f}× the {floor:.0f} s serial floor)",
                "≥ 4× when the cap allows it" if r["workers"] > 1 else "",
                f"once each: {'yes' if r['exactly_once'] else 'NO'}; {r['rate_limited']} × 429, "
                f"{r['too_soon']} retried early",
            )
        )
    rows.append(("fan-out: goal", "", "≥ 4×, once each, 429s honoured", verdict(data["goal_met"])))
    return rows


def memory_rows(data: dict[str, Any]) -> list[Row]:
    return [
        (
            f"memory, `run_bot.py serve`, {size_label(r['size'])} updates "
            f"({r['database_mib']:.0f} MiB SQLite): peak RSS (VmHWM)",
            f"{r['peak_rss_mib']:.0f} MiB",
            "",
            f"{r['rss_started_mib']:.0f} MiB after start; {r['requests']} requests, "
            f"{r['failures']} failed",
        )
        for r in data["sizes"]
    ]


TABLES: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "answer_latency": answer_rows,
    "load": load_rows,
    "briefing_build": briefing_rows,
    "fanout": fanout_rows,
    "memory": memory_rows,
}


def write_results(
    command: str,
    ledgers: list[dict[str, Any]],
    steps: dict[str, tuple[int, float, list[str]]],
    total_s: float,
    pg: str,
) -> Path:
    info = machine()
    lines = [
        "| date | machine | command | time |",
        "| --- | --- | --- | --- |",
        f"| {info['date']} | {info['cores']} cores ({info['cpu']}), {info['system']}, "
        f"Python {info['python']}, SQLite {info['sqlite']}, {pg} | `{command}` | "
        f"{total_s / 60:.1f} min (ledgers cached) |",
        "",
        "| figure | value | goal | outcome |",
        "| --- | --- | --- | --- |",
    ]
    for ledger in ledgers:
        lines.append(
            f"| synthetic ledger, {size_label(ledger['size'])} updates: generating it "
            f"({'cached' if ledger['cached'] else 'built in this run'}) | "
            f"{ledger['generation_s']:.0f} s, {ledger['database_mib']:.0f} MiB | | "
            f"`bench/out/{ledger['file']}` |"
        )
    for name, table in TABLES.items():
        if name not in steps:
            continue
        code, seconds, _ = steps[name]
        path = OUT / f"{name}.json"
        if code != 0 or not path.exists():
            lines.append(f"| {name} | failed (exit {code}) | | see bench/out/run_all.log |")
            continue
        for figure, value, goal, outcome in table(json.loads(path.read_text(encoding="utf-8"))):
            lines.append(f"| {figure} | {value} | {goal} | {outcome} |")
    lines.append("")
    lines.append("Commands, each runnable alone (what this run passed):")
    lines.append("")
    for name, (_, seconds, extra) in steps.items():
        lines.append(
            f"- `python bench/{name}.py {' '.join(extra)}`".rstrip() + f" ({seconds:.0f} s)"
        )
    path = OUT / "results.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--full", action="store_true", help="each benchmark at its defaults")
    parser.add_argument("--only", help="comma-separated benchmark names")
    args = parser.parse_args(argv)
    plan = FULL if args.full else QUICK
    names = [n.strip() for n in args.only.split(",")] if args.only else list(plan)
    for name in names:
        if name not in plan:
            parser.error(f"--only: no benchmark called {name!r} (one of {', '.join(plan)})")
    OUT.mkdir(parents=True, exist_ok=True)
    command = " ".join(
        ["python", "bench/run_all.py", *(argv if argv is not None else sys.argv[1:])]
    )
    began = time.perf_counter()
    ledgers = ensure_ledgers()
    building = sum(r["this_run_s"] for r in ledgers if not r["cached"])
    if building:
        print(f"building the ledgers took {building:.0f} s (not counted below)", flush=True)
    measured = time.perf_counter()
    steps: dict[str, tuple[int, float, list[str]]] = {}
    with (OUT / "run_all.log").open("w", encoding="utf-8") as log:
        for name in names:
            code, seconds = run_step(name, plan[name], log)
            steps[name] = (code, seconds, plan[name])
            print(f"[{name}: exit {code}, {seconds:.0f} s]", flush=True)
    total = time.perf_counter() - measured
    path = write_results(command, ledgers, steps, total, postgres_version())
    print(f"\nall done in {total / 60:.1f} min (plus {(measured - began):.0f} s for the ledgers)")
    print(f"wrote {path.relative_to(ROOT)}\n")
    print(path.read_text(encoding="utf-8"))
    return 0 if all(code == 0 for code, _, _ in steps.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
