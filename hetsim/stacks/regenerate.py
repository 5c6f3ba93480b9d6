"""Derive the symbolic stack templates from traces and write them: `python -m hetsim.stacks.regenerate`.

For each catalogue model transformers can build, each hf stack and each phase (hf-paged: each
continuous-batching iteration kind, hetsim/tracing/paged.py), a one-layer model
(real widths) is traced at sizes enough to fit every size-dependent integer as a polynomial
(symbolic.py), then at further sizes the fitted template must reproduce exactly. A file whose
content did not change is left as it is (its provenance date included), so regeneration
reproduces the shipped files byte for byte. Needs torch and transformers (the `trace` extra).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from hetsim.stacks import symbolic, templates
from hetsim.stacks.templates import ALL_SYMBOLS, Template

COMMAND = "python -m hetsim.stacks.regenerate"
VERIFY = 3  # sizes beyond the fit that the template must reproduce
SEED = 20261201


def _trace_doc(spec, stack: str, phase: str, size: dict[str, int]) -> dict:
    from hetsim.tracing.hf import trace_model

    if stack == "hf-paged":
        from hetsim.tracing.paged import trace_iteration

        q = size.get("Q", 1)
        tr = trace_iteration(spec, q, size["K"] if "K" in size else 0, size.get("R", 1))
    elif phase == "decode":
        tr = trace_model(spec, "decode", size["B"], size["C"], None, stack, size.get("L"), cache=False)
    else:
        tr = trace_model(spec, "prefill", size["B"], size["T"], None, stack, size.get("L"), cache=False)
    doc = tr.to_json()
    meta = doc.pop("meta")
    return doc, meta


def _sections(doc: dict) -> dict[str, tuple[int, int]]:
    layer = next(m for m in doc["modules"] if m[0] == "model.layers.0")
    return {"head": (0, layer[3]), "layer": (layer[3], layer[4]), "tail": (layer[4], len(doc["ops"]))}


def derive(model: str, stack: str, phase: str) -> Template:
    """The template of one (model, stack, phase), fitted and verified."""
    from hetsim.tracing.hfspec import model_spec

    spec = model_spec(model).model_copy(update={"layers": 1})
    symbols = ALL_SYMBOLS[(stack, phase)]
    n_fit = len(symbolic.monomials(symbols)) + 2  # two spare sizes: a fit that only just interpolates is not trusted
    sizes = symbolic.sample_sizes(symbols, n_fit + VERIFY, SEED)
    docs, meta = [], {}
    for size in sizes:
        doc, meta = _trace_doc(spec, stack, phase, size)
        docs.append(doc)
    fitter = symbolic.Fitter(sizes[:n_fit], symbols)
    general = symbolic.generalise(docs[:n_fit], fitter, f"{model} {stack} {phase}")
    for size, doc in zip(sizes[n_fit:], docs[n_fit:], strict=True):
        if symbolic.instantiate(general, size) != doc:
            raise symbolic.NotPolynomial(f"{model} {stack} {phase}: the template does not reproduce the trace "
                                         f"at {size}")
    prov = {"torch": meta.get("torch"), "transformers": meta.get("transformers"), "command": COMMAND,
            "call": meta.get("call"), "traced_layers": 1, "fit_sizes": sizes[:n_fit], "verify_sizes": sizes[n_fit:],
            "date": dt.date.today().isoformat()}
    return Template(model, stack, phase, symbols, general, _sections(general), prov)


def catalogue_models() -> list[str]:
    """Catalogue models transformers can build (dense llama / qwen2 / qwen3 families)."""
    from hetsim.config.load import Catalogue
    from hetsim.errors import ConfigError
    from hetsim.tracing.hfspec import family

    out = []
    for name, spec in sorted(Catalogue.load().models.items()):
        try:
            family(spec)
        except ConfigError:
            continue
        out.append(name)
    return out


def _same_but_date(old: bytes, new: Template) -> bool:
    import gzip
    import json

    try:
        data = json.loads(gzip.decompress(old))
    except (OSError, ValueError):
        return False
    data["provenance"].pop("date", None)
    mine = templates.to_file(new)
    mine = {**mine, "provenance": {k: v for k, v in mine["provenance"].items() if k != "date"}}
    return json.loads(json.dumps(mine)) == data


def regenerate(folder: Path | None = None, models: list[str] | None = None) -> list[Path]:
    """Write every template; return the files whose content changed."""
    folder = folder or templates.TRACES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for model in models or catalogue_models():
        for stack, phase in ALL_SYMBOLS:
            tpl = derive(model, stack, phase)
            path = templates.path_for(model, stack, phase, folder)
            if path.exists() and _same_but_date(path.read_bytes(), tpl):
                continue
            path.write_bytes(templates.dumps(tpl))
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder (default: hetsim/stacks/traces)")
    parser.add_argument("--model", action="append", help="only this catalogue model (repeatable)")
    args = parser.parse_args(argv)
    from hetsim.errors import HetsimError

    try:
        changed = regenerate(args.out, args.model)
    except HetsimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{len(changed)} template file(s) written" + "".join(f"\n  {p}" for p in changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
