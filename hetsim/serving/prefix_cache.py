"""A radix tree over KV blocks (SGLang's RadixAttention at block granularity): each node is one
full block of tokens, keyed by what those tokens are; a path from the root is a cached prefix.
Nodes that running requests reference are pinned; the others are evicted least recently used
first, leaves before their parents, so what stays cached is always a prefix."""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Sequence


class Node:
    __slots__ = ("key", "parent", "children", "refs", "last_used")

    def __init__(self, key: Hashable, parent: Node | None) -> None:
        self.key = key
        self.parent = parent
        self.children: dict[Hashable, Node] = {}
        self.refs = 0
        self.last_used = 0.0


class PrefixCache:
    """Holds `blocks` KV blocks (one per node); the allocator lends them and takes them back
    on eviction."""

    def __init__(self) -> None:
        self.root = Node(None, None)
        self.blocks = 0
        self.unreferenced = 0
        self._lru: list[tuple[float, int, Node]] = []  # unreferenced leaves; stale entries skipped
        self._seq = 0

    def match(self, keys: Sequence[Hashable], limit: int) -> list[Node]:
        """The cached nodes of the longest prefix of `keys`, at most `limit` of them."""
        node, out = self.root, []
        for key in keys[:limit]:
            node = node.children.get(key)
            if node is None:
                break
            out.append(node)
        return out

    def acquire(self, nodes: list[Node], now: float) -> None:
        for n in nodes:
            if n.refs == 0:
                self.unreferenced -= 1
            n.refs += 1
            n.last_used = now

    def release(self, nodes: list[Node], now: float) -> None:
        for n in reversed(nodes):  # the deepest first: it is the leaf the LRU heap wants
            n.refs -= 1
            n.last_used = now
            if n.refs == 0:
                self.unreferenced += 1
                if not n.children:
                    self._push(n)

    def insert(self, keys: Sequence[Hashable], have: list[Node], now: float) -> tuple[list[Node], int]:
        """Add the blocks `keys[len(have):]` under the path `have` (already referenced by the
        caller); the nodes come back referenced once (by the caller), with how many are new: each
        new one takes a block the caller hands over. A key another request cached meanwhile is
        shared, not added (the caller frees its own copy)."""
        node = have[-1] if have else self.root
        added: list[Node] = []
        created = 0
        for key in keys[len(have):]:
            child = node.children.get(key)
            if child is None:
                child = node.children[key] = Node(key, node)
                self.blocks += 1
                created += 1
                child.refs = 1
                added.append(child)
            else:  # the caller's copy of this block is freed: the cached one is used instead
                if child.refs == 0:
                    self.unreferenced -= 1
                child.refs += 1
                added.append(child)
            child.last_used = now
            node = child
        return added, created

    def evict(self, want: int) -> int:
        """Drop up to `want` unreferenced blocks, least recently used leaves first; how many were."""
        done = 0
        while done < want and self._lru:
            used, _, n = heapq.heappop(self._lru)
            if n.refs or n.children or n.parent is None or used != n.last_used or n.key not in n.parent.children:
                continue
            parent = n.parent
            del parent.children[n.key]
            n.parent = None
            self.blocks -= 1
            self.unreferenced -= 1
            done += 1
            if parent is not self.root and parent.refs == 0 and not parent.children:
                self._push(parent)
        return done

    def _push(self, n: Node) -> None:
        self._seq += 1
        heapq.heappush(self._lru, (n.last_used, self._seq, n))
