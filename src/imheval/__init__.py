"""imheval: evaluate infant mental health (IMH) training.

The public Python API is exactly what ``__all__`` lists; everything else may change.

>>> from imheval import evaluate_file, get_builtin
>>> evaluation = evaluate_file("responses.csv", [get_builtin("imh-core")])  # doctest: +SKIP
>>> evaluation.to_dict()["tests"][0]["apa"]  # doctest: +SKIP
't(4) = 21.68, p < .001'
"""

from imheval._version import __version__
from imheval.errors import (
    AnalysisError,
    DataFormatError,
    ImhevalError,
    InstrumentError,
    Problem,
    UnknownInstrumentError,
)
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
from imheval.retest import RetestStudy, retest_study
from imheval.scoring import MissingPolicy, ScoredTable, score_items, scores_from_totals

__all__ = [
    "AnalysisError",
    "DataFormatError",
    "Evaluation",
    "EvaluationOptions",
    "ImhevalError",
    "Instrument",
    "InstrumentError",
    "MatchResult",
    "MissingPolicy",
    "Problem",
    "ResponseTable",
    "RetestStudy",
    "ScoredTable",
    "UnknownInstrumentError",
    "__version__",
    "evaluate",
    "evaluate_file",
    "get_builtin",
    "list_builtin",
    "load_instrument",
    "match",
    "read_responses",
    "resolve_instrument",
    "retest_study",
    "score_items",
    "scores_from_totals",
    "write_responses",
]
