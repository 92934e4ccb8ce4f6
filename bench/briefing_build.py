"""Time to build one briefing (`build_briefing`, the view a channel is posted,
before rendering) for a 24-hour window of recorded time, at several ledger sizes.

The window is the last 24 hours of each conflict of the synthetic ledger
(bench/synthetic.py: about a thousand updates a day per conflict at every size),
so the work a briefing has to show is the same at every size; only the ledger
around it grows. Each conflict's briefing is built --runs times; the figures are
over all of them. The ratio largest/smallest at the median is the growth (goal
≤ 2). Every SQL statement is timed as well, and the statements whose time grows
most with the ledger are listed with their query plans.

    python bench/briefing_build.py [--sizes 10000,100000,1000000] [--runs 5]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, event  # noqa: E402

from bench.common import cached_ledger, line, summary, write_json  # noqa: E402
from bench.synthetic import SyntheticLedger  # noqa: E402
from bot.services.briefing import build_briefing  # noqa: E402
from bot.store.db import create_db_engine  # noqa: E402
from bot.store.uow import UnitOfWork  # noqa: E402

GOAL = 2.0
WINDOW = timedelta(hours=24)


@dataclass
class Statements:
    """Milliseconds in the database per statement text, and one set of its parameters."""

    spent: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    params: dict[str, Any] = field(default_factory=dict)


@contextmanager
def timed_sql(engine: Engine) -> Iterator[Statements]:
    found = Statements()

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        began = conn.info["bench_started"].pop()
        key = " ".join(statement.split())
        found.spent[key].append((time.perf_counter() - began) * 1000)
        found.params.setdefault(key, parameters)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def build_all(uow: UnitOfWork, ledger: SyntheticLedger) -> dict[str, int]:
    """One briefing per conflict; what each window held."""
    shown: dict[str, int] = {}
    now = ledger.last_recorded + timedelta(minutes=1)
    with uow.read() as tx:
        for conflict in tx.catalog.conflicts():
            view = build_briefing(
                tx, conflict, ledger.last_recorded - WINDOW, now, conflict.timezone, now
            )
            shown[conflict.name] = view.new_claims_total
    return shown


def time_size(size: int, runs: int, profile: bool) -> dict[str, Any]:
    cached = cached_ledger(size)
    ledger = cached.ledger
    engine = create_db_engine(f"sqlite:///{cached.path}")
    uow = UnitOfWork(engine)
    now = ledger.last_recorded + timedelta(minutes=1)
    claims = build_all(uow, ledger)  # once untimed: the database's pages in memory
    timings: list[float] = []
    with uow.read() as tx:
        conflicts = tx.catalog.conflicts()
    for _ in range(runs):
        for conflict in conflicts:
            with uow.read() as tx:
                began = time.perf_counter()
                build_briefing(
                    tx, conflict, ledger.last_recorded - WINDOW, now, conflict.timezone, now
                )
                timings.append((time.perf_counter() - began) * 1000)
    with timed_sql(engine) as statements:
        build_all(uow, ledger)
    result: dict[str, Any] = {
        "size": size,
        "build": summary(timings),
        "new_claims_in_window": claims,
        "sql_ms_per_briefing": sum(sum(v) for v in statements.spent.values()) / len(conflicts),
        "statements_per_briefing": sum(len(v) for v in statements.spent.values()) / len(conflicts),
        "generation_s": ledger.seconds,
    }
    print(
        f"{size:,} updates ({'cached' if cached.cached else 'generated now'}; "
        f"new claims in each window: {', '.join(str(n) for n in claims.values())})"
    )
    print(line("build_briefing (24 h window)", result["build"]))
    print(
        f"  SQL: {result['statements_per_briefing']:.0f} statements, "
        f"{result['sql_ms_per_briefing']:.1f} ms in the database per briefing"
    )
    result["_statements"] = statements
    result["_engine"] = engine
    result["_functions"] = function_costs(uow, ledger)
    if profile:
        result["profile"] = cprofile(uow, ledger)
    return result


def cprofile(uow: UnitOfWork, ledger: SyntheticLedger, top: int = 20) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    build_all(uow, ledger)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def function_costs(uow: UnitOfWork, ledger: SyntheticLedger) -> dict[str, tuple[int, float]]:
    """Per function of the project: (calls, cumulative ms) over one briefing per conflict."""
    profiler = cProfile.Profile()
    profiler.enable()
    build_all(uow, ledger)
    profiler.disable()
    stats: dict[Any, Any] = getattr(pstats.Stats(profiler), "stats")  # noqa: B009
    found: dict[str, tuple[int, float]] = {}
    for (filename, lineno, name), (_, calls, _, cumulative, _) in stats.items():
        if "/bot/" in filename:
            where = f"{filename.split('/bot/', 1)[1]}:{lineno} {name}"
            found[f"bot/{where}"] = (calls, cumulative * 1000)
    return found


def function_growth(
    small: dict[str, tuple[int, float]], large: dict[str, tuple[int, float]], conflicts: int
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for key, (calls, ms) in large.items():
        calls_before, ms_before = small.get(key, (0, 0.0))
        rows.append(
            {
                "function": key,
                "calls_small": calls_before / conflicts,
                "calls_large": calls / conflicts,
                "ms_small": ms_before / conflicts,
                "ms_large": ms / conflicts,
                "grew_ms": (ms - ms_before) / conflicts,
            }
        )
    rows.sort(key=lambda r: -r["grew_ms"])
    return rows[:12]


def growth(small: dict[str, Any], large: dict[str, Any], conflicts: int, top: int = 6):
    """Statements ranked by how much more time they take at the larger size."""
    a: Statements = small["_statements"]
    b: Statements = large["_statements"]
    rows: list[dict[str, Any]] = []
    for key, times in b.spent.items():
        before = sum(a.spent.get(key, [])) / conflicts
        after = sum(times) / conflicts
        rows.append(
            {
                "statement": key,
                "calls_per_briefing": len(times) / conflicts,
                "ms_small": before,
                "ms_large": after,
                "grew_ms": after - before,
            }
        )
    rows.sort(key=lambda r: -r["grew_ms"])
    engine: Engine = large["_engine"]
    for row in rows[:top]:
        row["plan"] = query_plan(engine, row["statement"], b.params.get(row["statement"]))
    return rows[:top]


def query_plan(engine: Engine, statement: str, params: Any) -> list[str]:
    if engine.dialect.name != "sqlite" or not statement.upper().startswith("SELECT"):
        return []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        cursor = raw.cursor()
        try:
            rows = cursor.execute(f"EXPLAIN QUERY PLAN {statement}", params or ()).fetchall()
        except Exception as exc:  # a plan is a hint; the timing stands without it
            return [f"(no plan: {exc})"]
        finally:
            cursor.close()
    return [str(r[-1]) for r in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=5, help="builds per conflict and size")
    parser.add_argument("--profile", action="store_true", help="cProfile at the largest size")
    args = parser.parse_args(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    print(f"build_briefing for a 24-hour window; {args.runs} builds per conflict and size")
    results = [time_size(s, args.runs, args.profile and s == sizes[-1]) for s in sizes]
    report: dict[str, Any] = {"runs": args.runs, "goal_ratio": GOAL}
    if len(results) > 1:
        small, large = results[0], results[-1]
        ratio = large["build"]["median"] / small["build"]["median"]
        report["ratio"] = ratio
        report["ratio_sizes"] = [small["size"], large["size"]]
        verdict = "met" if ratio <= GOAL else "missed"
        print(
            f"ratio {large['size']:,} / {small['size']:,} at the median: {ratio:.2f}× "
            f"(goal ≤ {GOAL:g}: {verdict})"
        )
        conflicts = len(small["new_claims_in_window"])
        rows = growth(small, large, conflicts)
        report["growing_statements"] = rows
        print("statements that grow most with the ledger (ms per briefing, smallest → largest):")
        for row in rows:
            print(
                f"  +{row['grew_ms']:7.1f} ms  {row['ms_small']:7.1f} → {row['ms_large']:7.1f} ms"
                f"  {row['calls_per_briefing']:5.1f}×  {row['statement'][:160]}"
            )
            for step in row["plan"]:
                print(f"        plan: {step}")
        functions = function_growth(small["_functions"], large["_functions"], conflicts)
        report["growing_functions"] = functions
        print("functions whose time grows most (cumulative ms per briefing under cProfile):")
        for row in functions:
            print(
                f"  +{row['grew_ms']:7.1f} ms  {row['ms_small']:7.1f} → {row['ms_large']:7.1f} ms"
                f"  calls {row['calls_small']:7.0f} → {row['calls_large']:7.0f}  {row['function']}"
            )
    if args.profile:
        print(results[-1].get("profile", ""))
    for r in results:
        r.pop("_statements", None)
        r.pop("_functions", None)
        r.pop("_engine").dispose()
    report["sizes"] = results
    write_json("briefing_build", report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
