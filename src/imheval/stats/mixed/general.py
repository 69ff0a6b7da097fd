"""A general REML fit for people nested in cohorts: any fixed design, a cohort random-effect
vector (an intercept, or an intercept and time slopes), and a random intercept per person.

This is the fitter behind :mod:`imheval.stats.mixed.interaction` (the programme-by-time model)
and the cohort ICC of the change scores; :func:`imheval.stats.mixed.mixed_model` keeps its own
faster fitter. It minimises lme4's profiled REML criterion over lme4's parameters theta (the
participant SD relative to the residual SD, and the lower-triangular Cholesky factor of the
cohort covariance relative to the residual variance, column by column, as ``getME(m,
"theta")``), so the estimates are lme4's up to the optimiser's tolerance.

Each evaluation costs O(cohorts x d x k^2 + d^3), with d the number of fixed, response and
cohort random columns and k the cohort random columns: the participant intercepts are
removed in closed form (a person's block of V is I + theta^2 J, whose inverse is I - c J),
and the cohort effects by Woodbury on each cohort's k x k block, batched across cohorts. The
sums over a cohort's rows and over each person's rows are computed once, before the search;
only their blocks against the k cohort random columns are kept per cohort, the rest as
totals over cohorts (see :class:`_Sums`). What those sums need from the codes alone is kept for
the next fit with the same codes (:mod:`.layout`), and each evaluation writes its cohort-sized
arrays into scratch space kept with the sums (:meth:`_Sums.buffer`).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import math
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from scipy import optimize

from imheval.stats._common import FloatArray, IntArray
from imheval.stats.mixed.layout import Layout, design_key, layout

#: lme4's isSingular() tolerance: a theta with lower bound 0 below this is zero.
SINGULAR_TOLERANCE: Final = 1e-4

_LOG_2PI: Final = math.log(2.0 * math.pi)

#: Relative SDs tried when a search ends with an SD at zero (see :func:`fit`).
_PROBES: Final = (0.03, 0.1, 0.2, 0.4, 0.8, 1.6)


@dataclass(frozen=True, slots=True)
class Problem:
    """The data of one fit: ``y``, fixed design ``x``, cohort random design ``z`` (n x k, k
    may be 0), integer ``cohort`` and ``person`` codes (persons nested in cohorts), and
    whether each person has a random intercept.

    With ``cell`` (one integer code a row), ``x`` and ``z`` hold one row per cell instead of
    one per observation (row i's design is ``x[cell[i]]``, ``z[cell[i]]``): a design of
    indicator columns, such as time by programme, has a few distinct rows, and its sums are
    then counts (``np.bincount``) rather than products of n x p matrices.

    ``by_entry`` (with ``cell``): each evaluation sums the cohorts' term by (cohort, cell)
    entry (:class:`_CellCohortSums`), about 4 times faster with 10,000 cohorts; the criterion
    is the same to rounding, but rounded otherwise, and on a flat optimum the search then stops
    at another point within its tolerance (docs/performance.md, issue 19: Satterthwaite df
    moved by up to 8e-4), so it is off where results must stay as they were."""

    y: FloatArray
    x: FloatArray
    z: FloatArray
    cohort: IntArray
    person: IntArray
    person_term: bool
    cell: IntArray | None = None
    by_entry: bool = False

    @property
    def n(self) -> int:
        return int(self.y.size)

    @property
    def p(self) -> int:
        return int(self.x.shape[1])

    @property
    def k(self) -> int:
        return int(self.z.shape[1])

    @property
    def n_theta(self) -> int:
        return (1 if self.person_term else 0) + self.k * (self.k + 1) // 2


class _Sums:
    """The cross-products every evaluation needs, summed once before the search.

    The columns are ordered [X, y, Z] (d of them), so the fixed part and the response are one
    slice of r = p + 1 columns. Only the cohort random columns need per-cohort sums: every
    evaluation takes the [X, y] x [X, y] block summed over all cohorts, so that block is kept as
    one total (``total``, and ``total_by_size`` for each person count), and per cohort only the
    k x d block of Z against every column (``zcross``, k x d x cohorts with cohorts last, so
    each evaluation works on contiguous rows of cohorts, and ``zcross_by_size``).
    Memory is O(cohorts x d x k), and the sums take k passes over the rows. A problem given by
    cells keeps its cohorts' blocks by (cohort, cell) entry instead (``cells``, see
    :class:`_CellCohortSums`), and its sums are counts by cell.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        r = problem.p + 1
        self.d = r + problem.k
        n_cohorts = int(problem.cohort.max()) + 1
        codes: Layout | None = None
        self._buffers: list[FloatArray] = []
        if problem.cell is None:
            g = np.ascontiguousarray(np.column_stack([problem.x, problem.y, problem.z]))
            self.total = (g.T @ g)[:r, :r]
            self.zcross = _grouped_cross(g, g[:, r:], problem.cohort, n_cohorts)
            if problem.person_term:
                codes = Layout(problem.cohort, problem.person, None, 0)
                person_sum = _group_sums(g, problem.person, codes.n_persons)
            else:
                person_sum = np.zeros((0, self.d))
        else:
            cell = problem.cell
            self.total = _cell_total(problem, cell)
            # by entry, the cohorts' blocks are kept in self.cells instead
            self.zcross = _cell_cohort_blocks(problem, cell, 0 if problem.by_entry else n_cohorts)
            if problem.person_term:
                codes = layout(problem.cohort, problem.person, cell, problem.x.shape[0])
                person_sum = _cell_person_sums(problem, codes)
            else:
                person_sum = np.zeros((0, 0))
        by_entry = problem.cell is not None and problem.by_entry and problem.k > 0
        self._by_size(
            person_sum,
            codes,
            n_cohorts,
            cohort_blocks=not by_entry,
            design=None if problem.cell is None else design_key(problem.x, problem.z),
        )
        self.cells = (
            _CellCohortSums(problem, problem.cell, n_cohorts, person_sum, self.sizes)
            if problem.cell is not None and by_entry
            else None
        )

    def buffer(self, index: int) -> FloatArray:
        """Scratch space of the cohorts' blocks' shape (k x d x cohorts) for each evaluation:
        arrays this large, allocated afresh, cost more in page faults than their arithmetic.
        So a ``_Sums`` is not for evaluations running at the same time in several threads."""
        while len(self._buffers) <= index:
            self._buffers.append(np.empty(self.zcross.shape))
        return self._buffers[index]

    def release(self) -> None:
        """Free the scratch space (a later evaluation makes it again)."""
        self._buffers.clear()

    def _by_size(
        self,
        person_sum: FloatArray,
        codes: Layout | None,
        n_cohorts: int,
        *,
        cohort_blocks: bool,
        design: bytes | None = None,
    ) -> None:
        """The sums over people of each number of rows (see the class docstring); ``codes``
        is None without a person term, ``design`` the key of a problem's cells' X and Z."""
        problem = self.problem
        r, k = problem.p + 1, problem.k
        sizes = np.zeros(0)
        n_of_size = np.zeros(0)
        total_by_size = np.zeros((0, r, r))
        zcross_by_size = np.zeros((0, k, self.d, n_cohorts))
        if codes is not None:
            sizes = codes.sizes
            n_of_size = codes.n_of_size
            total_by_size = np.zeros((sizes.size, r, r))
            zcross_by_size = np.zeros((sizes.size, k, self.d, n_cohorts if cohort_blocks else 0))
            for index, chosen in enumerate(codes.chosen):
                rows = person_sum[chosen]
                total_by_size[index] = rows[:, :r].T @ rows[:, :r]
                if k and cohort_blocks:
                    zcross_by_size[index] = _size_cross(codes, index, rows, r, design)
        self.sizes = sizes
        self.n_of_size = n_of_size
        self.total_by_size = total_by_size
        self.zcross_by_size = zcross_by_size


def _size_cross(
    codes: Layout, index: int, rows: FloatArray, r: int, design: bytes | None
) -> FloatArray:
    """``zcross_by_size[index]``: the cohort sums of Z times [X, y, Z] over the people with the
    ``index``-th number of rows (``rows`` their sums, y in column r - 1). Only the y column
    depends on the scores: with ``design`` (the cells' X and Z, see :func:`design_key`) the
    others are kept in ``codes`` for the next fit with the same design, and the y column is
    summed alone as :func:`_grouped_cross` sums each column."""
    group = codes.cohort_of_size[index]
    if design is None:
        return _grouped_cross(rows, rows[:, r:], group, codes.n_cohorts)
    key = (index, design)
    kept = codes.kept.get(key)
    if kept is None:
        kept = _grouped_cross(rows, rows[:, r:], group, codes.n_cohorts)
        codes.kept[key] = kept
        return kept.copy()
    result = kept.copy()
    result[:, r - 1] = _grouped_cross(rows[:, r - 1 : r], rows[:, r:], group, codes.n_cohorts)[:, 0]
    return result


def _cell_total(problem: Problem, cell: IntArray) -> FloatArray:
    """``_Sums.total`` of a problem given by cells (``cell``, each row's), from the count and
    the sum of y of each cell: O(n) for the counts, then a product of cells x p."""
    x, y = problem.x, problem.y
    n_cells, p = x.shape[0], problem.p
    counts = np.bincount(cell, minlength=n_cells).astype(np.float64)
    y_sums = np.bincount(cell, weights=y, minlength=n_cells)
    total = np.empty((p + 1, p + 1))
    total[:p, :p] = x.T @ (counts[:, None] * x)
    total[:p, p] = total[p, :p] = x.T @ y_sums
    total[p, p] = float(y @ y)
    return total


def _cell_cohort_blocks(problem: Problem, cell: IntArray, n_cohorts: int) -> FloatArray:
    """``_Sums.zcross`` of a problem given by cells, from the count and the sum of y of each
    cell in each cohort (products of cohorts x cells by cells x d); none for 0 cohorts."""
    x, z, y = problem.x, problem.z, problem.y
    n_cells, p, k = x.shape[0], problem.p, problem.k
    zcross = np.zeros((k, p + 1 + k, n_cohorts))
    if k and n_cohorts:
        key = problem.cohort * n_cells + cell
        cohort_counts = np.bincount(key, minlength=n_cohorts * n_cells).reshape(n_cohorts, -1)
        cohort_y = np.bincount(key, weights=y, minlength=n_cohorts * n_cells)
        cohort_y = cohort_y.reshape(n_cohorts, -1)
        design = np.concatenate([x, np.zeros((n_cells, 1)), z], axis=1)
        for j in range(k):
            block = (cohort_counts * z[:, j]) @ design
            block[:, p] = cohort_y @ z[:, j]
            zcross[j] = block.T
    return zcross


def _cell_person_sums(problem: Problem, codes: Layout) -> FloatArray:
    """Each person's sum of the rows [X, y, Z] of a problem given by cells (persons x d): the
    count of each person's rows in each cell (a sparse persons x cells matrix, from ``codes``)
    times the cells' rows, and a ``np.bincount`` of y."""
    person = problem.person
    n_persons = codes.n_persons
    p = problem.p
    sums = np.empty((n_persons, p + 1 + problem.k))
    sums[:, :p] = codes.person_sums(problem.x)
    sums[:, p] = np.bincount(person, weights=problem.y, minlength=n_persons)
    sums[:, p + 1 :] = codes.person_sums(problem.z)
    return sums


class _CellCohortSums:
    """The cohort sums of a problem given by cells, kept by (cohort, cell) entry.

    A cohort's block of Z against X, ``Z_c' X``, is ``W_c x`` with ``W_c`` (k x cells) the
    sums of Z over the cohort's rows of each cell, and a cohort has rows in few cells (one
    programme: one per time). So the cohorts' term of X'H^-1X, the sum over cohorts of
    ``X'Z_c Lambda B_c^-1 Lambda' Z_c'X``, is ``x' M x`` with M (cells x cells) summed over the
    pairs of entries of each cohort: O(entries x k^2) an evaluation, not O(cohorts x p^2).
    Each part is kept as its total over rows (``*_rows``) and its sums over the people of each
    size (``*_by_size``), which each evaluation combines with the person weights as
    ``_Sums`` does for its blocks.
    """

    def __init__(
        self,
        problem: Problem,
        cell: IntArray,
        n_cohorts: int,
        person_sum: FloatArray,
        sizes: FloatArray,
    ) -> None:
        n_cells, p, k = problem.x.shape[0], problem.p, problem.k
        self.n_cells = n_cells
        key = problem.cohort * n_cells + cell
        # the (cohort, cell) entries with rows, in order (cohorts x cells is small)
        used = np.bincount(key, minlength=n_cohorts * n_cells) > 0
        entry_key = np.flatnonzero(used)
        row_entry = (np.cumsum(used) - 1)[key]
        n_entries = entry_key.size
        self.entry_cohort = entry_key // n_cells
        self.entry_cell = entry_key % n_cells
        counts = np.bincount(row_entry, minlength=n_entries).astype(np.float64)
        y_sums = np.bincount(row_entry, weights=problem.y, minlength=n_entries)
        z_entries = problem.z[self.entry_cell].T  # k x entries
        # W (k x entries), Z'y (k x cohorts) and Z'Z (k x k x cohorts) over every row, from the
        # entries' counts and sums of y (Z is constant within an entry)
        self.w_rows = counts * z_entries
        self.zy_rows = np.stack(
            [np.bincount(self.entry_cohort, z_entries[j] * y_sums, n_cohorts) for j in range(k)]
        )
        self.zz_rows = np.stack(
            [
                np.stack(
                    [
                        np.bincount(
                            self.entry_cohort, counts * z_entries[i] * z_entries[j], n_cohorts
                        )
                        for j in range(k)
                    ]
                )
                for i in range(k)
            ]
        )
        # the same sums over people: a person's sum of Z times their sums (of each cell, of y,
        # of Z), for the people of each number of rows
        n_sizes = sizes.size
        self.w_by_size = np.zeros((n_sizes, k, n_entries))
        self.zy_by_size = np.zeros((n_sizes, k, n_cohorts))
        self.zz_by_size = np.zeros((n_sizes, k, k, n_cohorts))
        if problem.person_term:
            person_z = person_sum[:, p + 1 :]
            person_y = person_sum[:, p]
            n_rows = np.bincount(problem.person)
            person_cohort = np.zeros(n_rows.size, dtype=np.int64)
            person_cohort[problem.person] = problem.cohort
            for index, size in enumerate(sizes.tolist()):
                rows = n_rows[problem.person] == size
                people = n_rows == size
                row_z = person_z[problem.person[rows]]
                cohorts = person_cohort[people]
                for i in range(k):
                    self.w_by_size[index, i] = np.bincount(row_entry[rows], row_z[:, i], n_entries)
                    self.zy_by_size[index, i] = np.bincount(
                        cohorts, person_z[people, i] * person_y[people], n_cohorts
                    )
                    for j in range(k):
                        self.zz_by_size[index, i, j] = np.bincount(
                            cohorts, person_z[people, i] * person_z[people, j], n_cohorts
                        )
        # every ordered pair of entries of one cohort (entries are sorted by cohort)
        per_cohort = np.bincount(self.entry_cohort, minlength=n_cohorts)
        start = np.concatenate([[0], np.cumsum(per_cohort)[:-1]])
        repeat = per_cohort[self.entry_cohort]
        self.first = np.repeat(np.arange(n_entries), repeat)
        position = np.arange(self.first.size) - np.repeat(np.cumsum(repeat) - repeat, repeat)
        self.second = start[self.entry_cohort[self.first]] + position
        self.pair_cell = self.entry_cell[self.first] * n_cells + self.entry_cell[self.second]
        self.x = problem.x


def _group_sums(rows: FloatArray, group: IntArray, n_groups: int) -> FloatArray:
    """Sum of each group's rows (groups x m): one stable sort, one ``np.add.reduceat``."""
    result = np.zeros((n_groups, rows.shape[1]))
    if rows.shape[0] == 0:
        return result
    if np.all(group[1:] >= group[:-1]):
        ordered_group, ordered = group, rows
    else:
        order = np.argsort(group, kind="stable")
        ordered_group, ordered = group[order], rows[order]
    starts = np.flatnonzero(np.r_[True, ordered_group[1:] != ordered_group[:-1]])
    result[ordered_group[starts]] = np.add.reduceat(ordered, starts, axis=0)
    return result


def _grouped_cross(
    rows: FloatArray, columns: FloatArray, group: IntArray, n_groups: int
) -> FloatArray:
    """Sum over each group's rows of column row' (k x d x groups, one slice per column of
    ``columns``), a column at a time (memory n x d, not n x d x k)."""
    d, k = rows.shape[1], columns.shape[1]
    result = np.zeros((k, d, n_groups))
    if k == 0:
        return result
    if np.all(group[1:] >= group[:-1]):
        ordered_group, ordered_rows, ordered_columns = group, rows, columns
    else:
        order = np.argsort(group, kind="stable")
        ordered_group, ordered_rows, ordered_columns = group[order], rows[order], columns[order]
    for j in range(k):
        result[j] = _group_sums(
            ordered_rows * ordered_columns[:, j : j + 1], ordered_group, n_groups
        ).T
    return result


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What one theta gives: beta, X'H^-1X, the penalised residual sum of squares, log|H|."""

    beta: FloatArray
    xhx: FloatArray
    pwrss: float
    logdet_h: float
    logdet_xhx: float


def cholesky_factor(theta_cohort: FloatArray, k: int) -> FloatArray:
    """lme4's relative Cholesky factor Lambda from its column-wise lower-triangle theta."""
    factor = np.zeros((k, k))
    index = 0
    for column in range(k):
        for row in range(column, k):
            factor[row, column] = theta_cohort[index]
            index += 1
    return factor


def lower_bounds(problem: Problem) -> list[float | None]:
    """lme4's bounds: 0 for an SD (a diagonal of Lambda), none for an off-diagonal."""
    bounds: list[float | None] = [0.0] if problem.person_term else []
    for column in range(problem.k):
        for row in range(column, problem.k):
            bounds.append(0.0 if row == column else None)
    return bounds


def evaluate(sums: _Sums, theta: FloatArray) -> Evaluation | None:
    """The GLS solution at ``theta`` (None when X'H^-1X is singular or pwrss is not positive)."""
    problem = sums.problem
    p, k = problem.p, problem.k
    logdet = 0.0
    offset = 0
    q_z = sums.zcross
    cells = sums.cells
    c = np.zeros(0)
    if problem.person_term:
        t2 = float(theta[0]) ** 2
        offset = 1
        c = t2 / (1.0 + sums.sizes * t2)
        q_rr = sums.total.copy()
        for index, weight in enumerate(c.tolist()):
            q_rr -= weight * sums.total_by_size[index]
            if k and cells is None:
                scaled = np.multiply(weight, sums.zcross_by_size[index], out=sums.buffer(0))
                q_z = np.subtract(q_z, scaled, out=sums.buffer(1))
        logdet += float(sums.n_of_size @ np.log1p(sums.sizes * t2))
    else:
        q_rr = sums.total
    if k and cells is not None:
        found = _cohort_term_by_cells(cells, cholesky_factor(theta[offset:], k), c)
        if found is None:
            return None
        term, cohort_logdet = found
        q_rr = q_rr - term
        logdet += cohort_logdet
    elif k:
        r = p + 1  # the fixed columns and y
        lam = cholesky_factor(theta[offset:], k)
        n_cohorts = q_z.shape[2]
        # lt[a, :, cohort] = (Lambda' Z'_cohort [X y Z])[a]: one k x k by k x (d cohorts) product
        lt = np.matmul(lam.T, q_z.reshape(k, -1), out=sums.buffer(0).reshape(k, -1))
        lt = lt.reshape(k, -1, n_cohorts)
        # B = Lambda' Z'Z Lambda + I of each cohort, entry by entry (k x k x cohorts)
        b = np.einsum("aec,eb->abc", lt[:, r:, :], lam)
        for i in range(k):
            b[i, i] += 1.0
        inverse, determinant = _inverse_and_determinant(b)
        if not np.all(determinant > 0):
            return None
        logdet += float(np.log(determinant).sum())
        # the sum over cohorts of t' B^-1 t (t = lt[:, :r]), a k x k sum of r x r products
        u, product = sums.buffer(1)[0, :r], sums.buffer(1)[min(1, k - 1), :r]
        for row in range(k):
            np.multiply(inverse[row, 0], lt[0, :r], out=u)
            for column in range(1, k):
                u += np.multiply(inverse[row, column], lt[column, :r], out=product)
            q_rr = q_rr - u @ lt[row, :r].T
    q_rr = np.asarray(0.5 * (q_rr + q_rr.T), dtype=np.float64)
    xhx = q_rr[:p, :p]
    xhy = q_rr[:p, p]
    try:
        chol_x = np.linalg.cholesky(xhx)
    except np.linalg.LinAlgError:
        return None
    beta = np.asarray(np.linalg.solve(xhx, xhy), dtype=np.float64)
    pwrss = float(q_rr[p, p] - xhy @ beta)
    if not (pwrss > 0 and math.isfinite(pwrss)):
        return None
    return Evaluation(beta, xhx, pwrss, logdet, 2.0 * float(np.log(np.diagonal(chol_x)).sum()))


def _cohort_term_by_cells(
    cells: _CellCohortSums, lam: FloatArray, weights: FloatArray
) -> tuple[FloatArray, float] | None:
    """The cohorts' term of [X y]'H^-1[X y] (r x r) and their part of log|H|, from the sums by
    entry (see :class:`_CellCohortSums`); None when a cohort's block is not positive."""
    w, zy, zz = cells.w_rows, cells.zy_rows, cells.zz_rows
    for index, weight in enumerate(weights.tolist()):
        w = w - weight * cells.w_by_size[index]
        zy = zy - weight * cells.zy_by_size[index]
        zz = zz - weight * cells.zz_by_size[index]
    k = lam.shape[0]
    t_cell = lam.T @ w  # k x entries
    t_y = lam.T @ zy  # k x cohorts
    # B = Lambda' Z'Z Lambda + I of each cohort (k x k x cohorts); k is at most 3, so plain
    # loops over it on contiguous rows, which are much faster here than einsum or fancy indexing
    lz = np.tensordot(lam.T, zz, axes=(1, 0))
    b = np.empty((k, k, zz.shape[2]))
    for row in range(k):
        for column in range(k):
            b[row, column] = lam[0, column] * lz[row, 0]
            for inner in range(1, k):
                b[row, column] += lam[inner, column] * lz[row, inner]
        b[row, row] += 1.0
    inverse, determinant = _inverse_and_determinant(b)
    if not np.all(determinant > 0):
        return None
    # v = B^-1 t, by entry (B of the entry's cohort) and by cohort
    cohort_of = cells.entry_cohort
    v_cell, v_y = np.zeros_like(t_cell), np.zeros_like(t_y)
    for row in range(k):
        for column in range(k):
            v_cell[column] += inverse[row, column].take(cohort_of) * t_cell[row]
            v_y[column] += inverse[row, column] * t_y[row]
    n_cells = cells.n_cells
    pair_value = np.zeros(cells.first.size)
    cell_y = np.zeros(cohort_of.size)
    for row in range(k):
        pair_value += v_cell[row].take(cells.first) * t_cell[row].take(cells.second)
        cell_y += v_cell[row] * t_y[row].take(cohort_of)
    m = np.bincount(cells.pair_cell, pair_value, n_cells * n_cells).reshape(n_cells, n_cells)
    m_y = np.bincount(cells.entry_cell, cell_y, n_cells)
    x = cells.x
    p = x.shape[1]
    term = np.empty((p + 1, p + 1))
    term[:p, :p] = x.T @ m @ x
    term[:p, p] = term[p, :p] = x.T @ m_y
    term[p, p] = float(np.sum(v_y * t_y))
    return term, float(np.log(determinant).sum())


def _inverse_and_determinant(b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The inverses and determinants of many small symmetric matrices, stored entry by entry
    (k x k x m, the m matrices last): closed form up to 3 x 3, which is all the cohort blocks
    here need; LAPACK beyond."""
    k = b.shape[0]
    with np.errstate(all="ignore"):
        if k == 1:
            return 1.0 / b, b[0, 0]
        if k == 2:
            a, c, d = b[0, 0], b[0, 1], b[1, 1]
            det = a * d - c * c
            return np.array([[d, -c], [-c, a]]) / det, det
        if k == 3:
            cof = np.empty_like(b)
            for i in range(3):
                for j in range(3):
                    r = [x for x in range(3) if x != i]
                    s = [x for x in range(3) if x != j]
                    minor = b[r[0], s[0]] * b[r[1], s[1]] - b[r[0], s[1]] * b[r[1], s[0]]
                    cof[i, j] = (-1) ** (i + j) * minor
            det = b[0, 0] * cof[0, 0] + b[0, 1] * cof[0, 1] + b[0, 2] * cof[0, 2]
            return np.swapaxes(cof, 0, 1) / det, det
    stacked = np.moveaxis(b, 2, 0)
    sign, log_det = np.linalg.slogdet(stacked)
    inverse = np.moveaxis(np.asarray(np.linalg.inv(stacked), dtype=np.float64), 0, 2)
    return inverse, np.asarray(np.where(sign > 0, np.exp(log_det), 0.0), dtype=np.float64)


def profiled_deviance(sums: _Sums, theta: FloatArray) -> float:
    """lme4's REML criterion at ``theta`` (sigma profiled out); inf where it is undefined."""
    found = evaluate(sums, theta)
    if found is None:
        return math.inf
    dof = sums.problem.n - sums.problem.p
    return found.logdet_h + found.logdet_xhx + dof * (1.0 + _LOG_2PI + math.log(found.pwrss / dof))


#: Evaluations already made, by theta's bytes (see :func:`deviance`).
Memo = dict[bytes, "Evaluation | None"]


def _remembered(sums: _Sums, theta: FloatArray, memo: Memo | None) -> Evaluation | None:
    """:func:`evaluate` at ``theta``, or what it gave there before when ``memo`` has it."""
    if memo is None:
        return evaluate(sums, theta)
    key = np.ascontiguousarray(theta, dtype=np.float64).tobytes()
    if key not in memo:
        memo[key] = evaluate(sums, theta)
    return memo[key]


def deviance(sums: _Sums, varpar: FloatArray, memo: Memo | None = None) -> float:
    """The REML deviance at (theta, sigma), as lmerTest's ``devfun_vp``; nan if undefined.

    The evaluation depends on theta alone, so points that differ only in sigma can share one
    through ``memo`` (the same numbers: an evaluation is a function of theta's bits)."""
    found = _remembered(sums, varpar[:-1], memo)
    if found is None:
        return math.nan
    sigma2 = float(varpar[-1]) ** 2
    problem = sums.problem
    return (
        found.logdet_h
        + found.pwrss / sigma2
        + (problem.n - problem.p) * (_LOG_2PI + math.log(sigma2))
        + found.logdet_xhx
    )


def covariance_of_beta(
    sums: _Sums, varpar: FloatArray, memo: Memo | None = None
) -> FloatArray | None:
    """Var(beta_hat) = sigma^2 (X'H^-1X)^-1 at (theta, sigma); None where undefined (``memo``
    as for :func:`deviance`)."""
    found = _remembered(sums, varpar[:-1], memo)
    if found is None:
        return None
    return np.asarray(float(varpar[-1]) ** 2 * np.linalg.inv(found.xhx), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Fit:
    """A REML fit: theta, sigma, beta, Var(beta) and the REML log-likelihood."""

    theta: FloatArray
    sigma: float
    beta: FloatArray
    covariance: FloatArray
    log_likelihood: float
    singular: bool
    sums: _Sums

    @property
    def varpar(self) -> FloatArray:
        return np.array([*self.theta.tolist(), self.sigma])

    def cohort_covariance(self) -> FloatArray:
        """The cohort random effects' covariance matrix (k x k) on the score scale."""
        problem = self.sums.problem
        offset = 1 if problem.person_term else 0
        lam = cholesky_factor(self.theta[offset:], problem.k)
        return self.sigma**2 * (lam @ lam.T)

    def person_variance(self) -> float | None:
        if not self.sums.problem.person_term:
            return None
        return float(self.sigma * self.theta[0]) ** 2


def one_blas_thread() -> contextlib.AbstractContextManager[object]:
    """Limit BLAS to one thread, if threadpoolctl is installed: every evaluation is a few
    small matrix products, for which BLAS threads cost far more than they give when the
    machine is busy (as :mod:`imheval.stats.power_simulation` found). The libraries are
    looked up once (10 ms each time otherwise), when numpy's and scipy's BLAS are loaded."""
    controller = _blas_controller()
    if controller is None:
        return contextlib.nullcontext()
    limits: contextlib.AbstractContextManager[object] = controller.limit(limits=1, user_api="blas")
    return limits


@functools.cache
def _blas_controller() -> Any:
    try:
        threadpoolctl = importlib.import_module("threadpoolctl")
    except ImportError:
        return None
    return threadpoolctl.ThreadpoolController()


def fit(problem: Problem) -> Fit | None:
    """Minimise the profiled REML criterion from lme4's start (SDs 1, correlations 0).

    L-BFGS-B on numerical gradients within lme4's bounds, restarted once when an SD ends at
    zero; should it stop without converging, a Nelder-Mead polish from its end point (on a
    theta clipped to the bounds), keeping whichever is lower. None when no
    finite criterion was found.
    """
    with one_blas_thread():
        return _fit(problem)


def _fit(problem: Problem) -> Fit | None:
    sums = _Sums(problem)
    bounds = lower_bounds(problem)
    start = np.array([1.0 if bound == 0.0 else 0.0 for bound in bounds])
    scipy_bounds = [(bound, None) for bound in bounds]

    def objective(theta: FloatArray) -> float:
        value = profiled_deviance(sums, theta)
        return value if math.isfinite(value) else 1e300

    def search(begin: FloatArray) -> tuple[FloatArray, float, bool]:
        found = optimize.minimize(
            objective,
            begin,
            method="L-BFGS-B",
            bounds=scipy_bounds,
            options={"ftol": 1e-13, "gtol": 1e-7, "maxiter": 2000},
        )
        return np.asarray(found.x, dtype=np.float64), float(found.fun), bool(found.success)

    theta, value, success = search(start)
    # The criterion is even in each SD, so a zero SD is always a stationary point, where a
    # search that overshot to the bound stops. Each SD that ended at zero is probed along a
    # grid; the search restarts from the best lower point (a true boundary fit has none).
    for i, bound in enumerate(bounds):
        if bound != 0.0 or theta[i] >= 1e-3:
            continue
        probes = []
        for trial in _PROBES:
            moved = theta.copy()
            moved[i] = trial
            probes.append((objective(moved), trial))
        lowest, trial = min(probes)
        if lowest < value:
            restart = theta.copy()
            restart[i] = trial
            again, again_value, again_success = search(restart)
            if again_value < value:
                theta, value, success = again, again_value, again_success
    if not success:
        polish = optimize.minimize(
            lambda t: objective(_clip(t, bounds)),
            theta,
            method="Nelder-Mead",
            options={"xatol": 1e-7, "fatol": 1e-10, "maxiter": 4000},
        )
        if float(polish.fun) < value:
            theta = _clip(np.asarray(polish.x, dtype=np.float64), bounds)
            value = float(polish.fun)
    if not math.isfinite(value) or value >= 1e299:
        return None
    found = evaluate(sums, theta)
    sums.release()
    if found is None:
        return None
    dof = problem.n - problem.p
    sigma = math.sqrt(found.pwrss / dof)
    singular = any(
        bound == 0.0 and value_ < SINGULAR_TOLERANCE
        for bound, value_ in zip(bounds, theta.tolist(), strict=True)
    )
    return Fit(
        theta=theta,
        sigma=sigma,
        beta=found.beta,
        covariance=np.asarray(sigma**2 * np.linalg.inv(found.xhx), dtype=np.float64),
        log_likelihood=-0.5 * value,
        singular=singular,
        sums=sums,
    )


def _clip(theta: FloatArray, bounds: list[float | None]) -> FloatArray:
    """``theta`` with each SD that went below its bound set to the bound."""
    clipped = theta.copy()
    for index, bound in enumerate(bounds):
        if bound is not None and clipped[index] < bound:
            clipped[index] = bound
    return clipped
