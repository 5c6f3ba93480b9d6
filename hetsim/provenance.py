"""Where a hardware number comes from, and the weakest source a result rests on.

Grades, strongest first (after TokenSim's evidence grades):
  measured    read on real hardware (device, date, software in `ref`)
  calibrated  fitted from measurements (which data, in `ref`)
  datasheet   a vendor figure (document in `ref`)
  derived     arithmetic on cited figures (the formula in `ref`)
  transferred another device's calibration carried over by datasheet ratios (the source profile
              in `ref`): a measurement stands behind it, but of a different chip, so it is weaker
              than arithmetic on this device's own figures and stronger than a guess
  assumed     no source: an engineering guess, to be replaced by calibration
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Source = Literal["measured", "calibrated", "datasheet", "derived", "transferred", "assumed"]
GRADES: tuple[Source, ...] = ("measured", "calibrated", "datasheet", "derived", "transferred", "assumed")


class Sourced(BaseModel):
    """A number with its provenance. Units are given by the field name that holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float = Field(strict=True, allow_inf_nan=False)  # YAML `true` is not a number
    source: Source
    ref: str = Field(min_length=1, description="document, measurement record or formula")

    def __float__(self) -> float:
        return float(self.value)


def weakest(sources: list[Source] | set[Source]) -> Source:
    """The weakest grade among `sources` (what a result built from them may claim)."""
    if not sources:
        return "assumed"
    return max(sources, key=GRADES.index)


class ProvenanceLog:
    """Collects the sources of every hardware number a run actually used."""

    def __init__(self) -> None:
        self.used: dict[str, Source] = {}

    def use(self, key: str, value: Sourced) -> float:
        self.used[key] = value.source
        return float(value.value)

    def note(self, key: str, source: Source) -> None:
        self.used[key] = source

    def weakest(self) -> Source:
        return weakest(set(self.used.values()))

    def by_grade(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {g: [] for g in GRADES}
        for key, src in sorted(self.used.items()):
            out[src].append(key)
        return {g: keys for g, keys in out.items() if keys}
