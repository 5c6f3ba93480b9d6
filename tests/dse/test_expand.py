"""Sweep expansion: grid multiplies, zip pairs, random draws reproducibly, blocks multiply, and
every point is a fully resolved experiment with its own content key."""

from hetsim.dse.expand import combinations, expand_sweep, load_sweep


def test_grid_is_the_cartesian_product(write_sweep, catalogue):
    sweep = load_sweep(write_sweep(axes=[{"grid": {"workload.batch": [2, 4], "system": ["mi210_u55c", "a100_u55c"],
                                                   "workload.params.token_budget": [256, 512, 1024]}}]), catalogue)
    combos = combinations(sweep.spec)
    assert len(combos) == 12
    assert {(c["workload.batch"], c["system"], c["workload.params.token_budget"]) for c in combos} == {
        (b, s, t) for b in (2, 4) for s in ("mi210_u55c", "a100_u55c") for t in (256, 512, 1024)}
    points = expand_sweep(sweep).points
    assert len({p.id for p in points}) == 12
    p = next(p for p in points if p.values == {"workload.batch": 4, "system": "a100_u55c",
                                               "workload.params.token_budget": 1024})
    assert p.config["experiment"]["workload"]["batch"] == 4
    assert p.config["system"]["name"] == "a100_u55c"
    assert p.config["experiment"]["workload"]["params"]["token_budget"] == 1024
    assert p.config["experiment"]["workload"]["decode_tokens"] == 2  # `set` applies to every point
    assert p.labels == ("lserve/gpu-only", "lserve/paper", "dense/gpu-only")


def test_zip_pairs_values_and_blocks_multiply(write_sweep, catalogue):
    sweep = load_sweep(write_sweep(axes=[
        {"zip": {"workload.batch": [2, 4, 8], "workload.params.token_budget": [256, 512, 1024]}},
        {"grid": {"system": ["mi210_u55c", "h100_u55c"]}},
    ]), catalogue)
    combos = combinations(sweep.spec)
    assert len(combos) == 6
    assert {(c["workload.batch"], c["workload.params.token_budget"]) for c in combos} == {(2, 256), (4, 512), (8, 1024)}


def test_random_samples_are_seeded_and_in_range(write_sweep, catalogue):
    space = {"workload.batch": {"int": [2, 32], "step": 2}, "workload.params.page_size": {"choice": [16, 32]},
             "seed": {"int": [0, 1000], "log": False}}
    one = combinations(load_sweep(write_sweep(axes=[{"random": {"samples": 20, "seed": 7, "space": space}}]),
                                  catalogue).spec)
    again = combinations(load_sweep(write_sweep(axes=[{"random": {"samples": 20, "seed": 7, "space": space}}]),
                                    catalogue).spec)
    other = combinations(load_sweep(write_sweep(axes=[{"random": {"samples": 20, "seed": 8, "space": space}}]),
                                    catalogue).spec)
    assert one == again and one != other and len(one) == 20
    assert all(2 <= c["workload.batch"] <= 32 and c["workload.batch"] % 2 == 0 for c in one)
    assert {c["workload.params.page_size"] for c in one} <= {16, 32}


def test_key_depends_on_config_not_on_how_it_was_written(write_sweep, catalogue):
    """Setting a field to its default gives the same point; changing it gives another."""
    base = expand_sweep(load_sweep(write_sweep(axes=[{"grid": {"seed": [0, 1]}}]), catalogue)).points
    same = expand_sweep(load_sweep(write_sweep(name="b", axes=[{"grid": {"workload.params.page_size": [16]}}]),
                             catalogue)).points
    assert base[0].id == same[0].id != base[1].id


def test_dotted_path_into_a_named_system(write_sweep, catalogue):
    """A path inside `system` expands the catalogue system it names, then overrides one field."""
    sweep = load_sweep(write_sweep(axes=[{"grid": {"system.links.2.type": ["p2p_gpu_fpga", "pcie_gen3_x16"]}}]),
                       catalogue)
    points = expand_sweep(sweep).points
    assert [p.config["system"]["links"][2]["type"] for p in points] == ["p2p_gpu_fpga", "pcie_gen3_x16"]
    assert points[0].id != points[1].id
