"""Load: concurrent clients, each a thread with its own keep-alive connection,
sending signed slash commands over HTTP to `run_bot.py serve` (in a process of
its own, bound to 127.0.0.1; bench/serve_loopback.py) for a fixed time.

The mix: readers send `/status <place>` (names, aliases, misspellings), the
overview `/status`, `/claims` (by party, by place, all) and `/ceasefire` (all,
or one by its order); admins send as many `/update note "…"` as reads. Each
note carries a unique text; its acknowledgement must say `Recorded u<ID>`.

Checked: every request acknowledged with an answer within --ack-limit seconds
(3, Slack's limit), no error (no refused or empty acknowledgement, no broken
connection, nothing in the server's log at ERROR), and no update lost: every
confirmed write is in the database afterwards, as an update and as an entry,
and the database holds no note from these clients that was not confirmed.

SQLite: a copy of the cached synthetic ledger. PostgreSQL: the database
`bench_load` (created when missing; its public schema dropped and made again
before use), filled with a synthetic ledger of the same size.

    python bench/load.py [--seconds 60] [--clients 50] [--admins 10] [--updates 100000]
        [--db sqlite,postgres] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_load]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.common import (  # noqa: E402
    OUT,
    PG_LOAD_URL,
    SECRET,
    TOKEN,
    ServeProcess,
    SignedClient,
    cached_ledger,
    drop_working_copy,
    fresh_postgres,
    line,
    summary,
    working_copy,
    write_json,
)
from bench.status_latency import queries  # noqa: E402
from bench.synthetic import SyntheticLedger, generate  # noqa: E402
from bot.store.db import create_db_engine  # noqa: E402
from bot.store.schema import entries, updates  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402

RECORDED = re.compile(r"Recorded u(\d+)")
READS = (("status", 0.55), ("overview", 0.05), ("claims", 0.25), ("ceasefire", 0.15))
ORDINALS = ("first", "second", "third", "fourth")


@dataclass
class Outcome:
    op: str
    ms: float
    ok: bool
    problem: str | None = None


@dataclass
class ClientLog:
    outcomes: list[Outcome] = field(default_factory=list)
    confirmed: dict[int, str] = field(default_factory=dict)  # update ID -> note text


class Workload:
    """The commands of the mix, drawn from the synthetic ledger's catalog."""

    def __init__(self, ledger: SyntheticLedger, seed: int) -> None:
        self.ledger = ledger
        self.status = [q.text for q in queries(ledger, 5000, seed)]
        self.aliases = [c.alias for c in ledger.conflicts]
        self.parties = [(p.name, ledger.conflict_alias(p.conflict)) for p in ledger.parties]
        self.places = [(p.name, ledger.conflict_alias(p.conflict)) for p in ledger.places]

    def read(self, rng: random.Random) -> tuple[str, str, str]:
        """(operation, command, text)"""
        roll = rng.random()
        op = READS[-1][0]
        for name, weight in READS:
            if roll < weight:
                op = name
                break
            roll -= weight
        if op == "status":
            return op, "/status", rng.choice(self.status)
        if op == "overview":
            return op, "/status", f"conflict:{rng.choice(self.aliases)}"
        if op == "claims":
            kind = rng.random()
            if kind < 0.6:
                party, alias = rng.choice(self.parties)
                return op, "/claims", f"{party} conflict:{alias}"
            if kind < 0.8:
                place, alias = rng.choice(self.places)
                return op, "/claims", f'place:"{place}" conflict:{alias}'
            return op, "/claims", f"conflict:{rng.choice(self.aliases)}"
        which = f"{rng.choice(ORDINALS)} " if rng.random() < 0.3 else ""
        return op, "/ceasefire", f"{which}conflict:{rng.choice(self.aliases)}"

    def note(self, tag: str, rng: random.Random) -> tuple[str, str]:
        place, alias = rng.choice(self.places)
        return f"Load note {tag}", f'note "Load note {tag}" about:"{place}" conflict:{alias}'


def client_loop(
    index: int,
    port: int,
    admin: bool,
    work: Workload,
    start: threading.Barrier,
    stop_at: list[float],
    ack_limit: float,
    run_tag: str,
    log: ClientLog,
    max_requests: int,
) -> None:
    rng = random.Random(f"{run_tag}-{index}")
    client = SignedClient(port, user_id(index, admin), channel=f"C{index:08d}", timeout=30)
    # One untimed request: the connection and the user's profile (users.info) in place.
    client.command("/status", rng.choice(work.status))
    start.wait(timeout=120)
    sent = 0
    try:
        while time.monotonic() < stop_at[0] and sent < max_requests:
            sent += 1
            if admin and rng.random() < 0.5:
                tag = f"{run_tag} c{index:02d} n{sent:05d}"
                note_text, text = work.note(tag, rng)
                answer = client.command("/update", text)
                ok, problem = check(answer, ack_limit)
                # Confirmed is confirmed, late or not: lateness is counted apart.
                found = RECORDED.search(answer.text()) if answer.answered else None
                if found:
                    log.confirmed[int(found.group(1))] = note_text
                elif ok:
                    ok, problem = False, f"write not confirmed: {answer.text()[:160]}"
                log.outcomes.append(Outcome("note", answer.ms, ok, problem))
                continue
            op, command, text = work.read(rng)
            answer = client.command(command, text)
            ok, problem = check(answer, ack_limit)
            log.outcomes.append(Outcome(op, answer.ms, ok, problem))
    finally:
        client.close()


def check(answer: Any, ack_limit: float) -> tuple[bool, str | None]:
    if answer.status != 200:
        return False, f"HTTP {answer.status}: {answer.body[:160]!r}"
    if not answer.answered:
        return False, f"no answer in the acknowledgement: {answer.body[:160]!r}"
    if "failed on our side" in answer.text():
        return False, answer.text()[:160]
    if answer.ms > ack_limit * 1000:
        return False, f"acknowledged after {answer.ms / 1000:.2f} s"
    return True, None


def user_id(index: int, admin: bool) -> str:
    return f"U{'DESK' if admin else 'READ'}{index:04d}"


def verify_writes(url: str, logs: list[ClientLog], admins: list[str]) -> dict[str, Any]:
    confirmed: dict[int, str] = {}
    for log in logs:
        confirmed.update(log.confirmed)
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(updates.c.id, updates.c.body).where(
                    updates.c.kind == "note", updates.c.recorded_by.in_(admins)
                )
            ).all()
            in_entries = conn.execute(
                select(func.count())
                .select_from(entries)
                .where(entries.c.update_id.in_(list(confirmed) or [-1]))
            ).scalar_one()
    finally:
        engine.dispose()
    stored = {int(r.id): str((r.body or {}).get("text", "")) for r in rows}
    missing = sorted(set(confirmed) - set(stored))
    unexpected = sorted(set(stored) - set(confirmed))
    wrong_text = sorted(i for i in confirmed if i in stored and stored[i] != confirmed[i])
    return {
        "confirmed": len(confirmed),
        "rows": len(stored),
        "entries": int(in_entries),
        "missing": missing[:20],
        "unconfirmed_rows": unexpected[:20],
        "wrong_text": wrong_text[:20],
        "lost": len(missing) + len(wrong_text) + (len(confirmed) - int(in_entries)),
    }


def prepare(backend: str, args: argparse.Namespace) -> tuple[str, SyntheticLedger, Path | None]:
    if backend == "sqlite":
        cached = cached_ledger(args.updates, args.seed)
        path = working_copy(cached.path, "load")
        return f"sqlite:///{path}", cached.ledger, path
    fresh_postgres(args.pg_url)
    engine = create_db_engine(args.pg_url)
    began = time.perf_counter()
    ledger = generate(engine, args.updates, args.seed)
    engine.dispose()
    print(
        f"  generated {args.updates:,} updates into PostgreSQL in {time.perf_counter() - began:.1f} s"
    )
    return args.pg_url, ledger, None


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    print(
        f"{backend}: {args.clients} clients ({args.admins} admins) for {args.seconds:g} s",
        flush=True,
    )
    url, ledger, path = prepare(backend, args)
    admins = [user_id(i, True) for i in range(args.admins)]
    work = Workload(ledger, args.seed)
    run_tag = f"{backend}-{int(time.time())}"
    log_path = OUT / f"load-{backend}-server.log"
    try:
        with FakeSlack(token=TOKEN) as fake:
            for i in range(args.clients):
                fake.add_user(user_id(i, i < args.admins), tz="Asia/Baku")
            server = ServeProcess(
                {
                    "DATABASE_URL": url,
                    "SLACK_BOT_TOKEN": TOKEN,
                    "SLACK_SIGNING_SECRET": SECRET,
                    "SLACK_API_URL": fake.api_url,
                    "SITREP_ADMINS": ",".join(admins),
                },
                log_path,
            )
            try:
                result = drive(server.port, work, args, run_tag)
            finally:
                server.stop()
        server_log = log_path.read_text(encoding="utf-8", errors="replace")
        result["server_errors"] = [
            row for row in server_log.splitlines() if " ERROR " in row or " CRITICAL " in row
        ][:20]
        result["writes"] = verify_writes(url, result.pop("_logs"), admins)
    finally:
        if path is not None and not args.keep:
            drop_working_copy(path)
    report(backend, result)
    return result


def drive(port: int, work: Workload, args: argparse.Namespace, run_tag: str) -> dict[str, Any]:
    logs = [ClientLog() for _ in range(args.clients)]
    start = threading.Barrier(args.clients + 1)
    stop_at = [float("inf")]
    threads = [
        threading.Thread(
            target=client_loop,
            args=(i, port, i < args.admins, work, start, stop_at, args.ack_limit, run_tag),
            kwargs={"log": logs[i], "max_requests": args.max_requests},
            daemon=True,
        )
        for i in range(args.clients)
    ]
    for t in threads:
        t.start()
    start.wait(timeout=120)
    began = time.monotonic()
    stop_at[0] = began + args.seconds
    for t in threads:
        t.join(timeout=args.seconds + 60)
    elapsed = time.monotonic() - began
    hung = sum(t.is_alive() for t in threads)
    outcomes = [o for log in logs for o in log.outcomes]
    by_op: dict[str, list[float]] = {}
    for o in outcomes:
        by_op.setdefault(o.op, []).append(o.ms)
    problems = Counter(o.problem for o in outcomes if not o.ok)
    return {
        "clients": args.clients,
        "admins": args.admins,
        "seconds": elapsed,
        "requests": len(outcomes),
        "throughput_rps": len(outcomes) / elapsed,
        "latency": summary([o.ms for o in outcomes]),
        "by_op": {op: summary(v) for op, v in sorted(by_op.items())},
        "errors": sum(not o.ok for o in outcomes),
        "over_ack_limit": sum(o.ms > args.ack_limit * 1000 for o in outcomes),
        "problems": [f"{n}× {p}" for p, n in problems.most_common(10)],
        "hung_clients": hung,
        "_logs": logs,
    }


def report(backend: str, r: dict[str, Any]) -> None:
    w = r["writes"]
    print(
        f"  {r['requests']:,} requests in {r['seconds']:.1f} s: {r['throughput_rps']:.1f} requests/s; "
        f"errors {r['errors']}; over the ack limit {r['over_ack_limit']}; hung clients {r['hung_clients']}"
    )
    print(line("all", r["latency"]))
    for op, s in r["by_op"].items():
        print(line(op, s))
    print(
        f"  writes: {w['confirmed']} confirmed, {w['rows']} note rows from these admins, "
        f"{w['entries']} entries; lost {w['lost']}; rows never confirmed {len(w['unconfirmed_rows'])}"
    )
    for p in r["problems"]:
        print(f"  problem: {p}")
    for row in r["server_errors"][:5]:
        print(f"  server: {row[:200]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--admins", type=int, default=10, help="of the clients, how many write")
    parser.add_argument("--updates", type=int, default=100_000, help="size of the ledger")
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--pg-url", default=PG_LOAD_URL)
    parser.add_argument("--ack-limit", type=float, default=3.0, help="seconds")
    parser.add_argument("--max-requests", type=int, default=100_000, help="per client")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite working copy")
    args = parser.parse_args(argv)
    backends = [b.strip().replace("postgresql", "postgres") for b in args.db.split(",")]
    results: dict[str, Any] = {}
    for backend in backends:
        if backend not in ("sqlite", "postgres"):
            parser.error(f"--db: {backend!r} is neither sqlite nor postgres")
        results[backend] = run_backend(backend, args)
    goals = {
        b: r["errors"] == 0
        and r["hung_clients"] == 0
        and r["writes"]["lost"] == 0
        and not r["writes"]["unconfirmed_rows"]
        and not r["server_errors"]
        for b, r in results.items()
    }
    for backend, met in goals.items():
        print(
            f"{backend}: goal (all within {args.ack_limit:g} s, no error, no write lost) "
            f"{'met' if met else 'missed'}"
        )
    write_json(
        "load",
        {"seconds": args.seconds, "updates": args.updates, "goals_met": goals, "backends": results},
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
