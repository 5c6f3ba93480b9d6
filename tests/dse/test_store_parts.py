"""The sweep store (`hetsim.dse.store`) in-process, without running a sweep: a part written and read
back, each way a part can be damaged and what is said about it, a write that fails, sweep.json's
checks, the one-writer lock, temporary files of dead writers, adopting a store of the previous
version, and reading every part at once."""

import errno
import json
import os

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hetsim.dse.derived import canonical, sha
from hetsim.dse.store import (
    CHECKSUM,
    FIRST_COLUMNS,
    META,
    Store,
    adopt_legacy,
    read_part,
    read_parts,
    rows_checksum,
)
from hetsim.errors import ConfigError, HetsimError
from hetsim.outdir import MANIFEST, manifest_kind

ROWS = [{"point_id": "k1", "label": "a", "status": "ok", "x": 1.5}, {"point_id": "k1", "label": "b", "status": "ok",
                                                                      "x": 2.5}]


def _rows(key, **extra):
    return [{**r, "point_id": key, **extra} for r in ROWS]


@pytest.fixture
def store(tmp_path):
    warnings = []
    s = Store(tmp_path / "out", warnings.append)
    s.warnings = warnings
    with s.open():
        yield s


def test_a_part_is_written_whole_under_its_key_with_a_checksum_of_its_rows(store):
    store.write("k1", _rows("k1"))
    assert [p.name for p in store.parts.iterdir()] == ["part-k1.parquet"]  # no temporary left beside it
    table = store.read("k1")
    assert table.to_pylist() == _rows("k1")
    bare = pa.Table.from_pylist(_rows("k1"))
    assert table.schema.metadata[CHECKSUM].decode() == rows_checksum(bare) == sha(canonical(_rows("k1")))
    assert store.read("k2") is None and store.warnings == []
    with pytest.raises(FileNotFoundError):
        read_part(store.part("k2"))


def _write_raw(path, rows, checksum_of=None):
    table = pa.Table.from_pylist(rows)
    if checksum_of is not None:
        table = table.replace_schema_metadata({CHECKSUM: rows_checksum(pa.Table.from_pylist(checksum_of)).encode()})
    pq.write_table(table, path)


@pytest.mark.parametrize("damage, why", [
    ("garbage", "unreadable ("),
    ("checksum", "its rows do not match their checksum"),
    ("no_status", "no rows, or no point_id / status column"),
    ("no_rows", "no rows, or no point_id / status column"),
    ("other_point", "it holds another point's rows"),
])
def test_a_damaged_part_is_named_and_skipped_by_a_reader_and_removed_by_the_writer(store, damage, why):
    path = store.part("k1")
    if damage == "garbage":
        path.write_bytes(b"PAR1 not parquet at all")
    elif damage == "checksum":
        _write_raw(path, _rows("k1", x=9.0), checksum_of=_rows("k1"))  # a value changed after the sum was taken
    elif damage == "no_status":
        _write_raw(path, [{"point_id": "k1", "label": "a"}])
    elif damage == "no_rows":
        pq.write_table(pa.table({"point_id": pa.array([], pa.string()), "status": pa.array([], pa.string())}), path)
    else:
        _write_raw(path, _rows("k2"))
    assert store.read("k1") is None
    (said,) = store.warnings
    assert said.startswith(f"{path}: corrupt part ({why}") and said.endswith("): skipped")
    assert path.exists()
    assert store.read("k1", drop_corrupt=True) is None
    assert store.warnings[-1].endswith("): removed; it is computed again") and not path.exists()


def test_a_part_without_a_checksum_of_the_previous_version_is_read(store):
    _write_raw(store.part("k1"), _rows("k1"))
    assert store.read("k1").to_pylist() == _rows("k1") and store.warnings == []


def test_a_write_that_fails_leaves_nothing_and_says_why(store, monkeypatch):
    store.write("k1", _rows("k1"))
    before = store.part("k1").read_bytes()

    def full(table, where, **kw):
        open(where, "wb").write(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq, "write_table", full)
    with pytest.raises(HetsimError) as info:
        store.write("k1", _rows("k1", x=3.0))
    assert info.value.message.startswith("cannot write a result part: No space left on device (the parts written so "
                                         "far are kept; rerun to finish)")
    assert info.value.file == str(store.part("k1"))

    def interrupted(table, where, **kw):
        open(where, "wb").write(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(pq, "write_table", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.write("k1", _rows("k1", x=4.0))
    assert [p.name for p in store.parts.iterdir()] == ["part-k1.parquet"]
    assert store.part("k1").read_bytes() == before


def test_sweep_json_is_written_whole_and_checked_when_read(store):
    root = store.root
    assert store.meta_problem() is None
    with pytest.raises(ConfigError, match=r"not a sweep results folder \(no sweep.json\): run `hetsim sweep` first") \
            as info:
        store.read_meta()
    assert info.value.file == str(root)
    meta = {"spec": {"name": "s"}, "points": [{"id": "k1"}]}
    store.write_meta(meta)
    assert json.loads((root / META).read_text()) == meta == store.read_meta()
    assert not [p for p in root.iterdir() if p.name.startswith(".hetsim-tmp-")]
    (root / META).write_text('{"spec": {}, "points": [')
    assert store.meta_problem().startswith("JSONDecodeError: ")
    with pytest.raises(ConfigError) as info:
        store.read_meta()
    assert info.value.message.startswith("corrupt or truncated (JSONDecodeError: ")
    assert info.value.message.endswith("): rerun `hetsim sweep` on this folder to rewrite it (stored points are kept)")
    assert info.value.file == str(root / META)
    for bad in ([1, 2], {"points": []}, {"spec": {}, "points": "k1"}):
        (root / META).write_text(json.dumps(bad))
        assert store.meta_problem() == "not a sweep description (no points or spec)"


def test_one_writer_holds_the_folder_and_says_so(tmp_path):
    root = tmp_path / "out"
    with Store(root).open(what="--out") as first:
        assert (root / ".lock").read_text() == str(os.getpid()) and manifest_kind(root) == "sweep"
        with pytest.raises(ConfigError) as info:
            with Store(root).open(what="--out"):
                pass
        assert info.value.message == (f"another hetsim sweep (process {os.getpid()}) is writing this folder: wait for "
                                      "it to finish, or choose another --out")
        assert info.value.field == "--out" and info.value.file == str(root)
        assert first.parts.is_dir()
    with Store(root).open():  # released
        pass


def test_opening_removes_what_dead_writers_left(tmp_path):
    root = tmp_path / "out"
    with Store(root).open():
        pass
    left = [root / "parts" / ".hetsim-tmp-999999999-part-abc.parquet", root / "parts" / ".tmp-abc-1.parquet",
            root / ".hetsim-tmp-999999999-sweep.json"]
    for p in left:
        p.write_bytes(b"half")
    kept = root / "parts" / "part-k1.parquet"
    _write_raw(kept, _rows("k1"))
    with Store(root).open():
        assert not any(p.exists() for p in left) and kept.exists()


def test_a_store_of_the_previous_version_is_adopted_and_nothing_else_is(tmp_path):
    def legacy(name, *extra, parts=("part-k1.parquet",)):
        root = tmp_path / name
        (root / "parts").mkdir(parents=True)
        (root / META).write_text("{}")
        for p in parts:
            (root / "parts" / p).write_bytes(b"x")
        for e in extra:
            (root / e).write_text("x")
        return root

    old = legacy("old", ".lock", f".{META}.123.tmp", parts=("part-k1.parquet", ".tmp-k2.parquet"))
    assert adopt_legacy(old) is True and manifest_kind(old) == "sweep"
    assert adopt_legacy(old) is False  # adopted once: now it has its manifest
    assert adopt_legacy(legacy("user", "notes.txt")) is False
    assert adopt_legacy(legacy("userpart", parts=("part-k1.parquet", "mine.csv"))) is False
    assert adopt_legacy(legacy("notparquet", parts=("part-k1.csv",))) is False
    no_parts = tmp_path / "noparts"
    no_parts.mkdir()
    (no_parts / META).write_text("{}")
    assert adopt_legacy(no_parts) is False
    file_parts = tmp_path / "fileparts"
    file_parts.mkdir()
    (file_parts / META).write_text("{}")
    (file_parts / "parts").write_text("not a folder")
    assert adopt_legacy(file_parts) is False
    assert adopt_legacy(tmp_path / "absent") is False
    for name in ("user", "userpart", "notparquet", "noparts", "fileparts"):
        assert not (tmp_path / name / MANIFEST).exists()


def test_reading_every_part_skips_the_damaged_ones_and_mixes_types(store):
    assert list(read_parts(store.root).columns) == list(FIRST_COLUMNS)  # none yet: the columns, no rows
    store.write("k1", _rows("k1"))
    store.write("k2", _rows("k2", x="text"))  # another type in one column
    store.part("k3").write_bytes(b"garbage")
    said = []
    df = read_parts(store.root, said.append)
    assert sorted(df["point_id"]) == ["k1", "k1", "k2", "k2"]
    assert sorted(map(str, df["x"])) == ["1.5", "2.5", "text", "text"]
    (line,) = said
    assert line.startswith(f"{store.part('k3')}: corrupt part (unreadable")
    assert line.endswith("skipped (rerun `hetsim sweep` to compute it again)")
    store.write("k3", _rows("k3"))
    same = read_parts(store.root)
    assert isinstance(same, pd.DataFrame) and list(same["point_id"]) == ["k1", "k1", "k2", "k2", "k3", "k3"]


def test_a_bare_store_of_the_previous_version_is_adopted_but_one_with_a_broken_manifest_is_left_alone(tmp_path):
    bare = tmp_path / "bare"
    (bare / "parts").mkdir(parents=True)
    (bare / META).write_text("{}")
    assert adopt_legacy(bare) is True  # exactly sweep.json and parts/
    broken = tmp_path / "broken"
    (broken / "parts").mkdir(parents=True)
    (broken / META).write_text("{}")
    (broken / MANIFEST).write_text("{not json")
    assert adopt_legacy(broken) is False and (broken / MANIFEST).read_text() == "{not json"


def test_unreadable_parts_and_metadata_without_a_message_are_still_reported(store, monkeypatch):
    store.write("k1", _rows("k1"))
    assert b"pandas" in pq.read_schema(store.part("k1")).metadata  # the frame's own metadata is kept beside the sum

    def silent(*a, **kw):
        raise OSError()

    monkeypatch.setattr(pq, "read_table", silent)
    assert store.read("k1") is None
    assert store.warnings[-1] == f"{store.part('k1')}: corrupt part (unreadable (OSError)): skipped"
    monkeypatch.undo()
    store.write_meta({"spec": {}, "points": []})
    monkeypatch.setattr(type(store.root), "read_text", silent)
    assert store.meta_problem() == "OSError: "


def test_a_part_removed_while_reading_is_passed_over(store, monkeypatch):
    import hetsim.dse.store as st

    for k in ("k1", "k2", "k3"):
        store.write(k, _rows(k))
    real = st.read_part

    def vanishing(path, key=None):
        if key == "k1":
            raise FileNotFoundError(path)
        return real(path, key)

    monkeypatch.setattr(st, "read_part", vanishing)
    df = read_parts(store.root)
    assert list(df["point_id"]) == ["k2", "k2", "k3", "k3"] and list(df.index) == [0, 1, 2, 3]


def test_sweep_json_that_cannot_be_written_says_so_and_leaves_nothing(store, monkeypatch, tmp_path):
    store.write_meta({"spec": {"out": tmp_path / "x"}, "points": []})  # a path is written as its text
    assert store.read_meta()["spec"]["out"] == str(tmp_path / "x")

    def full(self, *a, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(type(store.root), "write_text", full)
    with pytest.raises(HetsimError) as info:
        store.write_meta({"spec": {}, "points": []})
    assert info.value.message == "cannot write: No space left on device" and info.value.file == str(store.root / META)
    assert not [p for p in store.root.iterdir() if p.name.startswith(".hetsim-tmp-")]


SEARCH = {"trials": 4, "batch": 2, "seed": 1, "run": "paper", "space": {"workload.batch": {"choice": [2, 8]}},
          "objectives": [{"metric": "tpot_s"}]}


def _point(key, batch, tpot, x=2.0, status="ok"):
    config = json.dumps({"experiment": {"workload": {"batch": batch}}})
    return [{"point_id": key, "label": f"lserve/{p}", "method": "lserve", "placement": p, "status": status,
             "config_json": config, "config.workload.method": "lserve", "derived.x": x,
             "tpot_s": tpot if p == "paper" else 1.0} for p in ("gpu-only", "paper")]


def test_results_follow_the_sweeps_order_and_a_point_is_feasible_only_if_every_constraint_holds(store):
    from hetsim.dse.store import load_results

    constraints = [{"quantity": "config.workload.batch", "max": 4}, {"quantity": "tpot_s", "max": 0.02},
                   {"quantity": "derived.x", "min": 1}]
    store.write_meta({"spec": {"base": "default", "search": SEARCH, "constraints": constraints},
                      "points": [{"id": p} for p in ("c", "a", "b", "d", "e")]})
    store.write("a", _point("a", 2, 0.01))  # every constraint holds
    store.write("b", _point("b", 8, 0.01))  # batch above 4
    store.write("c", _point("c", 2, 0.05))  # the search's run (paper) is too slow: the run is the search's default
    store.write("d", _point("d", 2, 0.01, x=0.5))  # a derived quantity below its minimum
    store.write("e", _point("e", 2, 0.01, status="failed"))
    store.write("old", _point("old", 2, 0.01))  # kept as a cache, not this sweep's
    df = load_results(store.root)
    assert list(df["point_id"]) == ["c", "c", "a", "a", "b", "b", "d", "d", "e", "e"]
    assert list(df.index) == list(range(10)) and "index" not in df.columns
    feasible = dict(zip(df["point_id"], df["feasible"], strict=False))
    assert feasible == {"c": False, "a": True, "b": False, "d": False, "e": False}
    assert df["feasible"].dtype == bool
    assert list(df.columns[:6]) == ["point_id", "label", "method", "placement", "status", "feasible"]  # no note here
    stale = load_results(store.root, stale=True)
    assert list(stale["point_id"])[-2:] == ["old", "old"] and len(stale) == 12
