"""Agreement between coders at scale: a 20,000-word focus-group transcript, 1,500 codings by two
coders over 30 codes.

    python benchmarks/bench_qual_agreement.py
    python benchmarks/bench_qual_agreement.py --words 40000 --codings 3000 --repeats 5

It builds (untimed) one transcript of ``--words`` words (about 5.4 characters a word with the
space and the speaker labels, so ~110,000 characters at full size) in speaker turns of 20-150
words by seven speakers (PX1 to PX7), a codebook of ``--codes`` codes, and ``--codings``
codings split between Coder A and Reviewer B: most of B's codings cover about the same passage
as one of A's (their ends moved by up to 40 characters), the rest are B's own; a few of A's are
split into two overlapping pieces. Then it times, median of ``--repeats`` runs: ``agreement``
for every code by character and by speaker turn, ``disagreements`` for one code, and what
``imheval qual agreement`` does with a file (reading the project back from a .qdpx written
untimed, then agreement by character). Nothing asserts on time; the target is well under 1 s
for all codes.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from imheval.qualitative.agreement import agreement, disagreements
from imheval.qualitative.model import Case, Code, Coding, Project, Source, Turn, User, stable_guid
from imheval.qualitative.refi import read_qdpx, write_qdpx

_SPEECH = (
    "the group helped me think about the baby and the parent and what they might feel when "
    "we talk in supervision I notice my own reactions more and I feel more confident to stay "
    "with difficult feelings in the room reflective practice is harder when the service is "
    "busy but the network keeps it alive"
)
WORDS = _SPEECH.split(" ")


def build(words: int, codes: int, codings: int, seed: int = 15) -> Project:
    """The synthetic project described in the module docstring."""
    rng = random.Random(seed)
    speakers = [Case(stable_guid("case", f"PX{i}"), f"PX{i}") for i in range(1, 8)]
    parts: list[str] = []
    turns: list[Turn] = []
    position = 0
    written = 0
    while written < words:
        speaker = rng.choice(speakers)
        length = min(rng.randint(20, 150), words - written)
        body = " ".join(rng.choice(WORDS) for _ in range(length))
        line = f"{speaker.name}: {body}\n"
        turns.append(Turn(position, position + len(line) - 1, speaker.guid))
        parts.append(line)
        position += len(line)
        written += length
    text = "".join(parts)
    source = Source(stable_guid("source", "bench"), "Focus group (synthetic)", text, tuple(turns))
    codebook = tuple(Code(stable_guid("code", str(i)), f"Code {i + 1}") for i in range(codes))
    coder_a = User(stable_guid("user", "A"), "Coder A")
    coder_b = User(stable_guid("user", "B"), "Reviewer B")
    made: list[Coding] = []

    def add(start: int, end: int, code: Code, coder: User) -> None:
        index = len(made)
        start, end = max(0, min(start, end)), min(len(text), max(start, end))
        made.append(
            Coding(
                stable_guid("coding", str(index)),
                stable_guid("selection", str(index)),
                source.guid,
                start,
                end,
                code.guid,
                coder.guid,
            )
        )

    for_a = codings // 2
    a_spans: list[tuple[int, int, Code]] = []
    while len(made) < for_a:
        start = rng.randrange(0, len(text) - 400)
        end = start + rng.randint(40, 400)
        code = rng.choice(codebook)
        a_spans.append((start, end, code))
        if rng.random() < 0.1 and len(made) + 2 <= for_a:
            middle = (start + end) // 2
            add(start, middle + 20, code, coder_a)
            add(middle - 20, end, code, coder_a)
        else:
            add(start, end, code, coder_a)
    while len(made) < codings:
        if rng.random() < 0.8:
            start, end, code = rng.choice(a_spans)
            add(start + rng.randint(-40, 40), end + rng.randint(-40, 40), code, coder_b)
        else:
            start = rng.randrange(0, len(text) - 400)
            add(start, start + rng.randint(40, 400), rng.choice(codebook), coder_b)
    return Project(
        name="Agreement benchmark",
        users=(coder_a, coder_b),
        codes=codebook,
        sources=(source,),
        codings=tuple(made),
        cases=tuple(speakers),
    )


def _time(action: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """(first run, median of the later runs) in milliseconds."""
    timings = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return timings[0], statistics.median(timings[1:])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--codes", type=int, default=30)
    parser.add_argument("--codings", type=int, default=1_500)
    parser.add_argument("--repeats", type=int, default=7)
    options = parser.parse_args(argv)

    project = build(options.words, options.codes, options.codings)
    (source,) = project.sources
    print(
        f"Python {platform.python_version()} on {platform.machine()}; transcript of "
        f"{options.words:,} words, {len(source.text):,} characters, {len(source.turns):,} "
        f"turns; {len(project.codings):,} codings by 2 coders over {len(project.codes)} codes"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.qdpx"
        write_qdpx(project, path)
        code = project.codes[0].guid
        rows = [
            ("agreement, all codes, by character", lambda: agreement(project)),
            ("agreement, all codes, by speaker turn", lambda: agreement(project, unit="turn")),
            ("disagreements, one code", lambda: disagreements(project, code, source.guid)),
            (
                "read .qdpx + agreement by character",
                lambda: agreement(read_qdpx(path).project),
            ),
        ]
        print(f"\n{'what':<42} {'first ms':>9} {'median ms':>10}")
        for label, action in rows:
            first, median = _time(action, options.repeats)
            print(f"{label:<42} {first:>9.1f} {median:>10.1f}")

    report = agreement(project)
    kappas = [r.pooled.cohen_kappa for r in report.codes if r.pooled.cohen_kappa is not None]
    print(
        f"\nFigures: {len(report.codes)} codes; pooled kappa from {min(kappas):.2f} to "
        f"{max(kappas):.2f} (median {statistics.median(kappas):.2f}); "
        f"{len(disagreements(project, code, source.guid))} disagreements in {project.codes[0].name}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
