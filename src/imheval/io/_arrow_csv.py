"""Reading a CSV file's columns with pyarrow's parser: the fast path of :mod:`imheval.io._sheet`.

pyarrow's C++ parser turns each column of a block of the file into its distinct texts and one
code per cell, so no cell becomes a Python string: a large file reads several times faster and
in a fraction of the memory (decision 0021). It is used only where it reads exactly what
pandas' C parser reads (``_sheet``'s other path, which also words every message): UTF-8 text
whose every record is as wide as the header and whose last quoted value is closed. For anything
else (a short or long record, a blank line among the rows, bytes that are not UTF-8, a quote
left open at the end of the file) pyarrow stops or the check below fails, and the caller reads
the file with pandas instead; tests/io/test_csv_fast_path.py holds the two paths to the same
result over every CSV file the reader's tests use and over random text.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.compute as pa_compute  # type: ignore[import-untyped]
import pyarrow.csv as pa_csv  # type: ignore[import-untyped]

from imheval.io import _cells

#: Bytes of the file parsed at a time (each block's columns are condensed before the next).
BLOCK_BYTES = 1 << 20

#: Files above this size are followed by a trim of the heap (:func:`release_memory`).
TRIM_AFTER_BYTES = 16 << 20

#: Each column as the codes of its cells (one per row below the header, in the smallest integer
#: type that holds them) and the distinct texts they index (an object array, each text used by
#: at least one cell).
Coded = tuple[np.ndarray, np.ndarray]
_Block = tuple[np.ndarray, Any]  # a block's codes and its dictionary (a pyarrow array)


def read_coded_columns(
    path: Path,
    file: str,
    separator: str,
    width: int,
    positions: list[int],
    above: int,
    max_rows: int,
    header_row: int,
    progress: Callable[[int], None] | None,
) -> dict[int, Coded] | None:
    """The columns at ``positions`` of the rows below the ``above`` records down to the header,
    or None when pandas must read the file (see the module's docstring).

    Refuses a file with more than ``max_rows`` rows below the header as soon as a block takes
    it over (``too_many_rows``). ``progress`` is given how many rows have been read, at the same
    counts as the pandas path.
    """
    pool = pa.system_memory_pool()
    try:
        trim = _large(path.stat().st_size)
    except OSError:
        trim = False
    try:
        try:
            blocks, last_cell = _read_blocks(
                path, file, separator, width, positions, above, max_rows, header_row, progress, pool
            )
        except pa.ArrowException:
            return None
        # The header record counts too: a quote it leaves open swallows every row below it.
        if last_cell is not None and _quote_left_open(path, last_cell):
            return None
        return {position: _joined(blocks.pop(position), pool) for position in sorted(blocks)}
    finally:
        # Arrow's memory comes from malloc and is handed back to the system once a large file
        # is read (release_unused trims the heap): the analysis that follows starts lighter.
        if trim:
            pool.release_unused()


def _read_blocks(
    path: Path,
    file: str,
    separator: str,
    width: int,
    positions: list[int],
    above: int,
    max_rows: int,
    header_row: int,
    progress: Callable[[int], None] | None,
    pool: Any,
) -> tuple[dict[int, list[_Block]], str | None]:
    """Each wanted column's blocks below the header, and the last cell of the last record read
    (header included; None when the file has no record), for the open-quote check."""
    names = [str(position) for position in range(width)]
    text = pa.dictionary(pa.int32(), pa.string())
    reader = pa_csv.open_csv(
        path,
        read_options=pa_csv.ReadOptions(
            column_names=names, use_threads=False, block_size=BLOCK_BYTES
        ),
        parse_options=pa_csv.ParseOptions(
            delimiter=separator,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=True,
            ignore_empty_lines=False,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(names, text),
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
        memory_pool=pool,
    )
    blocks: dict[int, list[_Block]] = {position: [] for position in positions}
    last_cell: str | None = None
    read = 0
    limit = above + max_rows
    reported = 0
    for batch in reader:
        if batch.num_rows:
            last_cell = batch.column(width - 1)[batch.num_rows - 1].as_py()
        skip = min(max(above - read, 0), batch.num_rows)
        read += batch.num_rows
        reported = _report(progress, read, above, limit + 1, reported)
        if read > limit:
            _cells.too_many_rows(file, max_rows, header_row)
        for position, kept in blocks.items():
            column = batch.column(position)
            if skip:
                column = column.slice(skip)
            dictionary = column.dictionary
            kept.append((np.array(column.indices, dtype=_code_type(len(dictionary))), dictionary))
    return blocks, last_cell


def release_memory(read_bytes: int) -> None:
    """Hand the memory freed while reading a file of ``read_bytes`` back to the system (glibc's
    heap trim; elsewhere nothing is done), if the file was large.

    Reading a large file frees far more than it keeps (the parser's blocks, each column's
    working copies), in pieces too small for malloc to return by itself; without this the
    process would hold on to it through the analysis that follows. After a small file there is
    little to return, and the trim (which walks every heap arena under its lock, stalling the
    web worker's other threads while it does) is not worth it.
    """
    if not _large(read_bytes):
        return
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _large(read_bytes: int) -> bool:
    """Whether a file of ``read_bytes`` is worth trimming the heap after."""
    return read_bytes > TRIM_AFTER_BYTES


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        # The running program's own symbols: the C library's, without searching for it.
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc (macOS, Windows, musl)
        return None
    return trim


def _report(
    progress: Callable[[int], None] | None,
    read: int,
    above: int,
    asked: int,
    reported: int,
) -> int:
    """Say each multiple of PROGRESS_EVERY records reached, as pandas' chunks of that size do
    (up to the ``asked`` records pandas would have read); returns the last count said."""
    every = _cells.PROGRESS_EVERY
    while progress is not None and reported + every <= min(read, asked):
        reported += every
        progress(reported - above)
    return reported


def _joined(blocks: list[_Block], pool: Any) -> Coded:
    """One column from its blocks' codes and dictionaries: the same text gets one code, and a
    text no cell uses (the header's, in the first block) is left out."""
    if not blocks:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=object)
    # Merged by Arrow, so that a text repeated in many blocks becomes one Python string.
    entries = pa.concat_arrays([dictionary for _, dictionary in blocks], memory_pool=pool)
    encoded = pa_compute.dictionary_encode(entries, memory_pool=pool)
    merged = np.asarray(encoded.indices)
    texts = encoded.dictionary.to_numpy(zero_copy_only=False)
    starts = np.cumsum([0] + [len(dictionary) for _, dictionary in blocks])
    merged = merged.astype(_code_type(len(texts)))
    codes = np.concatenate(
        [merged[start:][block] for start, (block, _) in zip(starts, blocks, strict=False)]
    )
    used = np.bincount(codes, minlength=len(texts)) > 0
    if not used.all():
        renumbered = (np.cumsum(used) - 1).astype(codes.dtype)
        codes, texts = renumbered[codes], texts[used]
    return codes, np.asarray(texts, dtype=object)


def _code_type(distinct: int) -> type[np.signedinteger]:
    """The smallest integer type for codes of ``distinct`` texts (and -1), as a categorical's."""
    if distinct < 127:
        return np.int8
    if distinct < 32_767:
        return np.int16
    return np.int32


def _quote_left_open(path: Path, last_cell: str) -> bool:
    """Whether the file ends inside a quoted value, which pandas refuses and pyarrow reads.

    Such a value runs to the end of the file, so it is the last record's last cell (the
    header's, when the quote opens there), and the file ends with a quote and that cell's text
    (its quotes doubled) and nothing after.
    """
    tail = ('"' + last_cell.replace('"', '""')).encode("utf-8")
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        if len(tail) > size:
            return False
        handle.seek(size - len(tail))
        return handle.read() == tail
