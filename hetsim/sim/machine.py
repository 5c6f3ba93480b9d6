"""A system built for simulation: device models by id, link models, and routes between devices."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from hetsim.config.schema import CpuSpec, FpgaSpec, GpuSpec
from hetsim.hardware.cpu import CpuModel
from hetsim.hardware.fpga import FpgaModel
from hetsim.hardware.gpu import GpuModel
from hetsim.hardware.link import LinkModel
from hetsim.provenance import ProvenanceLog


@dataclass(frozen=True)
class Hop:
    link: LinkModel
    src: str
    dst: str

    @property
    def resource(self) -> str:
        return self.link.direction(self.src)


GPU_ENGINES = {"compute": "stream", "host": "host"}  # role -> engine name (any other role: the copy engine)


class Machine:
    def __init__(self, exp, log: ProvenanceLog | None = None):
        self.exp = exp
        self.log = log or ProvenanceLog()
        self.gpu_execution = exp.spec.simulation.gpu_execution
        self.models: dict[str, GpuModel | FpgaModel | CpuModel] = {}
        self.profiles: dict[str, str] = {}
        for dev_id in exp.system.devices:
            spec = exp.device(dev_id)
            inputs = exp.inputs[dev_id]  # resolved once by the scenario
            if isinstance(spec, GpuSpec):
                if inputs.profile is not None:
                    self.profiles[dev_id] = str(inputs.profile.path)
                self.models[dev_id] = GpuModel(spec, inputs.profile, self.log, host_link=inputs.host_link)
            elif isinstance(spec, CpuSpec):
                if inputs.profile is not None and inputs.profile.path is not None:
                    self.profiles[dev_id] = str(inputs.profile.path)
                self.models[dev_id] = CpuModel(spec, inputs.profile, self.log)
            else:
                assert isinstance(spec, FpgaSpec)
                self.models[dev_id] = FpgaModel(spec, dict(inputs.designs), self.log)
        self.links: list[LinkModel] = []
        self.nodes = {exp.system.host, *exp.system.devices, *exp.system.switches}
        self.adj: dict[str, list[tuple[str, LinkModel]]] = {n: [] for n in self.nodes}
        seen: set[str] = set()
        for i, inst in enumerate(exp.system.links):
            a, b = inst.between
            link_id = f"{a}-{b}" if f"{a}-{b}" not in seen else f"{a}-{b}#{i}"
            seen.add(link_id)
            link = LinkModel.build(link_id, exp.catalogue.links[inst.type], a, b, self.log)
            self.links.append(link)
            self.adj[a].append((b, link))
            self.adj[b].append((a, link))
        self._routes: dict[tuple[str, str], list[list[Hop]]] = {}

    def kind(self, dev_id: str) -> str:
        return self.models[dev_id].kind

    def engine(self, dev_id: str, role: str) -> str:
        """Resource key of a device engine: role 'compute', 'copy' or (a GPU's eager stream) 'host',
        the Python thread that issues its kernels."""
        if self.kind(dev_id) == "gpu":
            return f"{dev_id}:{GPU_ENGINES.get(role, 'copy')}"
        if self.kind(dev_id) == "cpu":
            return f"{dev_id}:{'cores' if role == 'compute' else 'copy'}"
        return f"{dev_id}:{'cu' if role == 'compute' else 'dma'}"

    def node(self, dev_id: str) -> str:
        """The node of the topology a device sits at: a CPU is the host (its data is host memory)."""
        return self.exp.system.host if dev_id in self.models and self.kind(dev_id) == "cpu" else dev_id

    def fewest_hops(self, src: str, dst: str, usable=None) -> list[Hop] | None:
        """The fewest-hop path between two topology nodes over links `usable(link)` accepts (all by
        default), devices forwarding nothing; None when there is none."""
        prev: dict[str, tuple[str, LinkModel] | None] = {src: None}
        queue = deque([src])
        while queue:
            node = queue.popleft()
            if node == dst:
                break
            if node != src and node in self.exp.system.devices:
                continue  # devices do not forward traffic
            for nxt, link in self.adj[node]:
                if nxt not in prev and (usable is None or usable(link)):
                    prev[nxt] = (node, link)
                    queue.append(nxt)
        if dst not in prev:
            return None
        hops: list[Hop] = []
        node = dst
        while prev[node] is not None:
            parent, link = prev[node]
            hops.append(Hop(link, parent, node))
            node = parent
        hops.reverse()
        return hops

    def route(self, src: str, dst: str) -> list[list[Hop]]:
        """Fewest-hop path from src to dst, split into segments at the host: a segment is
        cut-through (its hops held together); segments follow one another (host staging).
        A CPU's transfers start or end at the host, over the other device's links."""
        key = (src, dst)
        src, dst = self.node(src), self.node(dst)
        if src == dst:
            self._routes[key] = []  # two CPUs of one host: the data is already there
            return []
        if key in self._routes:
            return self._routes[key]
        hops = self.fewest_hops(src, dst)
        if hops is None:
            raise ValueError(f"no path from {src} to {dst} in system {self.exp.system.name}")
        segments: list[list[Hop]] = [[]]
        for hop in hops:
            segments[-1].append(hop)
            if hop.dst == self.exp.system.host and hop is not hops[-1]:
                segments.append([])
        self._routes[key] = segments
        return segments

    @staticmethod
    def segment_time_s(segment: list[Hop], nbytes: float) -> float:
        bw = min(h.link.bw(h.src, h.dst) for h in segment)
        return sum(h.link.latency_s for h in segment) + nbytes / bw
