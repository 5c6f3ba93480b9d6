"""The SimPy engine: tasks on device engines, flows on links, decode steps over time."""
