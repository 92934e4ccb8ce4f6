"""Time from sending a signed `/status <place>` over HTTP to having the answer
(it comes in the acknowledgement), at several ledger sizes, beside a bare Bolt
app that acknowledges with a fixed text behind the same server and adapter
(waitress, Bolt's WSGI adapter, the signature gate), in the same run.

Queries are the mix of bench/status_latency.py: places by name, by alias (with
diacritics, by the other side's name, in capitals) and misspelled (fuzzy
matching), across all places of the three conflicts.

Sitrep keeps answers until the ledger changes, so two figures:

* cold — rounds of distinct queries, and before each round a note is written
  (outside the timing): every request asks what has not been asked since the
  last write, so none is answered from the cache (checked on the cache's own
  hit and miss counters);
* warm — a set of queries asked once, then asked again and again: every
  request is answered from the cache (checked likewise).

The bot's clock is fixed one minute after the ledger's last update (answers
depend on the minute; a fixed clock keeps warm answers warm). Writes go to a
copy of the cached ledger, never to the cache.

    python bench/answer_latency.py [--sizes 10000,100000,1000000] [--requests 2000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    SECRET,
    TOKEN,
    InProcessServer,
    SignedClient,
    cached_ledger,
    drop_working_copy,
    line,
    summary,
    working_copy,
    write_json,
)
from bench.http_latency import bare_app  # noqa: E402
from bench.status_latency import Query, queries  # noqa: E402
from bench.synthetic import SyntheticLedger  # noqa: E402
from bot.bootstrap import bootstrap  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.domain.parser import parse  # noqa: E402
from bot.services.cache import ReadCache  # noqa: E402
from bot.services.context import Actor, Context, FixedClock  # noqa: E402
from bot.services.dispatch import execute  # noqa: E402
from bot.slack.app import build_app  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402

READER = "UREADER01"
ADMIN = "UDESK01"
ZONE = "Asia/Baku"
WARMUP = 50
MAX_SECONDS_PER_SIZE = 1800.0


T = TypeVar("T")


class CountingCache(ReadCache):
    """The app's read cache, counting hits and misses by the kind of answer
    (`status`, `overview`…; sub-answers such as a conflict's ceasefire events,
    shared by every place, are counted under their own names)."""

    def __init__(self) -> None:
        super().__init__()
        self.built: Counter[str] = Counter()
        self.asked: Counter[str] = Counter()

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        name = str(key[0]) if isinstance(key, tuple) and key else "?"
        self.asked[name] += 1

        def counted() -> T:
            self.built[name] += 1
            return build()

        return super().get_or_build(key, counted)


def _distinct_rounds(items: list[Query], total: int, size: int) -> list[list[Query]]:
    """`total` queries in rounds of `size`, no text twice within a round."""
    rounds: list[list[Query]] = []
    pending = iter(items)
    taken = 0
    while taken < total:
        seen: set[str] = set()
        current: list[Query] = []
        for q in pending:
            if q.text not in seen:
                seen.add(q.text)
                current.append(q)
                if len(current) == min(size, total - taken):
                    break
        if not current:
            raise RuntimeError("ran out of queries")
        rounds.append(current)
        taken += len(current)
    return rounds


class Bench:
    def __init__(
        self, ctx: Context, cache: CountingCache, sitrep: SignedClient, bare: SignedClient
    ) -> None:
        self.ctx = ctx
        self.cache = cache
        self.sitrep = sitrep
        self.bare = bare
        self.deadline = time.monotonic() + MAX_SECONDS_PER_SIZE
        self.notes = 0

    def ask(self, client: SignedClient, q: Query) -> float:
        if time.monotonic() > self.deadline:
            raise SystemExit(f"gave up: over {MAX_SECONDS_PER_SIZE:.0f} s at one ledger size")
        answer = client.command("/status", q.text)
        ok = answer.answered if client is self.sitrep else answer.status == 200 and answer.body
        if not ok:
            raise SystemExit(f"/status {q.text}: no answer ({answer.status}) {answer.body[:200]!r}")
        return answer.ms

    def write_note(self, ledger: SyntheticLedger) -> None:
        self.notes += 1
        conflict = ledger.conflicts[self.notes % len(ledger.conflicts)]
        command = parse("/update", f'note "Round {self.notes}: bench" conflict:{conflict.alias}')
        execute(self.ctx, command, Actor(ADMIN))

    def cold(self, ledger: SyntheticLedger, items: list[Query], total: int, round_size: int):
        """Milliseconds per query, by kind; and the cache's misses over the queries."""
        by_kind: dict[str, list[float]] = {}
        misses = 0
        for batch in _distinct_rounds(items, total, round_size):
            self.write_note(ledger)
            before = self.cache.built["status"]
            for q in batch:
                by_kind.setdefault(q.kind, []).append(self.ask(self.sitrep, q))
            misses += self.cache.built["status"] - before
        return by_kind, misses

    def warm(self, items: list[Query], total: int, rng: random.Random):
        for q in items:  # asked once: now in the cache
            self.ask(self.sitrep, q)
        asked, built = self.cache.asked["status"], self.cache.built["status"]
        timings = [self.ask(self.sitrep, rng.choice(items)) for _ in range(total)]
        hits = (self.cache.asked["status"] - asked) - (self.cache.built["status"] - built)
        return timings, hits


def run_size(size: int, args: argparse.Namespace) -> dict[str, Any]:
    cached = cached_ledger(size, args.seed)
    ledger = cached.ledger
    print(
        f"{size:,} updates ({'cached' if cached.cached else 'generated now'}; generating took "
        f"{ledger.seconds:.1f} s; {len(ledger.places)} places in {len(ledger.conflicts)} conflicts)",
        flush=True,
    )
    path = working_copy(cached.path, f"answer-{size}")
    try:
        with FakeSlack(token=TOKEN) as fake:
            fake.add_user(READER, tz=ZONE)
            fake.add_user(ADMIN, tz=ZONE)
            settings = load_settings(
                {
                    "SLACK_BOT_TOKEN": TOKEN,
                    "SLACK_SIGNING_SECRET": SECRET,
                    "SLACK_API_URL": fake.api_url,
                    "DATABASE_URL": f"sqlite:///{path}",
                    "SITREP_ADMINS": ADMIN,
                }
            )
            clock = FixedClock(ledger.last_recorded + timedelta(minutes=1))
            runtime = bootstrap(settings, clock=clock)
            cache = CountingCache()
            ctx = replace(runtime.ctx, cache=cache)
            sitrep_server = InProcessServer(build_app(settings, ctx))
            bare_server = InProcessServer(bare_app(fake.api_url))
            sitrep = SignedClient(sitrep_server.port, READER)
            bare = SignedClient(bare_server.port, READER)
            try:
                result = measure(ledger, Bench(ctx, cache, sitrep, bare), args)
            finally:
                sitrep.close()
                bare.close()
                sitrep_server.close()
                bare_server.close()
                runtime.engine.dispose()
    finally:
        if not args.keep:
            drop_working_copy(path)
    result.update(size=size, generation_s=ledger.seconds, cached=cached.cached)
    return result


def measure(ledger: SyntheticLedger, bench: Bench, args: argparse.Namespace) -> dict[str, Any]:
    sitrep, bare = bench.sitrep, bench.bare
    rng = random.Random(args.seed)
    warmup = queries(ledger, WARMUP, args.seed + 1000)
    for q in warmup:
        bench.ask(bare, q)
        bench.ask(sitrep, q)
    # Enough queries that rounds of distinct ones can be drawn from them.
    mix = queries(ledger, args.requests * 2, args.seed)
    # The server closes a connection idle for 30 s (waitress's channel_timeout):
    # each phase starts on a fresh keep-alive connection.
    sitrep.reconnect()
    by_kind, misses = bench.cold(ledger, mix, args.requests, args.round)
    cold = [v for values in by_kind.values() for v in values]
    warm_set = list({q.text: q for q in queries(ledger, args.warm_set * 3, args.seed + 1)}.values())
    sitrep.reconnect()
    warm, hits = bench.warm(warm_set[: args.warm_set], args.requests, rng)
    bare.reconnect()
    bare.command("/status", warmup[0].text)
    bare_times = [bench.ask(bare, rng.choice(mix)) for _ in range(args.requests)]
    out: dict[str, Any] = {
        "cold": summary(cold),
        "cold_cache_misses": misses,
        "cold_exact": summary([v for k, vs in by_kind.items() if k != "misspelled" for v in vs]),
        "cold_misspelled": summary(by_kind.get("misspelled", [])),
        "warm": summary(warm),
        "warm_cache_hits": hits,
        "bare": summary(bare_times),
        "notes_written": bench.notes,
    }
    for phase in ("cold", "warm"):
        out[f"ratio_{phase}"] = {
            key: out[phase][key] / out["bare"][key] for key in ("median", "p95", "p99")
        }
    print(line(f"sitrep cold ({misses}/{len(cold)} built)", out["cold"]))
    print(line("  exact name or alias", out["cold_exact"]))
    print(line("  misspelled (fuzzy)", out["cold_misspelled"]))
    print(line(f"sitrep warm ({hits}/{len(warm)} cached)", out["warm"]))
    print(line("bare Bolt app", out["bare"]))
    for phase in ("cold", "warm"):
        ratio = out[f"ratio_{phase}"]
        print(
            f"  ratio sitrep {phase}/bare: median {ratio['median']:.1f}×, p99 {ratio['p99']:.1f}×"
        )
    if misses != len(cold):
        print(f"  WARNING: {len(cold) - misses} cold requests were answered from the cache")
    if hits != len(warm):
        print(f"  WARNING: {len(warm) - hits} warm requests were not answered from the cache")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--requests", type=int, default=2000, help="per figure (cold, warm, bare)")
    parser.add_argument("--round", type=int, default=50, help="cold queries between two writes")
    parser.add_argument("--warm-set", type=int, default=200, help="distinct warm queries")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the working copies")
    args = parser.parse_args(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    print(f"answer latency of signed /status <place> over HTTP: {args.requests} requests a figure")
    results = [run_size(size, args) for size in sizes]
    write_json("answer_latency", {"requests": args.requests, "sizes": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
