"""A result states the weakest provenance among the hardware figures it used: one `assumed`
figure of a device in the system makes the whole run `assumed`, and with it made a datasheet
figure the run is no weaker than `datasheet`. Checked end to end through `hetsim run` on a copy
of the catalogue (HETSIM_CONFIGS)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hetsim.provenance import GRADES  # strongest first

REPO = Path(__file__).resolve().parents[2]


def _run(tmp_path, memory_source):
    configs = tmp_path / "configs"
    shutil.copytree(REPO / "configs", configs)
    dev_file = configs / "devices" / "H100-SXM.yaml"
    dev = yaml.safe_load(dev_file.read_text())
    dev["compute_bound_w"]["source"] = "datasheet"  # the catalogue's only other guess on this GPU
    dev["memory_gb"]["source"] = memory_source
    dev_file.write_text(yaml.safe_dump(dev))
    exp = yaml.safe_load((configs / "experiments" / "default.yaml").read_text())
    exp.update(system={"name": "one_gpu", "devices": {"gpu0": "H100-SXM"},
                       "links": [{"type": "pcie_gen5_x16", "between": ["host", "gpu0"]}]},
               placements=["gpu-only"], baseline=None, outputs={"write": False})
    exp["workload"].update(decode_tokens=2, context_tokens=4096)
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(exp))
    res = subprocess.run([sys.executable, "-m", "hetsim", "run", "--json", str(path)], capture_output=True,
                         text=True, env={**os.environ, "HETSIM_CONFIGS": str(configs)})
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


@pytest.mark.parametrize("memory_source", ["assumed", "derived", "datasheet"])
def test_weakest_provenance_is_the_weakest_figure_used(tmp_path, memory_source):
    summary = _run(tmp_path, memory_source)
    (run,) = summary["runs"]
    used = {grade for grade, keys in run["provenance"].items() if keys}
    assert "H100-SXM.memory_gb" in run["provenance"][memory_source]
    assert "assumed" not in used or memory_source == "assumed"
    expected = max(used, key=GRADES.index)
    assert expected == max(memory_source, "datasheet", key=GRADES.index)
    assert run["provenance_weakest"] == expected
    assert summary["provenance_weakest"] == expected
