"""A request while it is served: how much of it is computed, the KV blocks it holds, and the
times the metrics read."""

from __future__ import annotations

from hetsim.serving.requests import Request

WAITING, RUNNING, SWAPPED, FINISHED = "waiting", "running", "swapped", "finished"
RETRIEVING = "retrieving"  # paused during decode while its retrieval runs (its KV blocks kept)


class Seq:
    __slots__ = ("req", "target", "computed", "generated", "state", "private", "nodes", "keys", "admitted_s",
                 "first_token_s", "last_token_s", "finish_s", "preemptions", "hit_tokens", "first_hit_tokens",
                 "prefilled_tokens", "energy_j", "max_gap_s", "cached", "steps_done_s", "retrievals",
                 "retrieved_tokens", "retrieval_spans", "paused_s")

    def __init__(self, req: Request) -> None:
        self.req = req
        self.target = req.prompt_tokens  # tokens to compute before the next token is sampled
        self.computed = 0  # tokens whose KV is in the cache
        self.generated = 0
        self.state = WAITING
        self.private = 0  # KV blocks lent to this request alone
        self.nodes: list = []  # prefix-cache nodes it references (its first blocks)
        self.keys: list | None = None  # its prompt's block keys (prefix caching)
        self.admitted_s: float | None = None
        self.first_token_s: float | None = None
        self.last_token_s = 0.0
        self.finish_s: float | None = None
        self.preemptions = 0
        self.hit_tokens = 0
        self.first_hit_tokens: int | None = None
        self.prefilled_tokens = 0
        self.energy_j = 0.0
        self.max_gap_s = 0.0
        self.cached = False  # its prompt's blocks went into the prefix cache
        self.steps_done_s = req.arrival_s  # when its request-level steps (a RAG search) finished
        self.retrievals: list[int] = []  # generated-token counts after which it retrieves during decode
        self.retrieved_tokens = 0  # passage tokens its decode-time retrievals added to its context
        self.retrieval_spans: list[tuple[float, float]] = []  # (paused, search done), per decode-time retrieval
        self.paused_s = 0.0  # when its current decode-time retrieval began

    @property
    def retrieval_s(self) -> list[float]:
        """Each decode-time retrieval's pause, from the request leaving the batch to its search done."""
        return [end - start for start, end in self.retrieval_spans]

    @property
    def prefilling(self) -> bool:
        return self.computed < self.target

    @property
    def blocks(self) -> int:
        return self.private + len(self.nodes)

    def order(self, by_priority: bool) -> tuple:
        return (self.req.priority if by_priority else 0, self.req.arrival_s, self.req.rid)
