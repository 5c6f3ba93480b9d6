"""User-facing errors: every one names the file, the field and what was expected.

The CLI turns a `HetsimError` into one line on stderr and exit code 2; nothing else
of the library should reach the user as a traceback.
"""

from __future__ import annotations


class HetsimError(Exception):
    """An error the user can act on."""

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None):
        self.message = message
        self.file = file
        self.field = field
        super().__init__(self.render())

    def render(self) -> str:
        where = ": ".join(p for p in (self.file, self.field) if p)
        text = f"{where}: {self.message}" if where else self.message
        return " ".join(text.split())  # always one line, whatever a value or a path held


class ConfigError(HetsimError):
    """A configuration file is malformed, inconsistent or names something unknown."""


class CapacityError(HetsimError):
    """A workload does not fit in the memory of the device it is placed on."""


class HardwareUnavailable(HetsimError):
    """A calibration backend needs hardware or a driver that is not present."""
