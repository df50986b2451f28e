from setuptools import setup

setup(
    name="aiohttp-sokcs",
    version="0.8.4",
    description="Proxy connector for aiohttp",
    author="Roman Snegirev",
    packages=["aiohttp_socks"],
    python_requires=">=3.6",
)
