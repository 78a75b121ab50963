# SPDX-License-Identifier: EUPL-1.2
"""Reading a text column (and an id column) from a CSV, XLSX or JSONL export.

The files are read with the streaming table readers (:mod:`leerlus.engine.tables`) that the
importer's web upload uses too, so the command line reads exports exactly as the upload does.
Problems with the file become :class:`InputError` with a one-line message that names the file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from leerlus.engine.tables import NUL_CHARACTER, RAW_LINE, ROW_ERROR, ParseError, open_table

__all__ = ["Column", "InputError", "read_texts"]


class InputError(ValueError):
    """Bad input: the message is one line that says what is wrong and where."""


@dataclass
class Column:
    """The texts of a file and their ids (the row number from 0 when there is no id column)."""

    ids: list[str]
    texts: list[str]


def find_column(header: Sequence[str], wanted: str, option: str, path: Path) -> str:
    if wanted in header:
        return wanted
    folded = {name.casefold(): name for name in header}
    if wanted.casefold() in folded:
        return folded[wanted.casefold()]
    shown = ", ".join(header[:12]) + (", ..." if len(header) > 12 else "")
    raise InputError(f"{path.name}: no column {wanted!r} for {option} (columns: {shown})")


def read_texts(
    path: str | Path,
    *,
    text_column: str,
    id_column: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Column:
    """All rows' texts and ids; a missing text cell reads as the empty string.

    Raises :class:`InputError` for a missing file or column, an empty file, an unreadable
    encoding, a JSONL line that is not a JSON object, or a repeated id.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        table = open_table(path)
    except ParseError as error:
        raise InputError(f"{path.name}: {error}") from error
    except OSError as error:
        raise InputError(f"{path.name}: cannot be read ({error.strerror or error})") from error
    ids: list[str] = []
    texts: list[str] = []
    seen: set[str] = set()
    with table:
        text_key = find_column(table.header, text_column, "--text-column", path)
        id_key = find_column(table.header, id_column, "--id-column", path) if id_column else None
        try:
            for number, row in table.rows:
                # A row with a NUL byte is read without it (the importer keeps it aside).
                if row.get(ROW_ERROR, NUL_CHARACTER) != NUL_CHARACTER:
                    raise InputError(
                        f"{path.name}, line {number}: not a JSON object ({row[ROW_ERROR]}): "
                        f"{row.get(RAW_LINE, '')[:40]!r}"
                    )
                position = len(texts)
                if id_key is None:
                    item_id = str(position)
                else:
                    item_id = row.get(id_key, "").strip()
                    if not item_id:
                        raise InputError(f"{path.name}, row {number}: empty id in {id_key!r}")
                    if item_id in seen:
                        raise InputError(f"{path.name}, row {number}: id {item_id!r} repeats")
                    seen.add(item_id)
                ids.append(item_id)
                texts.append(row.get(text_key, ""))
                if progress is not None and position and position % 50_000 == 0:
                    progress(position)
        except ParseError as error:
            raise InputError(f"{path.name}: {error}") from error
        except UnicodeDecodeError as error:
            raise InputError(f"{path.name}: unreadable encoding ({error.reason})") from error
    if not texts:
        raise InputError(f"{path.name} has no rows")
    return Column(ids=ids, texts=texts)
