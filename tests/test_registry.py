"""Registry: built-ins registered in code, rule config validation, failing rules isolated, ordering."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import pytest
from test_rules_kit import RULES_MD_METRICS, day, hist, run, strength

from syncd.domain import Finding, Severity
from syncd.errors import ConfigError
from syncd.history import History
from syncd.registry import (
    evaluate_day,
    evaluate_range,
    installed_notifiers,
    installed_providers,
    installed_rules,
    load_rules,
)
from syncd.rules.base import Rule
from syncd.rules.rampup import SessionSpike

BUILT_IN = set(RULES_MD_METRICS)


def test_built_in_rules_are_registered_with_full_metadata() -> None:
    rules = installed_rules()
    assert set(rules) >= BUILT_IN
    for rid in BUILT_IN:
        cls = rules[rid]
        assert cls.id == rid and cls.grade in ("B", "C", "D", "X")
        assert cls.title and cls.citation and cls.citation_text
        assert set(cls.metrics) == RULES_MD_METRICS[rid]
        fields = cls.Config.model_fields
        assert fields["enabled"].default is True
        assert all(f.description for f in fields.values()), rid


def test_unknown_rule_id_lists_the_installed_rules() -> None:
    with pytest.raises(ConfigError) as err:
        load_rules({"sesion_spike": {}})
    (problem,) = err.value.problems
    assert problem.startswith("rules.sesion_spike: no installed rule has this id; installed: ")
    assert "session_spike" in problem and "pain_reported" in problem


def test_bad_threshold_names_the_key_path_and_the_fix() -> None:
    with pytest.raises(ConfigError) as err:
        load_rules({"session_spike": {"caution_pct": "ten"}, "monotony": {"info_at": -1}})
    problems = err.value.problems
    assert problems[0].startswith("rules.monotony.info_at: ")
    assert problems[1].startswith("rules.session_spike.caution_pct: ")
    assert "'ten'" in problems[1] and "fix:" in problems[1] and "Default: 10" in problems[1]


def test_unknown_setting_and_cross_field_problems() -> None:
    with pytest.raises(ConfigError) as err:
        load_rules({"session_spike": {"cautoin_pct": 5}})
    (problem,) = err.value.problems
    assert problem.startswith("rules.session_spike.cautoin_pct: unknown setting")
    assert "caution_pct" in problem
    with pytest.raises(ConfigError, match=r"rules\.session_spike: caution_pct < warning_pct"):
        load_rules({"session_spike": {"caution_pct": 40}})


def test_disabled_rules_are_left_out_and_config_reaches_the_rule() -> None:
    rules = load_rules({"acwr": {"enabled": False}, "session_spike": {"caution_pct": 5}})
    ids = [r.id for r in rules]
    assert "acwr" not in ids and ids == sorted(BUILT_IN - {"acwr"})
    spike = next(r for r in rules if isinstance(r, SessionSpike))
    assert spike.config.caution_pct == 5


class Boom(Rule):
    id = "boom"
    title = "Boom"
    grade = "X"
    citation = "none"
    citation_text = "none"
    metrics: ClassVar[tuple[str, ...]] = ()

    def evaluate(self, history: History, day: date) -> list[Finding]:
        raise ZeroDivisionError("by design")


def test_a_rule_that_raises_is_reported_and_the_others_still_run() -> None:
    h = hist([run(-30, 5_000), run(0, 10_000), run(3, 16_000, description="knee hurts")])
    rules = [Boom(), *load_rules({})]
    findings, failures = evaluate_day(rules, h, day(3))
    assert [(f.rule, f.severity) for f in findings] == [
        ("pain_reported", Severity.WARNING),
        ("session_spike", Severity.WARNING),
    ]
    assert len(failures) == 1
    assert (failures[0].rule, failures[0].day) == ("boom", day(3))
    assert failures[0].error == "ZeroDivisionError: by design"


def test_evaluate_range_covers_every_day_in_order_and_refuses_days_past_the_end() -> None:
    h = hist([run(i, 5000) for i in range(10)] + [strength(2)])
    findings, failures = evaluate_range(load_rules({}), h, day(0), day(9))
    assert failures == [] and findings == sorted(findings, key=lambda f: f.day)
    streaks = [f.day for f in findings if f.rule == "run_streak"]
    assert streaks == [day(3), day(6)]  # once when it starts, again when it becomes a caution
    with pytest.raises(ValueError, match="last day"):
        evaluate_day(load_rules({}), h, day(10))


def test_rule_refuses_a_foreign_config() -> None:
    with pytest.raises(TypeError):
        SessionSpike(Boom.Config())


def test_built_in_plugins_are_registered_in_code() -> None:
    from syncd.notifiers.console import ConsoleNotifier
    from syncd.notifiers.push import PushNotifier
    from syncd.providers.garmin import GarminProvider
    from syncd.providers.intervals import IntervalsProvider
    from syncd.providers.strava import StravaProvider

    assert installed_notifiers() == {"push": PushNotifier, "console": ConsoleNotifier}
    assert installed_providers() == {
        "strava": StravaProvider,
        "garmin": GarminProvider,
        "intervals": IntervalsProvider,
    }
    assert len(installed_rules()) == 10
