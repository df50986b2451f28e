"""Powerline-style prompt themes for bash and zsh."""
THEMES = {"classic": r"\u@\h:\w\$ ", "arrow": r"\[\e[44m\] \w \[\e[0m\]\[\e[34m\]\[\e[0m\] "}


def prompt(theme: str = "classic") -> str:
    return THEMES.get(theme, THEMES["classic"])
