"""Reading chat-session files (contracts §4) into validated rows. No Django import.

Three formats: JSON lines (one session per line), CSV and XLSX (one message per row with the columns
`session_id, buyer, message_id, sender, agent, sent_at, text`). CSV may be UTF-8 with or without a BOM,
GBK or GB18030: UTF-8 is tried first, then GB18030 (a superset of GBK).

Validation collects EVERY problem with its place (line or row number and field) instead of stopping at
the first, so a person can fix a file in one go. Times must be ISO 8601; a time without an offset is read
as Asia/Shanghai local time (what the platforms' exports print).
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
FORMATS = ("jsonl", "csv", "xlsx")
COLUMNS = ("session_id", "buyer", "message_id", "sender", "agent", "sent_at", "text")
SENDERS = frozenset({"buyer", "agent", "bot", "system"})
MAX_ID = 128
MAX_AGENT = 32
MAX_TEXT = 10_000
# What a file may claim before anyone parses it (`check_upload`): the web request checks these in well
# under a second, so a file that would tie a worker up for minutes is refused at once.
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_ROWS = 2_000_000
MAX_XLSX_COLUMNS = 64  # the seven columns and room for extra ones, which are ignored
MAX_XLSX_UNZIPPED_BYTES = 1024 * 1024 * 1024
MAX_XLSX_RATIO = 100  # unzipped ÷ zipped for any part: spreadsheets compress about 5-20 times


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass(slots=True)
class MessageRow:
    line: int
    session_id: str
    buyer: str
    message_id: str
    sender: str
    agent: str
    sent_at: datetime
    text: str


@dataclass
class ParsedFile:
    rows: list[MessageRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class FileFormatError(ValueError):
    """The file as a whole cannot be read (wrong format, no header, not a workbook)."""


def guess_format(filename: str) -> str | None:
    lowered = filename.lower()
    for ext, fmt in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "jsonl"), (".csv", "csv"), (".xlsx", "xlsx")):
        if lowered.endswith(ext):
            return fmt
    return None


def decode_bytes(data: bytes) -> str:
    """UTF-8 (BOM or not) first, then GB18030, which also reads GBK."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"byte {exc.start}: not UTF-8, GBK or GB18030 text") from None


def parse_time(value: Any) -> datetime:
    """An aware datetime from ISO 8601 text (or an openpyxl datetime); naive means Asia/Shanghai."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        if not text:
            raise ValueError("empty")
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        moment = datetime.fromisoformat(text.replace("/", "-"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


class _Checker:
    """Field checks shared by all formats; accumulates errors and keeps per-file consistency."""

    def __init__(self) -> None:
        self.result = ParsedFile()
        self._message_lines: dict[str, int] = {}
        self._buyers: dict[str, tuple[str, int]] = {}

    def error(self, line: int, field_name: str, message: str) -> None:
        error = RowError(line, field_name, message)
        errors = self.result.errors
        if not errors or errors[-1] != error:  # a JSON line's session-level fault is reported once
            errors.append(error)

    def _ident(self, line: int, name: str, value: Any, limit: int, required: bool = True) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(int(value)) if float(value).is_integer() else str(value)
            else:
                self.error(line, name, f"must be text, got {type(value).__name__}")
                return ""
        text: str = value.strip()
        if required and not text:
            self.error(line, name, "is required")
        elif len(text) > limit:
            self.error(line, name, f"longer than {limit} characters")
        return text

    def add(self, line: int, session_id: Any, buyer: Any, message_id: Any, sender: Any, agent: Any,
            sent_at: Any, text: Any, prefix: str = "") -> None:
        # Fast path for the common case (all text, all valid): a million-row file spends its time here.
        if (
            type(session_id) is str and type(buyer) is str and type(message_id) is str and type(sender) is str
            and type(sent_at) is str and type(text) is str and (agent is None or type(agent) is str)
        ):
            sid, buyer_value, mid = session_id.strip(), buyer.strip(), message_id.strip()
            agent_value = agent.strip() if agent else ""
            if (
                sid and buyer_value and mid and sender in SENDERS and len(sid) <= MAX_ID
                and len(buyer_value) <= MAX_ID and len(mid) <= MAX_ID and len(agent_value) <= MAX_AGENT
                and len(text) <= MAX_TEXT and mid not in self._message_lines
            ):
                known = self._buyers.get(sid)
                if known is None or known[0] == buyer_value:
                    try:
                        moment = datetime.fromisoformat(sent_at)
                    except ValueError:
                        moment = None
                    if moment is not None:
                        if moment.tzinfo is None:
                            moment = moment.replace(tzinfo=SHANGHAI)
                        if known is None:
                            self._buyers[sid] = (buyer_value, line)
                        self._message_lines[mid] = line
                        self.result.rows.append(
                            MessageRow(line, sid, buyer_value, mid, sender, agent_value, moment, text)
                        )
                        return
        self._add_checked(line, session_id, buyer, message_id, sender, agent, sent_at, text, prefix)

    def _add_checked(self, line: int, session_id: Any, buyer: Any, message_id: Any, sender: Any, agent: Any,
                     sent_at: Any, text: Any, prefix: str) -> None:
        """Every check, every error message: the slow path, for rows the fast path did not accept."""
        before = len(self.result.errors)
        sid = self._ident(line, "session_id", session_id, MAX_ID)
        buyer_value = self._ident(line, "buyer", buyer, MAX_ID)
        mid = self._ident(line, f"{prefix}id" if prefix else "message_id", message_id, MAX_ID)
        sender_value = (sender or "").strip().lower() if isinstance(sender, str) else sender
        if sender_value not in SENDERS:
            self.error(line, f"{prefix}sender", f"must be one of buyer, agent, bot, system (got {sender!r})")
        agent_value = self._ident(line, f"{prefix}agent", agent, MAX_AGENT, required=False)
        moment = None
        try:
            moment = parse_time(sent_at if sent_at is not None else "")
        except (ValueError, TypeError):
            self.error(line, f"{prefix}sent_at", f"not an ISO 8601 time: {sent_at!r}")
        if text is None:
            text = ""
        if not isinstance(text, str):
            text = str(text)
        if len(text) > MAX_TEXT:
            self.error(line, f"{prefix}text", f"longer than {MAX_TEXT} characters")
        if mid:
            first = self._message_lines.get(mid)
            if first is not None:
                self.error(line, f"{prefix}id" if prefix else "message_id", f"message id {mid!r} repeats line {first}")
            else:
                self._message_lines[mid] = line
        if sid and buyer_value:
            known = self._buyers.get(sid)
            if known is None:
                self._buyers[sid] = (buyer_value, line)
            elif known[0] != buyer_value:
                self.error(line, "buyer", f"session {sid!r} has buyer {known[0]!r} on line {known[1]}")
        if len(self.result.errors) == before and moment is not None:
            self.result.rows.append(
                MessageRow(line, sid, buyer_value, mid, sender_value, agent_value, moment, text)
            )


def parse_jsonl(text: str) -> ParsedFile:
    checker = _Checker()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            checker.error(number, "", f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            checker.error(number, "", "must be a JSON object (one session per line)")
            continue
        messages = obj.get("messages")
        if not isinstance(messages, list) or not messages:
            checker.error(number, "messages", "must be a non-empty list")
            continue
        for index, message in enumerate(messages):
            prefix = f"messages[{index}]."
            if not isinstance(message, dict):
                checker.error(number, f"messages[{index}]", "must be an object")
                continue
            checker.add(
                number, obj.get("session_id"), obj.get("buyer"), message.get("id"), message.get("sender"),
                message.get("agent"), message.get("sent_at"), message.get("text"), prefix,
            )
    return checker.result


def _header_index(header: Sequence[Any]) -> dict[str, int]:
    names = [str(h).strip().lstrip("\ufeff").lower() if h is not None else "" for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise FileFormatError(f"line 1: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    return {c: names.index(c) for c in COLUMNS}


def _rows_into(checker: _Checker, rows: Iterable[tuple[int, Sequence[Any]]]) -> None:
    iterator = iter(rows)
    try:
        _first_line, header = next(iterator)
    except StopIteration:
        raise FileFormatError("the file is empty; expected a header row") from None
    index = _header_index(header)
    width = max(index.values()) + 1
    order = [index[c] for c in COLUMNS]
    add = checker.add
    for line, row in iterator:
        if not row or not any(row) or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        if len(row) < width:
            row = list(row) + [None] * (width - len(row))
        add(line, *[row[i] for i in order])


def parse_csv(text: str) -> ParsedFile:
    checker = _Checker()
    reader = csv.reader(io.StringIO(text, newline=""))

    def numbered() -> Iterator[tuple[int, list[str]]]:
        start = 1
        for row in reader:
            yield start, row
            start = reader.line_num + 1

    try:
        _rows_into(checker, numbered())
    except csv.Error as exc:
        checker.error(reader.line_num, "", f"CSV error: {exc}")
    return checker.result


_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\"")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _first_sheet_part(archive: zipfile.ZipFile) -> str:
    """The zip path of the workbook's first sheet (workbook.xml names it, its relationships locate it)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        raise FileFormatError("not an XLSX workbook (no xl/workbook.xml)") from None
    sheet = workbook.find(f"{_NS_MAIN}sheets/{_NS_MAIN}sheet")
    rel_id = sheet.get(f"{_NS_REL}id") if sheet is not None else None
    for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    raise FileFormatError("not an XLSX workbook (its first sheet is missing)")


def check_xlsx(stream: IO[bytes]) -> None:
    """Refuse a workbook by what it claims, before openpyxl reads it: parts that unzip to too much (or
    compress suspiciously well), and a first sheet whose dimension claims more rows or columns than an
    import takes (a 2 KB file claiming A1:XFD1048576 would otherwise keep a worker busy for minutes)."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileFormatError("not an XLSX workbook (not a zip archive)") from None
    with archive:
        infos = archive.infolist()
        total = sum(info.file_size for info in infos)
        if total > MAX_XLSX_UNZIPPED_BYTES:
            raise FileFormatError(f"the workbook unzips to {total} bytes; at most {MAX_XLSX_UNZIPPED_BYTES} are read")
        for info in infos:
            if info.file_size > 1024 * 1024 and info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1):
                raise FileFormatError(f"{info.filename} unzips {info.file_size // max(info.compress_size, 1)} times "
                                      f"its size; at most {MAX_XLSX_RATIO} times is read")
        part = _first_sheet_part(archive)
        try:
            with archive.open(part) as sheet:
                head = sheet.read(64 * 1024)
        except KeyError:
            raise FileFormatError(f"not an XLSX workbook ({part} is missing)") from None
    found = _DIMENSION.search(head)
    if found is None:
        return  # no claim: the rows are counted while reading (parse_xlsx)
    last_col = (found.group(3) or found.group(1) or b"").decode("ascii")
    last_row = (found.group(4) or found.group(2) or b"").decode("ascii")
    if last_row and int(last_row) > MAX_ROWS + 1:
        raise FileFormatError(f"the first sheet claims {int(last_row)} rows; at most {MAX_ROWS} are imported")
    if last_col and _column_number(last_col) > MAX_XLSX_COLUMNS:
        raise FileFormatError(
            f"the first sheet claims {_column_number(last_col)} columns (up to {last_col}); "
            f"at most {MAX_XLSX_COLUMNS} are read"
        )


def check_upload(stream: IO[bytes], *, size: int, fmt: str) -> None:
    """The checks a web request may afford before a file is queued for a worker: its size, its row count
    (lines of CSV and JSON lines, counted without parsing) and, for XLSX, what the workbook claims
    (`check_xlsx`). Raises FileFormatError naming the limit. The stream is left at its start."""
    if size > MAX_FILE_BYTES:
        raise FileFormatError(f"the file has {size} bytes; at most {MAX_FILE_BYTES} are imported")
    try:
        if fmt == "xlsx":
            check_xlsx(stream)
            return
        lines = 0
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            lines += block.count(b"\n")
        if lines > MAX_ROWS + 1:
            raise FileFormatError(f"the file has {lines} lines; at most {MAX_ROWS} rows are imported")
    finally:
        stream.seek(0)


def parse_xlsx(stream: IO[bytes]) -> ParsedFile:
    """The first sheet's rows. The workbook is checked first (`check_xlsx`); its dimension is then ignored
    (openpyxl would pad every row to the claimed width) and at most MAX_XLSX_COLUMNS columns and
    MAX_ROWS rows are read, whatever the file says."""
    from openpyxl import load_workbook

    check_xlsx(stream)
    stream.seek(0)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileFormatError(f"not an XLSX workbook ({exc.__class__.__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:
            reset()
        checker = _Checker()

        def bounded() -> Iterator[tuple[int, Sequence[Any]]]:
            for number, row in enumerate(sheet.iter_rows(max_col=MAX_XLSX_COLUMNS, values_only=True), start=1):
                if number > MAX_ROWS + 1:
                    raise FileFormatError(f"the first sheet has more than {MAX_ROWS} rows")
                yield number, row

        _rows_into(checker, bounded())
        return checker.result
    finally:
        workbook.close()


def parse_file(data: bytes, fmt: str) -> ParsedFile:
    """Parse a whole file's bytes; raises FileFormatError when the file cannot be read at all."""
    if fmt == "xlsx":
        return parse_xlsx(io.BytesIO(data))
    text = decode_bytes(data)
    if fmt == "jsonl":
        return parse_jsonl(text)
    if fmt == "csv":
        return parse_csv(text)
    raise FileFormatError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
