"""Serving: a stream of requests through a scheduler, a paged KV cache and a prefix cache, each
iteration priced once per distinct shape by the engine (`hetsim.sim`)."""
