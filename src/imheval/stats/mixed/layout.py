"""What the sums of a :mod:`.general` fit need from its cohort, person and cell codes alone.

The programme-by-time model fits each domain with the same people in the same cohorts and
cells (only the scores differ), and a singular slopes fit is followed by an intercepts fit on
the same codes. So the part of the sums that depends on the codes only (how many rows each
person has, each person's cohort, the people of each number of rows, and the sparse persons x
cells count matrix) is built once, in a :class:`Layout`, and :func:`layout` keeps the last one
(recognised by a digest of the codes, not a copy of them) for the next fit with the same codes.
The sums made from it are the same numbers, computed by the same operations in the same order,
as without it.
"""

from __future__ import annotations

import hashlib
import threading

import numpy as np
from scipy import sparse

from imheval.stats._common import BoolArray, FloatArray, IntArray


class Layout:
    """The codes' share of the sums of a problem given by cells (see the module docstring).

    ``counts`` is each person's number of rows, ``person_cohort`` each person's cohort,
    ``sizes`` the distinct numbers of rows a person has (as floats, ascending), ``chosen`` the
    people of each size and ``cohort_of_size`` their cohorts; ``in_cells`` counts
    each person's rows in each cell (persons x cells; None for a problem given by rows, whose
    ``cell`` is None). ``codes`` is the digest of the codes (:func:`codes_key`).
    """

    def __init__(
        self,
        cohort: IntArray,
        person: IntArray,
        cell: IntArray | None,
        n_cells: int,
        codes: bytes | None = None,
    ) -> None:
        if codes is None and cell is not None:
            codes = codes_key(cohort, person, cell, n_cells)
        self.codes = codes
        self.n_cohorts = int(cohort.max()) + 1
        self.n_persons = int(person.max()) + 1
        self.counts = np.bincount(person, minlength=self.n_persons)
        self.person_cohort = np.zeros(self.n_persons, dtype=np.int64)
        self.person_cohort[person] = cohort
        self.sizes = np.flatnonzero(np.bincount(self.counts)[1:]).astype(np.float64) + 1.0
        self.chosen: list[BoolArray] = [self.counts == size for size in self.sizes.tolist()]
        self.n_of_size = np.array([float(np.count_nonzero(c)) for c in self.chosen])
        self.cohort_of_size = [self.person_cohort[c] for c in self.chosen]
        #: sums that depend on the codes and a design only, by the design's key
        self.kept: dict[tuple[int, bytes], FloatArray] = {}
        self.in_cells = (
            None
            if cell is None
            else sparse.csr_matrix(
                (np.ones(person.size), (person, cell)), shape=(self.n_persons, n_cells)
            )
        )

    def person_sums(self, design: FloatArray) -> FloatArray:
        """Each person's sum of the rows of ``design`` (one row per cell): ``in_cells @
        design``."""
        if self.in_cells is None:
            raise ValueError("a layout without cells has no sums by cell")
        return np.asarray(self.in_cells @ design, dtype=np.float64)


def codes_key(cohort: IntArray, person: IntArray, cell: IntArray, n_cells: int) -> bytes:
    """A digest that tells sets of codes apart (BLAKE2b, 32 bytes: a collision is out of
    reach), so a layout need not keep the codes to recognise them."""
    digest = hashlib.blake2b(n_cells.to_bytes(8, "little"), digest_size=32)
    for codes in (cohort, person, cell):
        array = np.ascontiguousarray(codes, dtype=np.int64)
        digest.update(array.size.to_bytes(8, "little"))
        digest.update(array.tobytes())
    return digest.digest()


def design_key(*designs: FloatArray) -> bytes:
    """A key that tells designs apart: each one's shape and values."""
    return b"".join(
        np.array(design.shape, dtype=np.int64).tobytes()
        + np.ascontiguousarray(design, dtype=np.float64).tobytes()
        for design in designs
    )


_last: list[Layout] = []
_lock = threading.Lock()


def layout(cohort: IntArray, person: IntArray, cell: IntArray, n_cells: int) -> Layout:
    """The layout of these codes: the last one built when the codes are the same, else a new
    one (which replaces it)."""
    key = codes_key(cohort, person, cell, n_cells)
    with _lock:
        if _last and _last[0].codes == key:
            return _last[0]
    built = Layout(cohort, person, cell, n_cells, key)
    with _lock:
        _last[:] = [built]
    return built
