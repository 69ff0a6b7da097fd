"""imheval: evaluate infant mental health (IMH) training.

The public Python API is exactly what ``__all__`` lists; everything else may change.

>>> from imheval import evaluate_file, get_builtin
>>> evaluation = evaluate_file("responses.csv", [get_builtin("imh-core")])  # doctest: +SKIP
>>> evaluation.to_dict()["tests"][0]["apa"]  # doctest: +SKIP
't(4) = 21.68, p < .001'

A network group's attendance rule, from a register workbook (docs/network-groups.md):

>>> import datetime
>>> from imheval import AttendanceRule, read_register, standings
>>> as_of = datetime.date(2026, 3, 6)
>>> register = read_register("GROUP.xlsx", as_of=as_of)  # doctest: +SKIP
>>> [s.sentence() for s in standings(register, AttendanceRule(), as_of)]  # doctest: +SKIP
['Must attend every remaining meeting', 'May miss 1 more meeting']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from imheval._lazy import lazy_names
from imheval._strings import keep_python_strings
from imheval._version import __version__
from imheval.errors import (
    AnalysisError,
    DataFormatError,
    ImhevalError,
    InstrumentError,
    Problem,
    UnknownInstrumentError,
)

# pandas keeps text as Python strings, as before pyarrow was installed (decision 0021).
keep_python_strings()

if TYPE_CHECKING:
    from imheval.evaluation import (
        Evaluation,
        EvaluationOptions,
        evaluate,
        evaluate_file,
    )
    from imheval.instruments import (
        Instrument,
        get_builtin,
        list_builtin,
        load_instrument,
        resolve_instrument,
    )
    from imheval.io import ResponseTable, read_responses, write_responses
    from imheval.matching import MatchResult, match
    from imheval.network.attendance import AttendanceRule, Register, Standing, standings
    from imheval.network.register import read_register
    from imheval.retest import RetestStudy, retest_study
    from imheval.scoring import MissingPolicy, ScoredTable, score_items, scores_from_totals

#: Where each public name lives. They are imported on first use (PEP 562), so that
#: ``import imheval`` (and so the command line's start-up) does not pay for pandas, scipy and
#: the analysis modules until something needs them.
_LAZY = {
    "Evaluation": "imheval.evaluation",
    "EvaluationOptions": "imheval.evaluation",
    "evaluate": "imheval.evaluation",
    "evaluate_file": "imheval.evaluation",
    "Instrument": "imheval.instruments",
    "get_builtin": "imheval.instruments",
    "list_builtin": "imheval.instruments",
    "load_instrument": "imheval.instruments",
    "resolve_instrument": "imheval.instruments",
    "ResponseTable": "imheval.io",
    "read_responses": "imheval.io",
    "write_responses": "imheval.io",
    "MatchResult": "imheval.matching",
    "match": "imheval.matching",
    "AttendanceRule": "imheval.network.attendance",
    "Register": "imheval.network.attendance",
    "Standing": "imheval.network.attendance",
    "standings": "imheval.network.attendance",
    "read_register": "imheval.network.register",
    "RetestStudy": "imheval.retest",
    "retest_study": "imheval.retest",
    "MissingPolicy": "imheval.scoring",
    "ScoredTable": "imheval.scoring",
    "score_items": "imheval.scoring",
    "scores_from_totals": "imheval.scoring",
}


# Under "not TYPE_CHECKING" so that mypy still reports a misspelt name on this module.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_names(globals(), _LAZY)


__all__ = [
    "AnalysisError",
    "AttendanceRule",
    "DataFormatError",
    "Evaluation",
    "EvaluationOptions",
    "ImhevalError",
    "Instrument",
    "InstrumentError",
    "MatchResult",
    "MissingPolicy",
    "Problem",
    "Register",
    "ResponseTable",
    "RetestStudy",
    "ScoredTable",
    "Standing",
    "UnknownInstrumentError",
    "__version__",
    "evaluate",
    "evaluate_file",
    "get_builtin",
    "list_builtin",
    "load_instrument",
    "match",
    "read_register",
    "read_responses",
    "resolve_instrument",
    "retest_study",
    "score_items",
    "scores_from_totals",
    "standings",
    "write_responses",
]
