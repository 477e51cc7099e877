"""The `[providers.garmin]` table: what syncd may put on each athlete's Garmin account."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from syncd.config_types import NAME_PATTERN

AthleteName = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]


class GarminSettings(BaseModel):
    """`[providers.garmin]`, e.g. `workouts = { sam = true }`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    workouts: dict[AthleteName, bool] = Field(
        default_factory=dict,
        description="Put the suggested strength session on the athlete's Garmin calendar (and so on "
        "the watch) when syncd suggests one: athlete name = true. Off by default; one syncd "
        "workout at a time, the previous one is replaced.",
    )
