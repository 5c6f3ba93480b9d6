"""The measuring run: a real transformers model (random weights) timed end to end on one torch device.

Every forward is the call hetsim.tracing.hf traces, so the measured code is the traced code:

    model(input_ids=ids, past_key_values=cache, use_cache=True, logits_to_keep=1)

under `torch.no_grad()`, no attention mask, no position ids.

- prefill (TTFT): batch 1, an empty cache made before the timed region (StaticCache of the prompt's
  length: its zero fill happens lazily inside the forward, as in a generation's first forward),
  one forward onto an idle GPU, timed with CUDA events; one warm-up, then `prefill_reps` repeats.
- decode: the cache is filled with random K/V directly (no 128K prefill): DynamicCache through its
  own `update` (so each layer holds one contiguous tensor, as after a real prefill), StaticCache
  through `early_initialization` and its position counter set to the context. A timed loop runs
  `steps` decode steps back to back between two CUDA events; one untimed loop, then `loops` timed.
  DynamicCache grows by `torch.cat` as in a real generation (the context drifts by
  steps x (loops + 1) tokens, recorded as context_last); StaticCache's counter is put back to the
  context before each loop (outside the events), so its length is context + steps.
  Modes: hf-dynamic eager, hf-static eager, hf-static graph (one step captured with
  torch.cuda.graph after warm-up on a side stream, replayed `steps` times per loop).
- the host's speed (eager points, prefill and decode): a small kernel's issue time probed before each timed
  loop (`host_probe_s`, per loop `host_probe_rounds_s`), so a comparison can price a point at the host state
  it ran in (`hetsim validate e2e`'s "at the probed host").
- energy: NVML's energy counter around >= `energy_s` loops of the same work, for a subset of points;
  idle board power before the model is loaded.
- op cases (opcases.py): the aten ops of traced 1-layer steps, each timed alone.

Nothing here needs pydantic. Imports torch and transformers.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from hetsim.calibration.e2e import grid as grids
from hetsim.calibration.e2e.spec import kv_bytes_per_token
from hetsim.calibration.hostinfo import cpu_model_name
from hetsim.calibration.measure import PowerMeter, recover_from_capture, time_calls
from hetsim.errors import HardwareUnavailable
from hetsim.tracing.hf import CALL, build

FORMAT = 1


def _stats(xs: list[float]) -> dict[str, float]:
    xs = sorted(x for x in xs if x == x)
    if not xs:
        return {}
    q = statistics.quantiles(xs, n=10, method="inclusive") if len(xs) > 1 else [xs[0]] * 9
    return {"median_s": statistics.median(xs), "p10_s": q[0], "p90_s": q[-1], "min_s": xs[0], "max_s": xs[-1],
            "n": len(xs)}



def _probes(ps: list[float | None]) -> dict[str, Any]:
    """The row's host probes (`host_probe_s`: their median; `host_probe_rounds_s`: one per timed loop), or
    nothing where the point took none (a CUDA-graph replay)."""
    ps = [p for p in ps if p is not None]
    return {"host_probe_s": statistics.median(ps), "host_probe_rounds_s": json.dumps(ps)} if ps else {}


def random_model(spec, positions: int, device: torch.device):
    """The spec's transformers model on `device` with random weights, never zeros (zeros run faster than real
    data); norms stay at their init."""
    model = build(spec, positions, device=str(device))
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() >= 2:
                p.normal_(0.0, 0.02)
    return model


def random_dynamic_cache(config, batch: int, context: int, dtype: torch.dtype, device: torch.device):
    """A DynamicCache holding `context` random tokens in every layer, filled through the cache's own update
    (one contiguous tensor per layer, as after a prefill)."""
    from transformers import DynamicCache

    cache = DynamicCache(config=config)
    shape = (batch, config.num_key_value_heads, context, config.head_dim)
    for i in range(config.num_hidden_layers):
        k = torch.randn(shape, dtype=dtype, device=device)
        v = torch.randn(shape, dtype=dtype, device=device)
        cache.update(k, v, i)
        del k, v
    return cache

class E2ERun:
    """One measuring run; `run()` measures and writes OUT/{e2e.parquet, ops.parquet, traces.json.gz, summary.yaml}."""

    def __init__(self, out: Path, spec, grid: grids.Grid, torch_device: str = "cuda", command: str = "",
                 log: Callable[[str], None] = print, seed: int = 0):
        if torch_device == "cuda" and not torch.cuda.is_available():
            raise HardwareUnavailable("no CUDA GPU visible to torch; run on the GPU machine, or pass "
                                      "--torch-device cpu with --grid tiny to exercise the script")
        self.out, self.spec, self.grid, self.command, self.log = Path(out), spec, grid, command, log
        self.device = torch.device("cuda:0" if torch_device == "cuda" else torch_device)
        self.cuda = self.device.type == "cuda"
        self.power = PowerMeter(self.device)
        self.rows: list[dict[str, Any]] = []
        self.op_rows: list[dict[str, Any]] = []
        self.traces: dict[str, dict] = {}
        self.t0 = time.perf_counter()
        self.idle_w: float | None = None
        self.model = None
        self.skipped_points: list[dict] = []
        torch.manual_seed(seed)
        if not self.cuda:
            torch.set_num_threads(1)  # CPU runs only test the script

    # ------------------------------------------------------------------ plumbing
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def over_budget(self) -> bool:
        return self.elapsed() > self.grid.budget_s

    def sync(self) -> None:
        if self.cuda:
            torch.cuda.synchronize(self.device)

    def free(self) -> None:
        gc.collect()
        if self.cuda:
            torch.cuda.synchronize(self.device)
            torch.cuda.empty_cache()

    def record(self, **row) -> dict:
        row.setdefault("error", "")
        row["at_s"] = round(self.elapsed(), 3)
        row.update(self.power.state())
        self.rows.append(row)
        return row

    def probe_host(self) -> float:
        """The host's speed right now (host_calls.kernel_call_s: a small kernel's issue time, the call the
        profile's leases timed as `mul_binding`), taken before each timed loop of an eager point: the lent
        host runs in spells (one session's DynamicCache steps went from 21 to 42 ms on the same work)."""
        from hetsim.calibration.gpu_suite.host_calls import kernel_call_s

        return kernel_call_s(self.device)

    def timed(self, before: Callable[[], None], body: Callable[[], None], calls: int) -> tuple[float, float]:
        """(stream seconds, host issue seconds) of `calls` back-to-back `body()` calls after `before()`.

        `before` runs outside the timed region and is waited for."""
        before()
        return time_calls(body, calls, self.device)

    def energy(self, before: Callable[[], None], body: Callable[[], None], calls: int,
               per_call_s: float) -> dict | None:
        """Board energy per call over a >= energy_s loop of chunks (`before` + `calls` bodies, then a sync).

        The window opens and closes on a chunk after which the energy counter has just moved: the
        counter updates in steps, and a window cut between updates reads too much or too little
        (a 0.3 s window read 827 W on a 700 W board)."""
        if not (self.power.available and self.grid.energy_s > 0):
            return None
        read = self.power.energy_j

        def chunk() -> None:
            before()
            for _ in range(calls):
                body()
            self.sync()  # keeps the host within one chunk of the device: wall time is device time

        def until_tick(limit_s: float) -> tuple[int, bool]:
            n, e_prev, t = 0, read(), time.perf_counter()
            while time.perf_counter() - t < limit_s:
                chunk()
                n += calls
                if read() != e_prev:
                    return n, True
            return n, False

        warm_end = time.perf_counter() + min(0.3, max(0.05, 3 * per_call_s * calls))
        while time.perf_counter() < warm_end:  # steady clocks and power before the window
            chunk()
        if self.power.method.endswith("energy"):
            until_tick(0.5)
            e0, t0, n = read(), time.perf_counter(), 0
            while time.perf_counter() - t0 < self.grid.energy_s:
                chunk()
                n += calls
            extra, ticked = until_tick(0.5)
            e1, t1 = read(), time.perf_counter()
            n += extra
            if e0 is None or e1 is None or e1 <= e0:
                return None
            e, window = e1 - e0, t1 - t0
            return {"energy_j": e, "energy_calls": n, "energy_per_call_j": e / max(n, 1), "energy_window_s": window,
                    "avg_w": e / window, "energy_method": self.power.method, "energy_aligned": ticked}
        count = [0]

        def loop() -> float:
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < self.grid.energy_s:
                chunk()
                count[0] += calls
            return time.perf_counter() - t0

        reading = self.power.average_w(loop)  # a power reading only: average power x window
        if reading.get("avg_w") is None:
            return None
        e = reading["avg_w"] * reading["window_s"]
        return {"energy_j": e, "energy_calls": count[0], "energy_per_call_j": e / max(count[0], 1),
                "energy_window_s": reading["window_s"], "avg_w": reading["avg_w"], "energy_method": self.power.method}

    # ------------------------------------------------------------------ the model
    def build_model(self) -> None:
        longest = max([*self.grid.prompts, *(c + self.grid.steps * (self.grid.loops + 2) for c in self.grid.contexts)])
        t = time.perf_counter()
        self.model = random_model(self.spec, longest, self.device)
        self.sync()
        self.config = self.model.config
        self.dtype = next(self.model.parameters()).dtype
        self.log(f"model {self.spec.name}: {sum(p.numel() for p in self.model.parameters()) / 1e9:.2f} B params "
                 f"on {self.device}, built in {time.perf_counter() - t:.1f} s")

    def step(self, ids, cache):
        return self.model(input_ids=ids, past_key_values=cache, use_cache=True, logits_to_keep=1)

    def dynamic_cache(self, batch: int, context: int):
        return random_dynamic_cache(self.config, batch, context, self.dtype, self.device)

    def static_cache(self, batch: int, context: int, length: int):
        from transformers import StaticCache

        cfg = self.config
        cache = StaticCache(config=cfg, max_cache_len=length)
        cache.early_initialization(batch, cfg.num_key_value_heads, cfg.head_dim, self.dtype, self.device)
        for layer in cache.layers:
            layer.keys.normal_()
            layer.values.normal_()
            layer.cumulative_length.fill_(context)
        return cache

    # ------------------------------------------------------------------ phases
    def measure_host(self) -> None:
        """The host figures the model prices eager code with (call pairs, module call, cuDNN SDPA plan
        builds in a decode-like loop), measured in this lease beside the end-to-end points: host costs
        move between sessions by more than the targets, so a comparison can say which session's
        figures it used (`host_calls.json`, `sdpa_plans.json`; diagnostics, never fitted here)."""
        from hetsim.calibration.gpu_suite import host_calls, sdpa_plans

        torch.backends.cuda.enable_cudnn_sdp(True)  # the plan build is a cuDNN figure, whatever the points ran
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        for name, fn in (("host_calls.json", lambda: host_calls.measure(str(self.device))),
                         ("sdpa_plans.json", lambda: sdpa_plans.measure(self.device, small=not self.cuda))):
            try:
                res = fn()
            except Exception as exc:  # a host benchmark that fails leaves the end-to-end data as it is
                self.log(f"host {name}: {type(exc).__name__}: {str(exc)[:200]}")
                continue
            res["provenance"] = {"source": "measured", "session": grids.SAME_LEASE,
                                 "date_utc": stamp, "command": self.command or "e2e measure"}
            (self.out / name).write_text(json.dumps(res, indent=1) + "\n")
            self.log(f"host: wrote {name}")

    def measure_idle(self) -> None:
        if not (self.power.available and self.grid.idle_s > 0):
            return
        self.free()
        time.sleep(0.5)
        r = self.power.average_w(lambda: time.sleep(self.grid.idle_s) or self.grid.idle_s)
        self.idle_w = r.get("avg_w")
        self.record(kind="idle", phase="idle", avg_w=self.idle_w, energy_window_s=r["window_s"],
                    energy_j=r.get("energy_j"), energy_method=self.power.method)
        self.log(f"idle board power {self.idle_w:.1f} W" if self.idle_w else "idle: no reading")

    def measure_prefill(self) -> None:
        from transformers import DynamicCache, StaticCache

        g = self.grid
        for prompt, batch, stack in ((p, b, s) for p in g.prompts for b in g.prefill_batches
                                     for s in grids.PREFILL_STACKS):
            base = dict(phase="prefill", stack=stack, mode="eager", batch=batch, context=prompt,
                        cache_len=prompt if stack == "hf-static" else None)
            if self.over_budget():
                self.record(kind="time", **base, error="skipped: run budget spent")
                continue
            try:
                ids = torch.randint(0, self.config.vocab_size, (batch, prompt), device=self.device)
                holder: dict[str, Any] = {}

                def fresh(stack=stack, prompt=prompt, holder=holder):
                    holder.pop("cache", None)
                    holder["cache"] = (StaticCache(config=self.config, max_cache_len=prompt)
                                       if stack == "hf-static" else DynamicCache(config=self.config))

                def body(ids=ids, holder=holder):
                    self.step(ids, holder["cache"])

                ts, cs, ps = [], [], []
                for rep in range(1 + g.prefill_reps):
                    probe = self.probe_host() if rep else None
                    t, c = self.timed(fresh, body, 1)
                    if rep:
                        ts.append(t)
                        cs.append(c)
                        ps.append(probe)
                st = _stats(ts)
                self.record(kind="time", **base, steps_per_loop=1, loops=len(ts), context_first=prompt,
                            context_last=prompt, t_median_s=st["median_s"], t_p10_s=st["p10_s"],
                            t_p90_s=st["p90_s"], t_min_s=st["min_s"], t_max_s=st["max_s"],
                            cpu_median_s=statistics.median(cs), samples_s=json.dumps(ts), **_probes(ps))
                self.log(f"prefill {stack:10s} B={batch:3d} P={prompt:6d}: {st['median_s'] * 1e3:9.2f} ms "
                         f"(p10 {st['p10_s'] * 1e3:.2f}, p90 {st['p90_s'] * 1e3:.2f})")
                if prompt in g.energy_prefill:
                    e = self.energy(fresh, body, 1, st["median_s"])
                    if e:
                        self.record(kind="energy", **base, **e)
                        self.log(f"  energy {e['energy_per_call_j']:.2f} J/forward, {e['avg_w']:.0f} W")
            except Exception as exc:  # a point failing (OOM, an unsupported path) must not lose the run
                self.record(kind="time", **base, error=f"{type(exc).__name__}: {exc}"[:400])
                self.log(f"prefill {stack} P={prompt}: {type(exc).__name__}: {str(exc)[:200]}")
            finally:
                holder.clear()
                self.free()

    def _decode_mode(self, stack: str, mode: str, batch: int, context: int, energy: bool, pass_: int = 0) -> None:
        g = self.grid
        base = dict(phase="decode", stack=stack, mode=mode, batch=batch, context=context, decode_pass=pass_)
        cache = g_ = None
        try:
            ids = torch.randint(0, self.config.vocab_size, (batch, 1), device=self.device)
            # a later pass of a growing cache starts past every K/V length the earlier passes reached:
            # cuDNN caches an SDPA plan per length, and a replayed length skips the build the point is about
            start = context + pass_ * g.steps * (g.loops + 1) if stack == "hf-dynamic" else context
            if stack == "hf-dynamic":
                cache = self.dynamic_cache(batch, start)
                base["cache_len"] = None

                def before():
                    return None
            else:
                length = grids.static_len(context, g)
                cache = self.static_cache(batch, context, length)
                base["cache_len"] = length
                counters = [layer.cumulative_length for layer in cache.layers]

                def before(counters=counters):
                    for c in counters:
                        c.fill_(context)

            if mode == "graph":
                side = torch.cuda.Stream(self.device)
                side.wait_stream(torch.cuda.current_stream(self.device))
                with torch.cuda.stream(side):  # warm-up on a side stream, as capture wants
                    for _ in range(2):
                        before()
                        self.step(ids, cache)
                torch.cuda.current_stream(self.device).wait_stream(side)
                before()
                self.sync()
                g_ = torch.cuda.CUDAGraph()
                with torch.cuda.graph(g_):
                    self.step(ids, cache)
                body = g_.replay
            else:
                def body(ids=ids, cache=cache):
                    self.step(ids, cache)

            first = (start + g.steps) if stack == "hf-dynamic" else context  # after the warm-up loop
            ts, cs, ps = [], [], []
            for rep in range(1 + g.loops):
                probe = self.probe_host() if rep and mode == "eager" else None  # a replay issues no op
                t, c = self.timed(before, body, g.steps)
                if rep:
                    ts.append(t / g.steps)
                    cs.append(c / g.steps)
                    ps.append(probe)
            last = (first + g.steps * g.loops - 1) if stack == "hf-dynamic" else context + g.steps - 1
            st = _stats(ts)
            self.record(kind="time", **base, steps_per_loop=g.steps, loops=len(ts), context_first=first,
                        context_last=last, t_median_s=st["median_s"], t_p10_s=st["p10_s"], t_p90_s=st["p90_s"],
                        t_min_s=st["min_s"], t_max_s=st["max_s"], cpu_median_s=statistics.median(cs),
                        samples_s=json.dumps(ts), kv_cache_bytes=batch * context * kv_bytes_per_token(self.spec),
                        **_probes(ps))
            self.log(f"decode {stack:10s} {mode:5s} B={batch:3d} C={context:6d}: {st['median_s'] * 1e3:8.2f} ms/step "
                     f"(p10 {st['p10_s'] * 1e3:.2f}, p90 {st['p90_s'] * 1e3:.2f}; "
                     f"host {statistics.median(cs) * 1e3:.2f})")
            if energy:
                # a DynamicCache keeps growing, as in the timed loops: each step a K/V length never seen, so
                # cuDNN builds an SDPA plan every step there too (an energy loop that put the cache back to
                # one length replayed lengths and measured steps with cached plans; a 2 s loop grows the
                # context by a few dozen tokens)
                e = self.energy(before, body, g.steps, st["median_s"])
                if e:
                    self.record(kind="energy", **base, steps_per_loop=g.steps, **e)
                    self.log(f"  energy {e['energy_per_call_j']:.3f} J/step, {e['avg_w']:.0f} W")
        except Exception as exc:  # OOM or a capture that fails: record it and go on
            if self.cuda:
                recover_from_capture(self.device)
            self.record(kind="time", **base, error=f"{type(exc).__name__}: {exc}"[:400])
            self.log(f"decode {stack} {mode} B={batch} C={context}: {type(exc).__name__}: {str(exc)[:200]}")
        finally:
            cache = g_ = body = before = None  # drop the cache and the graph's pool before the next point
            self.free()

    def measure_decode(self) -> None:
        free = None
        if self.cuda:
            self.free()
            free = torch.cuda.mem_get_info(self.device)[0]
        kept, skipped = grids.decode_points(self.spec, self.grid, free)
        for b, c in skipped:
            self.skipped_points.append({"batch": b, "context": c, "why": "does not fit in memory"})
        self.log(f"decode: {len(kept)} points fit, {len(skipped)} do not "
                 f"({', '.join(f'B{b}xC{c}' for b, c in skipped) or '-'})")
        for n in range(self.grid.decode_passes):
            for b, c in (kept[::-1] if n % 2 else kept):  # every other pass backwards: no point always last
                for stack, mode in self.grid.modes:
                    if mode == "graph" and not self.cuda:
                        continue
                    if self.over_budget():
                        self.record(kind="time", phase="decode", stack=stack, mode=mode, batch=b, context=c,
                                    decode_pass=n, error="skipped: run budget spent")
                        continue
                    # energy in single-pass grids only: its loop grows the cache past the lengths the next
                    # pass would start from, and a replayed length finds its cuDNN plan cached
                    energy = self.grid.decode_passes == 1 and (b, c) in self.grid.energy_decode
                    self._decode_mode(stack, mode, b, c, energy, n)

    # ------------------------------------------------------------------ the run
    def provenance(self) -> dict[str, Any]:
        import transformers

        prov: dict[str, Any] = {
            "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "command": self.command, "format": FORMAT, "grid": self.grid.name, "call": CALL,
            "attn_implementation": "sdpa", "grad": "torch.no_grad()", "model": self.spec.name,
            "torch": torch.__version__, "cuda": torch.version.cuda, "transformers": transformers.__version__,
            "python": platform.python_version(), "platform": platform.platform(), "torch_device": str(self.device),
            "host_cpu": cpu_model_name(), "host_cpus": os.cpu_count(),
            "power_method": self.power.method, "power_note": self.power.note, **self.power.info,
        }
        if self.cuda:
            p = torch.cuda.get_device_properties(self.device)
            prov.update(device_name=torch.cuda.get_device_name(self.device), sm_count=p.multi_processor_count,
                        memory_bytes=int(p.total_memory), l2_bytes=int(getattr(p, "L2_cache_size", 0)),
                        cudnn=torch.backends.cudnn.version(),
                        tf32_matmul=bool(torch.backends.cuda.matmul.allow_tf32),
                        sdpa_backends={"flash": torch.backends.cuda.flash_sdp_enabled(),
                                       "mem_efficient": torch.backends.cuda.mem_efficient_sdp_enabled(),
                                       "cudnn": torch.backends.cuda.cudnn_sdp_enabled(),
                                       "math": torch.backends.cuda.math_sdp_enabled()})
        return prov

    def run(self) -> dict[str, Any]:
        from hetsim.calibration.e2e.opcases import run_op_cases
        from hetsim.calibration.e2e.write import write_all

        self.out.mkdir(parents=True, exist_ok=True)
        prov = self.provenance()
        self.log(f"e2e: {prov.get('nvml_name') or prov.get('device_name') or self.device}; torch {prov['torch']}, "
                 f"CUDA {prov['cuda']}, transformers {prov['transformers']}; grid {self.grid.name}")
        self.measure_idle()
        self.build_model()
        with torch.no_grad():
            gc_on = gc.isenabled()
            gc.disable()  # no collector pauses inside timed loops (free() collects between points)
            try:
                self.measure_prefill()
                write_all(self, prov)
                self.measure_decode()
                write_all(self, prov)
            finally:
                if gc_on:
                    gc.enable()
        self.model = None
        self.free()
        run_op_cases(self)
        self.measure_host()
        prov["wall_s"] = round(self.elapsed(), 1)
        summary = write_all(self, prov)
        self.log(f"wrote {self.out} in {self.elapsed():.0f} s")
        return summary


KIND = "e2e-measurements"  # the --out folder's manifest kind (hetsim.outdir)


def main_measure(out: Path, model: str, grid_name: str, torch_device: str, command: str,
                 budget_s: float | None = None, cudnn_sdpa: bool = True) -> int:
    from dataclasses import replace

    from hetsim.calibration.e2e.spec import load_spec
    from hetsim.outdir import MANIFEST, claim, write_manifest

    spec = load_spec(model)
    claim(out, KIND)  # new, empty or ours: never over files someone else put there (ConfigError: exit 2)
    grid = grids.GRIDS[grid_name]
    if budget_s is not None:
        grid = replace(grid, budget_s=budget_s)

    def log(msg: str) -> None:
        print(msg, flush=True)

    if not cudnn_sdpa:
        # before the run reads its provenance (sdpa_backends.cudnn: false names the session's software);
        # measure_host switches it back on to time the plan build
        torch.backends.cuda.enable_cudnn_sdp(False)
    E2ERun(out, spec, grid, torch_device, command, log).run()
    written = [str(f.relative_to(out)) for f in Path(out).rglob("*") if f.is_file() and f.name != MANIFEST]
    write_manifest(out, KIND, written)  # a later run into this folder can tell these from anyone else's
    sys.stdout.flush()
    return 0
