"""Symbolic traces: one traced forward whose sizes are polynomials in the step's symbols.

A template is a trace's JSON (hetsim/tracing/trace.py) in which every integer that changes with
the step's sizes is replaced by a polynomial in the symbols (B batch, T new tokens, C cached
tokens, L static cache length; for a continuous-batching iteration Q new tokens, K tokens read,
R requests), written as a string "=4096*B*T+-1*C". The polynomials are fitted
exactly (integer coefficients, total degree <= 2) from traces at several sizes and checked on
further sizes, so a template says nothing the traces did not show. Instantiating one at any sizes
of the same regime gives the trace a fresh tracing run would record. No torch here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

MAX_DEGREE = 2  # shapes are sizes; strides and flattened sizes are products of two of them at most
PREFIX = "="  # an expression leaf; op names and dtypes never start with it


class NotPolynomial(ValueError):
    """A traced integer that no polynomial of the allowed degree explains (a new code path)."""


# A polynomial: terms (coefficient, symbol names of the monomial, repeated for powers).
Poly = tuple[tuple[int, tuple[str, ...]], ...]


def monomials(symbols: Sequence[str], degree: int = MAX_DEGREE) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]
    for d in range(1, degree + 1):
        out += list(itertools.combinations_with_replacement(symbols, d))
    return out


def evaluate(poly: Poly, values: dict[str, int]) -> int:
    total = 0
    for coef, names in poly:
        term = coef
        for n in names:
            term *= values[n]
        total += term
    return total


def to_text(poly: Poly) -> str:
    parts = []
    for coef, names in poly:
        parts.append("*".join([str(coef), *names]) if names else str(coef))
    return PREFIX + ("+".join(parts) if parts else "0")


def parse(text: str) -> Poly:
    """`to_text` read back (the shipped files are data: parsed, never evaluated as code)."""
    body = text[len(PREFIX):]
    terms = []
    for part in body.split("+"):
        coef, *names = part.split("*")
        terms.append((int(coef), tuple(names)))
    return tuple(terms)


def symbols_of(poly: Poly) -> set[str]:
    return {n for _, names in poly for n in names}


def _solve(rows: list[list[int]], ys: list[int]) -> list[Fraction] | None:
    """Least-squares solution of rows @ x = ys by exact Gaussian elimination on the normal equations."""
    n = len(rows[0])
    a = [[Fraction(sum(r[i] * r[j] for r in rows)) for j in range(n)] for i in range(n)]
    b = [Fraction(sum(r[i] * y for r, y in zip(rows, ys, strict=True))) for i in range(n)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if a[r][col] != 0), None)
        if pivot is None:
            return None  # the sample sizes do not separate the monomials: choose other sizes
        a[col], a[pivot] = a[pivot], a[col]
        b[col], b[pivot] = b[pivot], b[col]
        for r in range(n):
            if r != col and a[r][col] != 0:
                f = a[r][col] / a[col][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col], strict=True)]
                b[r] -= f * b[col]
    return [b[i] / a[i][i] for i in range(n)]


class Fitter:
    """Fits integers seen at the sample sizes; the design (monomials at the samples) is built once."""

    def __init__(self, samples: Sequence[dict[str, int]], symbols: Sequence[str]):
        self.samples = list(samples)
        self.monos = monomials(symbols)
        if len(self.samples) < len(self.monos):
            raise ValueError(f"{len(self.monos)} monomials need as many sample sizes, got {len(self.samples)}")
        self.rows = [[evaluate(((1, m),), s) for m in self.monos] for s in self.samples]
        self._memo: dict[tuple[int, ...], Poly] = {}

    def fit(self, ys: Sequence[int]) -> Poly:
        key = tuple(ys)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        x = _solve(self.rows, list(ys))
        if x is None:
            raise ValueError("sample sizes are degenerate for these monomials")
        if any(c.denominator != 1 for c in x):
            raise NotPolynomial(f"values {list(ys)} are not an integer polynomial of degree <= {MAX_DEGREE}")
        poly = tuple((int(c), m) for c, m in zip(x, self.monos, strict=True) if c != 0)
        if any(evaluate(poly, s) != y for s, y in zip(self.samples, ys, strict=True)):
            raise NotPolynomial(f"values {list(ys)} are not a polynomial of degree <= {MAX_DEGREE}")
        self._memo[key] = poly
        return poly


def generalise(docs: Sequence[Any], fitter: Fitter, where: str = "") -> Any:
    """One JSON document whose leaves that differ across `docs` (same structure) are polynomials."""
    first = docs[0]
    if isinstance(first, dict):
        keys = list(first)
        if any(not isinstance(d, dict) or list(d) != keys for d in docs):
            raise NotPolynomial(f"{where}: keys differ between sizes (another code path)")
        return {k: generalise([d[k] for d in docs], fitter, f"{where}.{k}") for k in keys}
    if isinstance(first, list):
        if any(not isinstance(d, list) or len(d) != len(first) for d in docs):
            raise NotPolynomial(f"{where}: lengths differ between sizes (another code path)")
        return [generalise([d[i] for d in docs], fitter, f"{where}[{i}]") for i in range(len(first))]
    if all(d == first and type(d) is type(first) for d in docs):
        return first
    if all(isinstance(d, int) and not isinstance(d, bool) for d in docs):
        try:
            poly = fitter.fit(docs)
        except NotPolynomial as exc:
            raise NotPolynomial(f"{where}: {exc}") from None
        return to_text(poly) if any(names for _, names in poly) else evaluate(poly, {})
    raise NotPolynomial(f"{where}: values {list(docs)} differ between sizes and are not integers")


def is_expr(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def instantiate(doc: Any, values: dict[str, int]) -> Any:
    """The JSON document at the given sizes."""
    if isinstance(doc, dict):
        return {k: instantiate(v, values) for k, v in doc.items()}
    if isinstance(doc, list):
        return [instantiate(v, values) for v in doc]
    if is_expr(doc):
        return evaluate(parse(doc), values)
    return doc


def uses(doc: Any) -> set[str]:
    """The symbols a document's expressions name."""
    if isinstance(doc, dict):
        return set().union(*(uses(v) for v in doc.values())) if doc else set()
    if isinstance(doc, list):
        return set().union(*(uses(v) for v in doc)) if doc else set()
    return symbols_of(parse(doc)) if is_expr(doc) else set()


def sample_sizes(symbols: Iterable[str], count: int, seed: int) -> list[dict[str, int]]:
    """Deterministic sizes inside one regime: batch >= 2 and >= 2 new tokens (a batch of one and a
    single-token prefill take other code paths), the static length above cached + new tokens;
    for an iteration's symbols (Q, K, R), `_iteration_sizes`."""
    import random

    rng = random.Random(seed)
    symbols = list(symbols)
    if {"Q", "K", "R"} & set(symbols):
        return _iteration_sizes(symbols, count, rng)
    out = []
    for _ in range(count):
        s = {"B": rng.randint(2, 11), "T": rng.randint(2, 37), "C": rng.randint(2, 61)}
        s["L"] = s["C"] * ("C" in symbols) + s["T"] * ("T" in symbols) + 1 + rng.randint(1, 53)
        out.append({k: s[k] for k in symbols})
    return out


def _iteration_sizes(symbols: list[str], count: int, rng) -> list[dict[str, int]]:
    """Sizes of continuous-batching iterations (hetsim/tracing/paged.py): R >= 2 requests and
    Q >= R new tokens (a single query token takes another code path: its own template, K alone),
    K > Q tokens read when the cache is read."""
    out = []
    for _ in range(count):
        r = rng.randint(2, 9)
        q = r + rng.randint(0, 40)
        k = (q + rng.randint(1, 90)) if "Q" in symbols else rng.randint(2, 300)
        out.append({k_: v for k_, v in (("Q", q), ("K", k), ("R", r)) if k_ in symbols})
    return out
