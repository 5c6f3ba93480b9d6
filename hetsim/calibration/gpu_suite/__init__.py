"""The GPU calibration suite: measure the primitive ops on this machine's torch device, fit the
device model, write a profile.

    python -m hetsim.calibration.gpu_suite --out calibration/profiles/H100-SXM.yaml --device-name H100-SXM
    hetsim calibrate gpu --out calibration/profiles/H100-SXM.yaml        (the same, via the CLI)

Steps: idle board power; then, in rounds, a shuffled share of the size sweeps
(`hetsim.calibration.sweeps`, each point timed in eager streams and as CUDA-graph replays by
`hetsim.calibration.measure`), a few random mixes of small sweep ops (the host mix factor) and
one pass over the validation composites (a cases file, by default
calibration/cases/validation.yaml), each whole and op by op; board power over >= 1 s loops of
one representative point per rate key; the fit (`hetsim.calibration.fit`). Writes NAME.yaml
(the profile, `hetsim.calibration.gpu_profile`), NAME.parquet (every measurement) and
NAME.validation.yaml (the composites with what was measured), all beside each other.

    settings   modes, suite version, default cases
    bench      the timing harness: one torch device, its timer and power meter, the readings
    rounds     the measurement rounds: sweep points, host mixes, validation composites
    power      idle power and the energy loop per rate key
    fitting    readings -> fitted rates -> a GpuProfile
    report     the fit and the validation as text for the run's log
    suite      one run from start to written files
    refit      fit again from the readings beside a profile (no device)
    cli        `python -m hetsim.calibration.gpu_suite`

Runs where only torch, numpy, pandas and PyYAML are installed: nothing here imports pydantic
or simpy. Only `bench`, `rounds`, `power` and `suite` import torch.
"""

from hetsim.calibration.gpu_suite.cli import main

__all__ = ["main"]
