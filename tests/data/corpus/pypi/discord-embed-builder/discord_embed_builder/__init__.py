"""Build rich Discord embeds with a fluent API."""


class Embed:
    def __init__(self, title=""):
        self.data = {"title": title, "fields": []}

    def field(self, name, value, inline=False):
        self.data["fields"].append({"name": name, "value": value, "inline": inline})
        return self
