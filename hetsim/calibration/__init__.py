"""Calibration: measured device profiles, how they are made (suites, fits) and how they are read."""
