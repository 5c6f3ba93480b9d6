"""Requests: seeded generators (arrival processes, length distributions, shared prefixes), the
CSV trace format (`arrival_s, prompt_tokens, output_tokens` and optionally `prefix_group`,
`prefix_tokens`, `priority`), and each request's retrievals during decode (RAG triggers)."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hetsim.config.schema import ArrivalSpec, DecodeRetrievalSpec, LengthSpec, RequestsSpec
from hetsim.errors import ConfigError

RETRIEVAL_STREAM = 0x5E7  # the retrieval draws' own stream of the seed: arrivals and lengths stay as they were
REQUIRED = ("arrival_s", "prompt_tokens", "output_tokens")
OPTIONAL = ("prefix_group", "prefix_tokens", "priority")


@dataclass(frozen=True)
class Request:
    """One request: it arrives at `arrival_s` with a prompt whose first `prefix_tokens` tokens
    are those of its `prefix_group` (-1: none shared), and wants `output_tokens` tokens."""

    rid: int
    arrival_s: float
    prompt_tokens: int
    output_tokens: int
    prefix_group: int = -1
    prefix_tokens: int = 0
    priority: int = 0


def arrival_times(spec: ArrivalSpec, count: int, rng: np.random.Generator) -> np.ndarray:
    if spec.process == "all-at-once":
        return np.zeros(count)
    mean_gap = 1.0 / spec.rate_per_s
    if spec.process == "fixed":
        gaps = np.full(count, mean_gap)
    elif spec.process == "poisson":
        gaps = rng.exponential(mean_gap, count)
    else:  # gamma: shape 1/cv^2 keeps the mean gap and sets its coefficient of variation
        shape = 1.0 / spec.cv**2
        gaps = rng.gamma(shape, mean_gap / shape, count)
    times = np.cumsum(gaps)
    return times - times[0]  # the first request opens the run


def trace_path(trace: str, base: Path | None) -> Path:
    """A trace file named in the config: relative to the config's folder (`base`) unless absolute."""
    return Path(trace) if base is None or Path(trace).is_absolute() else base / trace


def lengths(spec: LengthSpec, count: int, rng: np.random.Generator, column: str, base: Path | None = None
            ) -> np.ndarray:
    high = spec.high or 1 << 30
    if spec.dist == "fixed":
        return np.full(count, spec.value, dtype=np.int64)
    if spec.dist == "uniform":
        return rng.integers(spec.low, high + 1, count)
    if spec.dist == "lognormal":
        x = rng.lognormal(math.log(spec.median), spec.sigma, count)
        return np.clip(np.rint(x), spec.low, high).astype(np.int64)
    pool = np.array([getattr(r, column) for r in read_trace(trace_path(spec.trace, base))], dtype=np.int64)
    return np.clip(rng.choice(pool, count), spec.low, high)


def generate(spec: RequestsSpec, seed: int, base: Path | None = None, rate_per_s: float | None = None
             ) -> list[Request]:
    """The requests of a spec (a trace file, or the generators seeded by `seed`); `rate_per_s`
    replaces the arrival rate (rate sweeps, the capacity search)."""
    if spec.trace:
        reqs = read_trace(trace_path(spec.trace, base))
        if rate_per_s is not None and reqs[-1].arrival_s > 0:  # rescale the trace to the asked mean rate
            scale = (len(reqs) - 1) / rate_per_s / reqs[-1].arrival_s
            reqs = [Request(r.rid, r.arrival_s * scale, r.prompt_tokens, r.output_tokens, r.prefix_group,
                            r.prefix_tokens, r.priority) for r in reqs]
        return reqs
    rng = np.random.default_rng(seed)
    arrivals = spec.arrivals
    if rate_per_s is not None:
        process = "poisson" if arrivals.process == "all-at-once" else arrivals.process
        arrivals = ArrivalSpec(process=process, rate_per_s=rate_per_s, cv=arrivals.cv)
    n = spec.count
    t = arrival_times(arrivals, n, rng)
    prompt = lengths(spec.prompt_tokens, n, rng, "prompt_tokens", base)
    out = lengths(spec.output_tokens, n, rng, "output_tokens", base)
    group = np.full(n, -1)
    shared = np.zeros(n, dtype=np.int64)
    if spec.prefix is not None:
        group = rng.integers(0, spec.prefix.groups, n)
        shared[:] = spec.prefix.tokens
        prompt = prompt + shared  # the request's own text follows the shared prefix
    prio = rng.integers(0, spec.priorities, n) if spec.priorities > 1 else np.zeros(n, dtype=np.int64)
    return [Request(i, float(t[i]), int(prompt[i]), int(out[i]), int(group[i]), int(shared[i]), int(prio[i]))
            for i in range(n)]


def decode_retrievals(spec: DecodeRetrievalSpec, method_params, req: Request, seed: int) -> tuple[tuple[int, ...], int]:
    """When `req` retrieves during its decode: the counts of generated tokens after which it
    pauses to retrieve (ascending, each before its last token), and its output tokens (FLARE's
    discarded look-ahead sentences are decoded again, so they count). `method_params`: the RAG
    method's (trigger, sentence_tokens, trigger_prob). Seeded by (seed, request id) alone."""
    trigger = spec.trigger
    if trigger == "method":
        trigger = {"once": "none", "fs-rag": "every", "dragin": "probability", "flare": "flare"}[method_params.trigger]
        every, prob = method_params.sentence_tokens, method_params.trigger_prob
    else:
        every, prob = spec.every_tokens, spec.per_token_prob
    total = req.output_tokens
    if trigger == "none":
        return (), total
    rng = np.random.default_rng((seed, RETRIEVAL_STREAM, req.rid))
    if trigger == "every":
        return tuple(range(every, total, every)), total
    if trigger == "probability":
        return tuple(int(t) for t in np.flatnonzero(rng.random(total - 1) < prob) + 1), total
    points, done, out = [], 0, 0  # flare: `done` tokens kept so far, `out` decoded so far
    while done < total:
        n = min(every, total - done)
        out += n
        if (rng.random(n) < prob).any():  # a low-confidence token in the look-ahead: retrieve, regenerate
            points.append(out)
            out += n
        done += n
    return tuple(points), out


def write_trace(path: Path, requests: list[Request]) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(REQUIRED + OPTIONAL)
        for r in requests:
            w.writerow((f"{r.arrival_s:.6f}", r.prompt_tokens, r.output_tokens, r.prefix_group, r.prefix_tokens,
                        r.priority))


def read_trace(path: Path) -> list[Request]:
    """A trace's requests; a missing column, a bad value or a time going backwards is a
    `ConfigError` naming the file, row and column."""
    file = str(path)
    try:
        f = open(path, newline="")
    except OSError as exc:
        raise ConfigError(f"cannot read the trace: {exc.strerror or exc}", file=file) from None
    with f:
        reader = csv.DictReader(f)
        cols = reader.fieldnames or []
        missing = [c for c in REQUIRED if c not in cols]
        if missing:
            raise ConfigError(f"missing column(s) {', '.join(missing)} (columns: {', '.join(cols) or 'none'}; "
                              f"needed: {', '.join(REQUIRED)}, optional: {', '.join(OPTIONAL)})", file=file)
        out: list[Request] = []
        last = 0.0
        for i, row in enumerate(reader):
            where = f"row {i + 2}"  # the header is row 1
            vals = {}
            for col in REQUIRED + OPTIONAL:
                text = (row.get(col) or "").strip()
                if col in OPTIONAL and text == "":
                    continue
                try:
                    vals[col] = float(text) if col == "arrival_s" else int(text)
                except ValueError:
                    raise ConfigError(f"{col} {text!r} is not a number", file=file, field=where) from None
            t = vals["arrival_s"]
            if not math.isfinite(t) or t < 0:
                raise ConfigError(f"arrival_s {t:g} must be >= 0", file=file, field=where)
            if t < last:
                raise ConfigError(f"arrival_s {t:g} is before the previous row's {last:g}; sort the trace by "
                                  "arrival time", file=file, field=where)
            last = t
            for col in ("prompt_tokens", "output_tokens"):
                if vals[col] <= 0:
                    raise ConfigError(f"{col} must be > 0, got {vals[col]}", file=file, field=where)
            shared = vals.get("prefix_tokens", 0)
            if not 0 <= shared <= vals["prompt_tokens"]:
                raise ConfigError(f"prefix_tokens {shared} must be in 0..prompt_tokens ({vals['prompt_tokens']})",
                                  file=file, field=where)
            out.append(Request(len(out), t, vals["prompt_tokens"], vals["output_tokens"],
                               vals.get("prefix_group", -1), shared, vals.get("priority", 0)))
    if not out:
        raise ConfigError("the trace has no requests", file=file)
    return out
