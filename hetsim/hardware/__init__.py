"""Device and link models: (op, device, calibration profile) -> duration and energy."""
