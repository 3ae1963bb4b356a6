"""Checks of an УПД exchange file against the official ФНС schema (5.03) in
``shared/data/fns``: the XSD with xmlschema, and the Schematron rules the schema carries in
its annotations (which plain XSD validators ignore), evaluated with elementpath.

The rules use two vendor functions: ``usch:iif(c, a, b)`` (if c then a else b) is rewritten
as ``((c) and (a)) or (not(c) and (b))``; ``usch:getFileName()`` is the file's name without
``.xml``. SOURCE.md beside the schema describes the same approximation of the ФНС checker.
"""

import functools
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import elementpath
import xmlschema

FNS_DIR = Path(os.environ.get("FNS_DATA_DIR", "/work/shared/data/fns"))
SCHEMA_PATH = FNS_DIR / "ON_NSCHFDOPPR_1_997_01_05_03_05.xsd"
SCHEMATRON = "{http://purl.oclc.org/dsdl/schematron}"


@functools.cache
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA_PATH))


def _split_arguments(text: str) -> list[str]:
    """Top-level comma-separated arguments of a call's inside (quotes and parens kept)."""
    parts, depth, quote, current = [], 0, None, []
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def rewrite(test: str, file_name: str) -> str:
    """A rule's test in plain XPath 2.0."""
    test = test.replace("usch:getFileName()", f"'{file_name}'")
    marker = "usch:iif("
    while marker in test:
        start = test.rindex(marker)  # innermost first
        depth, index = 1, start + len(marker)
        while depth:
            depth += {"(": 1, ")": -1}.get(test[index], 0)
            index += 1
        condition, then, otherwise = _split_arguments(test[start + len(marker) : index - 1])
        plain = f"(({condition}) and ({then})) or (not({condition}) and ({otherwise}))"
        test = test[:start] + plain + test[index:]
    return " ".join(test.split())


@functools.cache
def schematron_rules() -> list[tuple[str, str, str]]:
    """(context element, test, the rule's description) of every active rule in the XSD."""
    tree = ET.parse(SCHEMA_PATH)  # noqa: S314 (the ФНС schema shipped with the project)
    rules = []
    for pattern in tree.iter(f"{SCHEMATRON}pattern"):
        for rule in pattern.iter(f"{SCHEMATRON}rule"):
            for check in rule.iter(f"{SCHEMATRON}assert"):
                rules.append((rule.get("context"), check.get("test"), pattern.get("name")))  # noqa: PERF401
    return rules


def schematron_failures(data: bytes, file_name: str) -> list[str]:
    """The rules the document breaks (empty: all pass), each with its description."""
    root = ET.fromstring(data)  # noqa: S314 (a document the test generated)
    stem = file_name.removesuffix(".xml")
    failures = []
    for context, test, name in schematron_rules():
        expression = rewrite(test, stem)
        for element in root.iter(context):
            if not elementpath.select(root, expression, item=element):
                failures.append(f"{name}: {context}")  # noqa: PERF401
    return failures
