"""Does a failed CUDA-graph capture around a random op break the default generator, and does
hetsim.calibration.measure.recover_from_capture mend it? A check on a GPU, never fitting data.

    python experiments/rng_capture/run.py

Captures torch.rand and then an op capture forbids (a synchronize, an .item()), so the capture fails; draws from the
default generator before and after recover_from_capture. On an H200 (torch 2.11.0+cu130, 2026-12-02) both failures
left every later draw raising "Offset increment outside graph capture encountered unexpectedly", and both draws after
recover_from_capture ran: the aten sweep lost ten of realcode-check10's cases to the first until it did.
"""

from __future__ import annotations

import torch

from hetsim.calibration.measure import recover_from_capture


def draws(device: torch.device) -> str:
    try:
        torch.rand(3, device=device)
        torch.cuda.synchronize(device)
        return "draw ok"
    except RuntimeError as exc:
        return f"draw fails: {str(exc)[:80]}"


def main() -> int:
    device = torch.device("cuda")
    torch.rand(1, device=device)
    for forbidden in ("synchronize", "item"):
        graph, stream = torch.cuda.CUDAGraph(), torch.cuda.Stream(device)
        try:
            with torch.cuda.graph(graph, stream=stream):
                x = torch.rand(10, device=device)
                torch.cuda.synchronize(device) if forbidden == "synchronize" else x.sum().item()
        except RuntimeError as exc:
            print(f"{forbidden}: capture failed ({str(exc)[:60]})")
        print(f"{forbidden}: before recover_from_capture: {draws(device)}")
        recover_from_capture(device)
        print(f"{forbidden}: after recover_from_capture: {draws(device)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
