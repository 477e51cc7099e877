"""Every user-facing English text of the coach, keyed by message id.

Another language is a second module, `strings_<code>.py`, with a `STRINGS` dict holding the
ids it translates; ids it lacks fall back to this table (see `syncd.coach.lang`).
Templates use `str.format` fields; numbers arrive already formatted in the athlete's units.
Ids are `<rule>.<part>` with an optional `.<severity>` that wins over the plain one.
Exercise steps are separated by newlines; muscles by commas.
All text is written for syncd; the reference article supplied facts only.
"""

from __future__ import annotations

from syncd.coach.texts_digest_en import DIGEST_STRINGS
from syncd.coach.texts_exercises_en import EXERCISE_STRINGS

STRINGS: dict[str, str] = {
    # -- shared -------------------------------------------------------------------------
    "note.header": "— syncd —",
    "unit.km": "km",
    "unit.mi": "mi",
    "sev.info": "for context",
    "sev.caution": "worth a look",
    "sev.warning": "time to adjust",
    "sev.alert": "change the next run",
    "long.heading": "{title} — {severity}",
    "long.source": "Source: {citation}.",
    "long.disclaimer": "This is general advice, not a diagnosis; any knee pain is worth "
    "showing to a physiotherapist or doctor.",
    "value.same_every_day": "very high, same load every day",
    "load.session_rpe": "session effort (minutes × RPE)",
    "load.trimp": "heart-rate load (TRIMP)",
    "load.duration": "minutes of training",
    "load.unknown": "your training load",
    # -- session_spike ------------------------------------------------------------------
    "session_spike.title.caution": "Longer run than usual",
    "session_spike.title.warning": "Big step up in run length",
    "session_spike.title.alert": "Far past your recent longest run",
    "session_spike.title.race": "Well raced",
    "session_spike.against": "your longest run of the previous 30 days ({reference} {unit})",
    "session_spike.against.floor": "{compared} {unit}, the smallest reference syncd compares with "
    "(your longest run of the previous 30 days was {reference} {unit})",
    "session_spike.recover": "Recover first: keep the next two or three runs easy and no longer than "
    "your usual {typical} {unit}, with no hard session or strength session for 48 hours.",
    "session_spike.action": "Keep your next long run under {cap} {unit}.",
    "session_spike.action.recover": "{recover}",
    "session_spike.action.race": "{recover}",
    "session_spike.note_against": "your longest run in 30 days ({distance} vs {reference} {unit})",
    "session_spike.note_against.floor": "{compared} {unit}, the smallest reference syncd compares with "
    "({distance} {unit}; longest in 30 days {reference} {unit})",
    "session_spike.note": "{pct} % longer than {note_against}. Next long run: under {cap} {unit}.",
    "session_spike.note.recover": "{pct} % longer than {note_against}. Next runs: easy, up to your "
    "usual {typical} {unit}.",
    "session_spike.note.race": "Race: {distance} {unit}, congratulations. Next runs: easy, up to "
    "your usual {typical} {unit}.",
    "session_spike.push": "{distance} {unit}, {pct} % longer than {against}. {action}",
    "session_spike.push.race": "Congratulations on your race: {distance} {unit}, {pct} % longer than "
    "{against}. {action}",
    "session_spike.long": "This run of {distance} {unit} was {pct} % longer than {against}. "
    "{evidence} That describes a large group of runners, not a forecast for you, and no "
    "step up is guaranteed to be fine: 10 % is only where the comparison group ends. {action}",
    "session_spike.long.race": "Congratulations on your race. At {distance} {unit} it was {pct} % "
    "longer than {against}. {evidence} Races are meant to stretch you; what matters now is the "
    "recovery. {action}",
    "session_spike.evidence.0": "In a study of about 5,200 runners, runs more than 10 % longer "
    "than the longest of the previous 30 days were associated with "
    "a higher injury rate.",
    "session_spike.evidence.1": "In a study of about 5,200 runners, runs 10–30 % longer than "
    "the longest of the previous 30 days were associated with a "
    "higher injury rate (about 1.6 times that of runs within 10 %).",
    "session_spike.evidence.2": "In a study of about 5,200 runners, runs 30–100 % longer than "
    "the longest of the previous 30 days were associated with a "
    "higher injury rate (about 1.5 times that of runs within 10 %).",
    "session_spike.evidence.3": "In a study of about 5,200 runners, runs more than twice the "
    "longest of the previous 30 days were associated with a higher "
    "injury rate (about 2.3 times that of runs within 10 %).",
    # -- weekly_progression -------------------------------------------------------------
    "weekly_progression.title": "Weekly distance up {pct} %",
    "weekly_progression.action": "Consider holding this weekly distance steady for a week.",
    "weekly_progression.note": "This week {last} {unit}, up {pct} % on the week before ({previous} {unit}).",
    "weekly_progression.push": "{last} {unit} in the last 7 days, up {pct} % on the 7 before "
    "({previous} {unit}). {action}",
    "weekly_progression.long": "You ran {last} {unit} in the last 7 days, {pct} % more than "
    "the 7 days before ({previous} {unit}). In a study of novice "
    "runners, a rise of more than 30 % over two weeks had a "
    "borderline link with some overuse injuries, runner's knee among "
    "them. In a larger study of about 5,200 runners, week-to-week "
    "change showed no link, and the popular 10 % rule did not hold "
    "up in a trial. Read it as a nudge, not a limit. {action}",
    # -- acwr ---------------------------------------------------------------------------
    "acwr.title": "Load ratio {ewma} (descriptive)",
    "acwr.action": "Use it as context, not as a target.",
    "acwr.note": "Load ratio, descriptive only: {ewma} (EWMA), {rolling} (rolling), from {load}.",
    "acwr.push": "Acute:chronic load ratio {ewma} (EWMA) and {rolling} (rolling), from {load}. "
    "It is descriptive, not a risk score. {action}",
    "acwr.long": "Your acute:chronic workload ratio is {ewma} by EWMA (7 vs 28 days) and "
    "{rolling} by the rolling method (last 7 days vs the 21 before), from {load}. "
    "syncd shows it as a descriptive figure only and never warns on it: the "
    '0.8–1.3 "sweet spot" comes from team sports and has been challenged as a '
    "statistical artefact, and in a study of about 5,200 runners higher ratios "
    "went with fewer injuries, not more. {action}",
    # -- return_from_break --------------------------------------------------------------
    "return_from_break.title": "Back after {days} days off",
    "return_from_break.title.caution": "Return mode after {days} days off",
    "return_from_break.action": "Keep the next few runs easy and no longer than about {typical} {unit}.",
    "return_from_break.action.caution": "Run by time for now, no longer than your usual run "
    "before the break (about {typical} {unit}).",
    "return_from_break.note": "First run after {days} days off. Easing back in: easy runs, up "
    "to about {typical} {unit}.",
    "return_from_break.note.caution": "Return mode after {days} days off: runs by time, up to "
    "the usual {typical} {unit} from before the break.",
    "return_from_break.push": "First run after {days} days off. {action}",
    "return_from_break.long": "This was your first run after {days} days off. {evidence} {action}",
    "return_from_break.long.caution": "This was your first run after {days} days off. With no "
    "run in the previous 30 days, the long-run check has no "
    "reference yet; this run becomes the reference for the "
    "ones after it. {evidence} {action}",
    "return_from_break.evidence": "After breaks of a week or more, marathon finish times in a "
    "study of about 300,000 runners were 5–8 % slower, and "
    "return-to-run reviews favour gradual, time-based comebacks, "
    "with walk–run if needed.",
    # -- monotony -----------------------------------------------------------------------
    "monotony.title": "Very even training days",
    "monotony.action": "Make one of the next days clearly easier, or take it off.",
    "monotony.note": "Training load very even from day to day (monotony {monotony}). An "
    "easier day or a rest day mixes it up.",
    "monotony.push": "Your daily training load barely varied over 7 days (monotony {monotony}). {action}",
    "monotony.long": "Over the last 7 days your daily load, from {load}, varied little: "
    "monotony {monotony} (mean daily load divided by its day-to-day spread) "
    "and strain {strain} (weekly load times monotony). Values above 2.0 are a "
    "convention from a study of 25 athletes that looked at illness rather "
    "than injury, so read it as a hint to vary your days. {action}",
    # -- run_streak ---------------------------------------------------------------------
    "run_streak.title": "{streak} days of running in a row",
    "run_streak.action": "Plan a rest day or an easy cross-training day soon.",
    "run_streak.note": "Day {streak} of running in a row; rest days in the last 7: {rest}.",
    "run_streak.note.caution": "Day {streak} of running in a row with no rest day this week, "
    "longer than the usual streak. A rest day soon helps.",
    "run_streak.push": "You have run {streak} days in a row (rest days in the last 7: {rest}); "
    "your usual longest streak is about {p90} day(s). {action}",
    "run_streak.long": "You have run {streak} days in a row (rest days in the last 7: {rest}); "
    "over the last 12 weeks your streaks rarely went past {p90} day(s) "
    "(90th percentile). In a trial with novice runners, injury rates rose "
    "with the number of running days per week; no study sets a maximum "
    "streak for trained runners, so this compares you with yourself. "
    "{action}",
    # -- back_to_back_hard --------------------------------------------------------------
    "back_to_back_hard.title": "{count} hard days in a row",
    "back_to_back_hard.action": "Make your next day easy, or rest.",
    "back_to_back_hard.note": "{count} hard days in a row; an easy day next lets the legs absorb them.",
    "back_to_back_hard.push": "{count} hard days in a row ({reasons}). {action}",
    "back_to_back_hard.long": "You had {count} hard days in a row ({reasons}). The hard–easy "
    "principle holds that the body adapts during the easier days "
    "between hard ones; this is coaching practice rather than a "
    "measured result. {action}",
    "back_to_back_hard.no_reasons": "effort, heart rate or score",
    # -- strength_frequency -------------------------------------------------------------
    "strength_frequency.title": "Strength session this week",
    "strength_frequency.sessions.0": "no strength session",
    "strength_frequency.sessions.1": "1 strength session",
    "strength_frequency.sessions.n": "{n} strength sessions",
    "strength_frequency.quiet_next": "From next week these reminders come with your Sunday digest "
    "instead, until your strength work picks up.",
    "strength_frequency.gentle": "A gentle, hip-focused session while your knee settles.",
    "strength_frequency.note": "{n7_sessions_cap} in the last 7 days (aim: {target} a week).",
    "strength_frequency.push": "{n7_sessions_cap} in the last 7 days; the aim is {target} a week. "
    "{session} {quiet}",
    "strength_frequency.long": "You did {n7_sessions} in the last 7 days and {n14_sessions} "
    "in the last 14; the aim is {target} a week. In pooled studies "
    "across sports, strength training was associated with about a "
    "third of the injury rate, and runner's knee guidelines favour "
    "combined hip and knee work. A short home programme for "
    "first-time marathoners showed no effect, so take this as good "
    "practice, not a promise. {gentle}\n{session}",
    # -- pain_reported ------------------------------------------------------------------
    "site.knee": "knee",
    "site.shin": "shin",
    "site.achilles": "Achilles",
    "site.calf": "calf",
    "site.hip": "hip",
    "site.heel": "heel",
    "site.foot": "foot",
    "site.ankle": "ankle",
    "site.hamstring": "hamstring",
    "pain_reported.title.knee": "Knee pain mentioned",
    "pain_reported.title.other": "{Site} pain mentioned",
    "pain_reported.title.other.warning": "{Site} pain mentioned again",
    "pain_reported.note.knee": "Knee mentioned in the notes: easing off for now, with rest, ice, "
    "compression and the leg raised after runs. A physiotherapist or "
    "doctor can check it early.",
    "pain_reported.note.other": "{Site} mentioned in the notes: easier runs for now, and a "
    "physiotherapist or doctor if it stays.",
    "pain_reported.push.knee": 'You wrote "{matched}". Book a physiotherapist or doctor early: '
    "several conditions cause knee pain in runners and a professional "
    "can tell them apart. Meanwhile, easier runs and rest, ice, "
    "compression and a raised leg after running can calm it.",
    "pain_reported.push.other": 'You wrote "{matched}". Take the next runs easier, and have it '
    "looked at by a physiotherapist or doctor if it does not settle within days.",
    "pain_reported.push.other.warning": 'You mentioned your {site} again: "{matched}". Twice in a '
    "week is worth a visit to a physiotherapist or doctor; until then, easier and shorter runs.",
    "pain_reported.long.knee": 'About your activity of {day} you wrote: "{matched}". '
    "syncd cannot tell what is "
    "behind knee pain: several conditions cause it in runners, and a "
    "physiotherapist or doctor can tell them apart, often from your "
    "account and an examination alone. Book one early; sooner tends to "
    "go better. Until then, ease off with shorter, easier runs or a few "
    "days off, and after runs use rest, ice, compression and elevation "
    "(leg raised) to settle it. Strength sessions stay gentle and hip-focused for now.",
    "pain_reported.long.other": 'About your activity of {day} you wrote: "{matched}". syncd cannot '
    "tell what is behind it; if it lasts more than a few days, or comes back, a physiotherapist "
    "or doctor can find the cause. Until then, easier and shorter runs.",
    # -- knee_check ---------------------------------------------------------------------
    "knee_check.title.after_run": "Knee check after your run",
    "knee_check.title.morning": "Knee check this morning",
    "knee_check.title.keep": "Knee check: this load suits it",
    "knee_check.title.adapt": "Knee check: change the next runs",
    "knee_check.title.pause": "Knee check: pause running",
    "knee_check.push.after_run": "How did your knee feel during and after the run, from 0 (nothing) to 10? "
    "Your answer shapes the next runs.",
    "knee_check.push.morning": "How is your knee this morning, after yesterday's run: better, the same or "
    "worse than usual?",
    "knee_check.note.after_run": "Knee check running: syncd asks how the knee felt after each run.",
    "knee_check.note.morning": "Knee check running: syncd asks how the knee is the morning after.",
    "knee_check.push.keep": "Pain at 2 out of 10 or less, and no worse the next morning: this load suits "
    "the knee. Keep it, and build up slowly.",
    "knee_check.push.adapt": "The knee is asking for a change. For the next runs: the same weekly distance "
    "over more, shorter runs; 10 to 20 % slower; run-walk; flat routes without downhills or stairs; "
    "slightly shorter, quicker steps.",
    "knee_check.push.pause": "Pause running for now and see a physiotherapist or doctor soon: pain this "
    "strong, or a knee worse two mornings in a row, needs a professional look.",
    "knee_check.note.keep": "Knee check: the knee took this run well.",
    "knee_check.note.adapt": "Knee check: the next runs shorter, slower, flat and more frequent.",
    "knee_check.note.pause": "Knee check: running paused, and a physiotherapist or doctor to see.",
    "knee_check.long": "syncd is watching your knee after you mentioned pain (day {days}). Runners with "
    "knee pain did as well by adjusting their running to the symptoms as by adding exercise programmes: "
    "pain during a run at 2 out of 10 or less, settling within about an hour and no worse the next morning "
    "is a load the knee accepts. Strength sessions stay gentle and hip-focused while this lasts.",
    # -- strength sessions --------------------------------------------------------------
    "session.one_line": "Strength today ({minutes} min): {items}",
    "session.one_line.note": "Strength session ({minutes} min): {items}",
    "session.one_line.gentle": "Gentle strength today ({minutes} min, knee-friendly): {items}",
    "session.one_line.gentle.note": "Gentle strength session ({minutes} min, knee-friendly): {items}",
    "session.item": "{name} {dose}",
    "session.held_high": "{name} held high",
    "session.sep": " · ",
    "session.more": "+{n} more",
    "session.long_head": "Strength session for {day}, about {minutes} min:",
    "session.long_item": "{n}. {name}: {dose} — {muscles}",
    "session.easier": "Easier: {text}",
    "session.harder": "Harder: {text}",
    "session.safety": "Take care: {text}",
    "session.empty": "No strength exercises left after the exclusions.",
    "dose.reps": "{sets} × {reps}",
    "dose.hold": "{sets} × {hold} s",
    "dose.per_side": "{dose} each side",
}

STRINGS.update(EXERCISE_STRINGS)
STRINGS.update(DIGEST_STRINGS)
