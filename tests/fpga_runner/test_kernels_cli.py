"""`hetsim kernels --json`: every build with its ports, GB/s at the sizes asked, launches, resources."""

import json

from typer.testing import CliRunner

from hetsim.cli import app


def test_kernels_json_lists_every_build_against_the_targets():
    result = CliRunner().invoke(app, ["kernels", "--json", "--sizes", "1000000"])
    assert result.exit_code == 0, result.output
    rows = {r["design"]: r for r in json.loads(result.output)}
    # the three kernels, the lookup-table indexer kernel, and the two DSA builds of the catalogue
    assert set(rows) == {"inner_product_topk", "page_minmax_topk", "bm25_topk", "pq_lut_topk",
                         "lightning_indexer_topk", "lightning_indexer_lut"}
    for name in ("inner_product_topk", "page_minmax_topk", "bm25_topk"):
        r = rows[name]
        assert r["ports"] == 30 and r["io_ports"] == 1
        assert r["at"]["1000000"]["of_roofline"] >= 0.8
    assert all(r["fits"] and r["launches_per_token"] == 1 for r in rows.values())
    # launch target: <= 2 x 50 us a token at 32 layers, at batch 1, 8 and 32 (one job per layer)
    for r in rows.values():
        cost = r["launch_per_token"]
        assert set(cost) == {"1", "8", "32"} and all(c["launch_us"] <= 100 for c in cost.values())
        assert cost["8"]["job_per_request_us"] > 200  # what a job per request per layer would pay
        assert cost["1"]["launch_us"] == cost["1"]["job_per_request_us"]
    assert rows["lightning_indexer_topk"]["topk"] == "radix select"
