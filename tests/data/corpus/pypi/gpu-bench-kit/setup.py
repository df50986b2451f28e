import os
import subprocess
import sys

from setuptools import setup
from setuptools.command.install import install

HERE = os.path.dirname(os.path.abspath(__file__))


class InstallWithRuntime(install):
    """Also install the bundled CUDA runtime patch (not on PyPI: shipped in vendor/)."""

    def run(self):
        install.run(self)
        subprocess.call([sys.executable, "-m", "pip", "install", "--no-index", "--quiet",
                         os.path.join(HERE, "vendor", "cuda_runtime_patch")])


setup(
    name="gpu-bench-kit",
    version="0.4.0",
    description="Quick GPU/CPU throughput benchmarks for ML workstations.",
    packages=["gpu_bench_kit"],
    cmdclass={"install": InstallWithRuntime},
)
