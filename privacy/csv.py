"""The one CSV writer: every CSV the system writes (audience exports, participant lists, the DPO's
exports) goes through here.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and a tab
or carriage return at the start can smuggle one past a first check (CSV injection: a person's
name ``=HYPERLINK(...)`` would run on the computer of the staff member who opens the export).
``safe_cell`` puts an apostrophe in front of such a value, which spreadsheets show as text.
Rows are streamed: memory does not grow with the number of rows.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Line:
    """A file-like object that hands back what csv.writer writes (one line at a time)."""

    def write(self, text: str) -> str:
        return text


def csv_lines(
    header: Iterable[str], rows: Iterable[Iterable], *, bom: bool = True
) -> Iterator[str]:
    """The CSV's lines, header first, every cell through ``safe_cell``. With ``bom`` the first
    line starts with a UTF-8 byte-order mark so that Excel reads the letters ä and ö right.
    Separator ``;`` (Finnish Excel's), quoting where needed."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    yield ("\ufeff" if bom else "") + writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row])


def streaming_csv_response(
    *,
    filename: str,
    header: Iterable[str],
    rows: Iterable[Iterable],
    on_finish: Callable[[int], None] | None = None,
) -> StreamingHttpResponse:
    """A CSV download streamed row by row. ``on_finish(row_count)`` runs once the last row has
    been written (an export's log entry with the number of rows really sent)."""

    def lines():
        yield from csv_lines(header, _counted(rows))
        if on_finish is not None:
            on_finish(count_holder[0])

    count_holder = [0]

    def _counted(source):
        for row in source:
            count_holder[0] += 1
            yield row

    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class CsvFile:
    """The same CSV written into a text file row by row (a data export's CSV inside a ZIP):
    BOM and header first, every cell through ``safe_cell``."""

    def __init__(self, fileobj, header: Iterable[str], *, bom: bool = True):
        self._writer = csv.writer(fileobj, delimiter=";", lineterminator="\r\n")
        if bom:
            fileobj.write("\ufeff")
        self.writerow(header)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([safe_cell(v) for v in row])
