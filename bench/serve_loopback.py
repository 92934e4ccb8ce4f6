"""`python run_bot.py serve`, bound to 127.0.0.1 instead of every interface.

The serve command has no setting for the address it listens on; benchmarks must
not listen beyond the loopback interface, so this runs the same entry point
(`run_bot.main(["serve"])`: settings from the environment, migrations, the due
step's scheduler, waitress with Bolt's WSGI adapter) with only the host changed.

    DATABASE_URL=… SLACK_BOT_TOKEN=… SLACK_SIGNING_SECRET=… PORT=… python bench/serve_loopback.py
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import bot.slack.server as server_module  # noqa: E402
import run_bot  # noqa: E402

_http_server = server_module.http_server


def _loopback_server(app: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
    return _http_server(app, "127.0.0.1", port, *args, **kwargs)


def main() -> int:
    server_module.http_server = _loopback_server
    return run_bot.main(["serve"])


if __name__ == "__main__":
    raise SystemExit(main())
