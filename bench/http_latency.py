"""Answer latency of a signed `/status <place>` over HTTP: Sitrep against a bare
Bolt app that acknowledges with a fixed text, behind the same server (waitress
with Bolt's WSGI adapter), same machine, same run.

    python bench/http_latency.py [--requests 2000] [--database sqlite:///bench/out/x.db]

Without --database it uses the demo ledger in a temporary SQLite file."""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_bolt import App  # noqa: E402
from slack_sdk import WebClient  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402

from bot.bootstrap import DEMO_FILE, bootstrap  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.services.ledger_file import import_file  # noqa: E402
from bot.slack.app import build_app  # noqa: E402
from bot.slack.server import http_server  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402
from tests.slackbot import SECRET, TOKEN, fixture  # noqa: E402

PLACES = [
    "Lachin",
    "Shushi",
    "Şuşa",
    "Stepankert",
    "Hadrut",
    "Fuzuli",
    "Qubadli",
    "Berdzor",
    "Kalbajar",
]


def bare_app(api_url: str) -> App:
    app = App(
        client=WebClient(token=TOKEN, base_url=api_url),
        signing_secret=SECRET,
        token_verification_enabled=False,
        process_before_response=True,
    )

    @app.command("/status")
    def status(ack: Any) -> None:
        ack("Lachin: held by Artsakh")

    return app


class Server:
    def __init__(self, app: App) -> None:
        self.server = http_server(app, "127.0.0.1", 0, threads=8, signing_secret=SECRET)
        self.port = int(self.server.effective_port)
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        with contextlib.suppress(OSError):  # closed under its select loop
            self.server.run()

    def close(self) -> None:
        self.server.close()


def signed_status(
    verifier: SignatureVerifier, place: str, user: str
) -> tuple[bytes, dict[str, str]]:
    payload = {**fixture("slash_command"), "command": "/status", "text": place, "user_id": user}
    body = urllib.parse.urlencode(payload)
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": str(verifier.generate_signature(timestamp=ts, body=body)),
    }
    return body.encode(), headers


def measure(port: int, requests: int, places: list[str], user: str) -> list[float]:
    verifier = SignatureVerifier(SECRET)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    rng = random.Random(7)
    timings: list[float] = []
    for _ in range(requests):
        body, headers = signed_status(verifier, rng.choice(places), user)
        start = time.perf_counter()
        conn.request("POST", "/slack/events", body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
        if response.status != 200 or (b"ephemeral" not in data and b"Lachin" not in data):
            raise SystemExit(f"unexpected answer {response.status}: {data[:200]!r}")
        timings.append(elapsed * 1000)
    conn.close()
    return timings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(name: str, timings: list[float]) -> dict[str, float]:
    row = {
        "median": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "p99": percentile(timings, 0.99),
    }
    print(
        f"{name:<8} n={len(timings):<5} median {row['median']:.2f} ms  "
        f"p95 {row['p95']:.2f} ms  p99 {row['p99']:.2f} ms"
    )
    return row


def run(
    requests: int, database: str | None, places: list[str] | None = None
) -> dict[str, dict[str, float]]:
    with FakeSlack(token=TOKEN) as fake, tempfile.TemporaryDirectory() as tmp:
        fake.add_user("UBENCH", tz="Asia/Baku")
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": fake.api_url,
                "DATABASE_URL": database or f"sqlite:///{tmp}/bench.db",
            }
        )
        runtime = bootstrap(settings)
        with runtime.ctx.uow.read() as tx:
            empty = not tx.catalog.conflicts()
        if empty:
            import_file(runtime.ctx, DEMO_FILE)
        sitrep = Server(build_app(settings, runtime.ctx))
        bare = Server(bare_app(fake.api_url))
        try:
            wanted = places or PLACES
            measure(sitrep.port, 50, wanted, "UBENCH")  # warm caches and connections
            measure(bare.port, 50, wanted, "UBENCH")
            results = {
                "sitrep": summary("sitrep", measure(sitrep.port, requests, wanted, "UBENCH")),
                "bare": summary("bare", measure(bare.port, requests, wanted, "UBENCH")),
            }
        finally:
            sitrep.close()
            bare.close()
    for key in ("median", "p99"):
        print(
            f"ratio sitrep/bare at the {key}: {results['sitrep'][key] / results['bare'][key]:.1f}"
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; {args.requests} sequential signed /status requests over HTTP")
    run(args.requests, args.database)


if __name__ == "__main__":
    main()
