"""A hand-built qualitative project modelled on seed 002's focus group, for the outputs' tests.

Seven speakers (PX1 to PX7) and a facilitator in one focus group, PX3 again in a short
follow-up interview; seed 002's Table 3 codebook (4 themes of 3 or 4 sub-themes) with one code
beneath "Enhanced clinical practice"; codings by two coders (A and B). The expected counts are
worked out by hand in tests/qualitative/test_outputs.py.
"""

from __future__ import annotations

from imheval.qualitative.model import Case, Code, Coding, Project, Source, Turn, User

#: (speaker, words) of focus group 1, one line each: "SPEAKER: words".
FOCUS_GROUP = (
    ("Facilitator", "What has the network group changed in your practice?"),
    ("PX2", "You're asking more, what happened to them, what went on in their childhood."),
    ("PX6", "Sometimes people need to develop a little bit of insight that can evoke change."),
    ("PX7", "It's very easy to get caught up in that whereas if you can take the step back."),
    ("PX1", "You have the model of the group and the articles to apply it to practice."),
    ("PX3", "It's when you're in the room with colleagues that it makes sense."),
    ("PX4", "Sending out the reading material in advance helped."),
    ("PX5", "The masterclass is what facilitated it, looking back."),
    ("Facilitator", "And what got in the way?"),
    ("PX1", "I think I took for granted that all teams were shaped the same way."),
    ("PX2", "Going forward management support will be really important."),
)
INTERVIEW = (("PX3", "Supervision is hard to get when staff move on."),)

PROFESSIONS = {
    "PX1": "Nurse",
    "PX2": "Nurse",
    "PX3": "Social worker",
    "PX4": "Nurse",
    "PX5": "Psychologist",
    "PX6": "Nurse",
    "PX7": "Social worker",
}

THEMES = (
    (
        "T1",
        "Bringing the knowledge out: influences on clinical practice and service delivery",
        (
            "Enhanced clinical practice",
            "Dissemination of IMH knowledge",
            "Increased reflective practice",
        ),
    ),
    (
        "T2",
        "The benefits of group-based learning for developing IMH knowledge",
        (
            "Continuous learning",
            "Reflective group discussion",
            "The network group as a 'secure base'",
            "Organisational structure of the group",
        ),
    ),
    (
        "T3",
        "External factors that facilitate the PIMH-NG",
        ("IMH Masterclass", "Management support", "Links with other network groups"),
    ),
    (
        "T4",
        "Barriers to carrying out the work of the PIMH-NG",
        ("Staff movement", "Supervision", "Development of IMH initiatives"),
    ),
)
#: The code beneath sub-theme S1.1.
CHILDHOOD = "Asking about childhood"


def transcript(name: str, lines: tuple[tuple[str, str], ...]) -> tuple[Source, list[int]]:
    """The source and where each line's words start."""
    text, turns, starts = "", [], []
    for speaker, words in lines:
        line_start = len(text)
        text += f"{speaker}: "
        starts.append(len(text))
        text += words
        turns.append(Turn(line_start, len(text), f"case-{speaker}"))
        text += "\n"
    return Source(f"src-{name}", name, text, tuple(turns)), starts


def seed_project() -> Project:
    """The project (see the module docstring)."""
    group, starts = transcript("Focus group 1", FOCUS_GROUP)
    interview, interview_starts = transcript("Follow-up interview", INTERVIEW)
    codes: list[Code] = []
    for theme_number, (theme_id, theme, subthemes) in enumerate(THEMES, start=1):
        codes.append(Code(theme_id, theme, description=f"Definition of theme {theme_number}."))
        for number, name in enumerate(subthemes, start=1):
            codes.append(
                Code(f"S{theme_number}.{number}", name, theme_id, f"Definition of {name}.")
            )
            if (theme_number, number) == (1, 1):
                codes.append(Code("C1.1.1", CHILDHOOD, "S1.1", "Asking about the past."))

    def on(line: int, source: Source = group, line_starts: list[int] = starts) -> tuple[int, int]:
        start = line_starts[line]
        end = source.text.index("\n", start)
        return start, end

    def coding(number: int, code: str, span: tuple[int, int], **extra: object) -> Coding:
        source = extra.pop("source", group.guid)
        coder = extra.pop("coder", "A")
        return Coding(
            f"coding-{number}",
            f"sel-{number}",
            str(source),
            span[0],
            span[1],
            code,
            str(coder),
            exemplar=bool(extra.pop("exemplar", False)),
        )

    spanning = (on(2)[0], on(3)[1])  # PX6's and PX7's turns
    codings = (
        coding(1, "C1.1.1", on(1)),
        coding(2, "S1.1", on(2), exemplar=True),
        coding(3, "S1.3", on(3), exemplar=True),
        coding(4, "S2.1", on(4)),
        coding(5, "S2.2", on(5)),
        coding(6, "S2.4", on(6)),
        coding(7, "S3.1", on(7)),
        coding(8, "S1.1", on(0)),  # the facilitator's question
        coding(9, "S4.1", on(9)),
        coding(10, "S3.2", on(10)),
        coding(11, "S1.1", on(1), coder="B"),  # the same passage as coding 1
        coding(12, "S1.3", spanning),
        coding(13, "S4.2", on(0, interview, interview_starts), source=interview.guid),
        coding(14, "S4.1", on(0, interview, interview_starts), source=interview.guid),
    )
    participants = tuple(
        Case(f"case-PX{n}", f"PX{n}", {"profession": PROFESSIONS[f"PX{n}"]}) for n in range(1, 8)
    )
    cases = (*participants, Case("case-Facilitator", "Facilitator", {"role": "Facilitator"}))
    return Project(
        name="PIMH network group focus group",
        users=(User("A", "Analyst A"), User("B", "Reviewer B")),
        codes=tuple(codes),
        sources=(group, interview),
        codings=codings,
        cases=cases,
    )
