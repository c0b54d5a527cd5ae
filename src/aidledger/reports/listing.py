"""Long lists in a PDF as a fixed-width listing, not a table: WeasyPrint lays out every
table cell on its own, and a 12-page table of loans took 20 s to render (measured
2026-12-02; the same rows as preformatted lines, unwrapped, about 0.6 s). Lines are never
wrapped by the layout, so a column that may hold long text (a memo) is wrapped here, onto
lines of its own, and nothing runs off the page."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest


@dataclass(frozen=True, slots=True)
class Column:
    # A line break in the title puts it on two lines: a long title over short figures
    # ("Principal outstanding") would otherwise pad every line with spaces, and WeasyPrint
    # lays out and draws each of them.
    title: str
    right: bool = False  # amounts and counts line up on the right
    wrap: int | None = None  # the widest the column may be; longer text continues below


def _pieces(value: object, column: Column) -> list[str]:
    text = str(value)
    if column.wrap is None or len(text) <= column.wrap:
        return [text]
    return textwrap.wrap(text, column.wrap, break_long_words=True) or [""]


def listing(columns: Sequence[Column], rows: Sequence[Sequence[object]]) -> str:
    """The header, a rule and the rows, each column as wide as its widest cell."""
    cells = [[_pieces(value, column) for value, column in zip(row, columns, strict=True)]
             for row in rows]
    titles = [column.title.split("\n") for column in columns]
    widths = [max([*(len(part) for part in titles[index]),
                   *(len(piece) for row in cells for piece in row[index])])
              for index in range(len(columns))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(value.rjust(width) if column.right else value.ljust(width)
                         for value, width, column in zip(values, widths, columns, strict=True)
                         ).rstrip()

    # A title of one line stands on the header's last line.
    depth = max(len(parts) for parts in titles)
    header = [line([([""] * (depth - len(parts)) + parts)[level] for parts in titles])
              for level in range(depth)]
    lines = [*header, "-" * max(len(text) for text in header)]
    for row in cells:
        lines += [line(list(parts)) for parts in zip_longest(*row, fillvalue="")]
    return "\n".join(lines)


def short_id(identifier: object) -> str:
    """The first 8 characters of an id, as a printed listing shows it: WeasyPrint draws
    every glyph in Python, and two full UUIDs were half of each line (the CSV and JSON
    carry the ids whole)."""
    return str(identifier)[:8]
