"""Offline import: Strava bulk exports (csv, unzipped folder, zip) and syncd's JSON Lines.

Files are streamed, never read whole: a first pass checks the text is UTF-8 (a file that is
not is refused as a whole, as before) and finds what kind of file it is; a second hands out
its records one by one (`iter_records`), each parsed only when asked. Bad records never stop
an import: each becomes an `ImportProblem` naming the file, the physical line it starts on
and what is wrong, and the good records are kept.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import IO, TextIO

from syncd.domain import Activity
from syncd.providers.export_csv import export_records
from syncd.providers.import_types import Bad, Record
from syncd.providers.jsonl_import import jsonl_records

EXPORT_CSV = "activities.csv"
_CHUNK = 1 << 20
_BOM = codecs.BOM_UTF8

Opener = Callable[[], AbstractContextManager[IO[bytes]]]
Parser = Callable[[TextIO, str, str], Iterator[Record]]


@dataclass(frozen=True)
class ImportProblem:
    """One record or file that could not be imported."""

    path: str  # the file as given; inside a zip: "export.zip:activities.csv"
    line: int  # 1-based physical line where the bad record starts; 0 for the whole file
    reason: str


@dataclass
class ParseResult:
    """What an import found: the good activities, the problems, and how many files it read."""

    activities: list[Activity] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    files_read: int = 0


def read_paths(paths: Iterable[Path], athlete: str) -> ParseResult:
    """Activities from every path plus one problem per bad record or unusable file; never
    raises for bad input. Everything in memory: `iter_records` streams."""
    result = ParseResult()
    for record in iter_records(paths, athlete, result):
        outcome = parse_record(record)
        if isinstance(outcome, Activity):
            result.activities.append(outcome)
        else:
            result.problems.append(outcome)
    return result


def parse_record(record: Record) -> Activity | ImportProblem:
    """The record's activity (with its raw payload), or the problem that keeps it out."""
    parts = parse_parts(record)
    if isinstance(parts, ImportProblem):
        return parts
    activity, raw = parts
    return activity if activity.raw_json == raw else replace(activity, raw_json=raw)


def parse_parts(record: Record) -> tuple[Activity, str] | ImportProblem:
    """(the record's activity, its raw payload), the activity without the payload when the
    record keeps it apart; or the problem that keeps the record out."""
    if record.build is None:
        return ImportProblem(record.name, record.line, record.problem or "unreadable")
    try:
        activity = record.build()
        return activity, activity.raw_json if record.raw is None else record.raw()
    except ValueError as exc:
        return ImportProblem(record.name, record.line, str(exc))


def iter_records(paths: Iterable[Path], athlete: str, result: ParseResult) -> Iterator[Record]:
    """Every record of every path, file by file, streamed; a file that cannot be used is one
    problem in `result` (and not counted in its `files_read`)."""
    for path in paths:
        try:
            name, opener = _locate(Path(path))
            parser = _check_and_detect(name, opener)
        except Bad as exc:
            result.problems.append(ImportProblem(str(path), 0, str(exc)))
            continue
        result.files_read += 1
        newline = "\n" if parser is jsonl_records else ""
        try:
            with _reading(opener) as binary:
                text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline=newline)
                yield from parser(text, name, athlete)
        except Bad as exc:  # it could be read a moment ago: the rest of the file is lost
            result.problems.append(ImportProblem(name, 0, str(exc)))


@contextmanager
def _reading(opener: Opener) -> Iterator[IO[bytes]]:
    """The opened stream, with read errors as Bad."""
    try:
        with opener() as stream:
            yield stream
    except OSError as exc:
        raise Bad(f"cannot read it: {exc.strerror or exc}") from exc
    except zipfile.BadZipFile as exc:
        raise Bad(f"damaged zip file: {exc}") from exc


def _locate(path: Path) -> tuple[str, Opener]:
    """(name to report, how to open the bytes) of a file, an unzipped export folder or an
    export zip; raises Bad."""
    try:
        if path.is_dir():
            for found in [path / EXPORT_CSV, *sorted(path.glob(f"*/{EXPORT_CSV}"))]:
                if found.is_file():
                    return str(found), _file(found)
            raise Bad(f"folder has no {EXPORT_CSV}: is it an unzipped Strava export?")
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if PurePosixPath(n).name == EXPORT_CSV]
            if not names:
                raise Bad(f"zip has no {EXPORT_CSV}: is it a Strava bulk export?")
            member = min(names, key=lambda n: (n.count("/"), n))  # the export's own, at the top
            return f"{path}:{member}", lambda: _member(path, member)
        path.open("rb").close()
        return str(path), _file(path)
    except OSError as exc:
        raise Bad(f"cannot read it: {exc.strerror or exc}") from exc
    except zipfile.BadZipFile as exc:
        raise Bad(f"damaged zip file: {exc}") from exc


def _file(path: Path) -> Opener:
    def opener() -> AbstractContextManager[IO[bytes]]:
        return path.open("rb")

    return opener


@contextmanager
def _member(path: Path, member: str) -> Iterator[IO[bytes]]:
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        yield stream


def _check_and_detect(name: str, opener: Opener) -> Parser:
    """The parser that fits the content (the .jsonl name decides only for odd content),
    after checking the whole file is UTF-8; raises Bad."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, first, head = 0, None, ""  # offset: bytes decoded so far, after a byte-order mark
    with _reading(opener) as stream:
        while chunk := stream.read(_CHUNK):
            if offset == 0 and not head and chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
            pending = len(decoder.getstate()[0])  # bytes of a character cut by the last chunk
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise Bad(f"not UTF-8 text (byte {offset - pending + exc.start})") from None
            offset += len(chunk)
            if first is None:
                head += text
                first = _first_line(head, final=False)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise Bad(f"not UTF-8 text (byte {offset - len(exc.object) + exc.start})") from None
    first = first if first is not None else _first_line(head, final=True) or ""
    if "Activity ID" in first and "Activity Date" in first:
        return export_records
    if first.lower().replace('"', "").startswith("id,date,name,type"):
        return _old_export_records
    if first.startswith("{") or name.endswith(".jsonl"):
        return jsonl_records
    raise Bad("neither a Strava export activities.csv nor a syncd .jsonl file")


def _first_line(text: str, *, final: bool) -> str | None:
    """The first line that is neither blank nor a comment, once it is complete."""
    lines = text.split("\n")
    complete = lines if final else lines[:-1]
    return next((s for s in (ln.strip() for ln in complete) if s and not s.startswith("#")), None)


def _old_export_records(stream: TextIO, name: str, athlete: str) -> Iterator[Record]:
    """The export layout before 2019: the same rows under other column names, distances in metres."""
    return export_records(stream, name, athlete, old=True)
