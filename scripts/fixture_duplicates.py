"""List pytest fixtures defined in more than one test module, grouped by name and body.

Run: python scripts/fixture_duplicates.py [--all] [TESTS_DIR]. Two definitions with the
same name and the same body (docstring, formatting and a ``db`` argument aside; the module
constants the body reads included) are copies a conftest.py could hold once; same name with
another body is an override or a different fixture. Prints one line per duplicated name and
the totals; ``--all`` also prints the names whose bodies differ.
"""

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"


def _is_fixture(decorator: ast.expr) -> bool:
    """``@pytest.fixture``, ``@pytest.fixture(...)`` or ``@fixture``."""
    node = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(node, ast.Attribute):
        return node.attr == "fixture"
    return isinstance(node, ast.Name) and node.id == "fixture"


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = value`` assignments, the value dumped."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = ast.dump(node.value)
    return found


def _body_key(func: ast.FunctionDef, constants: dict[str, str]) -> str:
    """The fixture's decorators, arguments but ``db``, statements without its docstring,
    and the values of the module constants it reads."""
    body = func.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    args = [a.arg for a in func.args.args if a.arg != "db"]
    parts = [ast.dump(d) for d in func.decorator_list] + [",".join(args)]
    parts += [ast.dump(s) for s in body]
    read = {n.id for s in body for n in ast.walk(s) if isinstance(n, ast.Name)}
    return "\n".join(parts + [f"{n}={constants[n]}" for n in sorted(read & constants.keys())])


def fixtures(tests: Path) -> dict[str, dict[str, list[Path]]]:
    """Fixture name -> body key -> the modules defining it."""
    found: dict[str, dict[str, list[Path]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(tests.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and any(map(_is_fixture, node.decorator_list)):
                key = _body_key(node, constants)
                found[node.name][key].append(path.relative_to(tests.parent))
    return found


def main(tests: Path, show_all: bool) -> int:
    """Print the duplicated names; return how many definitions are equivalent copies."""
    copies = names = differing = 0
    found = fixtures(tests)
    for name, bodies in sorted(found.items()):
        modules = [m for paths in bodies.values() for m in paths]
        if len(modules) < 2:
            continue
        names += 1
        same = [paths for paths in bodies.values() if len(paths) > 1]
        copies += sum(len(paths) for paths in same)
        if len(bodies) > 1:
            differing += 1
        if same or show_all:
            variants = "; ".join(", ".join(map(str, paths)) for paths in bodies.values())
            print(f"{name}: {len(modules)} definitions, {len(bodies)} bodies: {variants}")
    total = sum(len(p) for b in found.values() for p in b.values())
    print(f"fixtures defined: {total}; names defined in more than one module: {names}")
    print(f"definitions that are an equivalent copy of another: {copies}")
    print(f"names with more than one body (overrides or different fixtures): {differing}")
    return copies


if __name__ == "__main__":
    paths = [Path(a) for a in sys.argv[1:] if a != "--all"]
    main(paths[0].resolve() if paths else TESTS, "--all" in sys.argv)
