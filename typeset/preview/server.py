"""The preview's HTTP side: `python build.py serve` (see preview.py for the rebuilding).

The server (standard library) serves only what the page loads: the page itself, the files
of `html_page.asset_map` by their exact relative URL, the PDF, and the event stream the
reload script listens to. No URL is ever joined to a folder, and each file is read with
the build's confinement (read/confined.py: the file opened must lie in the manuscript's
or the style's folder, links followed), so nothing else on the disk can be reached, not
even through a figure swapped for a link. It binds to 127.0.0.1 unless told otherwise,
and then also refuses requests whose Host header is not a loopback name (a web page
elsewhere cannot use DNS rebinding to read the preview).

Each connection is served by a thread of its own, at most MAX_CONNECTIONS at once (one
more is answered 503 and closed at once), and a connection that sends nothing for
IDLE_SECONDS is closed: idle clients cannot pile up threads. The open tabs' event streams
count among the connections; they write every few seconds and are never idle.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import signal
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from typeset.preview.state import (
    CONTENT_TYPES,
    EVENTS_PATH,
    KEEPALIVE_SECONDS,
    LOOPBACK_NAMES,
    Preview,
    stamp,
)
from typeset.read.confined import Refused, read_confined
from typeset.read.resources import MAX_IMAGE_BYTES as MAX_ASSET_BYTES
from typeset.read.source import display_path

log = logging.getLogger("typeset.preview")

MAX_CONNECTIONS = 64
IDLE_SECONDS = 10.0



class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # a waiting event stream never holds the process
    request_queue_size = 128  # connections waiting to be accepted (refused beyond)

    def __init__(self, preview: Preview, host: str = "127.0.0.1", port: int = 8000, *,
                 max_connections: int = MAX_CONNECTIONS, idle_seconds: float = IDLE_SECONDS):
        self.preview = preview
        self.loopback = _is_loopback(host)
        self.idle_seconds = idle_seconds
        self._slots = threading.BoundedSemaphore(max_connections)
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), PreviewHandler)

    def process_request(self, request, client_address) -> None:
        if not self._slots.acquire(blocking=False):
            # Every slot is taken: say so and close, without a thread.
            with contextlib.suppress(OSError):
                request.sendall(b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain"
                                b"\r\nConnection: close\r\n\r\ntoo many connections\n")
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread was started: its slot is free again
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "typeset-preview"
    sys_version = ""

    def setup(self) -> None:
        self.timeout = self.server.idle_seconds  # the socket's: a silent client is let go
        super().setup()

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _respond(self, send_body: bool) -> None:
        if not self._host_allowed():
            self._plain(HTTPStatus.FORBIDDEN, "unexpected Host header", send_body)
            return
        preview = self.server.preview
        path = unquote(urlsplit(self.path).path)
        if path in ("/", "/" + preview.page_name):
            snapshot = preview.snapshot
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", snapshot.page, send_body)
        elif path == EVENTS_PATH and send_body:
            self._events()
        elif path == "/" + preview.pdf_name:
            self._pdf(send_body)
        elif path == "/favicon.ico":
            # Browsers ask for it unprompted; a 404 would be a console error in every tab.
            self._send(HTTPStatus.NO_CONTENT, "image/x-icon", b"", send_body)
        else:
            snapshot = preview.snapshot
            self._asset(snapshot.assets.get(path[1:]), snapshot.roots, send_body)

    def _asset(self, source: Path | None, roots: tuple[Path, ...], send_body: bool) -> None:
        file_stamp = stamp(source) if source is not None else None
        if file_stamp is None:
            self._plain(HTTPStatus.NOT_FOUND, "not found", send_body)
            return
        # Revalidated on every reload, but sent again only when changed: the fonts are
        # megabytes, and the page reloads on each save.
        etag = f'"{file_stamp[0]:x}-{file_stamp[1]:x}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            return
        try:
            data = read_confined(source, roots, MAX_ASSET_BYTES)
        except Refused as reason:
            log.debug("refused to serve %s: %s", source, reason)
            self._plain(HTTPStatus.NOT_FOUND, "not found", send_body)
            return
        kind = CONTENT_TYPES.get(source.suffix.lower(), "application/octet-stream")
        self._send(HTTPStatus.OK, kind, data, send_body,
                   {"ETag": etag, "Cache-Control": "no-cache"})

    def _host_allowed(self) -> bool:
        if not self.server.loopback:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        name = host[1:host.find("]")] if host.startswith("[") else host.rsplit(":", 1)[0]
        return name in LOOPBACK_NAMES

    def _pdf(self, send_body: bool) -> None:
        preview = self.server.preview
        if not preview.pdf_enabled:
            self._plain(HTTPStatus.NOT_FOUND, "the preview was started without --pdf: "
                        "restart it with --pdf to see the PDF here", send_body)
            return
        data, error = preview.current_pdf()
        if data is None:
            self._plain(HTTPStatus.SERVICE_UNAVAILABLE, error or "no PDF", send_body)
        else:
            self._send(HTTPStatus.OK, "application/pdf", data, send_body)

    def _events(self) -> None:
        """Server-sent events: "version assets-version" of the current build now, then of
        each new one."""
        preview = self.server.preview
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        snapshot = preview.snapshot
        version = snapshot.version
        try:
            self.wfile.write(f"retry: 500\ndata: {version} {snapshot.assets_version}\n\n".encode())
            self.wfile.flush()
            while not preview.stopping:
                preview.wait_for_version(version, KEEPALIVE_SECONDS)
                if preview.stopping:
                    break
                snapshot = preview.snapshot
                message = (f"data: {snapshot.version} {snapshot.assets_version}\n\n"
                           if snapshot.version != version else ": idle\n\n")
                version = snapshot.version
                self.wfile.write(message.encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # the tab was closed or reloaded
        self.close_connection = True

    def _plain(self, status: HTTPStatus, text: str, send_body: bool) -> None:
        self._send(status, "text/plain; charset=utf-8", (text + "\n").encode(), send_body)

    def _send(self, status: HTTPStatus, kind: str, data: bytes, send_body: bool,
              headers: dict[str, str] | None = None) -> None:
        headers = {"Cache-Control": "no-store", **(headers or {})}
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)


# -- running it --------------------------------------------------------------------------

class Running:
    """A preview and its server, started in background threads (tests, and `serve`)."""

    def __init__(self, manuscript: Path, *, host: str = "127.0.0.1", port: int = 0,
                 pdf: bool = False, report=None, **limits):
        """`limits`: PreviewServer's max_connections and idle_seconds."""
        self.preview = Preview(manuscript, pdf=pdf, report=report)
        self.server = PreviewServer(self.preview, host, port, **limits)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> Running:
        try:
            self.preview.start()
        except BaseException:
            self.server.server_close()
            raise
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.2},
                                        name="typeset-preview-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.preview.stop()
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join(timeout=5)
        self.server.server_close()

    def __enter__(self) -> Running:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def serve(manuscript: Path, *, host: str = "127.0.0.1", port: int = 8000,
          pdf: bool = False) -> int:
    """The `serve` command: run until Ctrl-C (or SIGTERM), then stop cleanly."""
    if not manuscript.is_file():
        print(f"build.py: error: {manuscript}: no such manuscript file", file=sys.stderr)
        return 2
    try:
        running = Running(manuscript, host=host, port=port, pdf=pdf)
    except OverflowError:
        print(f"build.py: error: --port {port}: a port is a number from 0 to 65535",
              file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"build.py: error: cannot listen on {host}:{port}: {exc.strerror or exc}"
              " (choose another port with --port)", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(_number, _frame):
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        running.start()
        print(f"Previewing {display_path(manuscript)} at {running.url}"
              f"{'  (PDF at ' + running.url + running.preview.pdf_name + ')' if pdf else ''}"
              "\nEdit and save: the page follows. Ctrl-C stops.", file=sys.stderr, flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        running.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Preview stopped.", file=sys.stderr)
    return 0


