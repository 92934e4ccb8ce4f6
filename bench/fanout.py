"""Fan-out: many subscriptions due in the same minute, posted through the real
due step (`Deliverer.run_due`, the Slack poster and its client) to the fake
Slack, which takes --latency seconds per `chat.postMessage`, allows one message
per second per channel, and answers 429 with Retry-After past a workspace-wide
cap (--cap-per-minute).

Each channel's briefing is one message: the ledger is the demo ledger without
its claims (so nothing is disputed), recorded days before the briefing, so the
window is a quiet day and the details thread stays empty; the serial floor is
then subscriptions × latency (500 × 200 ms = 100 s).

Runs: the due step as it is (one worker: one `run_due` posting one briefing
after another), then several workers each running `run_due` on the same
database at once (threads of this process with their own Deliverer; the
delivery claims decide who posts what), and optionally the same under a
tighter workspace cap, so that 429s happen. Each worker repeats its step until
every briefing is posted (a post that is still rate limited after the client's
retries is left for the next step), within --max-seconds.

Checked: every channel has exactly one briefing, every delivery is recorded as
posted, and every 429 was honoured: the next post to that channel arrived no
sooner than Retry-After after the 429 was answered.

    python bench/fanout.py [--subscriptions 500] [--latency 0.2] [--cap-per-minute 600]
        [--workers 1,8] [--tight-cap 300]
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.common import write_json  # noqa: E402
from bot.bootstrap import DEMO_FILE, bootstrap  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.services.context import Actor, FixedClock  # noqa: E402
from bot.services.ledger_file import import_data  # noqa: E402
from bot.store.schema import deliveries  # noqa: E402
from tests.briefing_harness import ADMIN, briefings_in, make_deliverer, subscribe  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402
from tests.slackbot import TOKEN  # noqa: E402

RECORDED_AT = datetime(2020, 11, 1, 12, 0, tzinfo=UTC)
SUBSCRIBED_AT = datetime(2020, 11, 4, 12, 0, tzinfo=UTC)  # after the day before's 08:00
DUE = datetime(2020, 11, 5, 8, 0, 20, tzinfo=UTC)  # the briefings are due at 08:00 UTC
TOLERANCE_S = 0.01  # clock reading granularity between the fake's two measurements


@dataclass
class Arrival:
    channel: str
    arrived: float
    answered: float = 0.0
    status: int = 0
    retry_after: float | None = None


class TimedSlack(FakeSlack):
    """The fake Slack, noting when each `chat.postMessage` arrived and was answered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrivals: list[Arrival] = []
        self.arrivals_lock = threading.Lock()

    def _serve_api(self, method: str, query: str, raw_headers: dict[str, str], body: bytes) -> Any:
        if method != "chat.postMessage":
            return super()._serve_api(method, query, raw_headers, body)
        try:
            channel = str(json.loads(body).get("channel", ""))
        except ValueError:
            channel = ""
        arrival = Arrival(channel, time.time())
        reply = super()._serve_api(method, query, raw_headers, body)
        arrival.answered = time.time()
        arrival.status = reply.status
        if reply.status == 429:
            arrival.retry_after = float(reply.headers.get("Retry-After", "0"))
        with self.arrivals_lock:
            self.arrivals.append(arrival)
        return reply


def quiet_ledger() -> dict[str, Any]:
    """The demo ledger without its claims and contested places (nothing disputed),
    and without what points at them."""
    data: dict[str, Any] = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    for conflict in data["conflicts"]:
        kept = [
            u
            for u in conflict.get("updates", [])
            if u.get("kind") != "claim" and u.get("holder") != "contested"
        ]
        refs = {u["ref"] for u in kept if "ref" in u}
        for update in kept:
            for key in ("corroborates", "refutes"):
                if key in update:
                    update[key] = [r for r in update[key] if r in refs]
                    if not update[key]:
                        del update[key]
        conflict["updates"] = [u for u in kept if u.get("target") in (None, *refs)]
    return data


def template_database(folder: Path, subscriptions: int) -> Path:
    """A database with the quiet ledger and the subscriptions, all due at 08:00 UTC."""
    path = folder / "template.db"
    settings = load_settings({"DATABASE_URL": f"sqlite:///{path}", "SITREP_ADMINS": ADMIN})
    clock = FixedClock(RECORDED_AT)
    runtime = bootstrap(settings, clock=clock)
    import_data(runtime.ctx, copy.deepcopy(quiet_ledger()), Actor("import", console=True))
    clock.current = SUBSCRIBED_AT
    for n in range(subscriptions):
        subscribe(runtime.ctx, channel_id(n), "08:00", "UTC")
    runtime.engine.dispose()
    return path


def channel_id(n: int) -> str:
    return f"CFAN{n:05d}"


@dataclass
class Run:
    workers: int
    cap: int | None
    wall_s: float = 0.0
    cpu_s: float = 0.0  # this process: the workers, and the fake Slack
    steps: int = 0
    reports: list[str] = field(default_factory=list)
    worker_errors: list[str] = field(default_factory=list)


def run(template: Path, folder: Path, workers: int, cap: int | None, args: argparse.Namespace):
    database = folder / f"run-{workers}-{cap}.db"
    shutil.copyfile(template, database)
    settings = load_settings({"DATABASE_URL": f"sqlite:///{database}", "SITREP_ADMINS": ADMIN})
    runtime = bootstrap(settings, clock=FixedClock(DUE))
    ctx = runtime.ctx
    outcome = Run(workers, cap)
    fake = TimedSlack(token=TOKEN)
    fake.start()
    try:
        for n in range(args.subscriptions):
            fake.add_channel(channel_id(n), f"fanout-{n}")
        fake.set_latency("chat.postMessage", args.latency)
        fake.limit(
            "chat.postMessage", per_channel_per_second=args.per_channel, workspace_per_minute=cap
        )
        deliverers = [make_deliverer(ctx, fake, me=f"worker-{i}") for i in range(workers)]
        deadline = time.monotonic() + args.max_seconds
        lock = threading.Lock()

        def posted() -> int:
            with ctx.uow.read() as tx:
                return tx.briefings.count_posted()

        def work(index: int) -> None:
            deliverer = deliverers[index]
            try:
                while time.monotonic() < deadline:
                    report = deliverer.run_due(DUE)
                    with lock:
                        outcome.steps += 1
                        outcome.reports.append(f"worker {index}: {report.summary()}")
                    if posted() >= args.subscriptions:
                        return
                    if not report.posted and not report.recovered:
                        time.sleep(0.5)  # the rest is held by other workers, or rate limited
            except Exception as exc:  # reported with the figures, not swallowed
                with lock:
                    outcome.worker_errors.append(f"worker {index}: {exc!r}")

        threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(workers)]
        began, cpu = time.monotonic(), time.process_time()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.max_seconds + 60)
        outcome.wall_s = time.monotonic() - began
        outcome.cpu_s = time.process_time() - cpu
        result = verify(fake, ctx, args.subscriptions, outcome)
    finally:
        fake.stop()
    runtime.engine.dispose()
    return result


def verify(fake: TimedSlack, ctx: Any, subscriptions: int, outcome: Run) -> dict[str, Any]:
    per_channel = [len(briefings_in(fake, channel_id(n))) for n in range(subscriptions)]
    with ctx.uow.read() as tx:
        statuses = dict(
            tx.conn.execute(
                select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
            ).all()
        )
    arrivals = sorted(fake.arrivals, key=lambda a: a.arrived)
    by_channel: dict[str, list[Arrival]] = {}
    for a in arrivals:
        by_channel.setdefault(a.channel, []).append(a)
    limited = [a for a in arrivals if a.status == 429]
    too_soon: list[float] = []  # how much too soon, in seconds
    margins: list[float] = []
    for posts in by_channel.values():
        for current, following in itertools.pairwise(posts):
            if current.status == 429 and current.retry_after is not None:
                gap = following.arrived - current.answered
                margins.append(gap - current.retry_after)
                if gap + TOLERANCE_S < current.retry_after:
                    too_soon.append(current.retry_after - gap)
    ok_posts = sum(a.status == 200 for a in arrivals)
    result = {
        "workers": outcome.workers,
        "cap_per_minute": outcome.cap,
        "wall_s": outcome.wall_s,
        "cpu_s": outcome.cpu_s,
        "steps": outcome.steps,
        "channels_with_one": sum(n == 1 for n in per_channel),
        "channels_with_none": sum(n == 0 for n in per_channel),
        "channels_with_more": sum(n > 1 for n in per_channel),
        "deliveries": statuses,
        "posts_accepted": ok_posts,
        "posts_per_briefing": ok_posts / max(1, sum(per_channel)),
        "rate_limited": len(limited),
        "retry_after_max_s": max((a.retry_after or 0 for a in limited), default=0),
        "too_soon": len(too_soon),
        "min_margin_s": min(margins) if margins else None,
        "worker_errors": outcome.worker_errors,
    }
    result["exactly_once"] = (
        result["channels_with_one"] == subscriptions and statuses.get("posted", 0) == subscriptions
    )
    return result


def show(r: dict[str, Any], floor: float, serial: float | None) -> None:
    label = "the due step as it is" if r["workers"] == 1 else f"{r['workers']} workers"
    cap = r["cap_per_minute"]
    speed = f"; {serial / r['wall_s']:.1f}× the serial run" if serial else ""
    print(
        f"  {label}, cap {cap}/min: {r['wall_s']:.1f} s ({floor / r['wall_s']:.2f}× the serial floor"
        f" of {floor:.0f} s{speed}); {r['steps']} steps; {r['cpu_s']:.1f} s of CPU in this process"
    )
    margin = f"{r['min_margin_s']:.2f} s" if r["min_margin_s"] is not None else "n/a"
    print(
        f"    exactly once: {'yes' if r['exactly_once'] else 'NO'} ({r['channels_with_one']} channels "
        f"with one briefing, {r['channels_with_none']} with none, {r['channels_with_more']} with more; "
        f"deliveries {r['deliveries']}); {r['posts_accepted']} posts accepted, "
        f"{r['posts_per_briefing']:.2f} per briefing"
    )
    print(
        f"    429s: {r['rate_limited']} (Retry-After up to {r['retry_after_max_s']:.0f} s); "
        f"retried sooner than Retry-After: {r['too_soon']}; smallest margin {margin}"
    )
    for error in r["worker_errors"][:5]:
        print(f"    worker error: {error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscriptions", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per chat.postMessage")
    parser.add_argument("--per-channel", type=float, default=1.0, help="messages per second")
    parser.add_argument("--cap-per-minute", type=int, default=600, help="workspace-wide")
    parser.add_argument("--workers", default="1,8", help="due-step workers per run, e.g. 1,4,8")
    parser.add_argument(
        "--tight-cap", type=int, default=0, help="also run the most workers under this cap (0: no)"
    )
    parser.add_argument("--max-seconds", type=float, default=600.0, help="per run")
    args = parser.parse_args(argv)
    floor = args.subscriptions * args.latency
    counts = [int(w) for w in args.workers.split(",")]
    print(
        f"{args.subscriptions} briefings due at once; chat.postMessage takes {args.latency * 1000:.0f} ms, "
        f"{args.per_channel:g}/s per channel; serial floor {floor:.0f} s"
    )
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="fanout-") as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        template = template_database(folder, args.subscriptions)
        print(
            f"  ledger and {args.subscriptions} subscriptions in {time.perf_counter() - began:.1f} s"
        )
        serial: float | None = None
        plan = [(w, args.cap_per_minute) for w in counts]
        if args.tight_cap:
            plan.append((max(counts), args.tight_cap))
        for workers, cap in plan:
            r = run(template, folder, workers, cap, args)
            if workers == 1 and cap == args.cap_per_minute:
                serial = r["wall_s"]
            r["speedup_vs_floor"] = floor / r["wall_s"]
            r["speedup_vs_serial"] = serial / r["wall_s"] if serial else None
            show(r, floor, serial if workers != 1 else None)
            results.append(r)
    best = max(
        (r for r in results if r["cap_per_minute"] == args.cap_per_minute),
        key=lambda r: r["speedup_vs_floor"],
    )
    goal = best["speedup_vs_floor"] >= 4 and all(
        r["exactly_once"] and not r["too_soon"] for r in results
    )
    print(
        f"goal (≥ 4× faster than the serial floor when the cap allows it, each posted once, every 429 "
        f"honoured): {'met' if goal else 'missed'} — best {best['speedup_vs_floor']:.2f}× with "
        f"{best['workers']} worker(s)"
    )
    write_json(
        "fanout",
        {
            "subscriptions": args.subscriptions,
            "latency_s": args.latency,
            "per_channel_per_second": args.per_channel,
            "serial_floor_s": floor,
            "goal_met": goal,
            "runs": results,
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
