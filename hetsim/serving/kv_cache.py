"""The paged KV cache of one device: fixed-size blocks, lent to requests as their sequences grow
and to the prefix cache for the blocks it keeps. The capacity is what the device's memory holds
after the weights; a request that cannot get a block is preempted by the scheduler."""

from __future__ import annotations

from dataclasses import dataclass

from hetsim.serving.prefix_cache import PrefixCache


@dataclass(frozen=True)
class KvCapacity:
    blocks: int
    block_tokens: int
    bytes_per_token: int  # K and V of one token in every layer
    free_bytes: int  # the device memory the blocks came from (after the weights)


def kv_capacity(memory_bytes: float, memory_frac: float, weight_bytes: int, bytes_per_token: int,
                block_tokens: int, cap: int | None = None) -> KvCapacity:
    free = int(memory_bytes * memory_frac) - weight_bytes
    blocks = max(0, free // (bytes_per_token * block_tokens))
    if cap is not None:
        blocks = min(blocks, cap)
    return KvCapacity(int(blocks), block_tokens, bytes_per_token, max(0, free))


class BlockAllocator:
    """Counts blocks: free, lent to requests (private), and held by the prefix cache (shared,
    evictable when no request references them)."""

    def __init__(self, capacity: KvCapacity, prefix: PrefixCache | None = None) -> None:
        self.total = capacity.blocks
        self.block_tokens = capacity.block_tokens
        self.free = capacity.blocks
        self.prefix = prefix

    def blocks_for(self, tokens: int) -> int:
        return -(-tokens // self.block_tokens)

    @property
    def used(self) -> int:
        return self.total - self.free

    def available(self) -> int:
        """Blocks that can be had now: free ones and unreferenced cached ones."""
        return self.free + (self.prefix.unreferenced if self.prefix else 0)

    def take(self, n: int) -> bool:
        """Lend `n` blocks (evicting cached ones if needed); False, and nothing taken, if it cannot."""
        if n <= 0:
            return True
        if n > self.free and self.prefix is not None:
            self.free += self.prefix.evict(n - self.free)
        if n > self.free:
            return False
        self.free -= n
        return True

    def give(self, n: int) -> None:
        self.free += n
        if self.free > self.total:
            raise AssertionError(f"KV blocks returned twice: {self.free} free of {self.total}")
