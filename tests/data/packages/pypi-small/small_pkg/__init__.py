"""A harmless module: a constant and a function."""

GREETING = "hello"


def greet(name: str) -> str:
    return f"{GREETING}, {name}"
