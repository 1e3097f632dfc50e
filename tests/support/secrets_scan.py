"""What must never be in a log line: full mainland mobiles, JWTs, refresh tokens, and SMS codes that were sent.

One list, used by the whole test run's log capture (tests/conftest.py), by the live servers' stop check
(tests/support/live_server.py) and by single tests that drive a flow and look at its logs.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from backend.core.logging import JsonFormatter

# Numbers are matched as whole words: a digit run inside a hex id (request, session) is not a phone or a code.
PATTERNS: dict[str, re.Pattern[str]] = {
    "mobile number": re.compile(r"(?<![0-9A-Za-z])(?:\+?86[ -]?)?1[3-9][0-9]{9}(?![0-9A-Za-z])"),
    "JWT": re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    "refresh token": re.compile(r"\brt\.[0-9a-f]{32}\.[A-Za-z0-9_-]{10,}"),
}
# A line can only hold an SMS code where it has a run of exactly six digits.
_SIX_DIGITS = re.compile(r"(?<![0-9A-Za-z])[0-9]{6}(?![0-9A-Za-z])")


@dataclass(frozen=True)
class Finding:
    kind: str
    line: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.line[:300]}"


def scan_line(line: str, codes: Iterable[str] = ()) -> list[Finding]:
    """What `line` gives away: one finding per kind."""
    found = [Finding(kind, line) for kind, pattern in PATTERNS.items() if pattern.search(line)]
    wanted = set(codes)
    if wanted and any(m.group(0) in wanted for m in _SIX_DIGITS.finditer(line)):
        found.append(Finding("SMS code", line))
    return found


def scan_text(text: str, codes: Iterable[str] = ()) -> list[Finding]:
    wanted = set(codes)
    return [f for line in text.splitlines() for f in scan_line(line, wanted)]


def report(findings: list[Finding], where: str) -> str:
    shown = "\n".join(f"  {f}" for f in findings[:20])
    more = f"\n  ... and {len(findings) - 20} more" if len(findings) > 20 else ""
    return f"{len(findings)} log line(s) in {where} give away secrets:\n{shown}{more}"


def outbox_codes(data_dir: Path) -> set[str]:
    """Codes a dev server's SMS stand-in took (its outbox in the data dir)."""
    codes = set()
    try:
        lines = (data_dir / "sms-outbox.jsonl").read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return set()
    for line in lines:
        try:
            code = json.loads(line).get("params", {}).get("code")
        except (ValueError, AttributeError):
            continue
        if isinstance(code, str):
            codes.add(code)
    return codes


class LogCapture(logging.Handler):
    """Every record as written (JSON line with extras, exception and stack), before any filter masks it."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.keep(self._text(record))

    def keep(self, line: str) -> None:
        self.lines.append(line)

    def _text(self, record: logging.LogRecord) -> str:
        try:
            return self.format(record)
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is still worth a line
            return f"{record.name} {record.msg!r} {record.args!r}"

    def text(self) -> str:
        return "\n".join(self.lines)


class RunScanner(LogCapture):
    """For a whole test run: checks each line as it comes and keeps only findings and lines with six digits."""

    def __init__(self) -> None:
        super().__init__()
        self.findings: list[Finding] = []

    def keep(self, line: str) -> None:
        self.findings.extend(scan_line(line))
        if _SIX_DIGITS.search(line):
            self.lines.append(line)

    def all_findings(self, codes: Iterable[str]) -> list[Finding]:
        """The findings so far, with the lines that hold one of `codes` (codes are known only once sent)."""
        wanted = set(codes)
        return self.findings + [f for line in self.lines for f in scan_line(line, wanted) if f.kind == "SMS code"]


@contextmanager
def capture_logs(level: int | None = None) -> Iterator[LogCapture]:
    """Capture what reaches the root logger; first in line, so it sees records before the redaction filter."""
    root = logging.getLogger()
    handler = LogCapture()
    old_level = root.level
    root.handlers.insert(0, handler)
    if level is not None:
        root.setLevel(level)
    try:
        yield handler
    finally:
        root.setLevel(old_level)
        root.removeHandler(handler)
