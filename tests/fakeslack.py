"""A fake Slack Web API served on a loopback port, for tests and benchmarks.

The bot reaches it through ``SLACK_API_URL`` (``WebClient(base_url=fake.api_url)``).
The aim is that a test passes only if real Slack would have accepted every call
the bot made, so the fake refuses what Slack refuses, with Slack's error names:

* Every method answers the way Slack documents it: HTTP 200 with ``{"ok": ...}``,
  429 with ``Retry-After`` when rate limited, 404 ``unknown_method`` for methods
  it does not implement.
* Tokens travel in ``Authorization: Bearer`` or, for form bodies only, as a
  ``token`` argument (Slack ignores a token inside a JSON body).
* Read methods (``users.info``, ``conversations.history`` ...) accept form or
  query arguments only; like Slack, arguments sent to them as a JSON body are
  not seen.
* Block Kit payloads are checked by :func:`validate_blocks` and
  :func:`validate_view`; problems come back in Slack's shape
  (``"must be less than 3001 characters [json-pointer:/blocks/0/text/text]"``).
* Response URLs answer ``{"ok": true}``; once used five times or older than
  thirty minutes they answer HTTP 404 ``{"ok": false, "error": "expired_url"}``;
  an unknown one answers HTTP 404 ``{"ok": false, "error": "invalid_url"}``.
  A refused payload (bad blocks, no text) answers HTTP 400 with the error name.

Time can be moved forward with :meth:`FakeSlack.advance` so that trigger ids,
response URLs and rate limits expire without sleeping.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import itertools
import json
import math
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Final, Literal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

JSONDict = dict[str, Any]
FaultKind = Literal["ratelimit", "server_error", "drop", "slow"]

# --------------------------------------------------------------------------------------
# Slack's documented limits
# --------------------------------------------------------------------------------------

MAX_BLOCKS: Final[Mapping[str, int]] = {"message": 50, "modal": 100, "home": 100}
MAX_TEXT_CHARS: Final = 40_000  # chat.postMessage `text` -> msg_too_long
MAX_BLOCKS_TEXT_CHARS: Final = 12_000  # text across all blocks of one message
MAX_MARKDOWN_CHARS: Final = 12_000  # cumulative `markdown` block text in one payload
MAX_ATTACHMENTS: Final = 100
TRIGGER_LIFETIME: Final = 3.0
RESPONSE_URL_USES: Final = 5
RESPONSE_URL_LIFETIME: Final = 30 * 60.0
VIEW_STACK_LIMIT: Final = 3

# Methods whose documentation lists application/json as an accepted content type.
JSON_METHODS: Final = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.update",
        "chat.delete",
        "chat.scheduleMessage",
        "chat.meMessage",
        "views.open",
        "views.push",
        "views.update",
        "views.publish",
        "conversations.join",
        "conversations.open",
    }
)

# Arguments that form bodies carry as JSON strings.
_JSON_ARGS: Final = ("blocks", "attachments", "view", "metadata")

_ID = re.compile(r"^[CDGUW][A-Z0-9]{1,}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{1,}$")
_TS = re.compile(r"^\d{1,10}(\.\d{1,6})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

# --------------------------------------------------------------------------------------
# Block Kit validation
# --------------------------------------------------------------------------------------

_ALL_SURFACES = frozenset({"message", "modal", "home"})
_BLOCK_SURFACES: Final[Mapping[str, frozenset[str]]] = {
    "actions": _ALL_SURFACES,
    "context": _ALL_SURFACES,
    "divider": _ALL_SURFACES,
    "file": frozenset({"message"}),
    "header": _ALL_SURFACES,
    "image": _ALL_SURFACES,
    "input": _ALL_SURFACES,
    "markdown": frozenset({"message"}),
    "rich_text": _ALL_SURFACES,
    "section": _ALL_SURFACES,
    "video": _ALL_SURFACES,
}
_BLOCK_KEYS: Final[Mapping[str, frozenset[str]]] = {
    "actions": frozenset({"elements"}),
    "context": frozenset({"elements"}),
    "divider": frozenset(),
    "file": frozenset({"external_id", "source"}),
    "header": frozenset({"text"}),
    "image": frozenset({"image_url", "slack_file", "alt_text", "title"}),
    "input": frozenset({"label", "element", "dispatch_action", "hint", "optional"}),
    "markdown": frozenset({"text"}),
    "rich_text": frozenset({"elements"}),
    "section": frozenset({"text", "fields", "accessory", "expand"}),
    "video": frozenset(
        {
            "alt_text",
            "author_name",
            "description",
            "provider_icon_url",
            "provider_name",
            "title",
            "title_url",
            "thumbnail_url",
            "video_url",
        }
    ),
}

_SINGLE_SELECTS: tuple[str, ...] = (
    "static_select",
    "external_select",
    "users_select",
    "conversations_select",
    "channels_select",
)
_SECTION_ACTIONS_INPUT = frozenset({"section", "actions", "input"})
_ELEMENT_CONTEXTS: Final[Mapping[str, frozenset[str]]] = {
    "button": frozenset({"section", "actions"}),
    "checkboxes": _SECTION_ACTIONS_INPUT,
    "datepicker": _SECTION_ACTIONS_INPUT,
    "datetimepicker": frozenset({"actions", "input"}),
    "email_text_input": frozenset({"input"}),
    "file_input": frozenset({"input"}),
    "image": frozenset({"section", "context"}),
    "number_input": frozenset({"input"}),
    "overflow": frozenset({"section", "actions"}),
    "plain_text_input": frozenset({"input"}),
    "radio_buttons": _SECTION_ACTIONS_INPUT,
    "rich_text_input": frozenset({"input"}),
    "timepicker": _SECTION_ACTIONS_INPUT,
    "url_text_input": frozenset({"input"}),
    "workflow_button": frozenset({"section", "actions"}),
    **{name: _SECTION_ACTIONS_INPUT for name in _SINGLE_SELECTS},
    **{f"multi_{name}": _SECTION_ACTIONS_INPUT for name in _SINGLE_SELECTS},
}
_INPUT_LIKE = frozenset({"initial_value", "dispatch_action_config", "focus_on_load", "placeholder"})
_ELEMENT_KEYS: Final[Mapping[str, frozenset[str]]] = {
    "button": frozenset({"text", "url", "value", "style", "confirm", "accessibility_label"}),
    "checkboxes": frozenset({"options", "initial_options", "confirm", "focus_on_load"}),
    "datepicker": frozenset({"initial_date", "confirm", "focus_on_load", "placeholder"}),
    "datetimepicker": frozenset({"initial_date_time", "confirm", "focus_on_load"}),
    "email_text_input": _INPUT_LIKE,
    "file_input": frozenset({"filetypes", "max_files"}),
    "image": frozenset({"image_url", "slack_file", "alt_text"}),
    "number_input": _INPUT_LIKE | {"is_decimal_allowed", "min_value", "max_value"},
    "overflow": frozenset({"options", "confirm"}),
    "plain_text_input": _INPUT_LIKE | {"multiline", "min_length", "max_length"},
    "radio_buttons": frozenset({"options", "initial_option", "confirm", "focus_on_load"}),
    "rich_text_input": _INPUT_LIKE,
    "timepicker": frozenset(
        {"initial_time", "confirm", "focus_on_load", "placeholder", "timezone"}
    ),
    "url_text_input": _INPUT_LIKE,
    "workflow_button": frozenset({"text", "workflow", "style", "accessibility_label"}),
    "static_select": frozenset(
        {"options", "option_groups", "initial_option", "confirm", "focus_on_load", "placeholder"}
    ),
    "multi_static_select": frozenset(
        {
            "options",
            "option_groups",
            "initial_options",
            "confirm",
            "max_selected_items",
            "focus_on_load",
            "placeholder",
        }
    ),
    "external_select": frozenset(
        {"initial_option", "min_query_length", "confirm", "focus_on_load", "placeholder"}
    ),
    "multi_external_select": frozenset(
        {
            "initial_options",
            "min_query_length",
            "confirm",
            "max_selected_items",
            "focus_on_load",
            "placeholder",
        }
    ),
    "users_select": frozenset({"initial_user", "confirm", "focus_on_load", "placeholder"}),
    "multi_users_select": frozenset(
        {"initial_users", "confirm", "max_selected_items", "focus_on_load", "placeholder"}
    ),
    "conversations_select": frozenset(
        {
            "initial_conversation",
            "default_to_current_conversation",
            "confirm",
            "response_url_enabled",
            "filter",
            "focus_on_load",
            "placeholder",
        }
    ),
    "multi_conversations_select": frozenset(
        {
            "initial_conversations",
            "default_to_current_conversation",
            "confirm",
            "max_selected_items",
            "filter",
            "focus_on_load",
            "placeholder",
        }
    ),
    "channels_select": frozenset(
        {"initial_channel", "confirm", "response_url_enabled", "focus_on_load", "placeholder"}
    ),
    "multi_channels_select": frozenset(
        {"initial_channels", "confirm", "max_selected_items", "focus_on_load", "placeholder"}
    ),
}
_RICH_CONTAINERS = frozenset(
    {"rich_text_section", "rich_text_list", "rich_text_preformatted", "rich_text_quote"}
)
_RICH_INLINE_REQUIRED: Final[Mapping[str, str | None]] = {
    "text": "text",
    "link": "url",
    "emoji": "name",
    "user": "user_id",
    "channel": "channel_id",
    "usergroup": "usergroup_id",
    "team": "team_id",
    "broadcast": "range",
    "date": "timestamp",
    "color": "value",
}
_TEXT_BEARING = frozenset({"plain_text", "mrkdwn", "markdown", "text", "link"})
_VIEW_KEYS = frozenset(
    {
        "type",
        "title",
        "blocks",
        "close",
        "submit",
        "private_metadata",
        "callback_id",
        "clear_on_close",
        "notify_on_close",
        "external_id",
        "submit_disabled",
    }
)


class _Checker:
    """Walks a Block Kit payload and collects problems in Slack's wording."""

    def __init__(self, surface: str) -> None:
        self.surface = surface
        self.problems: list[str] = []
        self.markdown_chars = 0

    # -- primitives ---------------------------------------------------------------

    def fail(self, message: str, pointer: str) -> None:
        self.problems.append(f"{message} [json-pointer:{pointer}]")

    def unknown_keys(self, obj: Mapping[str, Any], allowed: Collection[str], pointer: str) -> None:
        for key in obj:
            if key not in allowed:
                self.fail("is not a valid property", f"{pointer}/{key}")

    def string(
        self,
        obj: Mapping[str, Any],
        key: str,
        pointer: str,
        *,
        max_len: int | None = None,
        min_len: int = 0,
        required: bool = False,
    ) -> str | None:
        if key not in obj:
            if required:
                self.fail(f"missing required field: {key}", pointer)
            return None
        value = obj[key]
        where = f"{pointer}/{key}"
        if not isinstance(value, str):
            self.fail("must be a string", where)
            return None
        if len(value) < min_len:
            self.fail(f"must be more than {min_len - 1} characters", where)
        if max_len is not None and len(value) > max_len:
            self.fail(f"must be less than {max_len + 1} characters", where)
        return value

    def boolean(self, obj: Mapping[str, Any], key: str, pointer: str) -> None:
        if key in obj and not isinstance(obj[key], bool):
            self.fail("must be a boolean", f"{pointer}/{key}")

    def integer(
        self, obj: Mapping[str, Any], key: str, pointer: str, *, low: int, high: int | None = None
    ) -> None:
        if key not in obj:
            return
        value = obj[key]
        where = f"{pointer}/{key}"
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail("must be an integer", where)
        elif value < low:
            self.fail(f"must be greater than or equal to {low}", where)
        elif high is not None and value > high:
            self.fail(f"must be less than or equal to {high}", where)

    def enum(self, obj: Mapping[str, Any], key: str, pointer: str, values: Collection[str]) -> None:
        if key in obj and obj[key] not in values:
            self.fail("must be a valid enum value", f"{pointer}/{key}")

    def array(
        self,
        obj: Mapping[str, Any],
        key: str,
        pointer: str,
        *,
        min_items: int = 0,
        max_items: int | None = None,
        required: bool = False,
    ) -> list[Any] | None:
        if key not in obj:
            if required:
                self.fail(f"missing required field: {key}", pointer)
            return None
        value = obj[key]
        where = f"{pointer}/{key}"
        if not isinstance(value, list):
            self.fail("must be an array", where)
            return None
        if len(value) < min_items:
            self.fail(f"must provide an array of at least {min_items} items", where)
        if max_items is not None and len(value) > max_items:
            self.fail(f"must provide an array of no more than {max_items} items", where)
        return value

    def text(
        self,
        obj: Mapping[str, Any],
        key: str,
        pointer: str,
        *,
        max_len: int = 3000,
        plain_only: bool = False,
        required: bool = False,
    ) -> None:
        if key not in obj:
            if required:
                self.fail(f"missing required field: {key}", pointer)
            return
        self.text_object(obj[key], f"{pointer}/{key}", max_len=max_len, plain_only=plain_only)

    def text_object(
        self, value: object, pointer: str, *, max_len: int = 3000, plain_only: bool = False
    ) -> None:
        if not isinstance(value, dict):
            self.fail("must be an object", pointer)
            return
        kind = value.get("type")
        if kind not in ("plain_text", "mrkdwn") or (plain_only and kind != "plain_text"):
            self.fail("must be a valid enum value", f"{pointer}/type")
            return
        extra = "emoji" if kind == "plain_text" else "verbatim"
        self.unknown_keys(value, ("type", "text", extra), pointer)
        self.string(value, "text", pointer, max_len=max_len, min_len=1, required=True)
        self.boolean(value, extra, pointer)

    # -- blocks ---------------------------------------------------------------------

    def blocks(self, blocks: object, pointer: str) -> None:
        if not isinstance(blocks, list):
            self.fail("must be an array", pointer)
            return
        limit = MAX_BLOCKS[self.surface]
        if len(blocks) > limit:
            self.fail(f"must provide an array of no more than {limit} items", pointer)
        block_ids: set[str] = set()
        for index, block in enumerate(blocks):
            self.block(block, f"{pointer}/{index}", block_ids)
        if self.markdown_chars > MAX_MARKDOWN_CHARS:
            self.fail(
                f"markdown blocks must total less than {MAX_MARKDOWN_CHARS + 1} characters",
                pointer,
            )

    def block(self, block: object, pointer: str, block_ids: set[str]) -> None:
        if not isinstance(block, dict):
            self.fail("must be an object", pointer)
            return
        kind = block.get("type")
        if not isinstance(kind, str) or kind not in _BLOCK_KEYS:
            self.fail(f"unsupported type: {kind}", f"{pointer}/type")
            return
        if self.surface not in _BLOCK_SURFACES[kind]:
            self.fail(f"{kind} blocks are not supported on a {self.surface}", f"{pointer}/type")
            return
        self.unknown_keys(block, _BLOCK_KEYS[kind] | {"type", "block_id"}, pointer)
        block_id = self.string(block, "block_id", pointer, max_len=255, min_len=1)
        if block_id is not None:
            if block_id in block_ids:
                self.fail("must be unique within the blocks array", f"{pointer}/block_id")
            block_ids.add(block_id)
        action_ids: set[str] = set()
        if kind == "section":
            self.section(block, pointer, action_ids)
        elif kind == "header":
            self.text(block, "text", pointer, max_len=150, plain_only=True, required=True)
        elif kind == "context":
            self.context(block, pointer)
        elif kind == "actions":
            elements = self.array(
                block, "elements", pointer, min_items=1, max_items=25, required=True
            )
            for index, element in enumerate(elements or []):
                self.element(element, f"{pointer}/elements/{index}", "actions", action_ids)
        elif kind == "input":
            self.input(block, pointer, action_ids)
        elif kind == "image":
            self.image(block, pointer, title_max=2000)
        elif kind == "rich_text":
            self.rich_text(block, pointer)
        elif kind == "markdown":
            text = self.string(
                block, "text", pointer, max_len=MAX_MARKDOWN_CHARS, min_len=1, required=True
            )
            self.markdown_chars += len(text or "")
        elif kind == "video":
            self.video(block, pointer)
        elif kind == "file":
            self.string(block, "external_id", pointer, min_len=1, required=True)
            self.string(block, "source", pointer, required=True)
            self.enum(block, "source", pointer, ("remote",))

    def section(self, block: Mapping[str, Any], pointer: str, action_ids: set[str]) -> None:
        if "text" not in block and "fields" not in block:
            self.fail("must provide either text or fields", pointer)
        self.text(block, "text", pointer, max_len=3000)
        fields = self.array(block, "fields", pointer, min_items=1, max_items=10)
        for index, item in enumerate(fields or []):
            self.text_object(item, f"{pointer}/fields/{index}", max_len=2000)
        if "accessory" in block:
            self.element(block["accessory"], f"{pointer}/accessory", "section", action_ids)
        self.boolean(block, "expand", pointer)

    def context(self, block: Mapping[str, Any], pointer: str) -> None:
        elements = self.array(block, "elements", pointer, min_items=1, max_items=10, required=True)
        for index, element in enumerate(elements or []):
            where = f"{pointer}/elements/{index}"
            if isinstance(element, dict) and element.get("type") in ("plain_text", "mrkdwn"):
                self.text_object(element, where)
            else:
                self.element(element, where, "context", set())

    def input(self, block: Mapping[str, Any], pointer: str, action_ids: set[str]) -> None:
        self.text(block, "label", pointer, max_len=2000, plain_only=True, required=True)
        self.text(block, "hint", pointer, max_len=2000, plain_only=True)
        if "element" not in block:
            self.fail("missing required field: element", pointer)
        else:
            self.element(block["element"], f"{pointer}/element", "input", action_ids)
        self.boolean(block, "optional", pointer)
        self.boolean(block, "dispatch_action", pointer)

    def image(self, obj: Mapping[str, Any], pointer: str, *, title_max: int | None) -> None:
        if "image_url" not in obj and "slack_file" not in obj:
            self.fail("missing required field: image_url", pointer)
        self.string(obj, "image_url", pointer, max_len=3000, min_len=1)
        if "slack_file" in obj and not isinstance(obj["slack_file"], dict):
            self.fail("must be an object", f"{pointer}/slack_file")
        self.string(obj, "alt_text", pointer, max_len=2000, min_len=1, required=True)
        if title_max is not None:
            self.text(obj, "title", pointer, max_len=title_max, plain_only=True)

    def video(self, block: Mapping[str, Any], pointer: str) -> None:
        self.string(block, "alt_text", pointer, min_len=1, required=True)
        self.text(block, "title", pointer, max_len=199, plain_only=True, required=True)
        self.string(block, "thumbnail_url", pointer, min_len=1, required=True)
        self.string(block, "video_url", pointer, min_len=1, required=True)
        self.text(block, "description", pointer, max_len=199, plain_only=True)
        self.string(block, "author_name", pointer, max_len=49)
        self.string(block, "provider_name", pointer)
        self.string(block, "provider_icon_url", pointer)
        self.string(block, "title_url", pointer)

    def rich_text(self, block: Mapping[str, Any], pointer: str) -> None:
        elements = self.array(block, "elements", pointer, required=True)
        for index, element in enumerate(elements or []):
            self.rich_container(element, f"{pointer}/elements/{index}")

    def rich_container(self, element: object, pointer: str) -> None:
        if not isinstance(element, dict):
            self.fail("must be an object", pointer)
            return
        kind = element.get("type")
        if kind not in _RICH_CONTAINERS:
            self.fail(f"unsupported type: {kind}", f"{pointer}/type")
            return
        children = self.array(element, "elements", pointer, required=True)
        if kind == "rich_text_list":
            if "style" not in element:
                self.fail("missing required field: style", pointer)
            self.enum(element, "style", pointer, ("bullet", "ordered"))
            self.integer(element, "indent", pointer, low=0, high=8)
            for index, child in enumerate(children or []):
                where = f"{pointer}/elements/{index}"
                if not isinstance(child, dict) or child.get("type") != "rich_text_section":
                    self.fail("must be a rich_text_section", where)
                else:
                    self.rich_container(child, where)
            return
        for index, child in enumerate(children or []):
            self.rich_inline(child, f"{pointer}/elements/{index}")

    def rich_inline(self, element: object, pointer: str) -> None:
        if not isinstance(element, dict):
            self.fail("must be an object", pointer)
            return
        kind = element.get("type")
        if not isinstance(kind, str) or kind not in _RICH_INLINE_REQUIRED:
            self.fail(f"unsupported type: {kind}", f"{pointer}/type")
            return
        required = _RICH_INLINE_REQUIRED[kind]
        if required is not None and required not in element:
            self.fail(f"missing required field: {required}", pointer)
        if kind == "text":
            self.string(element, "text", pointer, min_len=1)
        if kind == "broadcast":
            self.enum(element, "range", pointer, ("here", "channel", "everyone"))

    # -- elements -------------------------------------------------------------------

    def element(self, element: object, pointer: str, context: str, action_ids: set[str]) -> None:
        if not isinstance(element, dict):
            self.fail("must be an object", pointer)
            return
        kind = element.get("type")
        if not isinstance(kind, str) or kind not in _ELEMENT_KEYS:
            self.fail(f"unsupported type: {kind}", f"{pointer}/type")
            return
        if context not in _ELEMENT_CONTEXTS[kind]:
            self.fail(f"{kind} is not allowed in a {context} block", f"{pointer}/type")
            return
        keys = _ELEMENT_KEYS[kind]
        self.unknown_keys(
            element, keys | ({"type"} if kind == "image" else {"type", "action_id"}), pointer
        )
        if kind == "image":
            self.image(element, pointer, title_max=None)
            return
        action_id = self.string(element, "action_id", pointer, max_len=255, min_len=1)
        if action_id is not None:
            if action_id in action_ids:
                self.fail("must be unique within the block", f"{pointer}/action_id")
            action_ids.add(action_id)
        if "placeholder" in keys:
            self.text(element, "placeholder", pointer, max_len=150, plain_only=True)
        if "confirm" in element:
            self.confirm(element["confirm"], f"{pointer}/confirm")
        self.boolean(element, "focus_on_load", pointer)
        if "max_selected_items" in keys:
            self.integer(element, "max_selected_items", pointer, low=1)
        if kind in ("button", "workflow_button"):
            self.text(element, "text", pointer, max_len=75, plain_only=True, required=True)
            self.enum(element, "style", pointer, ("primary", "danger"))
            self.string(element, "accessibility_label", pointer, max_len=75, min_len=1)
            if kind == "button":
                self.string(element, "url", pointer, max_len=3000, min_len=1)
                self.string(element, "value", pointer, max_len=2000, min_len=1)
            elif not isinstance(element.get("workflow"), dict):
                self.fail("missing required field: workflow", pointer)
        elif kind in ("static_select", "multi_static_select"):
            self.static_select(element, pointer)
        elif kind == "overflow":
            self.options(element, "options", pointer, min_items=2, max_items=5, url=True)
        elif kind in ("checkboxes", "radio_buttons"):
            self.options(element, "options", pointer, min_items=1, max_items=10, mrkdwn=True)
            for key in ("initial_option", "initial_options"):
                if key in element:
                    self.initial_options(element, key, pointer, mrkdwn=True)
        elif kind in ("external_select", "multi_external_select"):
            self.integer(element, "min_query_length", pointer, low=0)
            for key in ("initial_option", "initial_options"):
                if key in element:
                    self.initial_options(element, key, pointer, mrkdwn=False)
        elif kind == "datepicker":
            date = self.string(element, "initial_date", pointer)
            if date is not None and not _DATE.match(date):
                self.fail("must be a valid date (YYYY-MM-DD)", f"{pointer}/initial_date")
        elif kind == "timepicker":
            moment = self.string(element, "initial_time", pointer)
            if moment is not None and not _TIME.match(moment):
                self.fail("must be a valid time (HH:mm)", f"{pointer}/initial_time")
            self.string(element, "timezone", pointer, min_len=1)
        elif kind == "datetimepicker":
            self.integer(element, "initial_date_time", pointer, low=0)
        elif kind == "plain_text_input":
            self.string(element, "initial_value", pointer)
            self.boolean(element, "multiline", pointer)
            self.integer(element, "min_length", pointer, low=0, high=3000)
            self.integer(element, "max_length", pointer, low=1, high=3000)
        elif kind == "number_input":
            if "is_decimal_allowed" not in element:
                self.fail("missing required field: is_decimal_allowed", pointer)
            self.boolean(element, "is_decimal_allowed", pointer)
        elif kind == "file_input":
            self.integer(element, "max_files", pointer, low=1, high=10)
            self.array(element, "filetypes", pointer)

    def static_select(self, element: Mapping[str, Any], pointer: str) -> None:
        has_options = "options" in element
        has_groups = "option_groups" in element
        if has_options == has_groups:
            self.fail("must provide exactly one of options or option_groups", pointer)
        self.options(element, "options", pointer, min_items=1, max_items=100, required=False)
        groups = self.array(element, "option_groups", pointer, min_items=1, max_items=100)
        for index, group in enumerate(groups or []):
            where = f"{pointer}/option_groups/{index}"
            if not isinstance(group, dict):
                self.fail("must be an object", where)
                continue
            self.unknown_keys(group, ("label", "options"), where)
            self.text(group, "label", where, max_len=75, plain_only=True, required=True)
            self.options(group, "options", where, min_items=1, max_items=100)
        for key in ("initial_option", "initial_options"):
            if key in element:
                self.initial_options(element, key, pointer, mrkdwn=False)

    def initial_options(
        self, element: Mapping[str, Any], key: str, pointer: str, *, mrkdwn: bool
    ) -> None:
        if key == "initial_option":
            self.option(element[key], f"{pointer}/{key}", mrkdwn=mrkdwn, url=False)
            return
        for index, item in enumerate(self.array(element, key, pointer) or []):
            self.option(item, f"{pointer}/{key}/{index}", mrkdwn=mrkdwn, url=False)

    def options(
        self,
        element: Mapping[str, Any],
        key: str,
        pointer: str,
        *,
        min_items: int,
        max_items: int,
        mrkdwn: bool = False,
        url: bool = False,
        required: bool = True,
    ) -> None:
        items = self.array(
            element, key, pointer, min_items=min_items, max_items=max_items, required=required
        )
        for index, item in enumerate(items or []):
            self.option(item, f"{pointer}/{key}/{index}", mrkdwn=mrkdwn, url=url)

    def option(self, option: object, pointer: str, *, mrkdwn: bool, url: bool) -> None:
        if not isinstance(option, dict):
            self.fail("must be an object", pointer)
            return
        allowed = {"text", "value", "description"} | ({"url"} if url else set())
        self.unknown_keys(option, allowed, pointer)
        self.text(option, "text", pointer, max_len=75, plain_only=not mrkdwn, required=True)
        self.string(option, "value", pointer, max_len=150, min_len=1, required=True)
        self.text(option, "description", pointer, max_len=75, plain_only=not mrkdwn)
        if url:
            self.string(option, "url", pointer, max_len=3000, min_len=1)

    def confirm(self, confirm: object, pointer: str) -> None:
        if not isinstance(confirm, dict):
            self.fail("must be an object", pointer)
            return
        self.unknown_keys(confirm, ("title", "text", "confirm", "deny", "style"), pointer)
        self.text(confirm, "title", pointer, max_len=100, plain_only=True, required=True)
        self.text(confirm, "text", pointer, max_len=300, required=True)
        self.text(confirm, "confirm", pointer, max_len=30, plain_only=True, required=True)
        self.text(confirm, "deny", pointer, max_len=30, plain_only=True, required=True)
        self.enum(confirm, "style", pointer, ("primary", "danger"))


def validate_blocks(
    blocks: object, surface: str = "message", *, pointer: str | None = None
) -> list[str]:
    """Check a ``blocks`` array against Block Kit's rules for ``surface``.

    ``surface`` is ``"message"`` (50 blocks), ``"modal"`` or ``"home"`` (100 blocks).
    Returns the problems found, each ending in ``[json-pointer:...]`` as Slack
    words them; an empty list means Slack would accept the blocks.
    """
    if surface not in MAX_BLOCKS:
        raise ValueError(f"unknown surface {surface!r}; use message, modal or home")
    if pointer is None:
        pointer = "/blocks" if surface == "message" else "/view/blocks"
    checker = _Checker(surface)
    checker.blocks(blocks, pointer)
    return checker.problems


def validate_view(view: object, expected_type: str | None = None) -> list[str]:
    """Check a ``view`` payload (modal or home tab); problems point under ``/view``."""
    pointer = "/view"
    if not isinstance(view, dict):
        return [f"must be an object [json-pointer:{pointer}]"]
    kind = view.get("type")
    if kind not in ("modal", "home") or (expected_type is not None and kind != expected_type):
        return [f"must be a valid enum value [json-pointer:{pointer}/type]"]
    checker = _Checker(kind)
    checker.unknown_keys(view, _VIEW_KEYS, pointer)
    if kind == "modal":
        checker.text(view, "title", pointer, max_len=24, plain_only=True, required=True)
    else:
        checker.text(view, "title", pointer, max_len=24, plain_only=True)
    checker.text(view, "close", pointer, max_len=24, plain_only=True)
    checker.text(view, "submit", pointer, max_len=24, plain_only=True)
    checker.string(view, "private_metadata", pointer, max_len=3000)
    checker.string(view, "callback_id", pointer, max_len=255)
    checker.string(view, "external_id", pointer, max_len=255)
    for flag in ("clear_on_close", "notify_on_close", "submit_disabled"):
        checker.boolean(view, flag, pointer)
    if "blocks" not in view:
        checker.fail("missing required field: blocks", pointer)
    else:
        checker.blocks(view["blocks"], f"{pointer}/blocks")
        has_input = isinstance(view["blocks"], list) and any(
            isinstance(block, dict) and block.get("type") == "input" for block in view["blocks"]
        )
        if kind == "modal" and has_input and "submit" not in view:
            checker.fail("missing required field: submit", pointer)
    return checker.problems


def blocks_text_length(blocks: object) -> int:
    """Characters of text carried by a blocks array (what ``msg_blocks_too_long`` counts)."""
    total = 0
    stack: list[object] = [blocks]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            text = item.get("text")
            if item.get("type") in _TEXT_BEARING and isinstance(text, str):
                total += len(text)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return total


# --------------------------------------------------------------------------------------
# Recorded calls and state
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request the fake received.

    ``status`` is the HTTP status answered (0 when the connection was dropped);
    ``fault`` names the injected fault or rate limit that shaped the answer;
    ``target`` is the response URL id for ``method == "response_url"``.
    """

    method: str
    args: JSONDict
    headers: dict[str, str]
    status: int
    response: JSONDict
    at: float
    fault: str | None = None
    target: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))


@dataclass
class _Channel:
    id: str
    name: str
    is_private: bool = False
    is_member: bool = True
    is_archived: bool = False
    members: list[str] | None = None
    is_im: bool = False
    is_mpim: bool = False
    user: str | None = None
    created: int = 0
    messages: list[JSONDict] = field(default_factory=list)


@dataclass
class _User:
    id: str
    name: str
    tz: str | None
    tz_label: str | None
    is_restricted: bool
    is_ultra_restricted: bool
    is_stranger: bool
    is_bot: bool
    real_name: str
    email: str | None


@dataclass
class _Trigger:
    user: str | None
    issued: float
    used: bool = False


@dataclass
class _ResponseURL:
    id: str
    channel: str | None
    user: str | None
    message_ts: str | None
    issued: float
    uses: int = 0
    last_ephemeral: JSONDict | None = None
    accepted: list[JSONDict] = field(default_factory=list)


@dataclass
class _Fault:
    kind: FaultKind
    remaining: int
    retry_after: int
    delay: float
    drop_after_effect: bool

    @property
    def answers_instead(self) -> bool:
        """True when the fault replaces the call; False when the call is applied first."""
        return self.kind in ("ratelimit", "server_error") or (
            self.kind == "drop" and not self.drop_after_effect
        )


@dataclass
class _Limit:
    per_channel_per_second: float | None
    workspace_per_minute: int | None
    burst: int
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    recent: deque[float] = field(default_factory=deque)


@dataclass
class _Reply:
    status: int
    body: JSONDict
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    delay: float = 0.0
    raw: bytes | None = None  # a file's bytes (url_private), sent as they are


class _Refusal(Exception):
    """Raised inside a method handler to answer ``{"ok": false, ...}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _json_field(args: JSONDict, key: str) -> tuple[Any, bool]:
    """Return (value, parsed_ok) for an argument that may arrive as a JSON string."""
    if key not in args:
        return None, True
    value = args[key]
    if isinstance(value, str):
        if value.strip() == "":
            return None, True
        try:
            return json.loads(value), True
        except ValueError:
            return value, False
    return value, True


def _encode_cursor(value: str) -> str:
    return base64.b64encode(f"next_ts:{value}".encode()).decode()


def _decode_cursor(cursor: str) -> str:
    try:
        raw = base64.b64decode(cursor.encode(), validate=True).decode()
    except (ValueError, UnicodeDecodeError) as error:
        raise _Refusal("invalid_cursor") from error
    prefix, _, value = raw.partition(":")
    if prefix != "next_ts" or not value:
        raise _Refusal("invalid_cursor")
    return value


def _ts_key(ts: str) -> float:
    return float(ts)


# --------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], fake: FakeSlack) -> None:
        self.fake = fake
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        parts = urlsplit(self.path)
        headers = {key: value for key, value in self.headers.items()}
        reply = self.server.fake._dispatch(parts.path, parts.query, headers, body)
        if reply.delay > 0:
            time.sleep(reply.delay)
        if reply.drop:
            self.close_connection = True
            return
        if reply.raw is not None:
            data = reply.raw
            self.send_response(reply.status)
        else:
            data = json.dumps(reply.body, ensure_ascii=False, separators=(",", ":")).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


# --------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------


class FakeSlack:
    """A Slack Web API stand-in on ``127.0.0.1``; use as a context manager."""

    def __init__(
        self,
        token: str = "xoxb-test",
        team_id: str = "T111",
        bot_user_id: str = "UBOT",
        port: int = 0,
        *,
        bot_id: str = "B111",
        app_id: str = "A111",
        bot_name: str = "sitrep",
        team_name: str = "Sitrep Test",
        team_domain: str = "sitrep-test",
        chat_write_public: bool = False,
    ) -> None:
        self.token = token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.bot_name = bot_name
        self.team_name = team_name
        self.team_domain = team_domain
        #: with chat:write.public the bot may post to public channels it is not in
        self.chat_write_public = chat_write_public
        #: characters of block text one message may carry before ``msg_blocks_too_long``
        self.max_blocks_text = MAX_BLOCKS_TEXT_CHARS
        self._port = port
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._offset = 0.0
        self._last_ts = 0
        self._ids = itertools.count(1)
        self._tokens: set[str] = {token}
        self._revoked: set[str] = set()
        self._users: dict[str, _User] = {}
        self._channels: dict[str, _Channel] = {}
        self._latency: dict[str, float] = {}
        self._limits: dict[str, _Limit] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._handlers: dict[str, Callable[[JSONDict], JSONDict]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "users.conversations": self._users_conversations,
            "conversations.info": self._conversations_info,
            "conversations.join": self._conversations_join,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.members": self._conversations_members,
            "conversations.open": self._conversations_open,
        }
        self._clear_activity()
        self._users[bot_user_id] = _User(
            id=bot_user_id,
            name=bot_name,
            tz="America/Los_Angeles",
            tz_label=None,
            is_restricted=False,
            is_ultra_restricted=False,
            is_stranger=False,
            is_bot=True,
            real_name=bot_name,
            email=None,
        )

    def _clear_activity(self) -> None:
        self._calls: list[Call] = []
        self._ephemeral: dict[str, list[JSONDict]] = {}
        self._home: dict[str, JSONDict] = {}
        self._views: dict[str, JSONDict] = {}
        self._view_owner: dict[str, str | None] = {}
        self._stacks: dict[str, list[str]] = {}
        self._opened: list[JSONDict] = []
        self._triggers: dict[str, _Trigger] = {}
        self._response_urls: dict[str, _ResponseURL] = {}
        self._files: dict[str, tuple[bytes, str]] = {}

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        self._server = _Server(("127.0.0.1", self._port), self)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"fakeslack:{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/``"""
        return f"http://127.0.0.1:{self._port}/"

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:PORT/api/`` — what ``SLACK_API_URL`` / ``base_url`` take."""
        return f"{self.base_url}api/"

    # -- clock ----------------------------------------------------------------------

    def now(self) -> float:
        """The fake's wall clock: real time plus whatever :meth:`advance` added."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward (expires trigger ids, response URLs, limits)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds

    def _next_ts(self) -> str:
        micros = max(int(self.now() * 1_000_000), self._last_ts + 1)
        self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):09X}"

    # -- workspace setup --------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        tz: str | None = "Asia/Baku",
        is_restricted: bool = False,
        is_ultra_restricted: bool = False,
        is_stranger: bool = False,
        is_bot: bool = False,
        name: str | None = None,
        *,
        real_name: str | None = None,
        tz_label: str | None = None,
        email: str | None = None,
    ) -> None:
        if not _USER_ID.match(user_id):
            raise ValueError(f"{user_id!r} is not a Slack user id (U... or W...)")
        if tz is not None:
            ZoneInfo(tz)  # raises for an unknown zone
        handle = name or user_id.lower()
        with self._lock:
            self._users[user_id] = _User(
                id=user_id,
                name=handle,
                tz=tz,
                tz_label=tz_label,
                is_restricted=is_restricted or is_ultra_restricted,
                is_ultra_restricted=is_ultra_restricted,
                is_stranger=is_stranger,
                is_bot=is_bot,
                real_name=real_name or handle,
                email=email,
            )

    def add_channel(
        self,
        channel_id: str,
        name: str,
        is_private: bool = False,
        is_member: bool = True,
        is_archived: bool = False,
        *,
        members: Iterable[str] | None = None,
    ) -> None:
        """Add a channel, or change the flags of an existing one (keeping its messages).

        ``members`` lists who is in it; left as None, every registered user is.
        """
        if not re.match(r"^[CG][A-Z0-9]+$", channel_id):
            raise ValueError(f"{channel_id!r} is not a channel id (C... or G...)")
        with self._lock:
            existing = self._channels.get(channel_id)
            channel = existing or _Channel(id=channel_id, name=name, created=int(self.now()))
            channel.name = name
            channel.is_private = is_private
            channel.is_member = is_member
            channel.is_archived = is_archived
            channel.members = None if members is None else list(members)
            self._channels[channel_id] = channel

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str,
        ts: str | None = None,
        thread_ts: str | None = None,
        blocks: list[JSONDict] | None = None,
    ) -> str:
        """Place a message from someone else in a channel (e.g. a user's post); returns its ts."""
        with self._lock:
            target = self._lookup_for_helpers(channel, create_im=True)
            assert target is not None
            stamp = ts or self._next_ts()
            message: JSONDict = {"type": "message", "user": user, "text": text, "ts": stamp}
            if blocks is not None:
                message["blocks"] = copy.deepcopy(blocks)
            if user in self._users:
                message["team"] = self.team_id
            self._store_message(target, message, thread_ts=thread_ts, broadcast=False)
            return stamp

    def revoke_token(self, token: str | None = None) -> None:
        """Make ``token`` (default: the bot token) answer ``token_revoked``."""
        with self._lock:
            self._revoked.add(token or self.token)

    def add_token(self, token: str) -> None:
        with self._lock:
            self._tokens.add(token)
            self._revoked.discard(token)

    def issue_trigger_id(self, user_id: str | None = None) -> str:
        """A trigger id as an interaction payload would carry; good once, for 3 seconds."""
        with self._lock:
            trigger = f"{int(self.now())}.{self.team_id[1:] or '1'}.{secrets.token_hex(16)}"
            self._triggers[trigger] = _Trigger(user=user_id, issued=self.now())
            return trigger

    def issue_response_url(
        self, channel: str | None = None, user: str | None = None, *, message_ts: str | None = None
    ) -> str:
        """A response URL as a slash command or interaction payload would carry.

        ``channel``/``user`` say where in_channel and ephemeral answers land;
        ``message_ts`` names the original message for ``replace_original``/``delete_original``.
        """
        with self._lock:
            ident = secrets.token_hex(12)
            self._response_urls[ident] = _ResponseURL(
                id=ident, channel=channel, user=user, message_ts=message_ts, issued=self.now()
            )
            return f"{self.base_url}response/{ident}"

    def close_views(self, user_id: str) -> None:
        """The user closes every modal they have open."""
        with self._lock:
            self._stacks.pop(user_id, None)

    # -- faults and limits ------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        kind: FaultKind,
        times: int = 1,
        retry_after: int = 1,
        *,
        delay: float = 1.0,
        drop_after_effect: bool = False,
    ) -> None:
        """Make the next ``times`` calls to ``method`` (``"*"``: any) misbehave.

        ``ratelimit``: 429 + Retry-After; ``server_error``: 500 ``internal_error``;
        ``drop``: close the connection unanswered (after applying the call when
        ``drop_after_effect``); ``slow``: apply the call, then wait ``delay`` seconds.
        """
        if kind not in ("ratelimit", "server_error", "drop", "slow"):
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._faults.setdefault(method, []).append(
                _Fault(kind, times, retry_after, delay, drop_after_effect)
            )

    def set_latency(self, method: str, seconds: float) -> None:
        """Delay every call of ``method`` (``"*"``: all methods) by ``seconds``."""
        with self._lock:
            if seconds <= 0:
                self._latency.pop(method, None)
            else:
                self._latency[method] = seconds

    def limit(
        self,
        method: str,
        per_channel_per_second: float | None = 1.0,
        workspace_per_minute: int | None = None,
        *,
        burst: int = 1,
    ) -> None:
        """Rate-limit ``method``: 429 ``ratelimited`` with Retry-After when exceeded.

        Per channel it is a token bucket (``burst`` calls, refilled at
        ``per_channel_per_second``); per workspace, a sliding 60-second window.
        Both None removes the limit.
        """
        with self._lock:
            if per_channel_per_second is None and workspace_per_minute is None:
                self._limits.pop(method, None)
            else:
                self._limits[method] = _Limit(per_channel_per_second, workspace_per_minute, burst)

    # -- inspection -------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if call.method == method]

    def refusals(self) -> list[Call]:
        """Calls Slack would not have accepted (any non-ok answer, injected faults excluded)."""
        with self._lock:
            return [call for call in self._calls if not call.ok and call.fault is None]

    def assert_all_accepted(self) -> None:
        bad = self.refusals()
        if bad:
            lines = [f"{c.method} -> {c.status} {json.dumps(c.response)[:300]}" for c in bad]
            raise AssertionError("Slack would have refused:\n" + "\n".join(lines))

    def reset(self) -> None:
        """Forget calls, messages, views, trigger ids, response URLs, faults and limit history.

        Users, channels, tokens, limits and latencies stay configured.
        """
        with self._lock:
            self._clear_activity()
            self._faults.clear()
            for channel in self._channels.values():
                channel.messages.clear()
            for rule in self._limits.values():
                rule.buckets.clear()
                rule.recent.clear()

    def messages(self, channel: str) -> list[JSONDict]:
        """What the channel shows, oldest first, thread replies included (with ``thread_ts``).

        ``channel`` may be an id, a name, ``#name``, or a user id (their DM with the bot).
        """
        with self._lock:
            target = self._lookup_for_helpers(channel, create_im=False)
            if target is None:
                return []
            return copy.deepcopy(sorted(target.messages, key=lambda m: _ts_key(m["ts"])))

    def ephemeral(self, user: str) -> list[JSONDict]:
        """Ephemeral messages shown to ``user`` (chat.postEphemeral and response URLs)."""
        with self._lock:
            return copy.deepcopy(self._ephemeral.get(user, []))

    def published_home(self, user: str) -> JSONDict | None:
        with self._lock:
            view = self._home.get(user)
            return copy.deepcopy(view) if view is not None else None

    def opened_views(self) -> list[JSONDict]:
        """Every view opened or pushed, in order, as Slack answered it."""
        with self._lock:
            return copy.deepcopy(self._opened)

    def open_views(self, user: str) -> list[JSONDict]:
        """The user's current modal stack, root first, with any updates applied."""
        with self._lock:
            return [copy.deepcopy(self._views[v]) for v in self._stacks.get(user, [])]

    def response_messages(self, response_url_id: str) -> list[JSONDict]:
        """Payloads accepted by a response URL (give its id or the whole URL)."""
        ident = response_url_id.rstrip("/").rsplit("/", 1)[-1]
        with self._lock:
            record = self._response_urls.get(ident)
            return copy.deepcopy(record.accepted) if record is not None else []

    # -- request handling -------------------------------------------------------------

    def _dispatch(self, path: str, query: str, headers: dict[str, str], body: bytes) -> _Reply:
        if path.startswith("/api/"):
            return self._serve_api(path[len("/api/") :], query, headers, body)
        if path.startswith("/response/"):
            return self._serve_response_url(path[len("/response/") :], headers, body)
        if path.startswith("/files/"):
            return self._serve_file(path[len("/files/") :], headers)
        return _Reply(404, {"ok": False, "error": "not_found"})

    # -- files (a file input's uploads, downloaded from url_private) -------------------

    def add_file(self, content: bytes, name: str, mimetype: str = "text/plain") -> JSONDict:
        """A file as a modal's file input hands it over; its url_private needs the bot token."""
        with self._lock:
            file_id = self._new_id("F")
            self._files[file_id] = (content, mimetype)
        return {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": mimetype,
            "filetype": name.rsplit(".", 1)[-1] if "." in name else "text",
            "size": len(content),
            "url_private": f"{self.base_url}files/{file_id}",
            "url_private_download": f"{self.base_url}files/{file_id}",
        }

    def _serve_file(self, file_id: str, headers: dict[str, str]) -> _Reply:
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        with self._lock:
            stored = self._files.get(file_id)
            allowed = token in self._tokens and token not in self._revoked
        found = stored is not None and allowed
        outcome: JSONDict = {"ok": True} if found else {"ok": False, "error": "file_not_found"}
        self._calls.append(
            Call(
                "files.download",
                {"file": file_id},
                headers,
                200 if found else 404,
                outcome,
                self.now(),
            )
        )
        if stored is None or not allowed:
            return _Reply(404, {"ok": False, "error": "file_not_found"})
        content, mimetype = stored
        return _Reply(200, {}, headers={"Content-Type": mimetype}, raw=content)

    def _take_fault(self, method: str) -> _Fault | None:
        for key in (method, "*"):
            queue = self._faults.get(key)
            if queue:
                fault = queue[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.pop(0)
                return fault
        return None

    def _record(
        self,
        method: str,
        args: JSONDict,
        headers: dict[str, str],
        reply: _Reply,
        *,
        fault: str | None = None,
        target: str | None = None,
    ) -> _Reply:
        status = 0 if reply.drop else reply.status
        self._calls.append(
            Call(method, args, headers, status, reply.body, self.now(), fault, target)
        )
        return reply

    def _parse(
        self, method: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[JSONDict, str | None, bool, str | None]:
        """Returns (args, token, json_without_charset, error)."""
        args: JSONDict = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        token = args.pop("token", None)
        ctype = headers.get("content-type", "").lower()
        missing_charset = False
        error: str | None = None
        if body:
            if ctype.startswith("application/json"):
                missing_charset = "charset" not in ctype
                try:
                    data = json.loads(body)
                except ValueError:
                    data = None
                if not isinstance(data, dict):
                    error = "invalid_json"
                elif method in JSON_METHODS:
                    data.pop("token", None)  # Slack does not read a token from a JSON body
                    args.update({k: v for k, v in data.items() if v is not None})
            elif ctype.startswith("multipart/form-data"):
                error = "invalid_form_data"
            else:
                text = body.decode("utf-8", errors="replace")
                form = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
                token = form.pop("token", token)
                args.update(form)
        for key in _JSON_ARGS:
            value = args.get(key)
            if isinstance(value, str) and value.strip():
                # left as sent when unparseable; the method answers with its format error
                with contextlib.suppress(ValueError):
                    args[key] = json.loads(value)
        auth = headers.get("authorization")
        if auth is not None:
            token = auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else ""
        return args, token, missing_charset, error

    def _serve_api(
        self, method: str, query: str, raw_headers: dict[str, str], body: bytes
    ) -> _Reply:
        headers = {k.lower(): v for k, v in raw_headers.items()}
        with self._lock:
            latency = self._latency.get(method, self._latency.get("*", 0.0))
        if latency:
            time.sleep(latency)
        args, token, missing_charset, parse_error = self._parse(method, query, headers, body)
        with self._lock:
            fault = self._take_fault(method)
            if fault is not None and fault.answers_instead:
                return self._record(
                    method, args, raw_headers, self._fault_reply(fault), fault=fault.kind
                )
            try:
                reply = self._answer(method, args, token, parse_error)
            except Exception as error:  # a defect in the fake must not look like a dropped call
                reply = _Reply(500, {"ok": False, "error": "fake_crashed", "detail": repr(error)})
            if reply.status == 200 and reply.body.get("ok") and missing_charset:
                reply.body["warning"] = "missing_charset"
                reply.body.setdefault("response_metadata", {}).setdefault("warnings", []).append(
                    "missing_charset"
                )
            applied_fault: str | None = None
            if fault is not None:
                applied_fault = fault.kind
                if fault.kind == "slow":
                    reply.delay = fault.delay
                else:
                    reply.drop = True
            elif reply.status == 429:
                applied_fault = "limit"
            return self._record(method, args, raw_headers, reply, fault=applied_fault)

    def _fault_reply(self, fault: _Fault) -> _Reply:
        if fault.kind == "ratelimit":
            return _Reply(
                429,
                {"ok": False, "error": "ratelimited"},
                {"Retry-After": str(fault.retry_after)},
            )
        if fault.kind == "server_error":
            return _Reply(500, {"ok": False, "error": "internal_error"})
        return _Reply(0, {}, drop=True)

    def _answer(
        self, method: str, args: JSONDict, token: str | None, parse_error: str | None
    ) -> _Reply:
        handler = self._handlers.get(method)
        if handler is None:
            return _Reply(404, {"ok": False, "error": "unknown_method", "req_method": method})
        if parse_error is not None:
            return _Reply(200, {"ok": False, "error": parse_error})
        if not token:
            return _Reply(200, {"ok": False, "error": "not_authed"})
        if token in self._revoked:
            return _Reply(200, {"ok": False, "error": "token_revoked"})
        if token not in self._tokens:
            return _Reply(200, {"ok": False, "error": "invalid_auth"})
        wait = self._check_limit(method, args)
        if wait is not None:
            return _Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)})
        try:
            body = handler(args)
        except _Refusal as refusal:
            body = {"ok": False, "error": refusal.error, **refusal.extra}
        return _Reply(200, body)

    def _check_limit(self, method: str, args: JSONDict) -> int | None:
        rule = self._limits.get(method)
        if rule is None:
            return None
        now = self.now()
        waits: list[float] = []
        channel = args.get("channel")
        new_bucket: tuple[float, float] | None = None
        if rule.per_channel_per_second and isinstance(channel, str) and channel:
            tokens, stamp = rule.buckets.get(channel, (float(rule.burst), now))
            tokens = min(float(rule.burst), tokens + (now - stamp) * rule.per_channel_per_second)
            if tokens >= 1.0:
                new_bucket = (tokens - 1.0, now)
            else:
                waits.append((1.0 - tokens) / rule.per_channel_per_second)
        if rule.workspace_per_minute is not None:
            while rule.recent and rule.recent[0] <= now - 60.0:
                rule.recent.popleft()
            if len(rule.recent) >= rule.workspace_per_minute:
                waits.append(rule.recent[0] + 60.0 - now)
        if waits:
            return max(1, math.ceil(max(waits)))
        if new_bucket is not None and isinstance(channel, str):
            rule.buckets[channel] = new_bucket
        if rule.workspace_per_minute is not None:
            rule.recent.append(now)
        return None

    # -- channel resolution -----------------------------------------------------------

    def _im_for(self, user: str) -> _Channel:
        for channel in self._channels.values():
            if channel.is_im and channel.user == user:
                return channel
        ident = f"D{user[1:]}"
        channel = _Channel(
            id=ident,
            name=ident,
            is_private=True,
            is_im=True,
            user=user,
            members=[user, self.bot_user_id],
            created=int(self.now()),
        )
        self._channels[ident] = channel
        return channel

    def _by_name(self, name: str) -> _Channel | None:
        wanted = name.lstrip("#")
        for channel in self._channels.values():
            if not channel.is_im and channel.name == wanted:
                return channel
        return None

    def _lookup_for_helpers(self, channel: str, *, create_im: bool) -> _Channel | None:
        if channel in self._channels:
            return self._channels[channel]
        if _USER_ID.match(channel):
            if create_im:
                return self._im_for(channel)
            return next((c for c in self._channels.values() if c.is_im and c.user == channel), None)
        if channel.startswith("D") and create_im:
            im = _Channel(
                id=channel, name=channel, is_private=True, is_im=True, created=int(self.now())
            )
            self._channels[channel] = im
            return im
        found = self._by_name(channel)
        if found is None and create_im:
            raise KeyError(f"no channel {channel!r}; add it with add_channel()")
        return found

    def _visible(self, channel: _Channel) -> bool:
        return not channel.is_private or channel.is_member or channel.is_im

    def _channel_for_post(self, value: object) -> _Channel:
        """Where chat.postMessage / chat.postEphemeral would deliver, or a refusal."""
        if not isinstance(value, str) or not value.strip():
            raise _Refusal("channel_not_found")
        value = value.strip()
        if _USER_ID.match(value):
            user = self._users.get(value)
            if user is None:
                raise _Refusal("channel_not_found")
            if user.is_bot and user.id != self.bot_user_id:
                raise _Refusal("cannot_dm_bot")
            return self._im_for(value)
        channel = self._channels.get(value)
        if channel is None and value.startswith("D") and _ID.match(value):
            channel = _Channel(
                id=value, name=value, is_private=True, is_im=True, created=int(self.now())
            )
            self._channels[value] = channel
        if channel is None and not _ID.match(value):
            channel = self._by_name(value)
        if channel is None or not self._visible(channel):
            raise _Refusal("channel_not_found")
        if channel.is_archived:
            raise _Refusal("is_archived")
        writable = channel.is_im or channel.is_member
        if not writable and (channel.is_private or not self.chat_write_public):
            raise _Refusal("not_in_channel")
        return channel

    def _channel_by_id(self, value: object) -> _Channel:
        """A conversation named by its id, as read methods and chat.update need."""
        if not isinstance(value, str) or not value:
            raise _Refusal("channel_not_found")
        channel = self._channels.get(value)
        if channel is None or not self._visible(channel):
            raise _Refusal("channel_not_found")
        return channel

    def _channel_members(self, channel: _Channel) -> list[str]:
        if channel.members is not None:
            members = list(channel.members)
        else:
            members = [u for u in self._users if u != self.bot_user_id]
        if channel.is_member and self.bot_user_id not in members:
            members.append(self.bot_user_id)
        if not channel.is_member and self.bot_user_id in members:
            members.remove(self.bot_user_id)
        return members

    def _channel_info(self, channel: _Channel, *, num_members: bool = False) -> JSONDict:
        if channel.is_im:
            return {
                "id": channel.id,
                "created": channel.created,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": self.team_id,
                "user": channel.user,
                "is_user_deleted": False,
                "priority": 0,
            }
        info: JSONDict = {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.id.startswith("G") and not channel.is_mpim,
            "is_group": channel.id.startswith("G") and not channel.is_mpim,
            "is_im": False,
            "is_mpim": channel.is_mpim,
            "is_private": channel.is_private,
            "created": channel.created,
            "is_archived": channel.is_archived,
            "is_general": False,
            "unlinked": 0,
            "name_normalized": channel.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_ext_shared": False,
            "is_pending_ext_shared": False,
            "context_team_id": self.team_id,
            "creator": "",
            "is_member": channel.is_member,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }
        if num_members:
            info["num_members"] = len(self._channel_members(channel))
        return info

    # -- message content ----------------------------------------------------------------

    def _content(self, args: JSONDict, *, require: bool = True) -> JSONDict:
        """Validate text/blocks/attachments/metadata; return the normalized fields given."""
        out: JSONDict = {}
        blocks, ok = _json_field(args, "blocks")
        if not ok:
            raise _Refusal("invalid_blocks_format")
        attachments, ok = _json_field(args, "attachments")
        if not ok or (attachments is not None and not isinstance(attachments, list)):
            raise _Refusal("invalid_attachments")
        metadata, ok = _json_field(args, "metadata")
        if not ok or (metadata is not None and not isinstance(metadata, dict)):
            raise _Refusal("invalid_metadata_format")
        text = args.get("text")
        if text is not None and not isinstance(text, str):
            text = json.dumps(text) if isinstance(text, dict | list) else str(text)
        if blocks is not None and not isinstance(blocks, list):
            raise _Refusal("invalid_blocks_format")
        has_content = bool(text) or bool(blocks) or bool(attachments)
        if require and not has_content:
            raise _Refusal("no_text")
        if "text" in args and not require and not has_content:
            raise _Refusal("no_text")
        if text is not None and len(text) > MAX_TEXT_CHARS:
            raise _Refusal("msg_too_long")
        if blocks is not None:
            problems = validate_blocks(blocks, "message")
            if problems:
                raise self._invalid_blocks(problems)
            if blocks_text_length(blocks) > self.max_blocks_text:
                raise _Refusal("msg_blocks_too_long")
        if attachments is not None:
            if len(attachments) > MAX_ATTACHMENTS:
                raise _Refusal("too_many_attachments")
            for index, attachment in enumerate(attachments):
                if not isinstance(attachment, dict):
                    raise _Refusal("invalid_attachments")
                if "blocks" in attachment:
                    problems = validate_blocks(
                        attachment["blocks"], "message", pointer=f"/attachments/{index}/blocks"
                    )
                    if problems:
                        raise self._invalid_blocks(problems)
        if metadata is not None:
            event_type = metadata.get("event_type")
            payload = metadata.get("event_payload")
            if not isinstance(event_type, str) or not event_type or not isinstance(payload, dict):
                raise _Refusal("invalid_metadata_schema")
            if set(metadata) - {"event_type", "event_payload"}:
                raise _Refusal("invalid_metadata_schema")
        if text is not None:
            out["text"] = text
        if blocks is not None:
            out["blocks"] = self._with_block_ids(blocks)
        if attachments is not None:
            out["attachments"] = [
                {"id": index + 1, **item} for index, item in enumerate(copy.deepcopy(attachments))
            ]
        if metadata is not None:
            out["metadata"] = copy.deepcopy(metadata)
        return out

    @staticmethod
    def _invalid_blocks(problems: list[str]) -> _Refusal:
        return _Refusal(
            "invalid_blocks",
            errors=list(problems),
            response_metadata={"messages": [f"[ERROR] {p}" for p in problems]},
        )

    @staticmethod
    def _with_block_ids(blocks: list[Any]) -> list[Any]:
        out = copy.deepcopy(blocks)
        for block in out:
            if isinstance(block, dict) and "block_id" not in block:
                block["block_id"] = secrets.token_urlsafe(4)[:5]
        return out

    def _bot_message(self, ts: str, content: JSONDict) -> JSONDict:
        message: JSONDict = {
            "user": self.bot_user_id,
            "type": "message",
            "ts": ts,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": content.get("text", ""),
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": self.bot_name,
                "deleted": False,
                "team_id": self.team_id,
            },
        }
        for key in ("blocks", "attachments", "metadata"):
            if key in content:
                message[key] = content[key]
        return message

    def _find(self, channel: _Channel, ts: str) -> JSONDict | None:
        return next((m for m in channel.messages if m["ts"] == ts), None)

    def _store_message(
        self, channel: _Channel, message: JSONDict, *, thread_ts: str | None, broadcast: bool
    ) -> None:
        if thread_ts:
            parent = self._find(channel, thread_ts)
            if parent is not None and parent.get("thread_ts", parent["ts"]) != parent["ts"]:
                thread_ts = parent["thread_ts"]
                parent = self._find(channel, thread_ts)
            message["thread_ts"] = thread_ts
            if parent is not None:
                author = message.get("user")
                message["parent_user_id"] = parent.get("user")
                parent["thread_ts"] = parent["ts"]
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                users = parent.setdefault("reply_users", [])
                if author and author not in users:
                    users.append(author)
                parent["reply_users_count"] = len(users)
                parent["latest_reply"] = message["ts"]
            if broadcast:
                message["subtype"] = "thread_broadcast"
        channel.messages.append(message)
        channel.messages.sort(key=lambda m: _ts_key(m["ts"]))

    # -- methods: auth, chat ------------------------------------------------------------

    def _auth_test(self, args: JSONDict) -> JSONDict:
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: JSONDict) -> JSONDict:
        channel = self._channel_for_post(args.get("channel"))
        content = self._content(args)
        thread_ts = args.get("thread_ts") or None
        if thread_ts is not None and (not isinstance(thread_ts, str) or not _TS.match(thread_ts)):
            raise _Refusal("invalid_thread_ts")
        ts = self._next_ts()
        message = self._bot_message(ts, content)
        self._store_message(
            channel, message, thread_ts=thread_ts, broadcast=_truthy(args.get("reply_broadcast"))
        )
        return {"ok": True, "channel": channel.id, "ts": ts, "message": copy.deepcopy(message)}

    def _chat_post_ephemeral(self, args: JSONDict) -> JSONDict:
        channel = self._channel_for_post(args.get("channel"))
        user = args.get("user")
        if not isinstance(user, str) or user not in self._users:
            raise _Refusal("user_not_in_channel")
        if channel.is_im:
            if channel.user is not None and user != channel.user:
                raise _Refusal("user_not_in_channel")
        elif user not in self._channel_members(channel):
            raise _Refusal("user_not_in_channel")
        content = self._content(args)
        ts = self._next_ts()
        message = self._bot_message(ts, content)
        message.update({"channel": channel.id, "message_ts": ts})
        thread_ts = args.get("thread_ts")
        if thread_ts:
            message["thread_ts"] = thread_ts
        self._ephemeral.setdefault(user, []).append(message)
        return {"ok": True, "message_ts": ts}

    def _own_message(
        self, args: JSONDict, key: str, *, deleting: bool
    ) -> tuple[_Channel, JSONDict]:
        channel = self._channel_by_id(args.get("channel"))
        ts = args.get(key)
        message = self._find(channel, ts) if isinstance(ts, str) else None
        if message is None or message.get("subtype") == "tombstone":
            raise _Refusal("message_not_found")
        if message.get("bot_id") != self.bot_id:
            raise _Refusal("cant_delete_message" if deleting else "cant_update_message")
        return channel, message

    def _chat_update(self, args: JSONDict) -> JSONDict:
        channel, message = self._own_message(args, "ts", deleting=False)
        if channel.is_archived:
            raise _Refusal("is_archived")
        has_any = any(k in args for k in ("text", "blocks", "attachments"))
        if not has_any:
            raise _Refusal("no_text")
        content = self._content(args, require=False)
        message.update(content)
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "ok": True,
            "channel": channel.id,
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": copy.deepcopy(message),
        }

    def _delete(self, channel: _Channel, message: JSONDict) -> None:
        if message.get("reply_count"):
            tombstone: JSONDict = {
                key: message[key]
                for key in ("ts", "thread_ts", "reply_count", "reply_users", "latest_reply")
                if key in message
            }
            message.clear()
            message.update(tombstone)
            message.update(
                {"type": "message", "subtype": "tombstone", "text": "This message was deleted."}
            )
            return
        channel.messages.remove(message)
        parent_ts = message.get("thread_ts")
        if parent_ts and parent_ts != message["ts"]:
            parent = self._find(channel, parent_ts)
            if parent is not None and parent.get("reply_count"):
                parent["reply_count"] -= 1

    def _chat_delete(self, args: JSONDict) -> JSONDict:
        channel, message = self._own_message(args, "ts", deleting=True)
        ts = message["ts"]
        self._delete(channel, message)
        return {"ok": True, "channel": channel.id, "ts": ts}

    def _chat_get_permalink(self, args: JSONDict) -> JSONDict:
        channel = self._channel_by_id(args.get("channel"))
        ts = args.get("message_ts")
        message = self._find(channel, ts) if isinstance(ts, str) else None
        if message is None:
            raise _Refusal("message_not_found")
        link = f"https://{self.team_domain}.slack.com/archives/{channel.id}/p{message['ts'].replace('.', '')}"
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message["ts"]:
            link += f"?thread_ts={thread_ts}&cid={channel.id}"
        return {"ok": True, "channel": channel.id, "permalink": link}

    # -- methods: views -----------------------------------------------------------------

    def _view_arg(self, args: JSONDict, expected: str | None) -> JSONDict:
        if "view" not in args:
            raise _Refusal(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: view"]},
            )
        view, ok = _json_field(args, "view")
        if not ok:
            raise _Refusal(
                "invalid_arguments",
                response_metadata={
                    "messages": ["[ERROR] failed to parse json [json-pointer:/view]"]
                },
            )
        problems = validate_view(view, expected)
        if problems:
            raise _Refusal(
                "invalid_arguments",
                response_metadata={"messages": [f"[ERROR] {p}" for p in problems]},
            )
        assert isinstance(view, dict)
        return view

    def _check_trigger(self, args: JSONDict) -> _Trigger:
        trigger_id = args.get("trigger_id") or args.get("interactivity_pointer")
        if not trigger_id:
            raise _Refusal(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]},
            )
        trigger = self._triggers.get(str(trigger_id))
        if trigger is None:
            raise _Refusal("invalid_trigger_id")
        if trigger.used:
            raise _Refusal("exchanged_trigger_id")
        if self.now() - trigger.issued > TRIGGER_LIFETIME:
            raise _Refusal("expired_trigger_id")
        return trigger

    def _check_external_id(self, view: JSONDict, keep: str | None = None) -> None:
        external = view.get("external_id")
        if not external:
            return
        for ident, existing in self._views.items():
            if ident != keep and existing.get("external_id") == external:
                raise _Refusal("duplicate_external_id")

    def _new_hash(self) -> str:
        return f"{int(self.now())}.{secrets.token_hex(4)}"

    def _view_object(
        self, view: JSONDict, ident: str, *, root: str | None, previous: str | None
    ) -> JSONDict:
        return {
            "id": ident,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": self._with_block_ids(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": self._new_hash(),
            "title": copy.deepcopy(view.get("title")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": copy.deepcopy(view.get("close")),
            "submit": copy.deepcopy(view.get("submit")),
            "previous_view_id": previous,
            "root_view_id": root or ident,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def _views_open(self, args: JSONDict) -> JSONDict:
        trigger = self._check_trigger(args)
        view = self._view_arg(args, "modal")
        self._check_external_id(view)
        trigger.used = True
        ident = self._new_id("V")
        obj = self._view_object(view, ident, root=None, previous=None)
        self._views[ident] = obj
        self._view_owner[ident] = trigger.user
        if trigger.user is not None:
            self._stacks[trigger.user] = [ident]
        self._opened.append(copy.deepcopy(obj))
        return {"ok": True, "view": copy.deepcopy(obj)}

    def _views_push(self, args: JSONDict) -> JSONDict:
        trigger = self._check_trigger(args)
        view = self._view_arg(args, "modal")
        self._check_external_id(view)
        stack = self._stacks.get(trigger.user, []) if trigger.user is not None else []
        if len(stack) >= VIEW_STACK_LIMIT:
            raise _Refusal("push_limit_reached")
        trigger.used = True
        ident = self._new_id("V")
        root = stack[0] if stack else None
        previous = stack[-1] if stack else None
        obj = self._view_object(view, ident, root=root, previous=previous)
        self._views[ident] = obj
        self._view_owner[ident] = trigger.user
        if trigger.user is not None:
            self._stacks.setdefault(trigger.user, []).append(ident)
        self._opened.append(copy.deepcopy(obj))
        return {"ok": True, "view": copy.deepcopy(obj)}

    def _views_update(self, args: JSONDict) -> JSONDict:
        ident = args.get("view_id")
        external = args.get("external_id")
        if not ident and not external:
            raise _Refusal(
                "invalid_arguments",
                response_metadata={
                    "messages": ["[ERROR] missing required field: view_id or external_id"]
                },
            )
        current = None
        if ident:
            current = self._views.get(str(ident))
        else:
            current = next(
                (v for v in self._views.values() if v.get("external_id") == external), None
            )
        if current is None:
            raise _Refusal("not_found")
        view = self._view_arg(args, current["type"])
        expected_hash = args.get("hash")
        if expected_hash and expected_hash != current["hash"]:
            raise _Refusal("hash_conflict")
        self._check_external_id(view, keep=current["id"])
        obj = self._view_object(
            view, current["id"], root=current["root_view_id"], previous=current["previous_view_id"]
        )
        self._views[current["id"]] = obj
        owner = self._view_owner.get(current["id"])
        if obj["type"] == "home" and owner is not None:
            self._home[owner] = obj
        return {"ok": True, "view": copy.deepcopy(obj)}

    def _views_publish(self, args: JSONDict) -> JSONDict:
        user = args.get("user_id")
        if not isinstance(user, str) or not user:
            raise _Refusal(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: user_id"]},
            )
        if user not in self._users:
            raise _Refusal("user_not_found")
        view = self._view_arg(args, "home")
        current = self._home.get(user)
        expected_hash = args.get("hash")
        if expected_hash and (current is None or expected_hash != current["hash"]):
            raise _Refusal("hash_conflict")
        ident = current["id"] if current is not None else self._new_id("V")
        self._check_external_id(view, keep=ident)
        obj = self._view_object(view, ident, root=None, previous=None)
        self._views[ident] = obj
        self._view_owner[ident] = user
        self._home[user] = obj
        return {"ok": True, "view": copy.deepcopy(obj)}

    # -- methods: users, conversations ----------------------------------------------------

    def _user_object(self, user: _User, *, locale: bool) -> JSONDict:
        obj: JSONDict = {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "deleted": False,
            "color": "9f69e7",
            "real_name": user.real_name,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": user.is_restricted,
            "is_ultra_restricted": user.is_ultra_restricted,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
            "is_email_confirmed": not user.is_bot,
            "who_can_share_contact_card": "EVERYONE",
            "profile": {
                "real_name": user.real_name,
                "real_name_normalized": user.real_name,
                "display_name": user.name,
                "display_name_normalized": user.name,
                "first_name": user.real_name.split(" ")[0],
                "last_name": " ".join(user.real_name.split(" ")[1:]),
                "title": "",
                "phone": "",
                "skype": "",
                "status_text": "",
                "status_emoji": "",
                "status_expiration": 0,
                "avatar_hash": "g000000000",
                "image_24": "https://secure.gravatar.com/avatar/0.jpg?s=24",
                "image_48": "https://secure.gravatar.com/avatar/0.jpg?s=48",
                "image_72": "https://secure.gravatar.com/avatar/0.jpg?s=72",
                "team": self.team_id,
            },
        }
        if user.email:
            obj["profile"]["email"] = user.email
        if user.is_bot:
            obj["profile"]["bot_id"] = (
                self.bot_id if user.id == self.bot_user_id else f"B{user.id[1:]}"
            )
        if user.is_stranger:
            obj["is_stranger"] = True
        if user.tz is not None:
            zone = ZoneInfo(user.tz)
            offset = datetime.now(UTC).astimezone(zone).utcoffset()
            seconds = int(offset.total_seconds()) if offset is not None else 0
            obj["tz"] = user.tz
            obj["tz_offset"] = seconds
            obj["tz_label"] = user.tz_label or _tz_label(user.tz, seconds)
        if locale:
            obj["locale"] = "en-US"
        return obj

    def _users_info(self, args: JSONDict) -> JSONDict:
        ident = args.get("user")
        user = self._users.get(ident) if isinstance(ident, str) else None
        if user is None:
            raise _Refusal("user_not_found")
        return {
            "ok": True,
            "user": self._user_object(user, locale=_truthy(args.get("include_locale"))),
        }

    def _users_conversations(self, args: JSONDict) -> JSONDict:
        types = str(args.get("types") or "public_channel").split(",")
        user = args.get("user") or self.bot_user_id
        exclude_archived = _truthy(args.get("exclude_archived"))
        found = []
        for channel in self._channels.values():
            kind = (
                "im"
                if channel.is_im
                else "mpim"
                if channel.is_mpim
                else "private_channel"
                if channel.is_private
                else "public_channel"
            )
            if kind not in types or (exclude_archived and channel.is_archived):
                continue
            if channel.is_im:
                if user not in (channel.user, self.bot_user_id):
                    continue
            elif user not in self._channel_members(channel):
                continue
            found.append(self._channel_info(channel))
        return {"ok": True, "channels": found, "response_metadata": {"next_cursor": ""}}

    def _conversations_info(self, args: JSONDict) -> JSONDict:
        channel = self._channel_by_id(args.get("channel"))
        info = self._channel_info(channel, num_members=_truthy(args.get("include_num_members")))
        return {"ok": True, "channel": info}

    def _conversations_join(self, args: JSONDict) -> JSONDict:
        value = args.get("channel")
        channel = self._channels.get(value) if isinstance(value, str) else None
        if channel is None:
            raise _Refusal("channel_not_found")
        if channel.is_im or channel.is_mpim or channel.is_private:
            raise _Refusal("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise _Refusal("is_archived")
        body: JSONDict = {"ok": True}
        if channel.is_member:
            body["warning"] = "already_in_channel"
            body["response_metadata"] = {"warnings": ["already_in_channel"]}
        channel.is_member = True
        if channel.members is not None and self.bot_user_id not in channel.members:
            channel.members.append(self.bot_user_id)
        body["channel"] = self._channel_info(channel)
        return body

    def _readable(self, args: JSONDict) -> _Channel:
        channel = self._channel_by_id(args.get("channel"))
        if not channel.is_im and not channel.is_member:
            raise _Refusal("not_in_channel")
        return channel

    @staticmethod
    def _limit_arg(args: JSONDict, default: int, maximum: int) -> int:
        raw = args.get("limit")
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except (TypeError, ValueError) as error:
            raise _Refusal("invalid_limit") from error
        if value <= 0:
            return default
        return min(value, maximum)

    def _present(self, message: JSONDict, *, metadata: bool) -> JSONDict:
        out = copy.deepcopy(message)
        if not metadata:
            out.pop("metadata", None)
        return out

    def _conversations_history(self, args: JSONDict) -> JSONDict:
        channel = self._readable(args)
        limit = self._limit_arg(args, 100, 999)
        inclusive = _truthy(args.get("inclusive"))
        oldest = self._ts_arg(args, "oldest", "invalid_ts_oldest", 0.0)
        latest = self._ts_arg(args, "latest", "invalid_ts_latest", math.inf)
        with_metadata = _truthy(args.get("include_all_metadata"))
        shown = [
            m
            for m in channel.messages
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]
        shown.sort(key=lambda m: _ts_key(m["ts"]), reverse=True)

        def inside(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        shown = [m for m in shown if inside(_ts_key(m["ts"]))]
        cursor = args.get("cursor")
        if cursor:
            start = _ts_key(_decode_cursor(str(cursor)))
            shown = [m for m in shown if _ts_key(m["ts"]) <= start]
        page = shown[:limit]
        has_more = len(shown) > limit
        body: JSONDict = {
            "ok": True,
            "messages": [self._present(m, metadata=with_metadata) for m in page],
            "has_more": has_more,
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
        }
        if has_more:
            body["response_metadata"] = {"next_cursor": _encode_cursor(shown[limit]["ts"])}
        return body

    @staticmethod
    def _ts_arg(args: JSONDict, key: str, error: str, default: float) -> float:
        raw = args.get(key)
        if raw in (None, ""):
            return default
        try:
            return float(raw)
        except (TypeError, ValueError) as problem:
            raise _Refusal(error) from problem

    def _conversations_replies(self, args: JSONDict) -> JSONDict:
        channel = self._readable(args)
        ts = args.get("ts")
        parent = self._find(channel, ts) if isinstance(ts, str) else None
        if parent is None:
            raise _Refusal("thread_not_found")
        root = parent.get("thread_ts") or parent["ts"]
        with_metadata = _truthy(args.get("include_all_metadata"))
        thread = [m for m in channel.messages if m["ts"] == root or m.get("thread_ts") == root]
        thread.sort(key=lambda m: _ts_key(m["ts"]))
        limit = self._limit_arg(args, 1000, 1000)
        return {
            "ok": True,
            "messages": [self._present(m, metadata=with_metadata) for m in thread[:limit]],
            "has_more": len(thread) > limit,
        }

    def _conversations_members(self, args: JSONDict) -> JSONDict:
        channel = self._channel_by_id(args.get("channel"))
        members = self._channel_members(channel)
        if channel.is_im:
            members = [m for m in (channel.user, self.bot_user_id) if m]
        limit = self._limit_arg(args, 100, 1000)
        cursor = args.get("cursor")
        start = 0
        if cursor:
            try:
                start = int(base64.b64decode(str(cursor)).decode().partition(":")[2])
            except (ValueError, UnicodeDecodeError) as error:
                raise _Refusal("invalid_cursor") from error
        page = members[start : start + limit]
        following = start + limit
        next_cursor = (
            base64.b64encode(f"offset:{following}".encode()).decode()
            if following < len(members)
            else ""
        )
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _conversations_open(self, args: JSONDict) -> JSONDict:
        if args.get("channel"):
            channel = self._channel_by_id(args.get("channel"))
            return {"ok": True, "channel": {"id": channel.id}}
        users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
        if not users:
            raise _Refusal("users_list_not_supplied")
        for user in users:
            if user not in self._users:
                raise _Refusal("user_not_found")
        if len(users) == 1:
            if users[0] != self.bot_user_id and self._users[users[0]].is_bot:
                raise _Refusal("cannot_dm_bot")
            existing = any(c.is_im and c.user == users[0] for c in self._channels.values())
            im = self._im_for(users[0])
            body: JSONDict = {"ok": True, "channel": {"id": im.id}}
            if existing:
                body["no_op"] = True
                body["already_open"] = True
            return body
        members = sorted({*users, self.bot_user_id})
        for channel in self._channels.values():
            if channel.is_mpim and sorted(channel.members or []) == members:
                return {"ok": True, "channel": {"id": channel.id}}
        ident = self._new_id("G")
        name = "mpdm-" + "--".join(self._users[m].name for m in members) + "-1"
        self._channels[ident] = _Channel(
            id=ident,
            name=name,
            is_private=True,
            is_mpim=True,
            members=members,
            created=int(self.now()),
        )
        return {"ok": True, "channel": {"id": ident}}

    # -- response URLs --------------------------------------------------------------------

    def _serve_response_url(self, ident: str, raw_headers: dict[str, str], body: bytes) -> _Reply:
        headers = {k.lower(): v for k, v in raw_headers.items()}
        with self._lock:
            latency = self._latency.get("response_url", 0.0)
        if latency:
            time.sleep(latency)
        payload: JSONDict = {}
        bad_payload = False
        ctype = headers.get("content-type", "").lower()
        text = body.decode("utf-8", errors="replace")
        try:
            if ctype.startswith("application/json"):
                parsed = json.loads(text) if text else {}
            else:
                form = parse_qs(text, keep_blank_values=True)
                parsed = json.loads(form["payload"][0]) if "payload" in form else {}
        except (ValueError, KeyError):
            parsed = None
        if isinstance(parsed, dict):
            payload = parsed
        else:
            bad_payload = True
        with self._lock:
            fault = self._take_fault("response_url")
            if fault is not None and fault.answers_instead:
                return self._record(
                    "response_url",
                    payload,
                    raw_headers,
                    self._fault_reply(fault),
                    fault=fault.kind,
                    target=ident,
                )
            reply = self._answer_response_url(ident, payload, bad_payload)
            applied = None
            if fault is not None:
                applied = fault.kind
                if fault.kind == "slow":
                    reply.delay = fault.delay
                else:
                    reply.drop = True
            return self._record(
                "response_url", payload, raw_headers, reply, fault=applied, target=ident
            )

    def _answer_response_url(self, ident: str, payload: JSONDict, bad_payload: bool) -> _Reply:
        record = self._response_urls.get(ident)
        if record is None:
            return _Reply(404, {"ok": False, "error": "invalid_url"})
        if record.uses >= RESPONSE_URL_USES or self.now() - record.issued > RESPONSE_URL_LIFETIME:
            return _Reply(404, {"ok": False, "error": "expired_url"})
        record.uses += 1
        if bad_payload:
            return _Reply(400, {"ok": False, "error": "invalid_payload"})
        try:
            self._apply_response(record, payload)
        except _Refusal as refusal:
            return _Reply(400, {"ok": False, "error": refusal.error, **refusal.extra})
        record.accepted.append(copy.deepcopy(payload))
        return _Reply(200, {"ok": True})

    def _apply_response(self, record: _ResponseURL, payload: JSONDict) -> None:
        channel = self._channels.get(record.channel or "")
        if channel is None and record.channel and _USER_ID.match(record.channel):
            channel = self._im_for(record.channel)
        if _truthy(payload.get("delete_original")):
            if record.message_ts and channel is not None:
                original = self._find(channel, record.message_ts)
                if original is None:
                    raise _Refusal("message_not_found")
                self._delete(channel, original)
            elif record.last_ephemeral is not None and record.user is not None:
                shown = self._ephemeral.get(record.user, [])
                if record.last_ephemeral in shown:
                    shown.remove(record.last_ephemeral)
                record.last_ephemeral = None
            return
        content = self._content(payload)
        response_type = payload.get("response_type", "ephemeral")
        if response_type not in ("ephemeral", "in_channel"):
            raise _Refusal("invalid_response_type")
        if _truthy(payload.get("replace_original")):
            if record.message_ts and channel is not None:
                original = self._find(channel, record.message_ts)
                if original is None:
                    raise _Refusal("message_not_found")
                for key in ("blocks", "attachments"):
                    original.pop(key, None)
                original.update(content)
                original.setdefault("text", "")
                return
            if record.last_ephemeral is not None:
                for key in ("blocks", "attachments", "text"):
                    record.last_ephemeral.pop(key, None)
                record.last_ephemeral.update(content)
                return
        ts = self._next_ts()
        message = self._bot_message(ts, content)
        if response_type == "in_channel" and channel is not None:
            self._store_message(
                channel, message, thread_ts=payload.get("thread_ts"), broadcast=False
            )
            return
        if record.user is not None:
            message.update({"channel": channel.id if channel else record.channel, "message_ts": ts})
            self._ephemeral.setdefault(record.user, []).append(message)
            record.last_ephemeral = message


def _tz_label(zone: str, offset_seconds: int) -> str:
    sign = "+" if offset_seconds >= 0 else "-"
    hours, minutes = divmod(abs(offset_seconds) // 60, 60)
    try:
        abbreviation = datetime.now(UTC).astimezone(ZoneInfo(zone)).tzname() or ""
    except ZoneInfoNotFoundError:
        abbreviation = ""
    if abbreviation and abbreviation.isalpha():
        return f"{abbreviation} (GMT{sign}{hours:02d}:{minutes:02d})"
    return f"GMT{sign}{hours:02d}:{minutes:02d}"
