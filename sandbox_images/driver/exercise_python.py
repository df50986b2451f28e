"""Exercise one installed distribution as its user: `import` its top-level modules, or
`execute` its console scripts with --help and call its public functions with harmless
arguments, each under a short time limit; `persona` does both as if on Windows. Runs
with `python -I` from the package's venv.

An import that fails is tried once more with forcing on (missing modules and Windows-only
names become stand-ins, see standins.py), so the code after a failed import runs. What
was forced is reported on one line, `PKGSANDBOX-FORCED <json>`, for the host.
"""

import importlib
import importlib.metadata
import inspect
import json
import os
import signal
import subprocess
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))  # `-I` leaves our folder off
sys.dont_write_bytecode = True  # our own modules: no failed __pycache__ writes in the trace
import standins  # noqa: E402

FORCED_PREFIX = "PKGSANDBOX-FORCED "
PACKAGE_MODULES: set[str] = set()  # the package's top-level names: whose imports get stand-ins

CALL_SECONDS = 2
SCRIPT_SECONDS = 5
MAX_CALLS = 100
HARMLESS = {str: "example", int: 1, float: 1.0, bool: False, bytes: b"example", list: [],
            dict: {}, tuple: ()}


class CallTimeout(Exception):
    pass


def top_level_modules(dist):
    """Every top-level name the distribution installs: top_level.txt and RECORD together.

    Names need not be identifiers: `importlib` imports a folder `my-pkg/` or a file
    `123abc.py` by name, and a payload hidden under such a name must run too.
    """
    names = set((dist.read_text("top_level.txt") or "").split())
    for file in dist.files or []:
        parts = file.parts
        if not parts or parts[0] in ("..", "__pycache__") or parts[0].endswith(
                (".dist-info", ".data", ".egg-info", ".pth")):
            continue
        if not os.path.exists(dist.locate_file(file)):
            continue  # listed in RECORD but not installed (a build's stray setup.py)
        if len(parts) == 1 and parts[0].endswith(".py"):
            names.add(parts[0][:-3])
        elif len(parts) == 2 and parts[1] == "__init__.py":
            names.add(parts[0])
    return sorted(name for name in names if name and "." not in name and "/" not in name)


def import_forced(module):
    """Import `module`; when that fails, once more with stand-ins for what was missing."""
    before = set(sys.modules)
    try:
        return importlib.import_module(module)
    except BaseException as exc:  # the package's own exceptions, SystemExit included
        print(f"import {module} failed: {type(exc).__name__}: {exc}")
    standins.forget_modules(before)
    standins.enable(PACKAGE_MODULES)
    module_object = importlib.import_module(module)
    print(f"imported {module} with stand-ins")
    return module_object


def import_all(modules):
    failed = 0
    for module in modules:
        try:
            import_forced(module)
            print(f"imported {module}")
        except BaseException as exc:  # the package's own exceptions, SystemExit included
            failed += 1
            print(f"import {module} failed again: {type(exc).__name__}: {exc}")
    return 1 if failed else 0


def argument_for(parameter):
    if parameter.annotation in HARMLESS:
        return HARMLESS[parameter.annotation]
    name = parameter.name.lower()
    if any(word in name for word in ("count", "num", "size", "port", "timeout", "n")):
        return 1
    return "example"


def call(function, label):
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return
    args, kwargs = [], {}
    for parameter in signature.parameters.values():
        if parameter.default is not parameter.empty or parameter.kind in (
                parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.kind == parameter.KEYWORD_ONLY:
            kwargs[parameter.name] = argument_for(parameter)
        else:
            args.append(argument_for(parameter))
    signal.alarm(CALL_SECONDS)
    try:
        result = function(*args, **kwargs)
        if inspect.iscoroutine(result):
            result.close()
        print(f"called {label}: ok")
    except BaseException as exc:  # anything the package raises, our timeout included
        print(f"called {label}: {type(exc).__name__}")
    finally:
        signal.alarm(0)


def call_entry_points(dist):
    """Call each console script's function in-process, as its wrapper would, with --help."""
    modules = []
    for entry in dist.entry_points:
        if entry.group not in ("console_scripts", "gui_scripts"):
            continue
        module_name = entry.value.split(":")[0].strip()
        modules.append(module_name)
        try:
            function = entry.load()
        except BaseException as exc:  # the package's import errors, SystemExit included
            print(f"load {entry.name} failed: {type(exc).__name__}")
            continue
        saved, sys.argv = sys.argv, [entry.name, "--help"]
        try:
            call(lambda function=function: function(), f"{entry.name} ({entry.value})")
        finally:
            sys.argv = saved
    return modules


def execute_all(dist, modules):
    bin_dir = os.path.dirname(sys.executable)
    for entry in dist.entry_points:
        if entry.group in ("console_scripts", "gui_scripts"):
            script = os.path.join(bin_dir, os.path.basename(entry.name))
            if os.path.exists(script):
                try:
                    subprocess.run([script, "--help"], timeout=SCRIPT_SECONDS, check=False,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
                    print(f"ran {entry.name} --help")
                except subprocess.TimeoutExpired:
                    print(f"ran {entry.name} --help: timeout")

    def on_alarm(signum, frame):
        raise CallTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    # Modules only an entry point names (not imported by the package) are exercised too.
    modules = list(dict.fromkeys([*modules, *call_entry_points(dist)]))
    calls = 0
    for module_name in modules:
        try:
            module = import_forced(module_name)
        except BaseException as exc:
            print(f"import {module_name} failed again: {type(exc).__name__}")
            continue
        for name, value in sorted(vars(module).items()):
            if name.startswith("_") or not inspect.isfunction(value):
                continue
            if getattr(value, "__module__", "").split(".")[0] != module_name.split(".")[0]:
                continue  # re-exported from elsewhere: not this package's code
            if calls >= MAX_CALLS:
                return 0
            calls += 1
            call(value, f"{module_name}.{name}")
    return 0


def exercise(mode, dist_name, artifact=None):
    try:
        dist = importlib.metadata.distribution(dist_name)
    except importlib.metadata.PackageNotFoundError:
        dist = None
    # A package that did not install still gets the persona's setup script run: one that
    # dies on Linux for want of Windows is what that pass is for.
    if dist is None and mode != "persona":
        print(f"not installed: {dist_name}")
        return 1
    modules = top_level_modules(dist) if dist is not None else []
    PACKAGE_MODULES.update(modules)
    if mode == "persona":
        import persona_windows
        persona_windows.enable(PACKAGE_MODULES)
        sys.dont_write_bytecode = False  # the package's own modules: as a user's import would
        persona_windows.run_setup_script(artifact)
        if dist is None:
            print(f"not installed: {dist_name} (its setup script ran as on Windows)")
            return 1
        return import_all(modules)
    sys.dont_write_bytecode = False
    if mode == "import":
        if not modules:
            print("no importable top-level modules")
            return 0
        return import_all(modules)
    return execute_all(dist, modules)


def report_forced():
    if standins.handed_out:
        sys.stdout.write(FORCED_PREFIX + json.dumps(list(standins.handed_out)) + "\n")
    sys.stdout.flush()


def main():
    try:
        return exercise(*sys.argv[1:4])
    finally:
        report_forced()


if __name__ == "__main__":
    sys.exit(main())
