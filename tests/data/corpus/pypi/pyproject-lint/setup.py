from setuptools import setup

setup(
    name="pyproject-lint",
    version="0.11.0",
    description="Lint pyproject.toml files for PEP 621 mistakes.",
    packages=["pyproject_lint"],
    entry_points={"console_scripts": ["pyproject-lint = pyproject_lint.cli:main"]},
)
