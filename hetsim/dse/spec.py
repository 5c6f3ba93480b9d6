"""The sweep file format: a base experiment, axes over dotted paths, constraints, and an optional
optuna search. Pydantic models only; `hetsim.dse.expand` turns a spec into points.

    name: lserve-grid
    base: default                    # configs/experiments/NAME.yaml, a path (relative to this
                                     # file), or an inline experiment mapping
    set: {workload.decode_tokens: 32}               # fixed overrides of every point
    axes:                                           # blocks combine as a cartesian product
      - grid: {workload.batch: [2, 8], system: [mi210_u55c, a100_u55c]}
      - zip: {workload.context_tokens: [8192, 65536], workload.params.token_budget: [512, 2048]}
      - random: {samples: 8, seed: 0, space: {workload.params.page_size: {choice: [16, 32]}}}
    constraints:                                    # bounds: a number or another quantity
      - {quantity: derived.index_bytes, max: derived.fpga_onchip_key_bytes}
      - {quantity: tpot_s, run: paper, max: 0.05}
    search:                                         # instead of axes: optuna
      trials: 40
      space: {workload.batch: {int: [1, 32], log: true}}
      objectives: [{metric: tpot_s, run: paper}, {metric: energy_per_request_j, run: paper}]

A path is set in one place only (`set`, one axes block, or the search space). A quantity is
`config.<dotted path>` (the point's resolved config), `derived.<name>` (sizes and
capacities computed before running, see `hetsim.dse.derived`) or a metric of one run (bare
name, nested ones dotted: `step_time_per_token_s.relevancy`); a metric names its run.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator


class SweepModel(BaseModel):
    """Every model of the sweep file: unknown keys are errors, aliases and field names both accepted."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# ----------------------------------------------------------------------------- distributions
class IntDist(SweepModel):
    bounds: tuple[int, int] = Field(alias="int", description="inclusive [low, high]")
    log: bool = False
    step: int = Field(1, gt=0)

    @model_validator(mode="after")
    def _order(self) -> IntDist:
        low, high = self.bounds
        if low > high or (self.log and low <= 0):
            raise ValueError(f"int range [{low}, {high}] must have low <= high (and low > 0 when log)")
        return self


class FloatDist(SweepModel):
    bounds: tuple[float, float] = Field(alias="float", description="[low, high]")
    log: bool = False

    @model_validator(mode="after")
    def _order(self) -> FloatDist:
        low, high = self.bounds
        if low > high or (self.log and low <= 0):
            raise ValueError(f"float range [{low}, {high}] must have low <= high (and low > 0 when log)")
        return self


class ChoiceDist(SweepModel):
    choice: list[Any] = Field(min_length=1)


def _dist_kind(v: Any) -> str | None:
    if isinstance(v, BaseModel):
        return {IntDist: "int", FloatDist: "float", ChoiceDist: "choice"}.get(type(v))
    return next((k for k in ("int", "float", "choice") if isinstance(v, dict) and k in v), None)


Dist = Annotated[
    Annotated[IntDist, Tag("int")] | Annotated[FloatDist, Tag("float")] | Annotated[ChoiceDist, Tag("choice")],
    Discriminator(_dist_kind, custom_error_type="dist_kind",
                  custom_error_message="a distribution is {int: [low, high]}, {float: [low, high]} or "
                                       "{choice: [values]}"),
]


# ----------------------------------------------------------------------------- axes
class GridAxes(SweepModel):
    grid: dict[str, list[Any]] = Field(description="every combination of the listed values")


class ZipAxes(SweepModel):
    zip: dict[str, list[Any]] = Field(description="the i-th values of every list together")


class RandomBlock(SweepModel):
    samples: int = Field(gt=0)
    seed: int = Field(0, ge=0)  # numpy's generators take no negative seed
    space: dict[str, Dist]


class RandomAxes(SweepModel):
    random: RandomBlock


def _axis_kind(v: Any) -> str | None:
    if isinstance(v, BaseModel):
        return {GridAxes: "grid", ZipAxes: "zip", RandomAxes: "random"}.get(type(v))
    return next((k for k in ("grid", "zip", "random") if isinstance(v, dict) and k in v), None)


Axis = Annotated[
    Annotated[GridAxes, Tag("grid")] | Annotated[ZipAxes, Tag("zip")] | Annotated[RandomAxes, Tag("random")],
    Discriminator(_axis_kind, custom_error_type="axis_kind",
                  custom_error_message="each axes entry is a mapping with one key: grid, zip or random"),
]


# ----------------------------------------------------------------------------- goals
class Constraint(SweepModel):
    quantity: str
    run: str | None = Field(default=None, description="run whose metric it reads (placement name or label)")
    min: float | str | None = None
    max: float | str | None = None
    why: str = ""

    @model_validator(mode="after")
    def _bounded(self) -> Constraint:
        if self.min is None and self.max is None:
            raise ValueError("a constraint needs min, max or both")
        if isinstance(self.min, float) and isinstance(self.max, float) and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}: no point can satisfy it")
        return self


class Objective(SweepModel):
    metric: str
    run: str | None = Field(default=None, description="run whose metric it reads (placement name or label)")
    goal: Literal["minimize", "maximize"] = "minimize"


class SearchSpec(SweepModel):
    trials: int = Field(gt=0)
    seed: int = Field(0, ge=0)
    sampler: Literal["tpe", "nsga2", "random"] = "tpe"
    batch: int = Field(4, gt=0, description="trials asked at once and run in parallel; part of the spec (not "
                                            "--workers) so that a rerun replays the same trials")
    run: str | None = Field(default=None, description="default run of the objectives and metric constraints")
    space: dict[str, Dist] = Field(min_length=1)
    objectives: list[Objective] = Field(min_length=1)


# ----------------------------------------------------------------------------- the sweep
class SweepSpec(SweepModel):
    name: str | None = Field(default=None, description="default: the file name without .yaml")
    description: str = ""
    base: str | dict = Field(description="experiment: a name in configs/experiments, a path, or inline")
    fixed: dict[str, Any] = Field(default_factory=dict, alias="set", description="overrides of every point")
    axes: list[Axis] | None = None
    search: SearchSpec | None = None
    constraints: list[Constraint] = Field(default_factory=list)
    invalid: Literal["error", "skip"] = Field(
        "error", description="a point the config rejects (e.g. batch 1 with 2 micro-batches): stop, or skip it")
    prices: dict[str, float] = Field(default_factory=dict,
                                     description="catalogue device name -> price, for derived.system_price")
    out: str | None = Field(default=None, description="results folder; default results/sweeps/NAME")

    @model_validator(mode="after")
    def _one_mode(self) -> SweepSpec:
        if self.axes is not None and self.search is not None:
            raise ValueError("give either axes (enumerate points) or search (optuna), not both")
        if self.axes is None and self.search is None:
            raise ValueError("a sweep needs axes or search")
        if self.axes is not None and not self.axes:
            raise ValueError("axes is empty: list at least one grid, zip or random block")
        return self
