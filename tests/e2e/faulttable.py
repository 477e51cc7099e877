"""The fault suite's table: tests add rows with `record`, conftest prints them at the end."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Tally:
    """One row of the fault suite's table (conftest.render prints them)."""

    name: str
    injected: int = 0
    recovered: int = 0
    lost: int = 0  # activities on Strava that syncd never stored
    duplicate_notes: int = 0  # descriptions with two syncd blocks
    stale_notes: int = 0  # a note missing, not the latest numbers, or the runner's text changed
    lost_messages: int = 0  # push messages a run without faults sent and this one never did
    extra_pushes: int = 0  # messages beyond the one documented resend per killed send
    secrets: int = 0  # places a secret showed up
    problems: list[str] = field(default_factory=list)

    COUNTS = (
        "injected",
        "recovered",
        "lost",
        "duplicate_notes",
        "stale_notes",
        "lost_messages",
        "extra_pushes",
        "secrets",
    )

    def add(self, other: Tally) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.problems += other.problems

    @property
    def clean(self) -> bool:
        harm = sum(getattr(self, n) for n in self.COUNTS[2:])
        return not harm and self.recovered == self.injected and not self.problems


SECTIONS: dict[str, list[Tally]] = {}


def record(section: str, rows: list[Tally]) -> None:
    SECTIONS.setdefault(section, []).extend(rows)


#: (Tally attribute, column title): faults injected, recovered, activities lost, duplicate
#: notes, notes wrong (missing, stale or runner's text changed), messages lost, extra pushes
#: (beyond the one documented resend per killed send), secrets found
COLUMNS = (
    ("injected", "faults"),
    ("recovered", "recovered"),
    ("lost", "lost"),
    ("duplicate_notes", "dup notes"),
    ("stale_notes", "bad notes"),
    ("lost_messages", "msgs lost"),
    ("extra_pushes", "extra push"),
    ("secrets", "secrets"),
)


def render(sections: dict[str, list[Tally]]) -> str:
    """The fault table: one line per case, a total per section and overall."""
    width = max([len(r.name) for rows in sections.values() for r in rows] + [30]) + 2
    head = "".ljust(width) + " ".join(
        f"{title:>9}" if len(title) <= 9 else f"{title:>15}" for _, title in COLUMNS
    )
    out = [head]
    total = Tally("TOTAL")
    for section, rows in sections.items():
        out.append(f"-- {section}")
        subtotal = Tally(f"  = {section}")
        for row in rows:
            subtotal.add(row)
            out.append(_line(row, width))
            out += [f"      ! {p}" for p in row.problems[:6]]
        total.add(subtotal)
        out.append(_line(subtotal, width))
    out.append(_line(total, width))
    verdict = "PASS" if total.clean else "FAIL"
    out.append(f"fault suite: {verdict} ({len(total.problems)} problem(s) listed with '!')")
    return "\n".join(out)


def _line(row: Tally, width: int) -> str:
    cells = [f"{getattr(row, attr):>10}" for attr, _ in COLUMNS]
    mark = "" if row.clean else "  <-"
    return row.name.ljust(width) + " ".join(cells) + mark
