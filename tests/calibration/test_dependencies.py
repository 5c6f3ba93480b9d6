"""Which modules may import which: the hardware models are handed their inputs (they import
neither the calibration package nor the FPGA runner), and the GPU suite with the profile format
it writes runs on GPU machines that have no pydantic and no simpy."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BLOCK = (
    "import sys\n"
    "class Block:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name.split('.')[0] in ('pydantic', 'simpy'):\n"
    "            raise ImportError('blocked ' + name)\n"
    "sys.meta_path.insert(0, Block())\n"
)


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top, in functions or under TYPE_CHECKING."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_hardware_imports_neither_calibration_nor_the_fpga_runner():
    offending = {
        f"{path.relative_to(REPO)}: {module}"
        for path in sorted((REPO / "hetsim" / "hardware").rglob("*.py"))
        for module in imported_modules(path)
        if module.startswith(("hetsim.calibration", "hetsim.fpga_runner"))
    }
    assert not offending


def test_the_checker_sees_imports_inside_functions(tmp_path):
    """The test above would pass vacuously if function-local imports were missed."""
    path = tmp_path / "m.py"
    path.write_text("def f():\n    from hetsim.calibration.paths import kernels_dir\n")
    assert imported_modules(path) == {"hetsim.calibration.paths"}


def test_suite_modules_and_the_profile_format_work_without_pydantic_or_simpy():
    pytest.importorskip("torch")
    script = BLOCK + (
        "import importlib, pkgutil\n"
        "import hetsim.calibration.gpu_suite as suite\n"
        "names = [m.name for m in pkgutil.iter_modules(suite.__path__) if m.name != '__main__']\n"
        "for name in names:\n"
        "    importlib.import_module('hetsim.calibration.gpu_suite.' + name)\n"
        "from hetsim.calibration.gpu_profile import load_profile\n"
        "p = load_profile('calibration/profiles/H100-SXM.yaml')\n"
        "print(len(names), p.device, p.rates['matmul'].source)\n"
        "try:\n"
        "    import pydantic\n"
        "except ImportError:\n"
        "    print('pydantic blocked')\n"
    )
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    # every module of the suite imported in the blocked process (a new sweep or check module counts itself)
    suite = REPO / "hetsim" / "calibration" / "gpu_suite"
    modules = sum(1 for m in pkgutil.iter_modules([str(suite)]) if m.name != "__main__")
    assert modules >= 85
    assert res.stdout.split("\n")[:2] == [f"{modules} H100-SXM calibrated", "pydantic blocked"]
