"""End-to-end validation against a real transformers model on the GPU (issue 10, items 7 and 8).

    python -m hetsim.calibration.e2e measure --out DIR [--quick]        on the GPU machine
    hetsim validate e2e --model Llama-3.1-8B --stack hf-static           here: predicted vs measured

    grid      the measured points (prefill prompts, decode batch x context, what fits in memory)
    spec      the catalogue model YAML as the object hetsim.tracing.hfspec builds a config from
    measure   the measuring run: prefill TTFT, decode per-step time (DynamicCache eager, StaticCache
              eager and CUDA-graph replay), NVML energy, idle power; writes Parquet + summary YAML
    opcases   op-level cases from traces: each aten op of a traced 1-layer step timed alone
    compare   the simulator's prediction of every measured point, errors, targets (needs pydantic)
    cli       `python -m hetsim.calibration.e2e`

`grid`, `spec`, `measure`, `opcases` and `cli` import neither pydantic nor simpy: the measuring
part runs on the device image (torch, transformers, pandas, PyYAML, pynvml). Only `measure` and
`opcases` import torch, and only when a measurement starts.
"""
