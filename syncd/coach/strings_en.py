"""Every user-facing English text of the coach, keyed by message id.

Another language is a second module, `strings_<code>.py`, with a `STRINGS` dict holding the
ids it translates; ids it lacks fall back to this table (see `syncd.coach.lang`).
Templates use `str.format` fields; numbers arrive already formatted in the athlete's units.
Ids are `<rule>.<part>` with an optional `.<severity>` that wins over the plain one.
Exercise steps are separated by newlines; muscles by commas.
All text is written for syncd; the reference article supplied facts only.
"""

from __future__ import annotations

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
    "session_spike.note": "{pct} % longer than your longest run in 30 days ({distance} vs "
    "{reference} {unit}). Next long run: under {cap} {unit}.",
    "session_spike.note.recover": "{pct} % longer than your longest run in 30 days ({distance} vs "
    "{reference} {unit}). Next runs: easy, up to your usual {typical} {unit}.",
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
    # -- exercise catalogue -------------------------------------------------------------
    "ex.neutral_squat.name": "neutral squat",
    "ex.neutral_squat.muscles": "quads, glutes, hamstrings",
    "ex.neutral_squat.steps": "Feet under your shoulders, toes forward.\n"
    "Push the hips back and lower as if to a chair.\n"
    "Heels flat, chest tall, eyes ahead.\n"
    "Go as low as feels fine, then drive back up.",
    "ex.neutral_squat.easier": "Sit down onto a chair and stand up from it.",
    "ex.neutral_squat.harder": "Hold a weight at your chest, or pause 2 s at the bottom.",
    "ex.neutral_squat.safety": "Knees track over the toes; stop short of kneecap pain.",
    "ex.wide_squat.name": "wide squat",
    "ex.wide_squat.muscles": "quads, inner thighs, glutes",
    "ex.wide_squat.steps": "Stance a little wider than the shoulders, toes angled out.\n"
    "Lead with the hips, sinking back and down.\n"
    "Heels flat, chest tall, eyes ahead.\n"
    "Press the floor away to stand.",
    "ex.wide_squat.easier": "Go only half way down.",
    "ex.wide_squat.harder": "Hold one weight with both hands between your legs.",
    "ex.wide_squat.safety": "Knees point the same way as the toes, never inward.",
    "ex.staggered_squat.name": "staggered squat",
    "ex.staggered_squat.muscles": "quads, glutes (front leg)",
    "ex.staggered_squat.steps": "One foot half a step ahead of the other.\n"
    "Both heels down; sit the hips back and down.\n"
    "Chest tall, eyes ahead, then rise.\n"
    "Swap the front foot halfway through the set.",
    "ex.staggered_squat.easier": "Make the stagger smaller and the squat shallower.",
    "ex.staggered_squat.harder": "Put more weight on the front foot.",
    "ex.staggered_squat.safety": "Front knee stays over the middle toes.",
    "ex.narrow_squat.name": "narrow squat",
    "ex.narrow_squat.muscles": "quads, glutes",
    "ex.narrow_squat.steps": "Feet close together, a small gap between them.\n"
    "Sit the hips back and down.\n"
    "Keep a gap between the knees all the way.\n"
    "Chest tall, eyes ahead, then stand.",
    "ex.narrow_squat.easier": "Hold a table edge and squat less deep.",
    "ex.narrow_squat.harder": "Slow 3 s lowering on every rep.",
    "ex.narrow_squat.safety": "Don't let the knees collapse together.",
    "ex.wall_sit.name": "wall sit",
    "ex.wall_sit.muscles": "quads",
    "ex.wall_sit.steps": "Back flat on a wall, feet hip-width and a stride out.\n"
    "Slide down until the knees bend close to a right angle.\n"
    "Knees sit above the ankles; shuffle the feet out if not.\n"
    "Hold with steady breathing, then slide up.",
    "ex.wall_sit.easier": "Sit less deep, or hold for less time.",
    "ex.wall_sit.harder": "Lift one heel, then the other, a few seconds each.",
    "ex.wall_sit.safety": "Stay higher up the wall if the kneecap aches.",
    "ex.lateral_lunge.name": "lateral lunge",
    "ex.lateral_lunge.muscles": "glutes, hips, inner and outer thighs",
    "ex.lateral_lunge.steps": "Stand tall, feet under the hips.\n"
    "Take a big step sideways and bend that knee; the other leg "
    "stays long.\n"
    "Hips back, chest up, reach toward the bent leg's foot.\n"
    "Push off to return, then go to the other side.",
    "ex.lateral_lunge.easier": "Take a shorter step and bend less.",
    "ex.lateral_lunge.harder": "Hold a weight at your chest.",
    "ex.lateral_lunge.safety": "The bent knee stays behind the toes and over the foot.",
    "ex.side_lying_leg_raise.name": "side leg raise",
    "ex.side_lying_leg_raise.muscles": "hip abductors (side of the hip)",
    "ex.side_lying_leg_raise.steps": "Lie on your side, bottom knee bent, top leg straight.\n"
    "Turn the top toes slightly down so the heel leads.\n"
    "Lift the top leg slowly, about a hand's height.\n"
    "Lower with control, hips stacked.",
    "ex.side_lying_leg_raise.easier": "Smaller lift, fewer reps.",
    "ex.side_lying_leg_raise.harder": "Loop a band around the ankles.",
    "ex.side_lying_leg_raise.safety": "Don't roll backwards; lift less if the low back works.",
    "ex.clamshell.name": "clamshell",
    "ex.clamshell.muscles": "glutes (hip rotators and abductors)",
    "ex.clamshell.steps": "Lie on your side, knees bent, heels together.\n"
    "Keep the feet touching and open the top knee.\n"
    "Stop before the pelvis rolls back.\n"
    "Close slowly and repeat.",
    "ex.clamshell.easier": "Open the knee only part of the way.",
    "ex.clamshell.harder": "Add a band just above the knees.",
    "ex.clamshell.safety": "Move slowly and keep the pelvis still.",
    "ex.calf_raise.name": "calf raise",
    "ex.calf_raise.muscles": "calves",
    "ex.calf_raise.steps": "Stand tall beside a wall for balance.\n"
    "Rise onto the balls of both feet.\n"
    "Pause a second at the top.\n"
    "Lower slowly back down.",
    "ex.calf_raise.easier": "Both hands on the wall and a smaller rise.",
    "ex.calf_raise.harder": "One leg at a time, or heels off a step.",
    "ex.calf_raise.safety": "Keep the ankles straight, not rolling outward.",
    "ex.hamstring_stretch.name": "hamstring stretch",
    "ex.hamstring_stretch.muscles": "hamstrings, upper back, shoulders",
    "ex.hamstring_stretch.steps": "Feet hip-width, hands clasped behind you.\n"
    "Legs straight, fold forward from the hips.\n"
    "Let the head hang and the clasped hands drift overhead.\n"
    "Hold, then come up slowly.",
    "ex.hamstring_stretch.easier": "Hands on the backs of the thighs, knees soft.",
    "ex.hamstring_stretch.harder": "Hold up to 45 s.",
    "ex.hamstring_stretch.safety": "Rise slowly; ease off if you feel tingling or back pain.",
    "ex.calf_stretch.name": "calf stretch",
    "ex.calf_stretch.muscles": "calves",
    "ex.calf_stretch.steps": "Face a wall, a bit less than an arm's length away.\n"
    "One foot forward, one back, both aimed at the wall.\n"
    "Bend the front knee and sink the back heel down.\n"
    "Hold, then change legs.",
    "ex.calf_stretch.easier": "Use a shorter stance.",
    "ex.calf_stretch.harder": "Bend the back knee a little to reach the lower calf.",
    "ex.calf_stretch.safety": "A gentle pull only, no bouncing.",
}

# -- weekly digest and its chart (syncd.coach.digest, syncd.coach.chart) -------------------
STRINGS.update(
    {
        "digest.months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
        "digest.weekdays": "Mon Tue Wed Thu Fri Sat Sun",
        "digest.span": "{first}–{last}",
        "digest.title": "Your running week, {span}",
        "digest.distance": "Running: {km} {unit} this week. The {n} weeks before, oldest "
        "first: {previous} {unit}.",
        "digest.distance.alone": "Running: {km} {unit} this week.",
        "digest.longest": "Longest run: {km} {unit} ({day}).",
        "digest.cap": "Keep the next runs under {cap} {unit}: your longest run of the last 30 "
        "days plus {pct} %.",
        "digest.recover": "After this week's {moment}, recovery comes first: easy runs no longer than "
        "your usual {typical} {unit} for the next few days.",
        "digest.moment.race": "race",
        "digest.moment.spike": "big step up",
        "digest.moment.pain": "pain",
        "digest.left_out.1": "1 run left out: {runs}. If it was real, confirm it with syncd and it counts.",
        "digest.left_out.n": "{n} runs left out: {runs}. If one was real, confirm it with syncd and "
        "it counts.",
        "digest.left_out.cli.1": "1 run left out: {runs}. `syncd confirm {id}` if it was real.",
        "digest.left_out.cli.n": "{n} runs left out: {runs}. `syncd confirm ID` for each that was real.",
        "digest.left_out.run": "{day} {km} {unit} ({reason})",
        "digest.cap.none": "No run in the last 30 days, so there is no distance cap yet: come "
        "back with short, easy runs and judge them by time.",
        "digest.strength.0": "Strength: 0 sessions this week (aim: {low} to {high}). Two short "
        "sessions of squats, a wall sit, side lunges and hip work would do.",
        "digest.strength.1": "Strength: 1 session this week; the aim is {low} to {high}, so one "
        "more would get you there.",
        "digest.strength.met": "Strength: {n} sessions this week, on target ({low} to {high}). Nicely done.",
        "digest.strength.quiet": "Strength reminders now come here rather than to your phone: "
        "one short session this week would be a good start.",
        "digest.findings": "Worth knowing this week:",
        "digest.finding": "• {day}, {title}: {text}{folded}",
        "digest.folded": " (saved for this digest instead of a push)",
        "digest.more": "• …and {n} more of less weight.",
        "digest.quiet": "A quiet week: nothing in your training stood out. Keep enjoying the runs.",
        "digest.no_run": "No run this week. When you start again, begin with short, easy runs; "
        "syncd will wait for your next run before the next digest.",
        "digest.distance.none": "Running: none this week.",
        "digest.acwr": "Acute:chronic load ratio {ratio} (last 7 days against the last 28). A "
        "descriptive number, not a warning.",
        "digest.footer": "General advice, not a diagnosis.",
        "digest.acwr.none": "Acute:chronic load ratio: not enough history yet (it needs 28 days).",
        "digest.push.title": "Your week: {km} {unit}, {n} to note",
        "digest.push.title.quiet": "Your week: {km} {unit}, all quiet",
        "digest.push.body": "{km} {unit} run, longest {longest} {unit}; strength {strength} of "
        "{low}–{high}. {cap}{top}",
        "digest.push.cap": "Next runs: under {cap} {unit}. ",
        "digest.push.top": "Top note: {title}.",
        "digest.push.pain": "You mentioned pain: please have it checked by a physiotherapist or doctor.",
        "digest.push.title.none": "Your week: no run",
        "chart.title": "Last {weeks} weeks",
        "chart.subtitle": "{athlete} · week ending {day}",
        "chart.cap_line": "Next-run cap as of {day}: {cap} {unit} for any single run",
        "chart.cap_text": "Keep the next runs under {cap} {unit}",
        "chart.distance": "Running per week ({unit})",
        "chart.longest": "Longest run ({unit})",
        "chart.strength": "Strength sessions per week (aim: {low} to {high})",
        "chart.strength_done": "session done",
        "chart.strength_missing": "missing to reach {low}",
        "chart.spike_week": "Week with a much longer run",
        "chart.spike_run": "Run much longer than the previous 30 days' longest",
        "chart.week": "Weekly running distance",
        "chart.no_data": "no data",
        "chart.week_axis": "Weeks, labelled by their first day",
        "chart.text_spike": "▲ longer run",
        "chart.left_out": "Run left out (implausible numbers)",
        "chart.text_left_out": "?N: N {unit} of runs left out as implausible",
        "chart.text_legend": "█ {unit} per week · S strength session · ▲ much longer run",
        "report.page_title": "syncd · {title}",
    }
)
