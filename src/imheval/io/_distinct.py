"""A text column held as its distinct values and one code per cell (the reader's working form)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from imheval.io.table import normalise_codes


@dataclass(frozen=True, slots=True)
class Distinct:
    """A column of stripped text held as its distinct values and one code per cell.

    Each distinct text is stripped (and later parsed) once, which is much faster than working
    cell by cell, and equal answers share one string object, a large saving in memory.
    """

    codes: np.ndarray  # index into ``distinct`` per cell
    distinct: np.ndarray  # object array of stripped text; the last entry is "" (missing cells)

    @classmethod
    def of(cls, values: pd.Series) -> Distinct:
        """The column of text ``values`` (a categorical of text, as the CSV reader gives, or
        text cells), each distinct text stripped; a missing cell reads as ""."""
        if isinstance(values.dtype, pd.CategoricalDtype):
            # The categorical's own codes, in its small integer type (int8 for most answers).
            codes = values.cat.codes.to_numpy()
            uniques = values.cat.categories.to_numpy(dtype=object)
        else:
            # Hashing a plain object array is faster than the string-dtype path.
            factorized, uniques = pd.factorize(values.to_numpy(dtype=object))
            codes = factorized.astype(np.int32, copy=False)
        # A missing cell has code -1, which indexes the trailing "".
        distinct = np.array([str(u).strip() for u in uniques] + [""], dtype=object)
        return cls(codes=codes, distinct=distinct)

    def has_value(self) -> np.ndarray:
        nonblank: np.ndarray = (self.distinct != "")[self.codes]
        return nonblank

    def take(self, rows: np.ndarray) -> Distinct:
        return Distinct(codes=self.codes[rows], distinct=self.distinct)

    def series(self) -> pd.Series:
        return pd.Series(self.distinct[self.codes], dtype="str", copy=False)

    def categorical(self) -> pd.Series:
        """The column as a categorical of its distinct stripped texts ("" for a blank)."""
        # Sorted categories, as astype("category") makes: the same answers give the same
        # dtype whatever the file's layout, format or row order.
        positions, texts = pd.factorize(self.distinct, sort=True)
        categories = pd.Index(texts, dtype="str")
        return pd.Series(pd.Categorical.from_codes(positions[self.codes], categories))

    def normalised_codes(self) -> Distinct:
        """The column as participant codes (:func:`normalise_codes` of each distinct text)."""
        normalised = normalise_codes(pd.Series(self.distinct, dtype="str")).astype("str")
        return Distinct(codes=self.codes, distinct=normalised.to_numpy(dtype=object))
