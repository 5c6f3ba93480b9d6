"""The only place that knows the file formats: schema, loading, and the errors they raise."""

from hetsim.config.load import Catalogue  # noqa: F401
