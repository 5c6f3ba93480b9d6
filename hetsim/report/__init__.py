"""Results: the summary, per-op records, the Perfetto timeline and the terminal tables."""
