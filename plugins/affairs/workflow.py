"""A community's workflow: which stages it uses, what it calls them, how long each may take.

The six canonical stages always come in one order (:class:`Stage`); a community keeps
all six (六事: 提事 → 议事 → 理事 → 办事 → 晒事 → 评事) or a subset, e.g. 台江's 五事
(说事 → 议事 → 理事 → 晒事 → 评事, where 理事 includes doing the work). Raising, planning
and rating are never left out: a matter must be raised, someone must own it, and it can
only be closed off after the residents had their say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from plugins.affairs.models import Stage

ORDER = tuple(Stage)
REQUIRED = frozenset({Stage.RAISE, Stage.PLAN, Stage.RATE})

#: (stage, label, label in English, days allowed), after the 菖蒲社区 report: same-day
#: vote, plan the next day, done within a week.
PRESETS: dict[str, tuple[tuple[Stage, str, str, int], ...]] = {
    "six": (
        (Stage.RAISE, "提事", "Raise", 1),
        (Stage.DELIBERATE, "议事", "Deliberate", 0),
        (Stage.PLAN, "理事", "Plan", 1),
        (Stage.EXECUTE, "办事", "Execute", 7),
        (Stage.PUBLISH, "晒事", "Publish", 1),
        (Stage.RATE, "评事", "Rate", 7),
    ),
    "five": (
        (Stage.RAISE, "说事", "Tell", 1),
        (Stage.DELIBERATE, "议事", "Deliberate", 0),
        (Stage.PLAN, "理事", "Handle", 7),
        (Stage.PUBLISH, "晒事", "Publish", 1),
        (Stage.RATE, "评事", "Rate", 7),
    ),
}
DEFAULT_CATEGORIES = (
    ("admin_service", "行政便民"),
    ("volunteer_service", "志愿服务"),
    ("social_service", "社会服务"),
)


@dataclass(frozen=True)
class StageRule:
    stage: Stage
    label: str
    label_en: str
    days: int


def preset(variant: str) -> list[dict[str, Any]]:
    return [
        {"key": str(stage), "label": label, "label_en": label_en, "days": days}
        for stage, label, label_en, days in PRESETS[variant]
    ]


def stage_problems(keys: Sequence[str]) -> list[str]:
    """What is wrong with a community's list of stages (empty: fine)."""
    problems = []
    if len(set(keys)) != len(keys):
        problems.append("each stage may appear once")
    if [k for k in ORDER if k in keys] != list(keys):
        problems.append("stages must keep the order " + " → ".join(ORDER))
    missing = sorted(REQUIRED - set(keys))
    if missing:
        problems.append("these stages cannot be left out: " + ", ".join(missing))
    return problems


@dataclass(frozen=True)
class Workflow:
    rules: tuple[StageRule, ...]

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> Workflow:
        stages = settings.get("stages") or preset(settings["variant"])
        return cls(
            tuple(
                StageRule(Stage(s["key"]), s["label"], s.get("label_en") or s["label"], s["days"])
                for s in stages
            )
        )

    def uses(self, stage: Stage) -> bool:
        return any(rule.stage == stage for rule in self.rules)

    def rule(self, stage: str) -> StageRule | None:
        return next((rule for rule in self.rules if rule.stage == stage), None)

    def after(self, stage: Stage) -> Stage:
        """The next stage the community uses after ``stage`` (rating is the last)."""
        later = [rule.stage for rule in self.rules if ORDER.index(rule.stage) > ORDER.index(stage)]
        return later[0] if later else Stage.RATE

    def due(self, stage: Stage, today: date) -> date | None:
        rule = self.rule(stage)
        return None if rule is None else today + timedelta(days=rule.days)

    def label(self, stage: str, english: bool = False) -> str:
        rule = self.rule(stage)
        if rule is None:
            return stage
        return rule.label_en if english else rule.label
