"""What the sums of a :mod:`.general` fit need from its cohort, person and cell codes alone.

The programme-by-time model fits each domain with the same people in the same cohorts and
cells (only the scores differ), and a singular slopes fit is followed by an intercepts fit on
the same codes. So the part of the sums that depends on the codes only (how many rows each
person has, each person's cohort, the people of each number of rows, and the sparse persons x
cells count matrix) is built once, in a :class:`Layout`,
and :func:`layout` keeps the last one for the next fit with equal codes. The sums made from it
are the same numbers, computed by the same operations in the same order, as without it.
"""

from __future__ import annotations

import threading

import numpy as np
from scipy import sparse

from imheval.stats._common import BoolArray, FloatArray, IntArray


class Layout:
    """The codes' share of the sums of a problem given by cells (see the module docstring).

    ``counts`` is each person's number of rows, ``person_cohort`` each person's cohort,
    ``sizes`` the distinct numbers of rows a person has (as floats, ascending), ``chosen`` the
    people of each size and ``cohort_of_size`` their cohorts; ``in_cells`` counts
    each person's rows in each cell (persons x cells), made when first needed; ``cell`` is
    None for a problem given by rows.
    """

    def __init__(
        self, cohort: IntArray, person: IntArray, cell: IntArray | None, n_cells: int
    ) -> None:
        # copies, so that a caller changing its arrays cannot make :meth:`matches` lie
        self.cohort, self.person = cohort.copy(), person.copy()
        self.cell = None if cell is None else cell.copy()
        self.n_cells = n_cells
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
        self._in_cells: sparse.csr_matrix | None = None
        self._person_sums: dict[bytes, FloatArray] = {}

    def matches(self, cohort: IntArray, person: IntArray, cell: IntArray, n_cells: int) -> bool:
        """Whether these codes are the ones this layout was built from."""
        return (
            n_cells == self.n_cells
            and self.cell is not None
            and np.array_equal(cohort, self.cohort)
            and np.array_equal(person, self.person)
            and np.array_equal(cell, self.cell)
        )

    def person_sums(self, design: FloatArray) -> FloatArray:
        """Each person's sum of the rows of ``design`` (one row per cell): ``in_cells @
        design``, kept for the next fit with the same design."""
        key = design_key(design)
        found = self._person_sums.get(key)
        if found is None:
            if self._in_cells is None:
                if self.cell is None:
                    raise ValueError("a layout without cells has no sums by cell")
                self._in_cells = sparse.csr_matrix(
                    (np.ones(self.person.size), (self.person, self.cell)),
                    shape=(self.n_persons, self.n_cells),
                )
            found = np.asarray(self._in_cells @ design, dtype=np.float64)
            self._person_sums[key] = found
        return found


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
    """The layout of these codes: the last one built when the codes are equal, else a new one
    (which replaces it)."""
    with _lock:
        if _last and _last[0].matches(cohort, person, cell, n_cells):
            return _last[0]
    built = Layout(cohort, person, cell, n_cells)
    with _lock:
        _last[:] = [built]
    return built
