"""The paper's grid: every method with an example experiment joins it, and
`experiments/paper/run.py` writes a report with ranges, assumptions and figures."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "experiments" / "paper"))

from grid import QUICK, example_for, method_grids  # noqa: E402


def test_every_method_with_an_example_joins_the_grid(tmp_path, catalogue):
    from hetsim.config.load import configs_root
    from hetsim.workloads.registry import METHODS

    grids, left_out = method_grids(QUICK, tmp_path, catalogue)
    assert {g.method for g in grids} == {m for m in METHODS if example_for(m, configs_root())}
    assert set(left_out) == set(METHODS) - {g.method for g in grids}
    for g in grids:  # RAG grows its corpus, every other method its context
        axes = {k for block in g.sweep.spec.axes for k in getattr(block, "grid", None) or block.zip}
        assert ("workload.context_tokens" in axes) != (f"workload.params.{g.corpus_param}" in axes)


def test_quick_report_for_one_method(tmp_path):
    out = tmp_path / "paper"
    res = subprocess.run([sys.executable, str(REPO / "experiments" / "paper" / "run.py"), "--quick", "--methods",
                          "lserve", "--out", str(out), "--workers", "2"], capture_output=True, text=True, cwd=REPO,
                         timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    report = (out / "report.md").read_text()
    assert "| lserve | mi210_u55c |" in report and "| lserve | a100_u55c |" in report
    assert (out / "figures" / "lserve" / "speedup_vs_context.png").stat().st_size > 2000
    for needle in ("simulated", "skipped, not simulated", "gcd(batch, micro-batches)", "GPU-only *system*",
                   "Inputs graded *assumed*"):
        assert needle in report
