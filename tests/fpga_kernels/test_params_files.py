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


@pytest.mark.parametrize(("kernel", "group"), [("inner_product_topk", "keys"), ("page_minmax_topk", "pages"),
                                             ("bm25_topk", "docs")])
def test_sp_lines_put_every_port_on_its_own_pseudo_channel_and_io_on_the_last(kernel, group):
    lines = (kernels_dir() / kernel / "connectivity.cfg").read_text().splitlines()
    assert f"nk={kernel}:1:{kernel}_1" in lines
    items = [line for line in lines if line.startswith(f"sp={kernel}_1.{group}")]
    assert items == [f"sp={kernel}_1.{group}{i}:HBM[{i}]" for i in range(30)]
    io = [line for line in lines if line.startswith("sp=") and line not in items]
    assert io and all(line.endswith(":HBM[31]") for line in io)


def test_an_io_bundle_sharing_an_item_port_channel_is_rejected(tmp_path):
    text = (kernels_dir() / "bm25_topk" / "params.yaml").read_text().replace("io: {hbm: 31", "io: {hbm: 29")
    path = tmp_path / "params.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"HBM\[29\] is used by both docs and io"):
        gen_params().load(path)


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
    text = (kernels_dir() / "bm25_topk" / "params.yaml").read_text().replace("{count: cores, hbm: 0}",
                                                                          "{count: cores, hbm: 3}")
    path = tmp_path / "params.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"hbm_ports.docs: reaches HBM\[32\]"):
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
