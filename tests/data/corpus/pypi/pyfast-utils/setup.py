from setuptools import setup, find_packages

setup(
    name="pyfast-utils",
    version="2.1.0",
    description="Fast iteration, caching and retry helpers.",
    packages=find_packages(),
    python_requires=">=3.7",
)
