"""The demo's focus group transcripts, as a transcriber would type them (fictional throughout).

Two focus groups held after cohort S1's Solihull course (seed 000's design: two groups after
training, practitioners from health visiting, social work, the family centre and speech and
language therapy) and one with the network group's members (seed 002's design: seven members,
PX1 to PX7, asked about the benefits and challenges of the group). Speakers are labelled PX1 to
PX8 and Facilitator, as a transcriber pseudonymises them; the one service named in the text is
replaced on import (:data:`NAMES`), as a real import replaces the names the user lists.
"""

from __future__ import annotations

from typing import Final

#: Names in the raw text and their labels: replaced by the import's pseudonymisation pass.
NAMES: Final = {"Riverside Family Centre": "[family centre]"}

FOCUS_GROUP_1: Final = """\
Focus group 1, cohort S1 (Solihull, intermediate), six weeks after the course

Facilitator: Thanks for coming back together. It's about six weeks since the Solihull course. \
I'd like to start broadly: what, if anything, has stayed with you from the two days?

PX1: For me it was the brain development session. As a health visitor I knew the theory, I'd \
done it in my training, but when they put it together with the mum's own mental health, how \
she'd been through the pregnancy, how that lands on the baby, it was like someone switched a \
light bulb on. I went out to a visit the next morning and I was watching the baby in a \
completely different way.

PX3: I'd agree with that. I think I'd been looking at the baby as feeding and weight and sleep, \
the checklist, and the course made me look at what's going on between them. Containment was the \
word that stuck. Is mum able to take in what the baby is feeling and give it back in a way the \
baby can manage.

PX2: From a social work side it was slightly different. I came in thinking I knew attachment, \
because it's in every assessment we write. What I hadn't really got was reciprocity, that it's \
a two-way thing, that the baby is shaping the parent as much as the other way round. That \
changed how I read a contact session.

Facilitator: Can you say a bit more about that?

PX2: Before, I would have written "mum was appropriate, baby settled". Now I'm asking what \
happened when the baby cried, did mum notice, how long did it take her, what did the baby do \
when she got it wrong. It's asking what's happening for that wee one rather than what's wrong \
with the parent.

PX4: I work in the family centre, and honestly a lot of it was new to me. I didn't have the \
language. I'd see a toddler throwing things at the door when mum leaves and I'd have called it \
bad behaviour. Now I can say to mum, he's telling you something, he's frightened you won't come \
back. And she listens, because it's not me telling her off.

Facilitator: So you're describing a change in how you talk with parents. Has the training \
changed your confidence in doing that?

PX1: Definitely. Having that training gave me the confidence to have the conversation about the \
relationship, not just the practical things. It's not that I never did it. It's the importance \
I put on it now, and the time I give it in a visit.

PX3: I'm more confident raising it when I'm worried, too. There was a family where dad's mental \
health was really poor and I used to skirt around it. After the course I sat down with both of \
them and talked about what the baby might be picking up. I don't think I'd have had the nerve \
before.

PX2: Confidence in writing it down as well. In an assessment you have to be able to explain why \
something matters for the infant, because it might end up in front of a judge. I feel I can put \
the infant's perspective in the report now and stand over it.

Facilitator: What about working with other services? Did the course change anything there?

PX4: It helped that it was mixed. There were health visitors, social workers, people from speech \
and language, all in the one room. We were all learning the same model, so when I ring the \
health visitor about a family now we're using the same words.

PX1: That's been really useful. I had a referral to the family centre last month and I could \
write in the referral exactly what I was seeing between mum and baby in Solihull terms, and the \
worker at Riverside Family Centre knew straight away what I meant.

PX2: I'd say the gap is still the adult side. Adult mental health and addictions are working \
with the parents, and they don't always see the baby at all. And the courts. We can be as \
confident as we like, but if the judge and the barristers haven't got this understanding, it's \
like talking a different language.

Facilitator: What gets in the way of using what you learned?

PX3: Time, mainly. The caseloads are huge. You go in with a contact to do and a form to fill, \
and the form doesn't have a box for what the baby is feeling.

PX2: There's a lot of pressure to hit targets. You tick the box and move on. The course asks you \
to slow down, and that's hard when you've twenty-five cases.

PX4: And after the two days there's nothing. We had a great time, we all went away buzzing, and \
then it's back to normal. I'd love somewhere to bring a case and think about it with people who \
did the course.

PX1: Supervision as well. Some of what came up was heavy. Thinking about the babies who can't be \
comforted stays with you. I need somewhere to take that.

Facilitator: Thank you. Is there anything else anyone wants to add before we finish?

PX3: Only that I'd recommend it. Every health visitor should do it, and the social workers too.
"""

FOCUS_GROUP_2: Final = """\
Focus group 2, cohort S1 (Solihull, intermediate), seven weeks after the course

Facilitator: Welcome, and thank you for making the time. The same opening question as the other \
group: what has stayed with you from the Solihull course?

PX6: The light bulb moment for me was the stressed infant. I'd always thought of babies as \
either fine or not fine. The idea that a baby can be quietly stressed, that the quiet baby in \
the corner might be the one to worry about, I hadn't thought about it that way.

PX7: I work with early language, and I'd never linked it to the relationship like that. The \
course showed how the back-and-forth of talk starts in the first weeks, in the looking and the \
copying. Now when I see a two-year-old with very little language I'm asking about the early \
relationship as well as the hearing test.

PX5: For me it was seeing the parents as infants too. Most of the parents I work with were once \
babies in the same situation. That made the cycle really clear, how it goes from one generation \
to the next unless somebody steps in.

Facilitator: Has that changed what you do?

PX5: It has changed my assessments. I'm more confident putting the infant at the centre and \
explaining to the parent why these are the things we have to look at. I think social workers \
who've done the training bring it to the fore more.

PX8: I'm more confident too, but I'd say it's confidence to try things. I used to think that \
was the health visitor's job. Now I'll sit on the floor with mum and baby and talk about what \
the baby is doing, and point out when she's got it right. Parents like that. It's positive.

PX6: I feel I've got the words now. I can explain to a mum why picking up the baby when he cries \
won't spoil him, and I can give her the reason, the science behind it. That makes it easier to \
say.

Facilitator: Some of you mentioned other professions. How has the training played out across \
services?

PX7: I think it gave us a common framework. The family centre, health visiting and us are all \
using the same ideas, so the advice the family gets is the same whichever of us walks in.

PX5: We've started doing joint visits with the health visitor on a couple of cases, which we \
rarely did before. We plan it together, and because we've both done the course we're looking \
for the same things.

PX8: But the teachers and the nurseries haven't had it. And the adult teams. A lot of our dads \
are with the addictions service and nobody there is thinking about the baby.

Facilitator: And the barriers?

PX6: Honestly, workload. The contacts are timed. If I spend twenty minutes watching mum and baby \
play, something else doesn't get done.

PX5: And it's emotionally heavy. When you really see what neglect does to a baby's brain, you \
can't unsee it. Some days I'd rather jump back into my box and not think about it. We need \
proper supervision if we're going to keep doing this well.

PX7: I'd like a follow-up day. Six months on, come back and bring a case. Otherwise it fades.

PX8: Or a group that meets every month. Somewhere you can keep learning.

Facilitator: That's a good place to end. Thank you all.
"""

NETWORK_FOCUS_GROUP: Final = """\
Network group focus group: seven members, after the monthly meeting

Facilitator: Thank you all for staying on after the meeting. I'd like to hear about your \
experience of being in the network group: what it has given you, and what has been difficult. \
Who'd like to start?

PX2: I'll start. The biggest change for me is in how I see the people I work with. I'm asking \
more about what happened to them, what went on in their own childhood, rather than what's wrong \
with them. That comes straight from the readings we've done here.

PX6: Same for me. And I find I can share it with the parents. Sometimes people need a bit of \
understanding of why they do what they do before anything can change, and attachment gives them \
a way into that.

PX4: It's given me a language, too. In clinic I can talk to a mum about her bond with the baby \
in a way that isn't frightening.

Facilitator: Does what you learn here go beyond your own caseload?

PX2: It does. At team meetings I'll bring that way of thinking to a case discussion even when \
I'm not working with the family. Someone will describe an adult's behaviour and I'll ask about \
the children, or about the parent's own early years.

PX7: I think that's how it spreads. If we bring the message back to our teams, it shapes how the \
whole team works with people who come to the service.

PX3: And it's made me more reflective. It's very easy to get caught up in what someone is doing \
in front of you. Here you learn to step back and think, they're doing it for a reason, it's \
their way of coping.

Facilitator: What is it about learning in a group that helps?

PX1: It's the regularity. Every month there's a reading, and every month we come back to it. You \
don't do a course and forget it; it's constantly there reminding you.

PX3: For me it's the discussion. I leave feeling re-energised. Someone from a different \
discipline reads the same article and sees something I completely missed. We get so caught up \
in our own viewpoint.

PX5: As a midwife I'm the only one in my team who's interested in this. At work people don't \
always want to hear about the bond or the baby's experience. Here the interest is in the room. \
You can't do this work alone.

PX1: That's it exactly. It's like a secure base for us. We come back, we're supported, and then \
we go out again.

PX6: The practical side matters as well. The room is booked, the articles arrive a week before, \
the dates are set for the year. You don't have to go looking for anything, you just turn up \
having read it.

Facilitator: What outside the group has helped it work?

PX4: The masterclass, really. We wouldn't be here only for the masterclass. It got us all \
started with the same grounding.

PX2: And having a specialist locally who chose the readings and mapped them to the competencies. \
That gave the first year a shape.

PX7: Our managers have been good. The ninety minutes a month is protected in the diary. Going \
forward that support will be really important.

PX1: Linking with the older network group helped as well. We'd been going a year and were \
wondering where we were going, and we invited members of another network group that had been \
running for years. That energised us all again.

Facilitator: And what has got in the way?

PX1: People moving on. I've changed roles twice since I joined, and each time I wondered, should \
I still be coming, can I justify it. And we've lost members who moved jobs.

PX5: Though moving can spread it. When I moved teams I realised I'd taken for granted that every \
team thought like this. They didn't.

PX2: I think whoever is facilitating needs supervision. There needs to be that parallel process: \
someone supporting the facilitators so they can hold the reflective space for the rest of us.

PX6: And the next step has to be services. We've raised awareness, and now there are more \
referrals than we can meet. We set up a parent and baby group alongside the adult service, and \
it helps to be able to say to a colleague, actually, you could refer to this group.

PX3: We need new members too, to replace the people who left, and from more disciplines.

Facilitator: If you could change one thing about the group, what would it be?

PX4: More time for cases. The readings are good, but the best sessions are when someone brings \
a family they're stuck with and we think about it together.

PX7: I'd open it up. Health visiting, the family centres, maybe the adult addictions team. The \
more disciplines in the room, the richer it gets.

PX1: And I'd like us to be linked to the other network groups around the country, so we're not \
reinventing things on our own.

Facilitator: Thank you. That's been really helpful.
"""
