"""Methods: each turns (model, workload, parameters) into the four steps' ops per layer."""

from __future__ import annotations

from hetsim.workloads.base import Method
from hetsim.workloads.dense import Dense
from hetsim.workloads.dsa import DSA
from hetsim.workloads.lserve import LServe
from hetsim.workloads.memagent import MemAgent
from hetsim.workloads.memory_as_context import MemoryAsContext
from hetsim.workloads.rag import Rag, RagTwoStage
from hetsim.workloads.seer_attention import SeerAttention
from hetsim.workloads.ttt import TTT

METHODS: dict[str, type[Method]] = {
    cls.name: cls for cls in (Dense, LServe, DSA, SeerAttention, Rag, RagTwoStage, MemAgent, MemoryAsContext, TTT)
}
