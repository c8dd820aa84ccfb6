"""KPI targets: what each indicator should reach, read from ``CONTACTPRO_KPI_TARGETS``.

The setting lists ``key>=value`` or ``key<=value`` items separated by commas, in the unit the KPI
table shows (percentages as 0-100, waits in seconds, CSAT out of 5): ``auto_resolution>=60``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contactpro.errors import ConfigError

_ITEM = re.compile(r"^([a-z_]+)\s*(>=|<=)\s*(-?\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Target:
    """One KPI's target: at least (``>=``) or at most (``<=``) a value in the KPI's unit."""

    key: str
    op: str
    value: float

    def met(self, value: float | None, unit: str) -> bool | None:
        """Return whether a KPI value meets the target; None when it was not measured."""
        if value is None:
            return None
        shown = value * 100 if unit == "%" else value
        return shown >= self.value if self.op == ">=" else shown <= self.value

    def text(self, unit: str, currency: str = "") -> str:
        """Return the target as the KPI table shows it: "≥ 60 %", "≤ 120 s"."""
        symbol = "≥" if self.op == ">=" else "≤"
        suffix = {"%": " %", "s": " s", "min": " min", "/5": " / 5", "/100": " / 100"}.get(unit)
        if unit == "currency":
            suffix = f" {currency}".rstrip()
        return f"{symbol} {self.value:g}{suffix or ''}"


def parse_targets(text: str) -> dict[str, Target]:
    """Return the targets of a ``CONTACTPRO_KPI_TARGETS`` value by KPI key."""
    targets: dict[str, Target] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        match = _ITEM.match(item)
        if match is None:
            raise ConfigError(
                f"CONTACTPRO_KPI_TARGETS item {item!r} must look like auto_resolution>=60"
            )
        targets[match[1]] = Target(match[1], match[2], float(match[3]))
    return targets
