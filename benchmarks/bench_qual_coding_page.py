"""The coding page at scale: a 20,000-word focus-group transcript with 1,500 codings by two
coders over 30 codes.

    python benchmarks/bench_qual_coding_page.py                      # SQLite, full size
    python benchmarks/bench_qual_coding_page.py --postgres postgres://postgres@127.0.0.1:5432/postgres
    python benchmarks/bench_qual_coding_page.py --words 40000 --codings 3000 --repeats 5

It makes a new database (SQLite in a temporary data folder, or a freshly made database
``imheval_bench_coding`` on the PostgreSQL server named by ``--postgres``), migrates it and
builds (untimed) one study with a transcript of ``--words`` words in speaker turns of 20-150
words by seven speakers (PX1 to PX7, about 110,000 characters at full size), a codebook of five
themes, ten sub-themes and 30 codes, and ``--codings`` codings split between two coders (the
signed-in analyst and an imported coder), all shown (the study is not coding blind), some of a
passage under two codes, many overlapping. Then, through Django's test client signed in as the
analyst, it measures the coding page: the first request (cold), the query count, the page's
size, and the median and 90th percentile of ``--repeats`` later requests (warm). Nothing asserts
on time; the target is under 1 s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import time
from decimal import Decimal
from typing import Any

from web_bench import start_django, time_page

BENCH_DB = "imheval_bench_coding"
USERNAME = "bench-analyst"
_SPEECH = (
    "the group helped me think about the baby and the parent and what they might feel when "
    "we talk in supervision I notice my own reactions more and I feel more confident to stay "
    "with difficult feelings in the room reflective practice is harder when the service is "
    "busy but the network keeps it alive."
)
WORDS = _SPEECH.split()


def _build(words: int, codings: int, seed: int = 15) -> tuple[Any, Any, Any]:
    """The organisation, study and source (see the module docstring)."""
    from django.contrib.auth import get_user_model

    from imheval.web.organisations.models import Membership, Organisation
    from imheval.web.qualitative.models import Code, Coder, Coding, Source, Speaker, Study, Turn
    from imheval.web.workspace.models import Cohort, Programme

    rng = random.Random(seed)
    user = get_user_model().objects.create_user(username=USERNAME, password="not used")
    organisation = Organisation.objects.create(name="Bench Trust", slug="bench")
    Membership.objects.create(user=user, organisation=organisation, role="analyst")
    programme = Programme.objects.create(
        organisation=organisation,
        name="Bench programme",
        provider="Trust",
        level="beginner",
        delivery="online",
        duration_value=Decimal("2"),
        duration_unit="hours",
    )
    cohort = Cohort.objects.create(
        programme=programme, name="B-1", start_date=datetime.date(2026, 11, 2)
    )
    study = Study.objects.create(organisation=organisation, name="Bench study", cohort=cohort)
    speakers = [Speaker.objects.create(study=study, label=f"PX{i}") for i in range(1, 8)]
    parts: list[str] = []
    spans: list[tuple[int, int, Any]] = []
    position = written = 0
    while written < words:
        speaker = rng.choice(speakers)
        length = min(rng.randint(20, 150), words - written)
        line = f"{speaker.label}: {' '.join(rng.choice(WORDS) for _ in range(length))}\n"
        spans.append((position, position + len(line), speaker))
        parts.append(line)
        position += len(line)
        written += length
    text = "".join(parts)
    source = Source.objects.create(study=study, name="Focus group (synthetic)", text=text)
    Turn.objects.bulk_create(
        Turn(source=source, speaker=speaker, start=start, end=end) for start, end, speaker in spans
    )
    codes = []
    for t in range(5):
        theme = Code.objects.create(study=study, level="theme", name=f"Theme {t + 1}")
        for s in range(2):
            sub = Code.objects.create(
                study=study, parent=theme, level="subtheme", name=f"Sub-theme {t + 1}.{s + 1}"
            )
            for c in range(3):
                codes.append(
                    Code.objects.create(
                        study=study,
                        parent=sub,
                        level="code",
                        name=f"Code {t + 1}.{s + 1}.{c + 1}",
                        definition="What the analyst looks for under this code, in a sentence.",
                    )
                )
    coders = [
        Coder.objects.create(study=study, name="Bench analyst", user=user),
        Coder.objects.create(study=study, name="Reviewer B (imported)"),
    ]
    rows = []
    while len(rows) < codings:
        start = rng.randrange(0, len(text) - 400)
        end = start + rng.randint(20, 400)
        coder = coders[len(rows) % 2]
        selection = f"SEL-{len(rows)}"
        for code in rng.sample(codes, 2 if rng.random() < 0.2 else 1):
            rows.append(
                Coding(
                    source=source,
                    code=code,
                    coder=coder,
                    start=start,
                    end=end,
                    selection_guid=selection,
                    exemplar=rng.random() < 0.05,
                    memo="A memo." if rng.random() < 0.1 else "",
                )
            )
    Coding.objects.bulk_create(rows[:codings], batch_size=500)
    return organisation, study, source


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=20_000, help="words in the transcript")
    parser.add_argument("--codings", type=int, default=1_500, help="codings by the two coders")
    parser.add_argument("--repeats", type=int, default=10, help="warm requests")
    parser.add_argument("--postgres", help="a PostgreSQL server address (default: SQLite)")
    options = parser.parse_args(argv)

    start_django("imheval-bench-coding-", options.postgres, BENCH_DB)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    started = time.perf_counter()
    organisation, study, source = _build(options.words, options.codings)
    built = time.perf_counter() - started

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=USERNAME))
    url = reverse(
        "qualitative:coding",
        kwargs={"org": organisation.slug, "study": study.pk, "source": source.pk},
    )
    database = "PostgreSQL" if options.postgres else "SQLite"
    print(
        f"{database}, Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs; data built in {built:.1f} s; {options.repeats} warm requests"
    )
    label = f"coding page ({options.words:,} words, {options.codings:,} codings)"
    print(f"{'page':<46} {'cold ms':>8} {'queries':>8} {'KiB':>6} {'median ms':>10} {'p90 ms':>8}")
    figures = time_page(client, url, options.repeats)
    print(
        f"{label:<46} {figures['cold_ms']:>8.0f} {figures['queries']:>8} {figures['kib']:>6.0f} "
        f"{figures['median_ms']:>10.1f} {figures['p90_ms']:>8.1f}"
    )


if __name__ == "__main__":
    main()
