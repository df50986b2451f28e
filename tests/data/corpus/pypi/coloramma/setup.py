from setuptools import setup

setup(
    name="coloramma",
    version="0.4.6",
    description="Cross-platform colored terminal text.",
    author="Jonathan Hartley",
    url="https://github.com/tartley/colorama",
    packages=["colorama"],
    license="BSD",
)
