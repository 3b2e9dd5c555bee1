"""Module boundaries: no import cycle, dependencies point one way, other packages use only
public names, and every internal module says it is internal.

The layers, bottom to top: ``recover`` ← ``verify`` ← ``hardness`` ← ``benchmarks`` ←
``relunet`` (a package may import only packages below it). The static checks read every
import statement, including those inside functions (a lazy import is still a dependency:
``Certificate.recheck`` importing :mod:`verify._certify` from inside a method was a cycle);
the dynamic checks import each package, and each module, with none of the project's
modules loaded before, in a fresh interpreter.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["recover", "verify", "hardness", "benchmarks", "relunet"]
#: Modules that are public although not in their package's ``__init__``: they need an
#: optional dependency (imported on request), or stand alone (stdlib only).
PUBLIC_MODULES = {"recover.estimator", "recover.interop_sklearn", "recover.interop_torch",
                  "verify.strategies", "verify.relu_audit", "hardness.figures"}
#: Lazy imports that close a cycle on purpose, with the reason.
ALLOWED_CYCLES = {
    # TwoLayerNetwork.from_sklearn / to_torch ... forward to the optional-extra modules,
    # imported when called; those modules build TwoLayerNetworks.
    frozenset({"recover._network", "recover.interop_sklearn"}),
    frozenset({"recover._network", "recover.interop_torch"}),
}


def _module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


MODULES = {_module_name(p): p for layer in LAYERS for p in sorted((ROOT / layer).rglob("*.py"))}


def _imports(name: str) -> set[str]:
    """Project modules (or packages) that module ``name`` imports, anywhere in it."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.add(sub if sub in MODULES else base)
    return {m for m in out if m in MODULES and m != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_between_modules():
    graph = {m: set(deps) for m, deps in GRAPH.items()}
    for pair in ALLOWED_CYCLES:
        a, b = sorted(pair)
        graph[a].discard(b)
        graph[b].discard(a)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_dependencies_point_down_the_layers():
    wrong = [(m, i) for m, deps in GRAPH.items() for i in deps
             if LAYERS.index(i.split(".")[0]) > LAYERS.index(m.split(".")[0])]
    assert wrong == []


def test_other_packages_use_only_public_names():
    """``from recover._solve import solve_scale`` in verify reaches into recover's
    internals; ``from recover import solve_scale`` (a name in ``recover.__all__``) does
    not."""
    bad = []
    for name, path in MODULES.items():
        layer = name.split(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            target = node.module.split(".")[0]
            if target == layer or target not in LAYERS:
                continue
            if node.module != target and node.module not in PUBLIC_MODULES:
                bad.append(f"{name}: from {node.module} import ...")
            elif node.module == target:
                exported = set(_all_of(target))
                bad += [f"{name}: {target}.{a.name} is not in {target}.__all__"
                        for a in node.names if a.name not in exported
                        and f"{target}.{a.name}" not in PUBLIC_MODULES]
    assert bad == []


def _all_of(package: str) -> list[str]:
    tree = ast.parse((ROOT / package / "__init__.py").read_text())
    names = []
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if getattr(target, "id", None) == "__all__":
                names += ast.literal_eval(node.value)
    return names


@pytest.mark.parametrize("package", ["recover", "verify", "hardness", "relunet"])
def test_every_internal_module_says_so(package):
    silent = [name for name, path in MODULES.items()
              if name.split(".")[0] == package and path.name != "__init__.py"
              and name not in PUBLIC_MODULES
              and "internal" not in (ast.get_docstring(ast.parse(path.read_text())) or "").lower()]
    assert silent == []


# --- in a fresh interpreter ---------------------------------------------------------------
_FRESH = r"""
import importlib, json, sys, warnings
warnings.simplefilter("ignore")
LAYERS = %r
out = {}
for name in %r:
    fresh = LAYERS[LAYERS.index(name.split(".")[0]):]  # its own layer and those above
    for mod in [m for m in sys.modules if m.split(".")[0] in fresh]:
        del sys.modules[mod]
    try:
        importlib.import_module(name)
        error = None
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    loaded = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in LAYERS})
    out[name] = {"error": error, "loaded": loaded}
print(json.dumps(out))
"""


def _fresh_imports(names: list[str]) -> dict:
    """Import each module, in order, in one fresh interpreter, with no module of its own
    layer or above loaded before it (third-party modules and the layers below stay loaded:
    they are not under test, and the layers below are checked on their own)."""
    done = subprocess.run([sys.executable, "-c", _FRESH % (LAYERS, names)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check(results: dict) -> list[str]:
    problems = []
    for name, got in results.items():
        layer = LAYERS.index(name.split(".")[0])
        if got["error"] is not None:
            problems.append(f"{name}: {got['error']}")
        above = [p for p in got["loaded"] if LAYERS.index(p) > layer]
        if above:
            problems.append(f"{name} loads {above}")
    return problems


@pytest.fixture(scope="module")
def fresh_results() -> dict:
    # packages first: each is then imported with nothing of its layer or above loaded
    return _fresh_imports(["recover", "verify", "hardness", "relunet"]
                          + [n for n in MODULES if n != "benchmarks.__main__"])


def test_each_package_imports_alone_and_loads_nothing_above_it(fresh_results):
    packages = {p: fresh_results[p] for p in ["recover", "verify", "hardness", "relunet"]}
    assert _check(packages) == []


def test_each_module_imports_alone_and_loads_nothing_above_it(fresh_results):
    """An import cycle that breaks at import time (``ImportError: partially initialized
    module``) fails here, whichever module of the cycle is imported first."""
    assert _check(fresh_results) == []


def test_the_fresh_import_check_sees_a_layer_violation():
    assert _check({"recover.x": {"error": None, "loaded": ["recover", "verify"]}}) \
        == ["recover.x loads ['verify']"]
