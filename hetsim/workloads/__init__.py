"""Methods: each turns (model, workload, parameters) into the four steps' ops per layer.

`hetsim.workloads.registry` holds the table of methods by name (`METHODS`) and `build_method`.
"""
