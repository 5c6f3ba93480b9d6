#!/usr/bin/env python3
"""One parameter file per kernel, read by both the HLS build and hetsim's FPGA model.

This script owns the format of `fpga_kernels/*/params.yaml`:
  - load + validate it (optionally with `--set name=value` overrides, used by the
    C-simulation tests to build small configurations of the same source),
  - write `params.h` (one `#define` per parameter plus port macros) for the kernel build,
  - write `connectivity.cfg` (v++ `nk=` / `sp=` lines) from the `hbm_ports` section.

It needs only the standard library and PyYAML so that the Makefile can run it on a machine
that has Vitis but not hetsim; hetsim imports it by path (`hetsim.calibration.kernel_params`).

A parameter is either a bare scalar or `{value: V, source: S, ref: "..."}`. `source` is one of
  design      a choice of this kernel, exact by construction (ref: what guided the choice)
  datasheet   a vendor figure
  derived     arithmetic on other figures (ref: the formula)
  assumed     an engineering guess, to be replaced by calibration
  measured / calibrated   read on / fitted from real hardware
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import yaml

SOURCES = ("design", "datasheet", "derived", "assumed", "measured", "calibrated")
# Sections whose leaves become `#define`s. `hbm_ports` is handled separately.
TOP_LEVEL = ("kernel", "platform", "hbm_ports")


class ParamsError(ValueError):
    """A parameter file is malformed; the message names the file and the field."""


def _leaf(path: str, name: str, raw: object) -> tuple[object, str, str]:
    if isinstance(raw, dict):
        missing = {"value", "source"} - raw.keys()
        extra = raw.keys() - {"value", "source", "ref"}
        if missing or extra:
            raise ParamsError(
                f"{path}: {name}: a sourced parameter needs keys value, source[, ref]; "
                f"missing {sorted(missing)}, unknown {sorted(extra)}"
            )
        if raw["source"] not in SOURCES:
            raise ParamsError(f"{path}: {name}: source {raw['source']!r} is not one of {SOURCES}")
        value, source, ref = raw["value"], raw["source"], str(raw.get("ref", ""))
    else:
        value, source, ref = raw, "design", ""
    if not isinstance(value, (int, float, bool, str)):
        raise ParamsError(f"{path}: {name}: expected a number, bool or string, got {value!r}")
    return value, source, ref


HBM_PCS = 32  # pseudo-channels of the U55C / U280 HBM (UG1393)


def _ports(path: Path, group: str, spec: dict, params: dict) -> dict:
    """`{count: N | param name, hbm: first PC, per_port: PCs each}` -> one arg per port, named
    group0..; `{hbm: PC, bundle: B, args: [...]}` -> named args sharing one AXI master."""
    where = f"{path}: hbm_ports.{group}"
    count = spec.get("count", 1)
    if isinstance(count, str):
        if count not in params:
            raise ParamsError(f"{where}.count: {count!r} names no parameter")
        count = params[count]
    per_port = int(spec.get("per_port", 1))
    first = spec.get("hbm")
    if not isinstance(count, int) or count < 1 or not isinstance(first, int) or per_port < 1:
        raise ParamsError(f"{where}: expected count >= 1, an integer hbm (first PC) and per_port >= 1")
    if "args" in spec:
        args, pcs = list(spec["args"]), [[first + i for i in range(per_port)]] * len(spec["args"])
    else:
        args = [f"{group}{i}" for i in range(count)]
        pcs = [[first + i * per_port + j for j in range(per_port)] for i in range(count)]
    if max(max(p) for p in pcs) >= HBM_PCS:
        raise ParamsError(f"{where}: reaches HBM[{max(max(p) for p in pcs)}]; the card has {HBM_PCS} PCs")
    return {"args": args, "pcs": pcs, "bundle": spec.get("bundle")}


def load(path: str | Path, overrides: dict[str, object] | None = None) -> dict:
    """Read a params.yaml into {kernel, platform, params, sources, ports}.

    params:  flat name -> value (leaf names are unique across sections)
    sources: flat name -> (source, ref)
    ports:   group -> {"args": [arg names], "pcs": [[pseudo-channels of arg i]]}
    """
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise ParamsError(f"{path}: expected a mapping at the top level")
    for key in TOP_LEVEL:
        if key not in doc:
            raise ParamsError(f"{path}: missing top-level key {key!r}")

    params: dict[str, object] = {}
    sources: dict[str, tuple[str, str]] = {}
    for section, body in doc.items():
        if section in TOP_LEVEL:
            continue
        if not isinstance(body, dict):
            raise ParamsError(f"{path}: section {section!r} must be a mapping of parameters")
        for name, raw in body.items():
            if name in params:
                raise ParamsError(f"{path}: parameter {name!r} appears in two sections")
            params[name], *src = _leaf(path, f"{section}.{name}", raw)
            sources[name] = tuple(src)

    for name, value in (overrides or {}).items():
        if name not in params:
            raise ParamsError(f"{path}: override {name!r} names no parameter (known: {sorted(params)})")
        params[name] = value
        sources[name] = ("design", "override for a test build")

    ports = {group: _ports(path, group, spec, params) for group, spec in doc["hbm_ports"].items()}
    owner: dict[int, str] = {}  # a pseudo-channel serves one group: its bandwidth is the port's own
    for group, spec in ports.items():
        for pc in {pc for pcs in spec["pcs"] for pc in pcs}:
            if owner.setdefault(pc, group) != group:
                raise ParamsError(f"{path}: hbm_ports: HBM[{pc}] is used by both {owner[pc]} and {group}")
    return {
        "kernel": doc["kernel"],
        "platform": doc["platform"],
        "params": params,
        "sources": sources,
        "ports": ports,
    }


def _c_value(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return '"' + str(value).replace('"', r"\"") + '"'


def quantize(value: float, frac_bits: int) -> int:
    """Round half up to a fixed-point integer; the kernel and the numpy reference both use this."""
    return math.floor(value * (1 << frac_bits) + 0.5)


def render_header(cfg: dict, source_name: str) -> str:
    lines = [
        f"// Generated by fpga_kernels/gen_params.py from {source_name}: do not edit.",
        f"// Kernel {cfg['kernel']}, platform {cfg['platform']}.",
        "#ifndef HETSIM_PARAMS_H",
        "#define HETSIM_PARAMS_H",
        "",
    ]
    for name, value in cfg["params"].items():
        source, ref = cfg["sources"][name]
        note = f"  // {source}" + (f": {ref}" if ref else "")
        lines.append(f"#define {name.upper()} {_c_value(value)}{note}")
    for group, spec in cfg["ports"].items():
        if spec["bundle"] is not None:
            continue  # named args of one bundle are written out in the kernel source
        upper = group.upper()
        lines += [
            "",
            f"// m_axi ports of group '{group}': X(index, name) for each, in order.",
            f"#define {upper}_PORTS {len(spec['args'])}",
            f"#define FOR_EACH_{upper}_PORT(X) " + " ".join(f"X({i}, {a})" for i, a in enumerate(spec["args"])),
        ]
    lines += ["", "#endif  // HETSIM_PARAMS_H", ""]
    return "\n".join(lines)


def render_connectivity(cfg: dict, source_name: str) -> str:
    kernel = cfg["kernel"]
    lines = [
        f"# Generated by fpga_kernels/gen_params.py from {source_name}: edit hbm_ports there.",
        f"# v++ --link --config for platform {cfg['platform']}.",
        "[connectivity]",
        f"nk={kernel}:1:{kernel}_1",
    ]
    for spec in cfg["ports"].values():
        for arg, pcs in zip(spec["args"], spec["pcs"], strict=True):
            bank = f"HBM[{pcs[0]}]" if len(pcs) == 1 else f"HBM[{pcs[0]}:{pcs[-1]}]"
            lines.append(f"sp={kernel}_1.{arg}:{bank}")
    return "\n".join(lines) + "\n"


def _parse_set(items: list[str]) -> dict[str, object]:
    out = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep:
            raise ParamsError(f"--set expects name=value, got {item!r}")
        out[name.strip()] = yaml.safe_load(text)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("params", type=Path)
    ap.add_argument("--header", type=Path, help="write params.h here")
    ap.add_argument("--connectivity", type=Path, help="write connectivity.cfg here")
    ap.add_argument("--get", help="print one parameter (for the Makefile)")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args(argv)
    try:
        cfg = load(args.params, _parse_set(args.set))
    except ParamsError as exc:
        print(f"gen_params: {exc}", file=sys.stderr)
        return 2
    name = f"{args.params.resolve().parent.name}/{args.params.name}"
    if args.header:
        args.header.parent.mkdir(parents=True, exist_ok=True)
        args.header.write_text(render_header(cfg, name))
    if args.connectivity:
        args.connectivity.write_text(render_connectivity(cfg, name))
    if args.get:
        print(cfg["params"][args.get] if args.get in cfg["params"] else cfg[args.get])
    return 0


if __name__ == "__main__":
    sys.exit(main())
