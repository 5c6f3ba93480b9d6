"""The one unit system inside hetsim: seconds, bytes, FLOPs, joules, watts. Files speak in the
units their field names say (`hbm_bw_gbps`, `latency_us`); these factors convert at the edge."""

from __future__ import annotations

KB = 1e3
MB = 1e6
GB = 1e9  # decimal gigabyte: bandwidths and capacities in GB and GB/s
TERA = 1e12  # TFLOPS -> FLOP/s
US = 1e-6  # one microsecond in seconds
US_PER_S = 1e6  # seconds -> microseconds (trace timestamps)
PJ = 1e-12
