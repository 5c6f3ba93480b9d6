"""Methods: each turns (model, workload, parameters) into the four steps' ops per layer."""

from __future__ import annotations

from hetsim.workloads.base import Method
from hetsim.workloads.dense import Dense
from hetsim.workloads.lserve import LServe

METHODS: dict[str, type[Method]] = {cls.name: cls for cls in (Dense, LServe)}
