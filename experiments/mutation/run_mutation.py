"""Mutation testing of hetsim's core with mutmut 3 (not run in CI).

For each module given (default: all of SCOPE), a scratch copy of the repository is made (the
committed tree, `git archive HEAD`, or the working tree with --worktree), mutmut is configured
there to mutate only that module and to run only the tests that exercise it (SELECTION), and the
result is summarised: killed / survived / timeout / other, the kill rate, and every surviving
mutant as file:line with its diff. The repository itself is never touched.

    python experiments/mutation/run_mutation.py hetsim/sim/engine.py hetsim/placement.py
    python experiments/mutation/run_mutation.py --list
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# module -> the tests that exercise it (fast ones: no subprocess CLI runs, no g++, no Ray). A path the
# scratch copy lacks is left out (see write_config).
SIM = ["tests/sim"]
ENGINE = ["tests/sim/test_engine_fifo.py", "tests/sim/test_engine_properties.py", "tests/sim/test_engine.py",
          "tests/sim/test_engine_orders.py", "tests/sim/test_replay.py", "tests/sim/test_replay_orders.py"]
HARDWARE = ["tests/hardware", "tests/sim/test_graph_mode.py", "tests/report/test_energy_by_hand.py",
            "tests/report/test_idle_power.py", "tests/calibration/test_calibration_gpu_model.py",
            "tests/calibration/test_calibration_profile.py", "tests/stacks/test_stack_pricing.py"]
SELECTION: dict[str, list[str]] = {
    "hetsim/sim/engine.py": ENGINE,
    "hetsim/sim/replay.py": ENGINE,
    "hetsim/sim/phases.py": SIM + ["tests/report/test_energy_by_hand.py", "tests/workloads/test_method_runs.py"],
    "hetsim/sim/lowering.py": SIM + ["tests/workloads/test_method_placements.py"],
    "hetsim/sim/machine.py": SIM + ["tests/hardware/test_hardware.py"],
    "hetsim/hardware/*.py": HARDWARE,
    "hetsim/placement.py": ["tests/test_placement.py", "tests/test_placement_rules.py", "tests/sim/test_engine.py",
                            "tests/sim/test_link_traffic.py", "tests/workloads/test_method_placements.py",
                            "tests/workloads/test_method_errors.py"],
    # tests/dse/test_store.py runs `hetsim sweep` in subprocesses only: mutmut's coverage cannot see
    # them, so they would never be picked for a mutant (and cost 11 s of stats collection)
    "hetsim/dse/store*.py": ["tests/dse/test_store_parts.py", "tests/dse/test_store_safety.py"],
}
SCOPE = ["hetsim/sim/*.py", "hetsim/hardware/*.py", "hetsim/placement.py", "hetsim/dse/store*.py"]
COPY = ["hetsim", "tests", "configs", "calibration", "fpga_kernels", "pyproject.toml"]


def tests_for(module: str) -> list[str]:
    for pattern, tests in SELECTION.items():
        if Path(module).match(pattern) or module == pattern:
            return tests
    if module.startswith("hetsim/hardware/"):
        return SELECTION["hetsim/hardware/*.py"]
    if module.startswith("hetsim/sim/"):
        return SIM
    raise SystemExit(f"no test selection for {module}; add it to SELECTION in {__file__}")


def scratch_copy(dest: Path, worktree: bool) -> None:
    if worktree:
        for item in COPY:
            src = REPO / item
            if src.is_dir():
                shutil.copytree(src, dest / item, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "build"))
            elif src.exists():
                shutil.copy2(src, dest / item)
        return
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "HEAD", *COPY], check=True, capture_output=True)
    with tempfile.TemporaryFile() as f:
        f.write(archive.stdout)
        f.seek(0)
        with tarfile.open(fileobj=f) as tar:
            tar.extractall(dest, filter="data")


def write_config(dest: Path, module: str, tests: list[str], deselect: list[str] | None = None) -> None:
    """mutmut's settings, appended to the scratch copy's pyproject.toml (never the repository's).
    Tests of the selection that the copy does not have (not written yet, or not committed) are left out."""
    tests = [t for t in tests if (dest / t).exists()]
    cfg = {"source_paths": ["hetsim"], "only_mutate": [module], "pytest_add_cli_args_test_selection": tests,
           "also_copy": ["configs", "calibration", "fpga_kernels", "tests"],
           "pytest_add_cli_args": ["-q", "-p", "no:cacheprovider", "-x",
                                   *(a for d in deselect or () for a in ("--deselect", d))],
           "use_setproctitle": False}
    lines = ["", "[tool.mutmut]"] + [f"{k} = {json.dumps(v)}" for k, v in cfg.items()]
    with (dest / "pyproject.toml").open("a") as f:
        f.write("\n".join(lines) + "\n")


def mutmut(dest: Path, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(dest), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=dest, env=env, capture_output=True,
                          text=True, timeout=timeout)


def _statuses(dest: Path) -> dict[str, str]:
    mutants = {}
    for line in mutmut(dest, "results", "--all", "true").stdout.splitlines():
        m = re.match(r"\s*(\S+):\s*(\S.*)$", line)
        if m:
            mutants[m.group(1)] = m.group(2).strip()
    return mutants


def run_module(module: str, worktree: bool, keep: bool, max_children: int | None, tests: list[str] | None = None,
               sample: int | None = None, seed: int = 0, deselect: list[str] | None = None) -> dict:
    """Mutate `module` in a scratch copy and run its tests (`tests`: instead of its SELECTION) against
    every mutant, or against `sample` of them drawn with `seed` (the same draw for the same source)."""
    tests = tests or tests_for(module)
    dest = Path(tempfile.mkdtemp(prefix="hetsim-mutation-"))
    t0 = time.time()
    try:
        scratch_copy(dest, worktree)
        write_config(dest, module, tests, deselect)
        args = ["run"] + (["--max-children", str(max_children)] if max_children else [])
        chosen: list[str] | None = None
        total = None
        if sample:
            mutmut(dest, "run", "--", "__hetsim_generate_only__")  # generates the mutants; mutmut refuses the filter
            names = sorted(_statuses(dest))
            total = len(names)
            chosen = sorted(random.Random(seed).sample(names, min(sample, total)))
            args += chosen
        res = mutmut(dest, *args)
        if res.returncode != 0 and "killed" not in res.stdout + res.stderr:
            raise SystemExit(f"mutmut failed on {module}:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}")
        mutants = _statuses(dest)
        if chosen is not None:
            mutants = {k: v for k, v in mutants.items() if k in set(chosen)}
        survivors = []
        for name, status in sorted(mutants.items()):
            if status == "killed":
                continue
            diff = mutmut(dest, "show", name).stdout
            survivors.append({"mutant": name, "status": status, "where": _where(dest, module, diff),
                              "diff": _short(diff)})
        counts: dict[str, int] = {}
        for status in mutants.values():
            counts[status] = counts.get(status, 0) + 1
        tested = sum(n for s, n in counts.items() if s in ("killed", "survived", "timeout", "suspicious"))
        killed = counts.get("killed", 0) + counts.get("timeout", 0)
        return {"module": module, "tests": tests, "counts": counts, "kill_rate": killed / tested if tested else None,
                "sampled": None if chosen is None else f"{len(chosen)} of {total} (seed {seed})",
                "survivors": survivors, "seconds": round(time.time() - t0, 1),
                "scratch": str(dest) if keep else None}
    finally:
        if not keep:
            shutil.rmtree(dest, ignore_errors=True)


def _short(diff: str) -> str:
    return "\n".join(ln for ln in diff.splitlines() if ln.startswith(("-", "+")) and not ln.startswith(("---", "+++")))


def _where(dest: Path, module: str, diff: str) -> str:
    """file:line of a mutant: the line of the mutated source (the scratch copy's, not mutmut's
    mutants/) its removed line came from."""
    removed = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    source = (dest / module).read_text().splitlines() if (dest / module).exists() else []
    for text in removed:
        hits = [i + 1 for i, ln in enumerate(source) if ln.strip() == text]
        if hits:
            return f"{module}:{hits[0]}" + ("" if len(hits) == 1 else f" (+{len(hits) - 1} same lines)")
    return module


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("modules", nargs="*", help="files to mutate (default: the whole scope)")
    ap.add_argument("--worktree", action="store_true", help="mutate the working tree instead of HEAD")
    ap.add_argument("--keep", action="store_true", help="keep the scratch copies (to run `mutmut browse` there)")
    ap.add_argument("--max-children", type=int, default=None, help="parallel mutant runs (default: CPUs)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--list", action="store_true", help="print the modules in scope and their tests, then stop")
    ap.add_argument("--tests", nargs="+", help="run these tests instead of the module's SELECTION")
    ap.add_argument("--sample", type=int, help="run only this many mutants, drawn at random (large modules)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the --sample draw")
    ap.add_argument("--deselect", nargs="+", default=[],
                    help="test node ids to leave out (mutmut needs every selected test green on the unmutated code)")
    args = ap.parse_args()
    modules = args.modules or sorted(str(p.relative_to(REPO)) for pat in SCOPE for p in REPO.glob(pat)
                                     if p.name != "__init__.py")
    if args.list:
        for m in modules:
            print(m, "<-", " ".join(tests_for(m)))
        return
    results = []
    for module in modules:
        r = run_module(module, args.worktree, args.keep, args.max_children, args.tests, args.sample, args.seed,
                       args.deselect)
        results.append(r)
        rate = "n/a" if r["kill_rate"] is None else f"{r['kill_rate']:.0%}"
        sampled = f" (sample: {r['sampled']})" if r["sampled"] else ""
        print(f"{module}: {rate} killed {r['counts']}{sampled} in {r['seconds']} s", flush=True)
        for s in r["survivors"]:
            print(f"  {s['status']:<10} {s['where']}  [{s['mutant']}]")
            for ln in s["diff"].splitlines():
                print(f"      {ln}")
    total = {}
    for r in results:
        for k, v in r["counts"].items():
            total[k] = total.get(k, 0) + v
    tested = sum(v for k, v in total.items() if k in ("killed", "survived", "timeout", "suspicious"))
    if tested:
        print(f"all: {(total.get('killed', 0) + total.get('timeout', 0)) / tested:.0%} killed {total}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
