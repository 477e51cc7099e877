"""Write syncd's bundled sample athlete to syncd/sample/sample.jsonl.

Sixteen weeks (Monday 2026-08-03 to Sunday 2026-11-22) of a recreational runner in
Amsterdam, in syncd's JSON Lines format: one activity per line, keys sorted, lines sorted
by start. The story is written out in PLAN below; a fixed random seed only adds the
noise (exact start seconds, pace, heart rate, ids), so two runs give identical bytes.
See syncd/sample/README.md for the story. Standard library only.

Usage: python scripts/make_sample.py [output-path]
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Amsterdam")
SEED = 20261122
OUT = Path(__file__).resolve().parent.parent / "syncd" / "sample" / "sample.jsonl"

# One row per real-world workout:
# (day, local "HH:MM", kind, km, flags, title, description)
# kinds: easy, long, trail, intervals, treadmill, recovery, half (Garmin watch runs),
#        phone (run recorded by phone, Strava only), strength, yoga, ride.
# flags: "s" = also forwarded to Strava (a duplicate copy), "r" = runner logged an RPE.
# For strength and yoga, "km" holds the duration in minutes.
PLAN: list[tuple[str, str, str, float, str, str, str]] = [
    # week 1: base
    ("2026-08-04", "18:40", "easy", 8.5, "s", "", ""),
    ("2026-08-05", "19:10", "strength", 30, "", "Strength", ""),
    ("2026-08-06", "07:15", "easy", 6.5, "", "", ""),
    ("2026-08-08", "10:00", "ride", 38.0, "", "", ""),
    ("2026-08-09", "09:00", "long", 9.2, "sr", "Sunday long run", ""),
    # week 2: last week before the holiday
    ("2026-08-11", "18:30", "easy", 7.0, "", "", ""),
    ("2026-08-13", "18:45", "intervals", 7.2, "r", "Intervals 6x400m", ""),
    ("2026-08-15", "08:00", "long", 9.8, "", "Last run before the holiday", ""),
    # week 3: holiday, ten days without running
    ("2026-08-19", "08:30", "yoga", 50, "", "Yoga", "Holiday yoga on the terrace."),
    # week 4: back, first run shorter
    (
        "2026-08-25",
        "07:30",
        "easy",
        5.0,
        "sr",
        "First run back after the holiday",
        "Ten days off. Kept it short and easy.",
    ),
    ("2026-08-27", "18:50", "phone", 6.4, "", "Phone run, watch on the charger", ""),
    ("2026-08-30", "09:15", "long", 8.5, "s", "", ""),
    # week 5
    ("2026-09-01", "18:30", "easy", 7.0, "", "", ""),
    ("2026-09-02", "19:00", "strength", 28, "", "Strength", ""),
    ("2026-09-03", "18:40", "intervals", 7.5, "sr", "Intervals 5x1km", ""),
    ("2026-09-05", "10:30", "ride", 45.0, "s", "Bike ride to Haarlem", ""),
    ("2026-09-06", "09:00", "long", 10.5, "", "Long run, first time over 10 km", ""),
    # week 6: the smaller spike (12.5 km after a 10.5 km longest: about +19 %, caution)
    ("2026-09-08", "18:30", "easy", 7.5, "", "", ""),
    ("2026-09-10", "07:10", "easy", 8.0, "", "", ""),
    (
        "2026-09-13",
        "09:00",
        "long",
        12.5,
        "sr",
        "Long run, felt strong and kept going",
        "Planned 10 km, ended up at 12.5.",
    ),
    # week 7: the negated knee mention (must not trigger pain_reported)
    ("2026-09-15", "18:35", "easy", 8.0, "", "Easy evening run", "No knee pain today, felt great"),
    ("2026-09-17", "18:45", "intervals", 7.5, "r", "Intervals 8x400m", ""),
    ("2026-09-20", "09:30", "trail", 11.0, "s", "Dunes trail run", ""),
    # week 8
    ("2026-09-22", "18:30", "easy", 8.0, "", "", ""),
    ("2026-09-23", "19:00", "strength", 32, "s", "Strength", ""),
    ("2026-09-24", "18:40", "phone", 8.0, "", "Phone run - forgot the watch", ""),
    ("2026-09-26", "08:45", "easy", 6.0, "", "", ""),
    ("2026-09-27", "09:00", "long", 12.5, "s", "", ""),
    # week 9: the nine-day streak starts on Saturday
    ("2026-09-29", "18:30", "easy", 7.5, "s", "", ""),
    ("2026-10-01", "18:45", "intervals", 7.0, "r", "Intervals 4x1200m", ""),
    ("2026-10-03", "09:00", "easy", 6.0, "", "Run streak day 1", "Trying to run every day for a while."),
    ("2026-10-04", "09:00", "long", 13.0, "", "Run streak day 2 - long one", ""),
    # week 10: every day
    ("2026-10-05", "07:15", "easy", 5.0, "", "Run streak day 3", ""),
    ("2026-10-06", "18:30", "easy", 6.0, "s", "Run streak day 4", ""),
    ("2026-10-07", "18:40", "phone", 5.5, "", "Run streak day 5 (phone, watch flat)", ""),
    ("2026-10-08", "18:45", "intervals", 6.5, "r", "Run streak day 6 - 6x400m", ""),
    ("2026-10-09", "07:20", "easy", 5.0, "", "Run streak day 7", ""),
    ("2026-10-10", "09:00", "easy", 6.5, "", "Run streak day 8", ""),
    (
        "2026-10-11",
        "09:30",
        "long",
        10.0,
        "",
        "Run streak day 9, done!",
        "Nine days in a row. Legs feel heavy.",
    ),
    # week 11: peak long run, 14 km (more than 30 days before the half)
    ("2026-10-14", "19:00", "strength", 27, "", "Strength", ""),
    ("2026-10-15", "18:40", "easy", 7.0, "", "", ""),
    ("2026-10-17", "09:00", "easy", 6.0, "", "", ""),
    ("2026-10-18", "09:15", "trail", 14.0, "sr", "Longest run yet - Amsterdamse Bos", ""),
    # week 12: clocks go back on Sunday (+02:00 -> +01:00)
    ("2026-10-20", "18:30", "easy", 7.5, "", "", ""),
    ("2026-10-22", "18:45", "intervals", 7.5, "sr", "Intervals 5x1km", ""),
    ("2026-10-24", "11:00", "ride", 30.0, "", "", ""),
    ("2026-10-25", "09:30", "long", 12.0, "s", "", ""),
    # week 13: the last strength session
    ("2026-10-27", "18:30", "easy", 7.0, "", "", ""),
    ("2026-10-28", "19:00", "strength", 30, "", "Strength", ""),
    ("2026-10-29", "07:15", "easy", 8.0, "", "", ""),
    ("2026-11-01", "09:30", "long", 12.6, "", "", ""),
    # week 14
    ("2026-11-03", "18:30", "easy", 7.5, "", "", ""),
    ("2026-11-05", "19:00", "treadmill", 7.0, "r", "Treadmill intervals 6x800m", "Rain all day, so the gym."),
    ("2026-11-07", "09:00", "yoga", 45, "", "Yoga", ""),
    ("2026-11-08", "10:00", "long", 12.0, "s", "", ""),
    # week 15
    ("2026-11-10", "18:30", "easy", 8.0, "", "", ""),
    ("2026-11-12", "18:45", "phone", 6.5, "", "Phone run, watch forgotten at work", ""),
    ("2026-11-14", "09:30", "easy", 5.5, "", "", ""),
    ("2026-11-15", "09:00", "long", 12.5, "s", "", ""),
    # week 16: the spike and the sore knee
    ("2026-11-17", "18:30", "easy", 7.0, "", "", ""),
    ("2026-11-19", "18:40", "easy", 6.0, "s", "", ""),
    (
        "2026-11-21",
        "09:00",
        "half",
        21.1,
        "sr",
        "Half marathon on a whim!",
        "Felt good at 10 km and just kept going. Two hours on my feet.",
    ),
    (
        "2026-11-22",
        "10:00",
        "recovery",
        5.0,
        "r",
        "Recovery shuffle - left knee sore",
        "Knee felt achy going down stairs after yesterday.",
    ),
]

# kind -> (pace s/km range, avg HR range, max HR range, RPE range, extra elapsed s range)
RUN_KINDS: dict[
    str, tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]
] = {
    "easy": ((332, 385), (136, 150), (156, 170), (3, 4), (15, 200)),
    "phone": ((335, 380), (0, 0), (0, 0), (3, 4), (20, 240)),
    "long": ((348, 390), (144, 156), (164, 176), (5, 6), (30, 300)),
    "trail": ((378, 410), (146, 157), (168, 178), (5, 6), (60, 420)),
    "intervals": ((300, 320), (162, 168), (180, 186), (7, 8), (180, 420)),
    "treadmill": ((300, 312), (163, 168), (181, 185), (7, 8), (60, 180)),
    "recovery": ((400, 420), (130, 134), (142, 148), (4, 4), (20, 90)),
    "half": ((354, 356), (163, 163), (185, 185), (8, 8), (80, 110)),
}

GARMIN_TYPE = {
    "easy": "running",
    "long": "running",
    "intervals": "running",
    "recovery": "running",
    "half": "running",
    "trail": "trail_running",
    "treadmill": "treadmill_running",
    "strength": "strength_training",
    "yoga": "yoga",
    "ride": "cycling",
}
STRAVA_TYPE = {
    "running": "Run",
    "trail_running": "TrailRun",
    "treadmill_running": "Run",
    "strength_training": "WeightTraining",
    "yoga": "Yoga",
    "cycling": "Ride",
}
GARMIN_TITLE = {
    "running": "Amsterdam Running",
    "trail_running": "Amsterdam Trail Running",
    "treadmill_running": "Treadmill Running",
    "strength_training": "Strength",
    "yoga": "Yoga",
    "cycling": "Amsterdam Cycling",
}


def strava_default_title(local: datetime, sport_type: str) -> str:
    """Strava's automatic name: part of the day plus the sport."""
    hour = local.hour
    part = (
        "Morning"
        if 4 <= hour < 11
        else "Lunch"
        if hour < 14
        else "Afternoon"
        if hour < 17
        else "Evening"
        if hour < 21
        else "Night"
    )
    noun = {
        "Run": "Run",
        "TrailRun": "Trail Run",
        "Ride": "Ride",
        "WeightTraining": "Weight Training",
        "Yoga": "Yoga",
    }[sport_type]
    return f"{part} {noun}"


def effort(minutes: float, avg_hr: int) -> int:
    """A Strava-like relative effort from time and heart rate."""
    return max(5, round(minutes * max(0.2, (avg_hr - 110) / 35)))


class Ids:
    """Increasing provider ids, as both providers hand them out over time."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.garmin = 20_418_300_000
        self.strava = 15_962_000_000

    def next(self, provider: str) -> str:
        if provider == "garmin":
            self.garmin += self.rng.randint(8_000_000, 30_000_000)
            return str(self.garmin)
        self.strava += self.rng.randint(20_000_000, 60_000_000)
        return str(self.strava)


def local_start(day: str, hhmm: str, rng: random.Random) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    naive = datetime.combine(date.fromisoformat(day), datetime.min.time())
    naive += timedelta(hours=hour, minutes=minute + rng.randint(-6, 9), seconds=rng.randint(0, 59))
    return naive.replace(tzinfo=TZ)


def run_record(
    row: tuple[str, str, str, float, str, str, str], rng: random.Random, ids: Ids
) -> list[dict[str, Any]]:
    day, hhmm, kind, km, flags, title, description = row
    start = local_start(day, hhmm, rng)
    pace, hr, mx, rpe_range, pause = RUN_KINDS[kind]
    distance = round(km * 1000) + (43 if kind == "half" else rng.randint(-45, 45))
    moving = round(distance / 1000 * rng.randint(*pace))
    elapsed = moving + rng.randint(*pause)
    rec: dict[str, Any] = {
        "start": start.isoformat(),
        "distance_m": distance,
        "moving_s": moving,
        "elapsed_s": elapsed,
    }
    if kind != "phone":
        rec["avg_hr"] = rng.randint(*hr)
        rec["max_hr"] = rng.randint(*mx)
    if "r" in flags:
        rec["rpe"] = rng.randint(*rpe_range)
    if description:
        rec["description"] = description
    if kind == "phone":  # recorded by the phone app, straight to Strava: no Garmin copy
        rec.update(
            provider="strava",
            id=ids.next("strava"),
            sport="Run",
            title=title or strava_default_title(start, "Run"),
        )
        return [rec]
    sport = GARMIN_TYPE[kind]
    rec.update(provider="garmin", id=ids.next("garmin"), sport=sport, title=title or GARMIN_TITLE[sport])
    out = [rec]
    if "s" in flags:
        out.append(strava_copy(rec, start, sport, rng, ids, force_effort=kind == "half"))
    return out


def strava_copy(
    rec: dict[str, Any], start: datetime, sport: str, rng: random.Random, ids: Ids, force_effort: bool = False
) -> dict[str, Any]:
    """The copy Garmin Connect forwards to Strava: Strava's own id, distance and title."""
    shift = 0 if rng.random() < 0.4 else rng.randint(1, 60)
    sport_type = STRAVA_TYPE[sport]
    copy: dict[str, Any] = {
        "provider": "strava",
        "id": ids.next("strava"),
        "sport": sport_type,
        "start": (start + timedelta(seconds=shift)).isoformat(),
        "elapsed_s": rec["elapsed_s"] - shift,
        "title": strava_default_title(start, sport_type),
    }
    if rec["distance_m"]:
        copy["distance_m"] = round(rec["distance_m"] * (1 + rng.uniform(-0.008, 0.008)))
        copy["moving_s"] = rec["moving_s"] + rng.choice((0, 0, -rng.randint(1, 25), rng.randint(1, 12)))
    else:
        copy["distance_m"] = 0
        copy["moving_s"] = rec["moving_s"] + rng.randint(-20, 20)
    if "avg_hr" in rec:
        copy["avg_hr"], copy["max_hr"] = rec["avg_hr"], rec["max_hr"]
        if force_effort or rng.random() < 0.5:
            copy["effort_score"] = effort(copy["moving_s"] / 60, rec["avg_hr"])
    return copy


def other_record(
    row: tuple[str, str, str, float, str, str, str], rng: random.Random, ids: Ids
) -> list[dict[str, Any]]:
    day, hhmm, kind, amount, flags, title, description = row
    start = local_start(day, hhmm, rng)
    sport = GARMIN_TYPE[kind]
    if kind == "ride":
        distance = round(amount * 1000) + rng.randint(-300, 300)
        moving = round(distance / 1000 * 3600 / rng.uniform(24.0, 27.0))
        avg, mx = rng.randint(124, 138), rng.randint(158, 168)
    else:  # strength or yoga: no distance, amount is minutes
        distance = 0
        moving = round(amount * 60) + rng.randint(-60, 60)
        avg, mx = (
            (rng.randint(100, 114), rng.randint(136, 150))
            if kind == "strength"
            else (rng.randint(84, 94), rng.randint(104, 114))
        )
    rec: dict[str, Any] = {
        "provider": "garmin",
        "id": ids.next("garmin"),
        "sport": sport,
        "start": start.isoformat(),
        "distance_m": distance,
        "moving_s": moving,
        "elapsed_s": moving + rng.randint(30, 300),
        "avg_hr": avg,
        "max_hr": mx,
        "title": title or GARMIN_TITLE[sport],
    }
    if description:
        rec["description"] = description
    out = [rec]
    if "s" in flags:
        out.append(strava_copy(rec, start, sport, rng, ids))
    return out


def build() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    ids = Ids(rng)
    records: list[dict[str, Any]] = []
    for row in PLAN:
        make = run_record if row[2] in RUN_KINDS else other_record
        records += make(row, rng, ids)
    records.sort(key=lambda r: (datetime.fromisoformat(r["start"]).astimezone(UTC), r["provider"], r["id"]))
    return records


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r, sort_keys=True, separators=(",", ":")) for r in build()]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    print(f"wrote {len(lines)} activities to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
