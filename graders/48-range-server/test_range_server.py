"""Hidden grader for exercise 48: a static-file HTTP/1.1 server with Range requests.

Real clients (httpx, curl) and a strict raw-socket client check the server; an independent RFC 9110 oracle
(below) says what every Range header must produce, and hypothesis draws the headers against random file sizes.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import os
import random
import re
import shutil
import subprocess
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import pytest
from _http import ProtocolError, RawClient, Response, get, parse_byteranges
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from kata.testing import Perf, Source

T = TypeVar("T")
SECRET = b"TOP-SECRET-d41d8cd9"
HELLO = b"Hello, range requests!\n"
DATA = random.Random(48).randbytes(100_000)
NESTED = random.Random(49).randbytes(3_000)
SPACED_NAME = "with space é.txt"


# ---- servers ---------------------------------------------------------------------------------------------


def bounded(fn: Callable[[], T], what: str, within: float = 5.0) -> T:
    """Run fn in a helper thread; fail the test if it takes longer than `within` seconds."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(within)
    if thread.is_alive():
        pytest.fail(
            f"{what} did not return within {within:g} s; did you serve in the calling thread, or forget "
            "to wake up a thread blocked in accept()/recv()?",
            pytrace=False,
        )
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")  # type: ignore[return-value]


def start(solution: ModuleType, root: Path) -> tuple[Any, int]:
    server = solution.RangeServer(root)
    port = bounded(server.start, "RangeServer.start()")
    if not (type(port) is int and 0 < port < 65536):
        bounded(server.stop, "RangeServer.stop()")
        pytest.fail(f"start() returned {port!r}; expected the bound port as an int", pytrace=False)
    return server, port


@contextlib.contextmanager
def serving(module: ModuleType, root: Path) -> Iterator[tuple[Any, int]]:
    """A started server from `module` on `root`, stopped (within a bounded time) however the block ends."""
    server, port = start(module, root)
    try:
        yield server, port
    finally:
        bounded(server.stop, f"{module.RangeServer.__name__}.stop()")


@dataclass(frozen=True)
class Site:
    root: Path
    secret: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    base = tmp_path_factory.mktemp("range-server")
    secret = base / "secret.txt"
    secret.write_bytes(SECRET)
    (base / "outside").mkdir()
    (base / "outside" / "secret.txt").write_bytes(SECRET)
    root = base / "site"
    (root / "sub").mkdir(parents=True)
    (root / "hello.txt").write_bytes(HELLO)
    (root / "data.bin").write_bytes(DATA)
    (root / "empty.bin").write_bytes(b"")
    (root / "page.html").write_bytes(b"<!doctype html><title>hi</title>\n")
    (root / "notes.zzqq").write_bytes(b"unknown type\n")
    (root / "sub" / "nested.bin").write_bytes(NESTED)
    (root / SPACED_NAME).write_bytes(HELLO)
    (root / "inside-link.bin").symlink_to("data.bin")
    (root / "outside-link.txt").symlink_to(secret)
    (root / "outside-dir").symlink_to(base / "outside", target_is_directory=True)
    return Site(root, secret)


@pytest.fixture(scope="module")
def port(solution: ModuleType, site: Site) -> Iterator[int]:
    """A server started from the learner's RangeServer on the site, shared by the module's tests."""
    with serving(solution, site.root) as (_, bound):
        yield bound


def url(port: int, path: str) -> str:
    return f"http://127.0.0.1:{port}{path}"


def http_client(port: int) -> httpx.Client:
    return httpx.Client(base_url=url(port, ""), trust_env=False, timeout=5.0)


# ---- the oracle: RFC 9110 §14 semantics, as the README states them ------------------------------------------


def satisfiable_ranges(header: str, size: int) -> list[tuple[int, int]] | None:
    """None if the header is invalid (ignore it: 200), else the satisfiable (first, last) pairs in order."""
    match = re.fullmatch(r"(?i:bytes)=(.*)", header, re.DOTALL)
    if match is None:
        return None
    found: list[tuple[int, int]] = []
    for element in match.group(1).split(","):
        spec = re.fullmatch(r"[ \t]*([0-9]*)-([0-9]*)[ \t]*", element)
        if spec is None or spec.group(1) == spec.group(2) == "":
            return None
        first_text, last_text = spec.groups()
        if first_text == "":  # suffix range: the last N bytes
            n = int(last_text)
            if n and size:
                found.append((size - min(n, size), size - 1))
            continue
        first = int(first_text)
        last = int(last_text) if last_text else None
        if last is not None and last < first:
            return None
        if first < size:
            found.append((first, size - 1 if last is None or last >= size else last))
    return found


def describe_body(got: bytes, data: bytes, first: int, last: int) -> str:
    """Why a range body is wrong, with the common off-by-one named."""
    want = data[first : last + 1]
    if got == data[first:last]:
        return (
            f"the body is data[{first}:{last}] ({len(got)} bytes), one byte short; "
            f"the last position of a range is inclusive, so bytes={first}-{last} is {len(want)} byte(s)"
        )
    if got == data[first : last + 2]:
        return f"the body has one byte too many ({len(got)} instead of {len(want)})"
    if len(got) != len(want):
        return f"the body is {len(got)} bytes, expected {len(want)} (data[{first}:{last + 1}])"
    offset = next(i for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b)
    return f"the body has the right length but differs from data[{first}:{last + 1}] at offset {offset}"


def require(ok: bool, message: str) -> None:
    """Fail with `message` alone, no traceback.

    Hypothesis formats the failure of every failing example it tries while shrinking; a plain assert's traceback
    (pytest re-parses the source of each frame) costs far more than the HTTP request itself.
    """
    if not ok:
        pytest.fail(message, pytrace=False)


def require_slice(got: bytes, data: bytes, first: int, last: int, where: str) -> None:
    """Require `got` to be data[first..last] (inclusive), naming the off-by-one when that is the mistake."""
    if got != data[first : last + 1]:
        pytest.fail(f"{where}: {describe_body(got, data, first, last)}", pytrace=False)


def fetch(port: int, path: str, headers: dict[str, str]) -> Response:
    """`get`, with a broken response or connection reported as a plain failure message."""
    try:
        return get(port, path, headers)
    except ProtocolError as exc:
        pytest.fail(f"GET {path} with {headers}: {exc}", pytrace=False)
    except OSError as exc:
        pytest.fail(f"GET {path} with {headers}: {type(exc).__name__}: {exc}", pytrace=False)


def check_range_response(resp: Response, header: str, data: bytes, content_type: str) -> None:
    """Require `resp` to be exactly what the README prescribes for GET with `Range: header` on `data`."""
    size = len(data)
    ranges = satisfiable_ranges(header, size)
    where = f"GET with Range: {header!r} on a {size}-byte file"
    if ranges is None:
        require(
            resp.status == 200,
            f"{where}: status {resp.status}, expected 200 (an invalid Range header is ignored, RFC 9110 §14.2; "
            "did you answer 416 or 400 for bad syntax?)",
        )
        require(resp.body == data, f"{where}: 200 but the body is not the whole file ({len(resp.body)} bytes)")
        return
    if not ranges:
        require(resp.status == 416, f"{where}: status {resp.status}, expected 416 (no range is satisfiable)")
        got = resp.header("Content-Range")
        require(got == f"bytes */{size}", f"{where}: 416 with Content-Range {got!r}, expected 'bytes */{size}'")
        return
    require(resp.status == 206, f"{where}: status {resp.status}, expected 206 with ranges {ranges}")
    if len(ranges) == 1:
        first, last = ranges[0]
        got = resp.header("Content-Range")
        want = f"bytes {first}-{last}/{size}"
        require(got == want, f"{where}: Content-Range {got!r}, expected {want!r}")
        require_slice(resp.body, data, first, last, where)
        return
    try:
        parts = parse_byteranges(resp.header("Content-Type") or "", resp.body)
    except ProtocolError as exc:
        pytest.fail(f"{where}: {exc}", pytrace=False)
    require(
        len(parts) == len(ranges),
        f"{where}: {len(parts)} parts, expected {len(ranges)} (one per satisfiable range, in the order requested, "
        f"none merged): {ranges}",
    )
    for i, ((headers, body), (first, last)) in enumerate(zip(parts, ranges, strict=True), 1):
        want = f"bytes {first}-{last}/{size}"
        got = headers.get("content-range")
        require(got == want, f"{where}: part {i} has Content-Range {got!r}, expected {want!r}")
        got = headers.get("content-type")
        require(got == content_type, f"{where}: part {i} has Content-Type {got!r}, expected {content_type!r}")
        require_slice(body, data, first, last, f"{where}: part {i}")


# ---- hypothesis strategies ----------------------------------------------------------------------------------

# No "explain" phase: it re-runs failing examples under a tracer, which with a server on the other end can take
# longer than the test's time limit, and the learner would see a timeout instead of the falsifying example.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)
SIZES = st.one_of(st.integers(0, 64), st.integers(0, 3_000), st.integers(0, 150_000))


def range_spec(size: int) -> st.SearchStrategy[str]:
    """One range-spec, positions mostly around the file's end, sometimes far past it."""
    position = st.integers(0, size + 16) | st.integers(0, 2**64)
    int_range = st.tuples(position, position).map(lambda p: f"{min(p)}-{max(p)}")
    open_ended = position.map(lambda p: f"{p}-")
    suffix = (st.integers(0, size + 16) | st.integers(0, 2**64)).map(lambda n: f"-{n}")
    return int_range | open_ended | suffix


@st.composite
def range_headers(draw: st.DrawFn, min_specs: int, max_specs: int) -> tuple[int, str]:
    size = draw(SIZES)
    specs = draw(st.lists(range_spec(size), min_size=min_specs, max_size=max_specs))
    unit = draw(st.sampled_from(["bytes", "bytes", "Bytes", "BYTES"]))
    text = specs[0] + "".join(draw(st.sampled_from([",", ", ", " ,", ",\t"])) + s for s in specs[1:])
    return size, f"{unit}={text}"


INVALID_ELEMENTS = ["abc", "1-2-3", "0x10-20", "+1-2", "1 - 2", "--1", "-", "1.5-2", "1-2;", "٣-5"]


@st.composite
def invalid_range_headers(draw: st.DrawFn) -> tuple[int, str]:
    size, header = draw(range_headers(1, 4))
    unit, _, specs = header.partition("=")
    how = draw(st.sampled_from(["unit", "no-equals", "reversed", "garbage", "empty"]))
    if how == "unit":
        return size, f"{draw(st.sampled_from(['items', 'byte', 'bits', 'none']))}={specs}"
    if how == "no-equals":
        return size, f"{unit} {specs}"
    if how == "empty":
        return size, f"{unit}="
    items = specs.split(",")
    bad = f"{draw(st.integers(1, 10**6))}-0" if how == "reversed" else draw(st.sampled_from(INVALID_ELEMENTS))
    items.insert(draw(st.integers(0, len(items))), bad)
    return size, f"{unit}={','.join(items)}"


def file_of_size(root: Path, size: int) -> tuple[str, bytes]:
    data = random.Random(size).randbytes(size)
    name = f"h-{size}.bin"
    if not (root / name).exists():
        (root / name).write_bytes(data)
    return f"/{name}", data


# ---- lifecycle ------------------------------------------------------------------------------------------------


def test_start_returns_the_bound_port_and_serves_files(solution: ModuleType, site: Site) -> None:
    """start() returns the ephemeral port it bound on 127.0.0.1 (also as .port) and the server answers there."""
    with serving(solution, site.root) as (server, port):
        assert server.port == port, f"server.port is {server.port!r} but start() returned {port}"
        resp = get(port, "/hello.txt")
        assert resp.status == 200 and resp.body == HELLO, f"GET /hello.txt: {resp.status} {resp.body[:80]!r}"


def test_stop_closes_idle_keep_alive_connections_and_the_listener(solution: ModuleType, site: Site) -> None:
    """stop() returns promptly even with an idle keep-alive connection open, closes it, and frees the port;
    a second stop() is harmless."""
    with serving(solution, site.root) as (server, port), RawClient(port) as client:
        assert client.request("GET", "/hello.txt").status == 200
        bounded(server.stop, "stop() with an idle keep-alive connection open", within=3.0)
        assert client.closed_by_server(within=2.0), "after stop() the idle keep-alive connection was still open"
        with pytest.raises(OSError):
            RawClient(port, timeout=1.0).close()
        bounded(server.stop, "a second stop()", within=3.0)


def test_context_manager_starts_and_stops_the_server(solution: ModuleType, site: Site) -> None:
    """`with RangeServer(root) as server:` serves inside the block and is stopped after it."""
    server = solution.RangeServer(site.root)
    entered = bounded(server.__enter__, "RangeServer.__enter__()")
    try:
        assert entered is server, "__enter__ must return the server itself"
        port = server.port
        assert type(port) is int, f"server.port is {port!r}; expected an int"
        assert get(port, "/hello.txt").body == HELLO
    finally:
        bounded(lambda: server.__exit__(None, None, None), "RangeServer.__exit__()")
    with pytest.raises(OSError):
        RawClient(port, timeout=1.0).close()


def test_root_must_be_an_existing_directory(solution: ModuleType, site: Site) -> None:
    """RangeServer(root) raises NotADirectoryError when root is a file or does not exist."""
    for bad in (site.root / "hello.txt", site.root / "no-such-dir"):
        with pytest.raises(NotADirectoryError):
            solution.RangeServer(bad)


# ---- HTTP/1.1 connection handling ------------------------------------------------------------------------------


def test_httpx_reuses_one_keep_alive_connection(port: int) -> None:
    """httpx sends six requests (full, range, multi-range, HEAD, 416, 404) over one keep-alive connection."""
    with http_client(port) as client:
        responses = [
            client.get("/hello.txt"),
            client.get("/data.bin", headers={"Range": "bytes=10-19"}),
            client.get("/data.bin", headers={"Range": "bytes=0-0,-1"}),
            client.head("/data.bin"),
            client.get("/data.bin", headers={"Range": "bytes=999999-"}),
            client.get("/missing.txt"),
        ]
        statuses = [r.status_code for r in responses]
        assert statuses == [200, 206, 206, 200, 416, 404], f"statuses {statuses}"
        require_slice(responses[1].content, DATA, 10, 19, "Range: bytes=10-19")
        addresses = {r.extensions["network_stream"].get_extra_info("client_addr") for r in responses}
        assert len(addresses) == 1, (
            f"httpx needed {len(addresses)} connections for 6 requests; the server must keep "
            "an HTTP/1.1 connection open between requests (did you close after each one?)"
        )


def test_pipelined_requests_are_answered_in_order(port: int) -> None:
    """Three requests written at once (GET, HEAD, ranged GET) get three responses, in order, on one connection."""
    with RawClient(port) as client:
        head = "Host: 127.0.0.1\r\n"
        client.sock.sendall(
            (
                f"GET /hello.txt HTTP/1.1\r\n{head}\r\nHEAD /data.bin HTTP/1.1\r\n{head}\r\n"
                f"GET /data.bin HTTP/1.1\r\n{head}Range: bytes=5-9\r\n\r\n"
            ).encode()
        )
        first = client.read_response()
        second = client.read_response(head_only=True)
        third = client.read_response()
    assert (first.status, first.body) == (200, HELLO), f"first response: {first.status} {first.body[:60]!r}"
    assert second.status == 200 and second.header("Content-Length") == str(len(DATA)), (
        f"second response (HEAD): {second.status}, Content-Length {second.header('Content-Length')!r}"
    )
    assert third.status == 206, f"third response: {third.status}; did you drop bytes already read from the socket?"
    require_slice(third.body, DATA, 5, 9, "third response (bytes=5-9)")


def test_connection_close_and_http_1_0_close_after_the_response(port: int) -> None:
    """`Connection: close` and HTTP/1.0 requests get their response, then the server closes the connection."""
    for headers, version in (({"Connection": "close"}, "HTTP/1.1"), ({}, "HTTP/1.0")):
        with RawClient(port) as client:
            resp = client.request("GET", "/hello.txt", headers, version=version)
            assert resp.body == HELLO, f"{version} {headers}: body {resp.body[:60]!r}"
            assert client.closed_by_server(within=2.0), f"{version} {headers}: the connection stayed open"


def test_head_sends_the_headers_of_get_without_a_body(port: int) -> None:
    """HEAD answers the status and headers GET would (200 or 206) with no body: the next response follows at once."""
    with RawClient(port) as client:
        full = client.request("HEAD", "/data.bin")
        assert full.status == 200 and full.header("Content-Length") == str(len(DATA)), (
            f"HEAD /data.bin: {full.status}, Content-Length {full.header('Content-Length')!r}"
        )
        ranged = client.request("HEAD", "/data.bin", {"Range": "bytes=100-199"})
        assert ranged.status == 206, f"HEAD with Range: bytes=100-199 gave {ranged.status}, expected 206"
        for name, want in (("Content-Range", f"bytes 100-199/{len(DATA)}"), ("Content-Length", "100")):
            got = ranged.header(name)
            assert got == want, f"HEAD with Range: bytes=100-199: {name} {got!r}, expected {want!r}"
        after = client.request("GET", "/hello.txt")
        assert after.status == 200 and after.body == HELLO, (
            f"the GET after two HEADs read {after.status} {after.body[:60]!r}; did HEAD send a body?"
        )


def test_malformed_request_line_gets_400_and_close(port: int) -> None:
    """A request line that is not `METHOD target HTTP/1.x` is answered 400, then the connection is closed."""
    with RawClient(port) as client:
        client.sock.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        resp = client.read_response()
        assert resp.status == 400, f"got {resp.status}, expected 400"
        assert client.closed_by_server(within=2.0), "the connection stayed open after a 400"


def test_other_methods_get_405_with_allow(port: int) -> None:
    """POST and DELETE are answered 405 Method Not Allowed with `Allow: GET, HEAD`."""
    for method in ("POST", "DELETE"):
        resp = get(port, "/hello.txt", {"Content-Length": "0"}, method=method)
        allow = {m.strip() for m in (resp.header("Allow") or "").split(",")}
        assert resp.status == 405 and allow == {"GET", "HEAD"}, f"{method}: {resp.status}, Allow {allow}"


# ---- files, paths and metadata ----------------------------------------------------------------------------------


def test_full_get_has_length_type_and_accept_ranges(port: int) -> None:
    """A GET without Range is 200 with the whole file, Content-Length, Accept-Ranges: bytes and a guessed type."""
    with http_client(port) as client:
        cases = [
            ("/hello.txt", HELLO, "text/plain"),
            ("/data.bin", DATA, "application/octet-stream"),
            ("/page.html", None, "text/html"),
            ("/notes.zzqq", None, "application/octet-stream"),
            ("/sub/nested.bin", NESTED, "application/octet-stream"),
            ("/empty.bin", b"", None),
        ]
        for path, body, ctype in cases:
            r = client.get(path)
            assert r.status_code == 200, f"GET {path}: {r.status_code}"
            if body is not None:
                require(r.content == body, f"GET {path}: {len(r.content)} bytes, expected the file's {len(body)}")
            assert r.headers.get("content-length") == str(len(r.content)), f"GET {path}: Content-Length"
            assert r.headers.get("accept-ranges") == "bytes", f"GET {path}: Accept-Ranges is not 'bytes'"
            if ctype is not None:
                got = r.headers.get("content-type", "").split(";")[0].strip()
                assert got == ctype, f"GET {path}: Content-Type {got!r}, expected {ctype!r}"


def test_percent_encoded_paths_are_decoded_and_queries_ignored(port: int) -> None:
    """`/with%20space%20%C3%A9.txt` is the UTF-8 name `with space é.txt`; a `?query` is not part of the path."""
    resp = get(port, "/" + quote(SPACED_NAME))
    assert resp.status == 200 and resp.body == HELLO, f"GET /{quote(SPACED_NAME)}: {resp.status}"
    resp = get(port, "/hello.txt?download=1&x=%2e%2e")
    assert resp.status == 200 and resp.body == HELLO, f"GET /hello.txt?download=1: {resp.status}"


def test_missing_files_and_directories_are_404(port: int) -> None:
    """A missing file or a directory (including `/`) is 404: no listings."""
    for path in ("/nope.txt", "/sub", "/sub/", "/", "/sub/nope.bin"):
        resp = get(port, path)
        assert resp.status == 404, f"GET {path}: {resp.status}, expected 404"


def traversal_targets(site: Site) -> list[str]:
    secret = str(site.secret)
    return [
        "/../secret.txt",
        "/sub/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%2fsecret.txt",
        "/sub/%2e%2e/%2e%2e/secret.txt",
        "/" + quote("../secret.txt", safe=""),
        "/" + secret,
        "/" + quote(secret, safe=""),
        "/outside-link.txt",
        "/outside-dir/secret.txt",
        "/%2e%2e/site/../secret.txt",
    ]


def test_path_traversal_is_refused(port: int, site: Site) -> None:
    """`..` (plain or %-encoded), absolute paths and symlinks leading out of the root get 403 or 404, never the file."""
    for target in traversal_targets(site):
        resp = get(port, target)
        assert SECRET not in resp.body, f"GET {target} returned the secret file outside the root!"
        assert resp.status in (403, 404), f"GET {target}: status {resp.status}, expected 403 or 404"


def test_symlink_inside_the_root_is_served(port: int) -> None:
    """A symlink whose target stays inside the root is served like the target."""
    resp = get(port, "/inside-link.bin", {"Range": "bytes=0-99"})
    assert resp.status == 206, f"GET /inside-link.bin with Range: bytes=0-99: {resp.status}, expected 206"
    require_slice(resp.body, DATA, 0, 99, "GET /inside-link.bin")


def test_etag_is_strong_and_last_modified_is_the_mtime(port: int, site: Site) -> None:
    """ETag is a strong quoted tag that changes when the file changes; Last-Modified is the mtime as IMF-fixdate."""
    path = site.root / "versioned.bin"
    path.write_bytes(b"version one\n")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    with http_client(port) as client:
        first = client.get("/versioned.bin")
        again = client.get("/versioned.bin")
        etag = first.headers.get("etag", "")
        assert re.fullmatch(r'"[\x21\x23-\x7e]*"', etag), f"ETag {etag!r} is not a strong quoted entity-tag"
        assert again.headers.get("etag") == etag, "the ETag changed between two requests for an unchanged file"
        modified = first.headers.get("last-modified", "")
        assert modified == "Tue, 14 Nov 2023 22:13:20 GMT", (
            f"Last-Modified {modified!r}, expected 'Tue, 14 Nov 2023 22:13:20 GMT' (the mtime, IMF-fixdate)"
        )
        path.write_bytes(b"version two, longer\n")
        os.utime(path, (1_700_000_100, 1_700_000_100))
        changed = client.get("/versioned.bin")
        assert changed.content == b"version two, longer\n"
        assert changed.headers.get("etag") != etag, "the ETag did not change when the file's content changed"


def test_if_range_honours_only_a_matching_strong_validator(port: int, site: Site) -> None:
    """If-Range with the current strong ETag or exact Last-Modified gives 206; anything else gives 200 and the file."""
    path = site.root / "resume.bin"
    data = random.Random(7).randbytes(5_000)
    path.write_bytes(data)
    os.utime(path, (1_600_000_000, 1_600_000_000))
    first = get(port, "/resume.bin")
    etag, modified = first.header("ETag") or "", first.header("Last-Modified") or ""
    earlier = email.utils.formatdate(1_600_000_000 - 1, usegmt=True)
    later = email.utils.formatdate(1_600_000_000 + 1, usegmt=True)
    cases = [
        (etag, 206),
        (modified, 206),
        ('"not-the-etag"', 200),
        ("W/" + etag, 200),
        (earlier, 200),
        (later, 200),
        ("garbage", 200),
    ]
    for validator, status in cases:
        resp = get(port, "/resume.bin", {"Range": "bytes=1000-", "If-Range": validator})
        where = f"Range: bytes=1000- with If-Range: {validator}"
        assert resp.status == status, f"{where}: {resp.status}, expected {status}" + (
            "; a weak tag or a different date never matches" if status == 200 else ""
        )
        if status == 206:
            require_slice(resp.body, data, 1000, len(data) - 1, where)
        else:
            require(resp.body == data, f"{where}: 200 but the body is not the whole file")
    path.write_bytes(data + b"appended")
    os.utime(path, (1_600_000_500, 1_600_000_500))
    resp = get(port, "/resume.bin", {"Range": "bytes=1000-", "If-Range": etag})
    assert resp.status == 200 and resp.body == data + b"appended", (
        f"after the file changed, If-Range with the old ETag gave {resp.status}; expected 200 with the new file"
    )


# ---- ranges --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-0", 0, 0),
        ("bytes=0-499", 0, 499),
        ("bytes=-500", 99_500, 99_999),
        ("bytes=99000-", 99_000, 99_999),
        ("bytes=99990-200000", 99_990, 99_999),
        ("bytes=-200000", 0, 99_999),
        ("BYTES=5-9", 5, 9),
    ],
)
def test_single_range_examples(port: int, header: str, first: int, last: int) -> None:
    """Single, suffix (`-500`), open-ended (`99000-`) and clipped ranges give 206 with the exact inclusive slice."""
    check_range_response(fetch(port, "/data.bin", {"Range": header}), header, DATA, "application/octet-stream")
    assert satisfiable_ranges(header, len(DATA)) == [(first, last)]


@pytest.mark.parametrize("header", ["bytes=100000-", "bytes=100000-100005", "bytes=-0", "bytes=200000-,-0"])
def test_unsatisfiable_ranges_get_416_with_the_size(port: int, header: str) -> None:
    """A valid Range with no satisfiable range is 416 with `Content-Range: bytes */100000`."""
    check_range_response(fetch(port, "/data.bin", {"Range": header}), header, DATA, "application/octet-stream")


def test_empty_file_satisfies_no_range(port: int) -> None:
    """On an empty file every range is unsatisfiable (416, `bytes */0`); without Range it is 200 with no body."""
    for header in ("bytes=0-", "bytes=-5", "bytes=0-0"):
        check_range_response(fetch(port, "/empty.bin", {"Range": header}), header, b"", "application/octet-stream")


@settings(max_examples=60, phases=PHASES, report_multiple_bugs=False)
@given(range_headers(1, 1))
def test_single_ranges_are_byte_exact(port: int, site: Site, case: tuple[int, str]) -> None:
    """Any single range-spec on a file of any size gives the slice the RFC prescribes (206), or 416."""
    size, header = case
    path, data = file_of_size(site.root, size)
    check_range_response(fetch(port, path, {"Range": header}), header, data, "application/octet-stream")


@settings(max_examples=60, phases=PHASES, report_multiple_bugs=False)
@given(range_headers(2, 6))
def test_multiple_ranges_are_multipart_byteranges(port: int, site: Site, case: tuple[int, str]) -> None:
    """Several ranges give multipart/byteranges: one part per satisfiable range, in order, each with its headers."""
    size, header = case
    path, data = file_of_size(site.root, size)
    check_range_response(fetch(port, path, {"Range": header}), header, data, "application/octet-stream")


@settings(max_examples=50, phases=PHASES, report_multiple_bugs=False)
@given(invalid_range_headers())
def test_invalid_range_headers_are_ignored(port: int, site: Site, case: tuple[int, str]) -> None:
    """A Range header with another unit, bad syntax or a reversed range is ignored: 200 with the whole file."""
    size, header = case
    assert satisfiable_ranges(header, size) is None
    path, data = file_of_size(site.root, size)
    check_range_response(fetch(port, path, {"Range": header}), header, data, "application/octet-stream")


# ---- a real client: curl -----------------------------------------------------------------------------------------


def test_curl_ranges_resume_and_connection_reuse(port: int, tmp_path: Path) -> None:
    """curl fetches two ranges over one reused connection, a multi-range body, and resumes a download (-C -).

    Without curl on the machine, the same requests are made with a raw socket client instead.
    """
    curl = shutil.which("curl")
    base = url(port, "")
    partial = tmp_path / "partial.bin"
    partial.write_bytes(DATA[:4321])
    if curl is None:
        with RawClient(port) as client:
            a = client.request("GET", "/data.bin", {"Range": "bytes=100-199"}).body
            b = client.request("GET", "/sub/nested.bin", {"Range": "bytes=100-199"}).body
            multi = client.request("GET", "/data.bin", {"Range": "bytes=0-9,20-29"})
            partial.write_bytes(DATA[:4321] + client.request("GET", "/data.bin", {"Range": "bytes=4321-"}).body)
        require_slice(a, DATA, 100, 199, "(curl is absent) raw client, bytes=100-199 of /data.bin")
        require_slice(b, NESTED, 100, 199, "(curl is absent) raw client, bytes=100-199 of /sub/nested.bin")
        check_range_response(multi, "bytes=0-9,20-29", DATA, "application/octet-stream")
        require(partial.read_bytes() == DATA, "(curl is absent) resuming /data.bin from byte 4321 failed")
        return
    common = [curl, "--noproxy", "*", "--http1.1", "-sS", "--max-time", "10"]
    run = subprocess.run(
        [
            *common,
            "-v",
            "-r",
            "100-199",
            "-o",
            str(tmp_path / "a"),
            f"{base}/data.bin",
            "-o",
            str(tmp_path / "b"),
            f"{base}/sub/nested.bin",
        ],
        capture_output=True,
        timeout=15,
        check=False,
    )
    assert run.returncode == 0, f"curl failed: {run.stderr.decode(errors='replace')[-500:]}"
    require_slice((tmp_path / "a").read_bytes(), DATA, 100, 199, "curl -r 100-199 /data.bin")
    require_slice((tmp_path / "b").read_bytes(), NESTED, 100, 199, "curl -r 100-199 /sub/nested.bin")
    assert re.search(r"re-?using existing", run.stderr.decode(errors="replace"), re.IGNORECASE), (
        "curl opened a second connection for the second URL: keep the HTTP/1.1 connection open"
    )
    run = subprocess.run(
        [*common, "-r", "0-9,20-29", "-D", str(tmp_path / "h"), "-o", str(tmp_path / "m"), f"{base}/data.bin"],
        capture_output=True,
        timeout=15,
        check=False,
    )
    assert run.returncode == 0, f"curl failed: {run.stderr.decode(errors='replace')[-500:]}"
    head = (tmp_path / "h").read_text("latin-1")
    ctype = re.search(r"(?im)^content-type:\s*(.+?)\s*$", head)
    assert ctype is not None and "206" in head.splitlines()[0], f"curl -r 0-9,20-29 got:\n{head}"
    parts = parse_byteranges(ctype.group(1), (tmp_path / "m").read_bytes())
    require([body for _, body in parts] == [DATA[0:10], DATA[20:30]], "curl -r 0-9,20-29: wrong parts")
    run = subprocess.run(
        [*common, "-C", "-", "-o", str(partial), f"{base}/data.bin"], capture_output=True, timeout=15, check=False
    )
    assert run.returncode == 0, f"curl -C - failed: {run.stderr.decode(errors='replace')[-500:]}"
    require(partial.read_bytes() == DATA, "curl -C - (resume from byte 4321) did not rebuild the file")


# ---- large files ---------------------------------------------------------------------------------------------

LARGE_MB = 64


@pytest.mark.time_limit(30)
def test_large_file_is_streamed_with_bounded_memory(solution: ModuleType, tmp_path: Path) -> None:
    """A 64 MB file (whole, and from an offset) streams to httpx with under 16 MB of Python memory at the peak."""
    root = tmp_path / "big"
    root.mkdir()
    rng = random.Random(64)
    whole, tail = hashlib.sha256(), hashlib.sha256()
    offset = 40_000_000
    with open(root / "large.bin", "wb") as f:
        for i in range(LARGE_MB):
            chunk = rng.randbytes(1 << 20)
            f.write(chunk)
            whole.update(chunk)
            start_in_chunk = offset - i * (1 << 20)
            if start_in_chunk < len(chunk):
                tail.update(chunk[max(0, start_in_chunk) :])
    with serving(solution, root) as (_, port), http_client(port) as client:
        tracemalloc.start()
        try:
            for headers, status, digest in (({}, 200, whole), ({"Range": f"bytes={offset}-"}, 206, tail)):
                got = hashlib.sha256()
                with client.stream("GET", "/large.bin", headers=headers) as resp:
                    assert resp.status_code == status, f"GET /large.bin {headers}: {resp.status_code}"
                    for chunk in resp.iter_raw():
                        got.update(chunk)
                require(got.digest() == digest.digest(), f"GET /large.bin {headers}: the body is not the file's bytes")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 16 * 2**20, (
        f"serving a {LARGE_MB} MB file peaked at {peak / 2**20:.0f} MB of Python memory; stream "
        "it in chunks (or socket.sendfile) instead of reading the whole file"
    )


# ---- constraints ----------------------------------------------------------------------------------------------


def test_no_http_server_modules_or_frameworks(source: Source) -> None:
    """The server is written on sockets or asyncio streams: no http.server, socketserver or HTTP frameworks."""
    why = "write the HTTP handling yourself on sockets or asyncio streams"
    banned = [
        "http.server",
        "socketserver",
        "wsgiref",
        "aiohttp",
        "tornado",
        "twisted",
        "uvicorn",
        "hypercorn",
        "starlette",
        "fastapi",
        "flask",
        "werkzeug",
        "h11",
        "httptools",
        "gevent",
    ]
    found = source.violations(dict.fromkeys(banned, why))
    assert not found, "\n".join(found)


# ---- performance ----------------------------------------------------------------------------------------------


MOVIE_SIZE = 8 * 2**20


def burst(client: RawClient) -> Callable[[], None]:
    """The benchmark: 22 requests on one keep-alive connection, as a media player seeking around would send."""

    def run() -> None:
        for i in range(20):
            first = i * 400_000
            resp = client.request("GET", "/movie.bin", {"Range": f"bytes={first}-{first + 2999}"})
            assert resp.status == 206 and len(resp.body) == 3000, f"bytes={first}-{first + 2999}: {resp.status}"
        resp = client.request("GET", "/movie.bin", {"Range": "bytes=0-99,5000000-5099999,-100"})
        assert resp.status == 206, f"a three-part multi-range: {resp.status}"
        resp = client.request("GET", "/data.bin")
        assert resp.status == 200 and len(resp.body) == len(DATA), f"GET /data.bin: {resp.status}"

    return run


@pytest.mark.perf
def test_keep_alive_range_requests_speed_against_the_reference(
    solution: ModuleType, reference: ModuleType, site: Site, perf: Perf
) -> None:
    """22 range requests over one keep-alive connection (20 small ranges spread over an 8 MiB file, a three-part
    multi-range, a whole 100 kB file) run within 3× of the reference (wall time)."""
    (site.root / "movie.bin").write_bytes(random.Random(8).randbytes(MOVIE_SIZE))
    with contextlib.ExitStack() as stack:
        _, ours = stack.enter_context(serving(solution, site.root))
        _, theirs = stack.enter_context(serving(reference, site.root))
        clients = [stack.enter_context(RawClient(port)) for port in (ours, theirs)]
        perf.compare("22 requests over keep-alive", burst(clients[0]), burst(clients[1]), max_ratio=3.0, clock="wall")
