"""Against the real server: request ids are echoed and logged as JSON, and /metrics counts operations."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveServer, live_server

pytestmark = pytest.mark.slow

LOG_KEYS = {"ts", "level", "logger", "msg", "request_id"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(data_dir=tmp_path_factory.mktemp("metrics-data")) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10.0) as c:
        yield c


def _health(client: httpx.Client, headers: dict[str, str] | None = None) -> httpx.Response:
    response = client.post("/graphql", json={"query": "query Health { __typename }"}, headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"__typename": "Query"}
    return response


def _samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    """The samples of one metric in the Prometheus text format, as (labels, value)."""
    found = []
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if match:
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(1) or ""))
            found.append((labels, float(match.group(2))))
    return found


def _json_logs(server: LiveServer, wait_for: str, timeout: float = 5.0) -> list[dict[str, Any]]:
    # The access line is written after the response is sent, so it may trail the client a little.
    deadline = time.monotonic() + timeout
    while True:
        lines = server.log_lines()
        if wait_for in server.log_text() or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    bad = []
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            bad.append(line)
            continue
        if not isinstance(record, dict) or not LOG_KEYS <= record.keys():
            bad.append(line)
        else:
            records.append(record)
    assert not bad, (
        "server wrote log lines that are not JSON with "
        + ", ".join(sorted(LOG_KEYS))
        + ":\n"
        + "\n".join(bad[:20])
    )
    return records


def test_request_id_is_echoed(client: httpx.Client) -> None:
    # when a request carries a sane X-Request-ID, then the response echoes it
    response = _health(client, {"X-Request-ID": "test-req-1"})
    assert response.headers["x-request-id"] == "test-req-1"


def test_request_id_is_generated_when_missing_or_unsafe(client: httpx.Client) -> None:
    generated = _health(client).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{16}", generated)

    for unsafe in ("has space", "x" * 65, "semi;colon"):
        replaced = _health(client, {"X-Request-ID": unsafe}).headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{16}", replaced), unsafe


def test_metrics_count_the_operation(client: httpx.Client) -> None:
    # given a named operation
    _health(client, {"X-Request-ID": "test-req-metrics"})

    # when the metrics are scraped
    response = client.get("/metrics")

    # then the operation is counted by name and type, and the HTTP request by method and status
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    requests = _samples(response.text, "courtyard_graphql_requests_total")
    health = [v for labels, v in requests if labels == {"operation": "Health", "type": "query"}]
    assert health and health[0] >= 1, response.text
    assert _samples(response.text, "courtyard_graphql_request_duration_seconds_count")
    http = [
        v
        for labels, v in _samples(response.text, "courtyard_http_requests_total")
        if labels == {"method": "POST", "status": "200"}
    ]
    assert http and http[0] >= 1, response.text
    assert _samples(response.text, "courtyard_websocket_connections")


def test_logs_are_json_lines_with_the_request_id(client: httpx.Client, server: LiveServer) -> None:
    # given a request with a known id
    _health(client, {"X-Request-ID": "test-req-log"})

    # then every stderr line is a JSON record, and the access line carries the id
    records = _json_logs(server, wait_for='"test-req-log"')
    access = [r for r in records if r["logger"] == "courtyard.access" and r["request_id"] == "test-req-log"]
    assert len(access) == 1, records[-10:]
    line = access[0]
    assert (line["level"], line["method"], line["path"], line["status"]) == ("INFO", "POST", "/graphql", 200)
    assert isinstance(line["duration_ms"], int | float)
    assert all(r["level"] in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"} for r in records)
