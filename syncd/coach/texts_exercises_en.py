"""The exercise catalogue's English texts (names, muscles, steps, variations, safety cues).

Part of the English table (`syncd.coach.strings_en.STRINGS`); written for syncd, the reference
article supplied facts only (which exercises, sets, reps, holds)."""

from __future__ import annotations

EXERCISE_STRINGS: dict[str, str] = {
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
