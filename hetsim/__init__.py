"""hetsim: a calibrated discrete-event simulator of GPU-FPGA systems for long-context LLM inference."""

__version__ = "0.1.0"
