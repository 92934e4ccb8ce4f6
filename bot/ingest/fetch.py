"""Fetching a report by URL: a timeout, a size limit, text or HTML only, and no
address in a private, loopback or link-local range unless allowed — so the
feature cannot be used to reach the bot's own network. The address checked is
the address connected to (no second DNS lookup that could answer differently)."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

MAX_BYTES = 2_000_000
TIMEOUT = 10.0
MAX_REDIRECTS = 3
TEXT_TYPES = ("text/html", "text/plain", "application/xhtml+xml")


class FetchRefused(Exception):
    """The URL cannot or may not be fetched; the message says why, for the user."""


@dataclass(frozen=True)
class Fetched:
    url: str
    content_type: str
    body: bytes


def _check_address(host: str, port: int, allow_private: bool) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchRefused(f"{host} could not be found.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not allow_private and (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            raise FetchRefused(
                f"{host} resolves to a private or local address ({address}); "
                "reports are fetched only from public addresses."
            )
    return str(infos[0][4][0])


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the certificate checked for the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch(
    url: str, allow_private: bool = False, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT
) -> Fetched:
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchRefused("Only http:// and https:// addresses can be fetched.")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _check_address(parts.hostname, port, allow_private)
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            connection = _PinnedHTTPSConnection(parts.hostname, address, port, timeout)
        else:
            connection = http.client.HTTPConnection(address, port, timeout=timeout)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            connection.request(
                "GET",
                path,
                headers={
                    "Host": parts.netloc,
                    "User-Agent": "Sitrep/1 (report reader)",
                    "Accept": "text/html, text/plain",
                },
            )
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location", ""))
                continue
            if response.status != 200:
                raise FetchRefused(f"The server answered {response.status} {response.reason}.")
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if content_type not in TEXT_TYPES:
                raise FetchRefused(
                    f"That address gives {content_type or 'something unnamed'}, not a text or HTML page."
                )
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchRefused(f"The page is larger than {max_bytes // 1_000_000} MB.")
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise FetchRefused(f"The page is larger than {max_bytes // 1_000_000} MB.")
            return Fetched(url, content_type, body)
        except (OSError, http.client.HTTPException) as exc:
            raise FetchRefused(f"The page could not be fetched ({type(exc).__name__}).") from exc
        finally:
            connection.close()
    raise FetchRefused("Too many redirects.")
