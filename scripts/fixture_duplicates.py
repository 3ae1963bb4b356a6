"""List pytest fixtures defined in more than one test module, grouped by name and body.

Run: python scripts/fixture_duplicates.py [--all]. Two definitions with the same name and
the same body (docstring and formatting aside) are copies a conftest.py could hold once;
same name with another body is an override or a different fixture. Prints one line per
duplicated name and the totals; ``--all`` also prints the names whose bodies differ.
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


def _body_key(func: ast.FunctionDef) -> str:
    """The fixture's decorators, arguments and statements without its docstring."""
    body = func.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    parts = [ast.dump(d) for d in func.decorator_list] + [ast.dump(func.args)]
    return "\n".join(parts + [ast.dump(s) for s in body])


def fixtures() -> dict[str, dict[str, list[Path]]]:
    """Fixture name -> body key -> the modules defining it."""
    found: dict[str, dict[str, list[Path]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and any(map(_is_fixture, node.decorator_list)):
                found[node.name][_body_key(node)].append(path.relative_to(ROOT))
    return found


def main(show_all: bool) -> int:
    """Print the duplicated names; return how many definitions are identical copies."""
    copies = names = differing = 0
    for name, bodies in sorted(fixtures().items()):
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
    total = sum(len(p) for b in fixtures().values() for p in b.values())
    print(f"fixtures defined: {total}; names defined in more than one module: {names}")
    print(f"definitions that are an identical copy of another: {copies}")
    print(f"names with more than one body (overrides or different fixtures): {differing}")
    return copies


if __name__ == "__main__":
    main("--all" in sys.argv)
