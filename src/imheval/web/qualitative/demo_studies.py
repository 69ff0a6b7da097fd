"""The demo's two focus group studies as data: who spoke, the codebook, the quotes, the phase
log, the reflexivity statement, renames and the second reviewer's decisions.

:mod:`imheval.web.qualitative.demo` loads them; the transcripts themselves are in
:mod:`imheval.web.qualitative.demo_transcripts`. Everything is fictional.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from imheval.web.qualitative.demo_transcripts import (
    FOCUS_GROUP_1,
    FOCUS_GROUP_2,
    NETWORK_FOCUS_GROUP,
)

#: The cohort whose training the first study evaluates.
DEMO_COHORT = "S1"
COHORT_STUDY = "Cohort S1: focus groups after the Solihull course"
NETWORK_STUDY = "Network group: members' focus group"
#: The cohort's findings the quotes are linked to (keys as finding_key writes them).
KNOWLEDGE = "knowledge/headline/pre_post"
SELF_EFFICACY = "self_efficacy/headline/pre_post"


@dataclass(frozen=True)
class Row:
    """A codebook row and the rows beneath it (themes hold sub-themes, sub-themes codes)."""

    name: str
    definition: str
    children: tuple[Row, ...] = ()


@dataclass(frozen=True)
class Quote:
    """A coding: ``words`` in transcript ``source`` (an index), coded with the row named
    ``code``; ``finding`` links it to a questionnaire finding, with ``note``."""

    source: int
    words: str
    code: str
    exemplar: bool = False
    finding: str = ""
    note: str = ""


@dataclass(frozen=True)
class ReviewStep:
    """A second reviewer's decision on the row then named ``code`` (on one quote when
    ``quote`` is given), and the analyst's answer; a proposal with ``proposed_name`` is
    applied."""

    code: str
    decision: str  # "accept", "comment" or "propose" (models.Decision)
    comment: str = ""
    proposed_name: str = ""
    response: str = ""
    quote: str = ""


@dataclass(frozen=True)
class DemoStudy:
    """Everything one demo study holds (see the module docstring)."""

    name: str
    transcripts: tuple[tuple[str, str, str], ...]  # source name, file name, raw text
    speakers: Mapping[str, Mapping[str, str]]
    codebook: tuple[Row, ...]
    quotes: tuple[Quote, ...]
    reflexivity: str
    phases: tuple[str, ...]  # what was done in phases 1 to 6
    renames: tuple[tuple[str, str], ...] = ()  # the analyst's renames, before and after
    reviews: tuple[ReviewStep, ...] = ()
    memos: tuple[tuple[str, str], ...] = ()  # row name, memo


FACILITATOR = {"role": "Facilitator"}

COHORT_FOCUS_GROUPS = DemoStudy(
    name=COHORT_STUDY,
    transcripts=(
        ("Focus group 1", "focus-group-1.txt", FOCUS_GROUP_1),
        ("Focus group 2", "focus-group-2.txt", FOCUS_GROUP_2),
    ),
    speakers={
        "Facilitator": FACILITATOR,
        "PX1": {"profession": "Health visitor", "service": "Health visiting"},
        "PX2": {"profession": "Social worker", "service": "Children's social work"},
        "PX3": {"profession": "Health visitor", "service": "Health visiting"},
        "PX4": {"profession": "Family support worker", "service": "Family centre"},
        "PX5": {"profession": "Social worker", "service": "Children's social work"},
        "PX6": {"profession": "Health visitor", "service": "Health visiting"},
        "PX7": {"profession": "Speech and language therapist", "service": "Early years"},
        "PX8": {"profession": "Family support worker", "service": "Family centre"},
    },
    codebook=(
        Row(
            "New knowledge about infant mental health",
            "How the course changed what participants understand about infants' emotional "
            "lives and the parent-infant relationship, often told as a sudden realisation.",
            (
                Row(
                    "Understanding the infant's brain and emotions",
                    "New understanding of infant brain development, infant stress and how a "
                    "parent's own history and mental health reach the baby.",
                    (
                        Row(
                            "Light bulb moment",
                            "A sudden new understanding the speaker puts down to the course.",
                        ),
                        Row(
                            "Parents were infants too",
                            "Seeing a parent's difficulties as coming from their own infancy; "
                            "the cycle from one generation to the next.",
                        ),
                    ),
                ),
                Row(
                    "Seeing behaviour differently",
                    "Reading what parents and infants do through the course's ideas "
                    "(containment, reciprocity) rather than as good or bad behaviour.",
                    (
                        Row(
                            "Containment and reciprocity",
                            "The course's two ideas named or described: the parent taking in "
                            "the baby's feelings, and the two-way relationship.",
                        ),
                        Row(
                            "What is happening for the infant",
                            "Asking what the infant is experiencing rather than what is wrong "
                            "with the parent or the child.",
                        ),
                    ),
                ),
            ),
        ),
        Row(
            "Confidence",
            "Feeling more able to act on the learning with families and in written work.",
            (
                Row(
                    "Talking with parents about the relationship",
                    "Raising the parent-infant relationship with parents, including when "
                    "worried, and having the words to explain it.",
                    (
                        Row(
                            "Confidence to raise the relationship",
                            "Saying the course made the speaker more willing or able to talk "
                            "with parents about their relationship with the baby.",
                        ),
                        Row(
                            "Having the words",
                            "Having, or lacking, the language to explain infant mental health "
                            "to a parent.",
                        ),
                    ),
                ),
                Row(
                    "The infant in assessments and reports",
                    "Putting the infant's perspective into assessments, reports and evidence.",
                    (
                        Row(
                            "The infant's perspective in writing",
                            "Writing about the infant's experience in an assessment or report, "
                            "and standing over it.",
                        ),
                    ),
                ),
            ),
        ),
        Row(
            "Working across agencies",
            "How the course shaped work between services, and who else needs it.",
            (
                Row(
                    "A shared model across professions",
                    "Professions trained together using one model and one language, and "
                    "working together because of it.",
                    (
                        Row(
                            "Same words, same model",
                            "Services using the same ideas and words about a family.",
                        ),
                        Row(
                            "Referrals and joint visits",
                            "Referrals written in the course's terms; visits planned together.",
                        ),
                    ),
                ),
                Row(
                    "Who else needs the training",
                    "Professions and services the speakers say lack this understanding.",
                    (
                        Row(
                            "Adult services, schools and the courts",
                            "Adult mental health, addictions, education and the family courts "
                            "named as needing the training.",
                        ),
                    ),
                ),
            ),
        ),
        Row(
            "Barriers to using the learning",
            "What stops participants using the course in their day-to-day work.",
            (
                Row(
                    "Time, caseloads and targets",
                    "Workload and performance targets leaving no room for the slower work "
                    "the course asks for.",
                    (
                        Row(
                            "Targets and tick boxes",
                            "Forms and targets that do not ask about the infant's experience.",
                        ),
                        Row(
                            "Caseload pressure",
                            "Too many cases or timed contacts to spend time on the relationship.",
                        ),
                    ),
                ),
                Row(
                    "Support after the course",
                    "The lack of follow-up, supervision or a place to think about cases, and "
                    "the emotional weight of the work.",
                    (
                        Row(
                            "Nowhere to take it after the course",
                            "Wanting a follow-up day, a group or somewhere to bring a case.",
                        ),
                        Row(
                            "The emotional weight of the work",
                            "The distress of seeing what neglect does to infants, and the wish "
                            "to turn away from it.",
                        ),
                    ),
                ),
            ),
        ),
    ),
    quotes=(
        Quote(
            0,
            "when they put it together with the mum's own mental health, how she'd been "
            "through the pregnancy, how that lands on the baby, it was like someone switched "
            "a light bulb on",
            "Light bulb moment",
            exemplar=True,
            finding=KNOWLEDGE,
            note="The knowledge gain, as a health visitor describes it: theory she had met "
            "before, joined up by the course.",
        ),
        Quote(
            1,
            "The light bulb moment for me was the stressed infant. I'd always thought of babies "
            "as either fine or not fine.",
            "Light bulb moment",
            finding=KNOWLEDGE,
        ),
        Quote(
            1,
            "The course showed how the back-and-forth of talk starts in the first weeks, in the "
            "looking and the copying.",
            "Light bulb moment",
        ),
        Quote(
            1,
            "Most of the parents I work with were once babies in the same situation. That made "
            "the cycle really clear, how it goes from one generation to the next unless "
            "somebody steps in.",
            "Parents were infants too",
            exemplar=True,
        ),
        Quote(
            0,
            "Containment was the word that stuck. Is mum able to take in what the baby is "
            "feeling and give it back in a way the baby can manage.",
            "Containment and reciprocity",
            exemplar=True,
        ),
        Quote(
            0,
            "What I hadn't really got was reciprocity, that it's a two-way thing, that the baby "
            "is shaping the parent as much as the other way round.",
            "Containment and reciprocity",
        ),
        Quote(
            0,
            "It's asking what's happening for that wee one rather than what's wrong with the "
            "parent.",
            "What is happening for the infant",
            exemplar=True,
        ),
        Quote(
            0,
            "he's telling you something, he's frightened you won't come back",
            "What is happening for the infant",
        ),
        Quote(
            0,
            "Having that training gave me the confidence to have the conversation about the "
            "relationship, not just the practical things.",
            "Confidence to raise the relationship",
            exemplar=True,
            finding=SELF_EFFICACY,
            note="Seed 000's finding in one voice: the confidence to have the conversation.",
        ),
        Quote(
            0,
            "After the course I sat down with both of them and talked about what the baby might "
            "be picking up. I don't think I'd have had the nerve before.",
            "Confidence to raise the relationship",
            finding=SELF_EFFICACY,
        ),
        Quote(
            1,
            "Now I'll sit on the floor with mum and baby and talk about what the baby is doing, "
            "and point out when she's got it right.",
            "Confidence to raise the relationship",
        ),
        Quote(
            0,
            "I didn't have the language.",
            "Having the words",
        ),
        Quote(
            1,
            "I feel I've got the words now. I can explain to a mum why picking up the baby when "
            "he cries won't spoil him",
            "Having the words",
            exemplar=True,
        ),
        Quote(
            0,
            "I feel I can put the infant's perspective in the report now and stand over it.",
            "The infant's perspective in writing",
            exemplar=True,
        ),
        Quote(
            1,
            "I'm more confident putting the infant at the centre and explaining to the parent "
            "why these are the things we have to look at.",
            "The infant's perspective in writing",
            finding=SELF_EFFICACY,
        ),
        Quote(
            0,
            "We were all learning the same model, so when I ring the health visitor about a "
            "family now we're using the same words.",
            "Same words, same model",
            exemplar=True,
        ),
        Quote(
            1,
            "I think it gave us a common framework.",
            "Same words, same model",
        ),
        Quote(
            0,
            "I could write in the referral exactly what I was seeing between mum and baby in "
            "Solihull terms, and the worker at [family centre] knew straight away what I meant.",
            "Referrals and joint visits",
        ),
        Quote(
            1,
            "We've started doing joint visits with the health visitor on a couple of cases, "
            "which we rarely did before.",
            "Referrals and joint visits",
            exemplar=True,
        ),
        Quote(
            0,
            "if the judge and the barristers haven't got this understanding, it's like talking "
            "a different language.",
            "Adult services, schools and the courts",
            exemplar=True,
        ),
        Quote(
            1,
            "A lot of our dads are with the addictions service and nobody there is thinking "
            "about the baby.",
            "Adult services, schools and the courts",
        ),
        Quote(
            0,
            "There's a lot of pressure to hit targets. You tick the box and move on.",
            "Targets and tick boxes",
            exemplar=True,
        ),
        Quote(
            0,
            "the form doesn't have a box for what the baby is feeling",
            "Targets and tick boxes",
        ),
        Quote(0, "Time, mainly. The caseloads are huge.", "Caseload pressure"),
        Quote(
            1,
            "If I spend twenty minutes watching mum and baby play, something else doesn't get "
            "done.",
            "Caseload pressure",
            exemplar=True,
        ),
        Quote(
            0,
            "And after the two days there's nothing.",
            "Nowhere to take it after the course",
            exemplar=True,
        ),
        Quote(
            1,
            "I'd like a follow-up day. Six months on, come back and bring a case. Otherwise it "
            "fades.",
            "Nowhere to take it after the course",
        ),
        Quote(
            0,
            "Thinking about the babies who can't be comforted stays with you. I need somewhere "
            "to take that.",
            "The emotional weight of the work",
        ),
        Quote(
            1,
            "When you really see what neglect does to a baby's brain, you can't unsee it. Some "
            "days I'd rather jump back into my box and not think about it.",
            "The emotional weight of the work",
            exemplar=True,
        ),
    ),
    reflexivity=(
        "I am an evaluator in the Trust's training team and helped arrange the Solihull course, "
        "so I may be inclined to hear its benefits. A colleague from outside the team "
        "facilitated both groups; I looked for barriers as actively as for benefits, and a "
        "second reviewer with no part in the training read every theme with its quotes."
    ),
    phases=(
        "Listened to both recordings and read the transcripts twice; noted how often "
        "participants described a sudden change in how they saw the infant.",
        "Coded both transcripts line by line, keeping code names close to participants' words.",
        "Grouped the codes into four candidate themes: new knowledge, confidence, working "
        "across agencies, barriers.",
        "Checked each theme against its quotes and the whole data set; merged 'time' and "
        "'targets' into one sub-theme.",
        "Defined and named the themes; renamed 'Confidence' to say what participants "
        "described. Sent the themes to the second reviewer.",
        "Wrote the focus group section, with quotes beside the knowledge and self-efficacy "
        "results.",
    ),
    renames=(("Confidence", "Growing confidence in practice"),),
    reviews=(
        ReviewStep(
            "Growing confidence in practice",
            "accept",
            comment="Well supported across both groups; the quotes say what the definition says.",
        ),
        ReviewStep(
            "A shared model across professions",
            "comment",
            comment="This quote is about a referral route more than a shared model: is it in "
            "the right place?",
            response="Kept here: PX1's point is that the referral worked because both services "
            "used the course's terms, which is what the sub-theme is about.",
            quote="I could write in the referral exactly what I was seeing",
        ),
        ReviewStep(
            "New knowledge about infant mental health",
            "propose",
            comment="The name says what the theme is about, not what participants said. Nearly "
            "every quote describes a sudden change in how they see the infant.",
            proposed_name="Light bulb moments: seeing the infant",
            response="Agreed; renamed.",
        ),
        ReviewStep("Barriers to using the learning", "accept"),
    ),
    memos=(
        (
            "Barriers to using the learning",
            "Both groups named the lack of support after the course. Compare with the 12-week "
            "follow-up questionnaire when it is in.",
        ),
    ),
)

NETWORK_FOCUS_GROUP_STUDY = DemoStudy(
    name=NETWORK_STUDY,
    transcripts=(("Members' focus group", "network-focus-group.txt", NETWORK_FOCUS_GROUP),),
    speakers={
        "Facilitator": FACILITATOR,
        "PX1": {"profession": "Clinical psychologist", "role in the group": "Co-ordinator"},
        "PX2": {"profession": "Clinical psychologist", "role in the group": "Co-ordinator"},
        "PX3": {"profession": "Occupational therapist", "role in the group": "Member"},
        "PX4": {"profession": "Mental health nurse", "role in the group": "Member"},
        "PX5": {"profession": "Midwife", "role in the group": "Member"},
        "PX6": {"profession": "Health visitor", "role in the group": "Member"},
        "PX7": {"profession": "Social worker", "role in the group": "Member"},
    },
    codebook=(
        Row(
            "Bringing the knowledge out: influences on clinical practice and service delivery",
            "How what members learn in the group reaches their own work and their teams.",
            (
                Row(
                    "Enhanced clinical practice",
                    "Seeing clients from a developmental, attachment-informed view.",
                ),
                Row(
                    "Dissemination of infant mental health knowledge",
                    "Bringing the group's way of thinking to colleagues and team meetings.",
                ),
                Row(
                    "Increased reflective practice",
                    "Stepping back from a client's behaviour to think about its reasons.",
                ),
            ),
        ),
        Row(
            "The benefits of group-based learning for developing infant mental health knowledge",
            "What learning together, month after month, gives members.",
            (
                Row("Continuous learning", "Regular readings keeping the model in view."),
                Row(
                    "Reflective group discussion",
                    "Other disciplines' views of the same reading.",
                ),
                Row(
                    "The network group as a 'secure base'",
                    "Peer support for work that is hard to do alone.",
                ),
                Row(
                    "Organisational structure of the group",
                    "Booked rooms, readings sent ahead, dates set for the year.",
                ),
            ),
        ),
        Row(
            "External factors that facilitate the network group",
            "What outside the group made it start and keep going.",
            (
                Row("The masterclass", "The masterclass and local specialist that began it."),
                Row("Management support", "Protected time from managers."),
                Row(
                    "Links with other network groups",
                    "Contact with an established group renewing this one.",
                ),
            ),
        ),
        Row(
            "Evaluating and re-defining the focus of the network group",
            "What gets in the way of the group's work, and what it needs next.",
            (
                Row("Staff movement", "Members changing roles or leaving; the need for new ones."),
                Row("Supervision", "Supervision for those who facilitate the group."),
                Row(
                    "Development of infant mental health initiatives",
                    "Services to meet the demand the group's work has raised.",
                ),
            ),
        ),
    ),
    quotes=(
        Quote(
            0,
            "I'm asking more about what happened to them, what went on in their own childhood, "
            "rather than what's wrong with them.",
            "Enhanced clinical practice",
            exemplar=True,
        ),
        Quote(
            0,
            "Sometimes people need a bit of understanding of why they do what they do before "
            "anything can change",
            "Enhanced clinical practice",
        ),
        Quote(0, "It's given me a language, too.", "Enhanced clinical practice"),
        Quote(
            0,
            "At team meetings I'll bring that way of thinking to a case discussion even when I'm "
            "not working with the family.",
            "Dissemination of infant mental health knowledge",
        ),
        Quote(
            0,
            "If we bring the message back to our teams, it shapes how the whole team works with "
            "people who come to the service.",
            "Dissemination of infant mental health knowledge",
            exemplar=True,
        ),
        Quote(
            0,
            "Here you learn to step back and think, they're doing it for a reason, it's their "
            "way of coping.",
            "Increased reflective practice",
            exemplar=True,
        ),
        Quote(
            0,
            "You don't do a course and forget it; it's constantly there reminding you.",
            "Continuous learning",
            exemplar=True,
        ),
        Quote(
            0,
            "I leave feeling re-energised. Someone from a different discipline reads the same "
            "article and sees something I completely missed.",
            "Reflective group discussion",
            exemplar=True,
        ),
        Quote(
            0,
            "Here the interest is in the room. You can't do this work alone.",
            "The network group as a 'secure base'",
            exemplar=True,
        ),
        Quote(0, "It's like a secure base for us.", "The network group as a 'secure base'"),
        Quote(
            0,
            "The room is booked, the articles arrive a week before, the dates are set for the "
            "year.",
            "Organisational structure of the group",
            exemplar=True,
        ),
        Quote(
            0,
            "We wouldn't be here only for the masterclass.",
            "The masterclass",
            exemplar=True,
        ),
        Quote(
            0,
            "having a specialist locally who chose the readings and mapped them to the "
            "competencies",
            "The masterclass",
        ),
        Quote(
            0,
            "The ninety minutes a month is protected in the diary. Going forward that support "
            "will be really important.",
            "Management support",
            exemplar=True,
        ),
        Quote(
            0,
            "we invited members of another network group that had been running for years. That "
            "energised us all again.",
            "Links with other network groups",
            exemplar=True,
        ),
        Quote(
            0,
            "I've changed roles twice since I joined, and each time I wondered, should I still "
            "be coming, can I justify it.",
            "Staff movement",
            exemplar=True,
        ),
        Quote(
            0,
            "When I moved teams I realised I'd taken for granted that every team thought like "
            "this.",
            "Staff movement",
        ),
        Quote(
            0,
            "We need new members too, to replace the people who left, and from more disciplines.",
            "Staff movement",
        ),
        Quote(
            0,
            "There needs to be that parallel process: someone supporting the facilitators so "
            "they can hold the reflective space for the rest of us.",
            "Supervision",
            exemplar=True,
        ),
        Quote(
            0,
            "We set up a parent and baby group alongside the adult service, and it helps to be "
            "able to say to a colleague, actually, you could refer to this group.",
            "Development of infant mental health initiatives",
            exemplar=True,
        ),
    ),
    reflexivity=(
        "The analyst has worked in perinatal mental health and places great value on the "
        "infant mental health model; that position was kept in mind through the focus group "
        "and every phase of the analysis. Two of the seven members co-ordinate the group, "
        "which may make criticism harder to voice, so barriers were asked about directly."
    ),
    phases=(
        "Read the transcript several times against the recording.",
        "Open coding of the whole transcript.",
        "Grouped the codes into four candidate themes.",
        "Reviewed the themes against the coded quotes and the transcript.",
        "Defined and named the themes and sub-themes; the fourth theme renamed, as its "
        "sub-themes are all barriers.",
        "Consolidated the themes and wrote them up for the group's report.",
    ),
    renames=(
        (
            "Evaluating and re-defining the focus of the network group",
            "Barriers to carrying out the work of the network group",
        ),
    ),
    reviews=(
        ReviewStep(
            "Bringing the knowledge out: influences on clinical practice and service delivery",
            "accept",
        ),
        ReviewStep(
            "Barriers to carrying out the work of the network group",
            "comment",
            comment="The draft's introduction still lists this theme by its old name; make sure "
            "the text and Table 3 agree.",
            response="The report now takes every theme's name from the codebook, so they agree.",
        ),
    ),
)
