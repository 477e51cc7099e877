"""The `[providers.intervals]` table (optional: the defaults reach intervals.icu itself).

Kept apart from the provider so that `syncd --help`, which lists the connect commands, does
not import pydantic."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from syncd.config_types import BaseUrl


class IntervalsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: BaseUrl = Field(
        "https://intervals.icu", description="The intervals.icu API host (plain http only to loopback)."
    )
    timeout_s: float = Field(
        30.0,
        gt=0,
        le=300,
        description="Seconds to wait for an answer; a call that takes longer is tried again next pass.",
    )
