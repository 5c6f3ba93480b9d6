"""What a device model is handed: a GPU its profile and host link type, an FPGA its kernel
designs, with a measured FPGA profile's clock and efficiency and never a C-simulation's."""

import yaml

from hetsim.calibration.device_inputs import device_inputs, fpga_designs
from hetsim.hardware.fpga_catalogue import BUILDS, DSA_KERNEL


def test_a_gpu_gets_its_profile_and_its_host_link_type(catalogue):
    h100 = catalogue.devices["H100-SXM"]
    inputs = device_inputs(h100, catalogue.links)
    assert inputs.profile.path.name == "H100-SXM.yaml" and inputs.profile.device == "H100-SXM"
    assert inputs.host_link is catalogue.links[h100.host_link] and inputs.host_link.name == "pcie_gen5_x16"
    assert not inputs.designs


def test_a_gpu_without_a_profile_gets_none(catalogue):
    inputs = device_inputs(catalogue.devices["MI210"], catalogue.links)
    assert inputs.profile is None and inputs.host_link is not None


def test_an_fpga_gets_every_build_it_carries(catalogue):
    inputs = device_inputs(catalogue.devices["U55C"], catalogue.links)
    assert list(inputs.designs) == list(BUILDS) and inputs.profile is None
    dsa = inputs.designs[DSA_KERNEL]
    # the DSA indexer is the inner-product source built with 16 heads x 32 lanes on 13 PEs and a
    # 2048-entry top-k (the radix select)
    assert (dsa.name, dsa.lanes, dsa.pes, dsa.topk_k_max) == (DSA_KERNEL, 16 * 32, 13, 2048)
    assert dsa.shape.select


def _fpga_profile(path, source, clock_mhz, efficiency):
    fit = {"clock_mhz": {"value": clock_mhz, "source": "calibrated", "ref": "test"},
           "efficiency": {"value": efficiency, "source": "calibrated", "ref": "test"}}
    path.write_text(yaml.safe_dump({"kind": "fpga-profile", "device": "U55C", "provenance": {"source": source},
                                    "kernels": {"page_minmax_topk": fit}}))


def test_a_measured_fpga_profile_sets_clock_and_efficiency_of_its_kernel_only(tmp_path, monkeypatch, catalogue):
    monkeypatch.setenv("HETSIM_PROFILES", str(tmp_path))
    _fpga_profile(tmp_path / "u55c_page.yaml", "measured", 250.0, 0.9)
    designs = fpga_designs(catalogue.devices["U55C"])
    page = designs["page_minmax_topk"]
    assert (page.clock_mhz, page.efficiency, page.source) == (250.0, 0.9, "calibrated")
    ipt = designs["inner_product_topk"]
    assert (ipt.clock_mhz, ipt.efficiency, ipt.source) == (300.0, 1.0, "derived")


def test_a_csim_fpga_profile_is_never_applied(tmp_path, monkeypatch, catalogue):
    monkeypatch.setenv("HETSIM_PROFILES", str(tmp_path))
    _fpga_profile(tmp_path / "u55c_page_csim.yaml", "csim", 0.5, 0.001)
    page = fpga_designs(catalogue.devices["U55C"])["page_minmax_topk"]
    assert (page.clock_mhz, page.efficiency, page.source) == (300.0, 1.0, "derived")


def test_a_measured_profile_takes_the_keys_it_lacks_from_the_nearest_measured_gpu_graded_transferred(
        tmp_path, monkeypatch):
    import shutil

    from hetsim.calibration.device_inputs import device_inputs
    from hetsim.calibration.gpu_profile import load_profile
    from hetsim.calibration.paths import REPO_ROOT
    from hetsim.calibration.transfer import transfer_rates
    from hetsim.config.load import Catalogue

    # an H100 calibrated by the primitive suite alone (its second calibration, which has no trace fit) beside the
    # H200's full profile: the H100's committed profile has every key of its own since it was trace-fitted
    committed = REPO_ROOT / "calibration" / "profiles"
    shutil.copy(committed / "runs" / "H100-SXM-2026-12-05-b.yaml", tmp_path / "H100-SXM.yaml")
    shutil.copy(committed / "H200.yaml", tmp_path / "H200.yaml")
    monkeypatch.setenv("HETSIM_PROFILES", str(tmp_path))
    cat = Catalogue.load()
    own = load_profile(tmp_path / "H100-SXM.yaml")
    h200 = load_profile(tmp_path / "H200.yaml")
    got = device_inputs(cat.devices["H100-SXM"], cat.links).profile
    assert "pointwise_broadcast" not in own.rates and set(got.rates) == set(own.rates) | set(h200.rates)
    for key in own.rates:  # its own keys are never replaced
        assert got.rates[key] == own.rates[key]
    # a traced regime the H100 never timed: the H200's efficiency at the H100's datasheet bandwidth
    r = got.rates["pointwise_broadcast"]
    links = (cat.links.get(cat.devices["H200"].host_link), cat.links.get(cat.devices["H100-SXM"].host_link))
    assert r == transfer_rates("pointwise_broadcast", h200.rates["pointwise_broadcast"], cat.devices["H200"],
                               cat.devices["H100-SXM"], *links)
    assert r.bw_bytes_per_s < h200.rates["pointwise_broadcast"].bw_bytes_per_s  # 3.35 against 4.8 TB/s HBM
    assert got.notes["pointwise_broadcast"] == {"transferred_from": "H200.yaml", "source_device": "H200"}
    # the H200, measured for every key the H100 has, takes nothing
    assert device_inputs(cat.devices["H200"], cat.links).profile.rates == h200.rates
