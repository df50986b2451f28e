import json
import urllib.request

API = "https://api.github.com/gists"


def push(path, gist_id=None, token=None):
    with open(path) as f:
        content = f.read()
    body = json.dumps({"files": {path.rsplit("/", 1)[-1]: {"content": content}}}).encode()
    req = urllib.request.Request(f"{API}/{gist_id}" if gist_id else API, data=body,
                                 method="PATCH" if gist_id else "POST")
    if token:
        req.add_header("Authorization", f"token {token}")
    return json.loads(urllib.request.urlopen(req, timeout=10).read())


def pull(gist_id, dest="."):
    data = json.loads(urllib.request.urlopen(f"{API}/{gist_id}", timeout=10).read())
    return sorted(data.get("files", {}))
