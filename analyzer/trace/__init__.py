"""Turning gVisor strace logs into typed per-phase events."""
