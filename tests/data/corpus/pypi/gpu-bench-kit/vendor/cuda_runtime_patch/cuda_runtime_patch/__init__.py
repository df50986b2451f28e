"""Runtime shims for CUDA 12.4."""
