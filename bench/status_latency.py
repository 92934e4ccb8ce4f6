"""How long `/status <place>` takes as the ledger grows.

For each size, builds a synthetic ledger (`bench/synthetic.py`; cached under
`bench/out/`, rebuilt when missing or with --rebuild), then times what a user
waits for inside the app: parse the command, run it through the service layer
(`dispatch.execute`), render the answer as Slack mrkdwn. Queries are random places
by name, by alias (with diacritics, by the other side's name, in capitals) and
misspelled (fuzzy matching); the ten places with the most entries are timed
apart; and `/status` alone (the overview) once per conflict, a few times.

    python bench/status_latency.py [--sizes 10000,100000,1000000]
        [--db sqlite|postgres|sqlite,postgres] [--queries 2000] [--sql] [--profile]

PostgreSQL: database `bench` on --pg-url (created if missing), one schema per
ledger size; nothing else on the server is touched.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import hashlib
import json
import os
import platform
import pstats
import random
import resource
import sqlite3
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synthetic import (  # noqa: E402
    GENERATOR_VERSION,
    PlaceInfo,
    SyntheticLedger,
    generate,
)
from bot.domain.errors import SitrepError  # noqa: E402
from bot.domain.parser import parse  # noqa: E402
from bot.render.text import render  # noqa: E402
from bot.services.context import Actor, Context, FixedClock  # noqa: E402
from bot.services.dispatch import error_view, execute  # noqa: E402
from bot.store.db import create_db_engine  # noqa: E402
from bot.store.schema import metadata  # noqa: E402
from bot.store.uow import UnitOfWork  # noqa: E402

OUT = ROOT / "bench" / "out"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
WARMUP = 50
REPEATED = 200
OVERVIEW_RUNS = 5
HOT = 10
ACTOR = Actor.console_user()


# ---- ledgers ---------------------------------------------------------------------


def _progress(total: int) -> Any:
    began = time.perf_counter()

    def report(done: int) -> None:
        if done % max(total // 10, 1) < 10_000 or done == total:
            rate = done / (time.perf_counter() - began)
            print(f"    … {done:,} updates ({rate:,.0f}/s)", flush=True)

    return report


def sqlite_ledger(size: int, seed: int, rebuild: bool) -> tuple[Engine, SyntheticLedger, bool]:
    """The cached SQLite ledger of this size, generated first if need be."""
    OUT.mkdir(parents=True, exist_ok=True)
    stem = OUT / f"ledger-{size}-s{seed}-{_cache_key()}"
    db, meta = stem.with_suffix(".db"), stem.with_suffix(".json")
    if meta.exists() and db.exists() and not rebuild:
        return create_db_engine(f"sqlite:///{db}"), _load(meta), True
    meta.unlink(missing_ok=True)
    for path in OUT.glob(f"{stem.name}.db*"):
        path.unlink()
    engine = create_db_engine(f"sqlite:///{db}")
    print(f"  generating {size:,} updates into {db.relative_to(ROOT)}", flush=True)
    ledger = generate(engine, size, seed, progress=_progress(size))
    meta.write_text(ledger.to_json(), encoding="utf-8")
    engine.dispose()  # measure on a fresh engine, as when the file is reused
    return create_db_engine(f"sqlite:///{db}"), ledger, False


def postgres_ledger(
    size: int, seed: int, rebuild: bool, url: str
) -> tuple[Engine, SyntheticLedger, bool]:
    """The ledger of this size in its own schema of the `bench` database."""
    _ensure_database(url)
    schema = f"ledger_{size}_s{seed}_{_cache_key()}"
    meta = OUT / f"pg-{schema}.json"
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine_url = scoped.render_as_string(hide_password=False)
    if meta.exists() and not rebuild:
        return create_db_engine(engine_url), _load(meta), True
    meta.unlink(missing_ok=True)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    engine = create_db_engine(engine_url)
    print(f"  generating {size:,} updates into PostgreSQL schema {schema}", flush=True)
    ledger = generate(engine, size, seed, progress=_progress(size))
    OUT.mkdir(parents=True, exist_ok=True)
    meta.write_text(ledger.to_json(), encoding="utf-8")
    engine.dispose()
    return create_db_engine(engine_url), ledger, False


def _ensure_database(url: str) -> None:
    parsed = make_url(url)
    name = parsed.database
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()


def _cache_key() -> str:
    """The generator's version and the schema's shape: a cached ledger built for
    other tables or indexes is built again."""
    shape = [
        (
            t.name,
            [(c.name, str(c.type)) for c in t.columns],
            sorted(i.name or "" for i in t.indexes),
        )
        for t in metadata.sorted_tables
    ]
    digest = hashlib.sha1(repr(shape).encode()).hexdigest()[:8]
    return f"v{GENERATOR_VERSION}_{digest}"


def _load(meta: Path) -> SyntheticLedger:
    return SyntheticLedger.from_json(meta.read_text(encoding="utf-8"))


# ---- queries ---------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    text: str  # what follows /status
    kind: str  # name | alias | other side | capitals | misspelled | hot


def _typo(name: str, rng: random.Random) -> str:
    """A misspelling not in the gazetteer: one letter dropped or doubled."""
    i = rng.randrange(1, max(2, len(name) - 1))
    return name[:i] + name[i + 1 :] if rng.random() < 0.5 else name[:i] + name[i] + name[i:]


def queries(ledger: SyntheticLedger, count: int, seed: int) -> list[Query]:
    """The same queries at every size: the places do not depend on the size."""
    rng = random.Random(f"queries-{seed}")
    out: list[Query] = []
    for _ in range(count):
        place = rng.choice(ledger.places)
        roll = rng.random()
        if roll < 0.45:
            kind, name = "name", place.name
        elif roll < 0.6:
            kind, name = "alias", rng.choice(place.aliases or [place.name])
        elif roll < 0.7 and place.names_by_side:
            kind, name = "other side", list(place.names_by_side.values())[-1]
        elif roll < 0.8:
            kind, name = "capitals", place.name.upper()
        else:
            kind, name = "misspelled", _typo(place.name, rng)
        out.append(Query(_with_conflict(ledger, place, name), kind))
    return out


def hot_queries(ledger: SyntheticLedger, count: int) -> list[Query]:
    hot = ledger.hottest(HOT)
    return [Query(_with_conflict(ledger, p, p.name), "hot") for p in hot] * max(1, count // HOT)


def _with_conflict(ledger: SyntheticLedger, place: PlaceInfo, name: str) -> str:
    return f"{name} conflict:{ledger.conflict_alias(place.conflict)}"


def answer(ctx: Context, query: str) -> str:
    """What the app does for `/status <query>` up to the text it sends back."""
    try:
        view = execute(ctx, parse("/status", query), ACTOR)
    except SitrepError as exc:
        view = error_view(exc)
    return render(view, "mrkdwn")


def cold(ctx: Context) -> Context:
    """The same context with empty read caches: the answer is built from the
    ledger, as for the first reader after each write."""
    if any(f.name == "cache" for f in dataclasses.fields(ctx)):
        return dataclasses.replace(ctx, cache=type(ctx.cache)())
    return ctx


def timed(ctx: Context, items: list[Query], fresh: bool = True) -> dict[str, list[float]]:
    """Milliseconds per query, by kind; with `fresh`, nothing cached from before."""
    found: dict[str, list[float]] = defaultdict(list)
    for q in items:
        run = cold(ctx) if fresh else ctx
        began = time.perf_counter()
        answer(run, q.text)
        found[q.kind].append((time.perf_counter() - began) * 1000)
    return found


def summary(values: list[float]) -> dict[str, float]:
    cuts = (
        statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
    )
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p95": cuts[94],
        "p99": cuts[98],
        "max": max(values),
    }


def _line(label: str, s: dict[str, float]) -> str:
    return (
        f"    {label:<22} n={int(s['n']):<5} median {s['median']:7.2f} ms   p95 {s['p95']:7.2f}"
        f"   p99 {s['p99']:7.2f}   max {s['max']:7.2f}"
    )


# ---- where the time goes ---------------------------------------------------------


@contextmanager
def sql_timings(engine: Engine) -> Iterator[dict[str, list[float]]]:
    """Milliseconds spent in the database per statement text, while inside."""
    spent: dict[str, list[float]] = defaultdict(list)

    def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        began = conn.info["bench_started"].pop()
        spent[" ".join(statement.split())].append((time.perf_counter() - began) * 1000)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield spent
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def print_sql(engine: Engine, ctx: Context, items: list[Query], top: int = 8) -> None:
    with sql_timings(engine) as spent:
        began = time.perf_counter()
        for q in items:
            answer(cold(ctx), q.text)
        wall = (time.perf_counter() - began) * 1000
    in_db = sum(sum(v) for v in spent.values())
    per_query = len(items) or 1
    print(
        f"    SQL: {sum(len(v) for v in spent.values()) / per_query:.1f} statements and "
        f"{in_db / per_query:.2f} ms in the database per query, of {wall / per_query:.2f} ms"
    )
    ranked = sorted(spent.items(), key=lambda kv: -sum(kv[1]))[:top]
    for statement, times in ranked:
        print(
            f"      {sum(times) / per_query:6.2f} ms/query  {len(times) / per_query:5.1f}×  "
            f"{statistics.median(times):6.3f} ms each  {statement[:150]}"
        )


def print_profile(ctx: Context, items: list[Query], top: int = 25) -> None:
    profile = cProfile.Profile()
    contexts = [cold(ctx) for _ in items]
    profile.enable()
    for q, run in zip(items, contexts, strict=True):
        answer(run, q.text)
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(top)


# ---- the run ---------------------------------------------------------------------


def run_size(backend: str, size: int, args: argparse.Namespace, largest: bool) -> dict[str, Any]:
    if backend == "sqlite":
        engine, ledger, cached = sqlite_ledger(size, args.seed, args.rebuild)
    else:
        engine, ledger, cached = postgres_ledger(size, args.seed, args.rebuild, args.pg_url)
    how = "cached" if cached else "generated now"
    print(
        f"  {backend} {size:,} updates ({how}; generation took {ledger.seconds:.1f} s; "
        f"{len(ledger.places)} places, {len(ledger.conflicts)} conflicts, "
        f"{len(ledger.ceasefires)} ceasefires)",
        flush=True,
    )
    ctx = Context(
        uow=UnitOfWork(engine), clock=FixedClock(ledger.last_recorded + timedelta(minutes=1))
    )
    items = queries(ledger, args.queries, args.seed)
    for q in items[:WARMUP]:
        answer(cold(ctx), q.text)
    by_kind = timed(ctx, items)
    everything = [v for values in by_kind.values() for v in values]
    result: dict[str, Any] = {"size": size, "all": summary(everything)}
    print(_line("/status <place>", result["all"]))
    exact = [v for k, values in by_kind.items() if k != "misspelled" for v in values]
    print(_line("  exact name or alias", summary(exact)))
    if by_kind.get("misspelled"):
        result["misspelled"] = summary(by_kind["misspelled"])
        print(_line("  misspelled (fuzzy)", result["misspelled"]))
    hot = timed(ctx, hot_queries(ledger, max(HOT, args.queries // 10)))["hot"]
    result["hot"] = summary(hot)
    most = ledger.hottest(1)[0]
    print(
        _line(f"  {HOT} busiest places", result["hot"]) + f"   (busiest: {most.entries:,} entries)"
    )
    # The same questions again before anything new is recorded: the read cache's case.
    repeated = items[:REPEATED]
    shared = cold(ctx)
    for q in repeated:
        answer(shared, q.text)
    again = timed(shared, repeated, fresh=False)
    result["repeated"] = summary([v for values in again.values() for v in values])
    print(_line("  asked again (cached)", result["repeated"]))
    overview: list[float] = []
    for _ in range(OVERVIEW_RUNS):
        for conflict in ledger.conflicts:
            run = cold(ctx)
            began = time.perf_counter()
            answer(run, f"conflict:{conflict.alias}")
            overview.append((time.perf_counter() - began) * 1000)
    result["overview"] = summary(overview)
    print(_line("/status (overview)", result["overview"]))
    if args.sql:
        print_sql(engine, ctx, items[: min(300, len(items))])
    if args.profile and largest:
        print(f"  profile of {min(500, len(items))} queries at {size:,}:")
        print_profile(ctx, items[:500])
    engine.dispose()
    result["generation_s"] = ledger.seconds
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"    (load average {os.getloadavg()[0]:.1f}; peak memory of this process {peak:,.0f} MiB)"
    )
    return result


def machine() -> str:
    return (
        f"{os.cpu_count()} cores, {platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def postgres_version(url: str) -> str:
    engine = create_engine(make_url(url).set(database="postgres"))
    with engine.connect() as conn:
        version = str(conn.execute(text("SHOW server_version")).scalar())
    engine.dispose()
    return f"PostgreSQL {version}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--db", default="sqlite", help="sqlite, postgres, or both: sqlite,postgres")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="regenerate cached ledgers")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--sql", action="store_true", help="time each SQL statement")
    parser.add_argument("--profile", action="store_true", help="cProfile at the largest size")
    args = parser.parse_args(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    backends = [b.strip().replace("postgresql", "postgres") for b in args.db.split(",")]
    print(f"/status latency — {machine()}")
    report: dict[str, Any] = {"machine": machine(), "backends": {}}
    for backend in backends:
        if backend not in ("sqlite", "postgres"):
            parser.error(f"--db: {backend!r} is neither sqlite nor postgres")
        if backend == "postgres":
            print(f"  {postgres_version(args.pg_url)}")
        results = [run_size(backend, size, args, size == sizes[-1]) for size in sizes]
        report["backends"][backend] = results
        if len(results) > 1:
            small, large = results[0], results[-1]
            ratio = {
                key: large[part][key] / small[part][key]
                for part in ("all", "overview")
                for key in ("median", "p95")
            } | {"hot": large["hot"]["median"] / small["hot"]["median"]}
            print(
                f"  {backend} ratio {large['size']:,} / {small['size']:,}: "
                f"/status <place> median {large['all']['median'] / small['all']['median']:.2f}×, "
                f"p95 {large['all']['p95'] / small['all']['p95']:.2f}×; busiest places median "
                f"{ratio['hot']:.2f}×; overview median "
                f"{large['overview']['median'] / small['overview']['median']:.2f}×"
            )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "status_latency.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
