"""The parameter files: one definition read by the kernel build and by hetsim."""

import subprocess
import sys

import pytest

from hetsim.calibration.kernel_params import gen_params, load_kernel_params
from hetsim.calibration.paths import kernels_dir
from hetsim.hardware.fpga_kernels.params import KERNELS


@pytest.mark.parametrize("kernel", KERNELS)
def test_committed_connectivity_matches_params(kernel):
    # connectivity.cfg is generated from params.yaml; a stale copy would link ports to the wrong PCs.
    kp = load_kernel_params(kernel)
    cfg = gen_params().load(kp.path)
    expected = gen_params().render_connectivity(cfg, f"{kernel}/params.yaml")
    assert (kernels_dir() / kernel / "connectivity.cfg").read_text() == expected


@pytest.mark.parametrize("kernel", KERNELS)
def test_every_port_in_connectivity_is_an_m_axi_port_of_the_source(kernel):
    source = (kernels_dir() / kernel / f"{kernel}.cpp").read_text()
    for group, spec in load_kernel_params(kernel).ports.items():
        if spec["bundle"] is None:  # generated ports: one m_axi pragma per port from a macro
            assert f"FOR_EACH_{group.upper()}_PORT(" in source and "HLS interface m_axi port = name" in source
        else:
            for arg in spec["args"]:
                assert f"m_axi port = {arg} offset = slave bundle = {spec['bundle']}" in source


def test_sp_lines_put_each_inner_product_pe_on_its_own_pseudo_channel():
    lines = (kernels_dir() / "inner_product_topk" / "connectivity.cfg").read_text().splitlines()
    assert "nk=inner_product_topk:1:inner_product_topk_1" in lines
    keys = [line for line in lines if line.startswith("sp=inner_product_topk_1.keys")]
    assert keys == [f"sp=inner_product_topk_1.keys{i}:HBM[{i}]" for i in range(8)]


def test_bm25_cores_span_seven_pseudo_channels_each():
    text = (kernels_dir() / "bm25_topk" / "connectivity.cfg").read_text()
    assert "sp=bm25_topk_1.docs3:HBM[21:27]" in text


def test_header_defines_every_parameter_with_its_source(tmp_path):
    out = tmp_path / "params.h"
    script = kernels_dir() / "gen_params.py"
    params = kernels_dir() / "page_minmax_topk" / "params.yaml"
    subprocess.run([sys.executable, str(script), str(params), "--set", "pes=3", "--header", str(out)], check=True)
    text = out.read_text()
    assert "#define PES 3  // design: override for a test build" in text
    assert "#define HEAD_DIM 128  // design: paper: 128 channels per key" in text
    assert "#define FOR_EACH_PAGES_PORT(X) X(0, pages0) X(1, pages1) X(2, pages2)" in text


def test_override_of_unknown_parameter_is_rejected():
    with pytest.raises(ValueError, match="override 'pe' names no parameter"):
        load_kernel_params("inner_product_topk", {"pe": 4})


def test_ports_beyond_the_32_pseudo_channels_are_rejected(tmp_path):
    text = (kernels_dir() / "bm25_topk" / "params.yaml").read_text().replace("per_port: 7", "per_port: 9")
    path = tmp_path / "params.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"hbm_ports.docs: reaches HBM\[35\]"):
        gen_params().load(path)


def test_sourced_parameter_needs_a_known_source(tmp_path):
    text = (kernels_dir() / "inner_product_topk" / "params.yaml").read_text()
    path = tmp_path / "params.yaml"
    path.write_text(text.replace("source: assumed", "source: guessed", 1))
    with pytest.raises(ValueError, match="source 'guessed' is not one of"):
        gen_params().load(path)


def test_quantize_rounds_half_up_like_the_kernel():
    # bm25_topk.h: int(x * 2^8 + 0.5); Python's round() would round 0.5 to even.
    assert gen_params().quantize(1.2, 8) == 307
    assert gen_params().quantize(0.75, 8) == 192
    assert gen_params().quantize(2.5 / 256, 8) == 3
