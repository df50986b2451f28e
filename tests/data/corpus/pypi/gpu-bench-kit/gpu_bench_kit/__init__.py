"""Quick GPU/CPU throughput benchmarks for ML workstations."""
import time

__version__ = "0.4.0"


def matmul_gflops(n: int = 128) -> float:
    a = [[1.0] * n for _ in range(n)]
    start = time.perf_counter()
    [[sum(x * y for x, y in zip(row, col)) for col in zip(*a)] for row in a]
    return 2 * n ** 3 / (time.perf_counter() - start) / 1e9
