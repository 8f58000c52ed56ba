"""The documentation a newcomer navigates stays whole: every relative link in the README, the
CONTRIBUTING guide and ``docs/`` leads to a file that exists (and to a heading there, when it names
one); the CLI reference names every command and option the parser has; the interchange page names
every event type of the catalogue; the README's dependency list names every pinned dependency.

Anchors are GitHub's: a heading's text, lower-cased, without punctuation, spaces made hyphens, a
repeated heading numbered (``-1``, ``-2``)."""

from __future__ import annotations

import argparse
import re
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from caseledger.cli.main import build_parser
from caseledger.domain.events.catalogue import PAYLOAD_TYPES
from tests.support.paths import ROOT

DOCS = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").glob("*.md")])
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)


def prose(text: str) -> str:
    """The text without code: fenced blocks and inline code spans hold no links."""
    return CODE.sub("", FENCE.sub("", text))


def anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the headings of the Markdown file at ``path``."""
    seen: Counter[str] = Counter()
    found = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text())):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading anchors on its text
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        found.add(slug if not seen[slug] else f"{slug}-{seen[slug]}")
        seen[slug] += 1
    return found


def relative_links(path: Path) -> Iterator[str]:
    for target in LINK.findall(prose(path.read_text())):
        if not re.match(r"[a-z][a-z0-9+.-]*:", target):  # not https:, mailto:, …
            yield target


def test_the_documentation_is_there() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in DOCS}
    users = {f"docs/{user}.md" for user in ("officer", "supervisor", "auditor", "analyst")}
    assert {"README.md", "CONTRIBUTING.md", "docs/README.md", "docs/cli.md", "docs/security.md", "docs/architecture.md"} | users <= names
    assert all(any(True for _ in relative_links(path)) for path in DOCS), "every page links onward"


@pytest.mark.parametrize("page", DOCS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for target in relative_links(page):
        file_part, _, anchor = target.partition("#")
        destination = (page.parent / file_part).resolve() if file_part else page
        if not destination.exists():
            broken.append(f"{target}: no file {destination.relative_to(ROOT) if destination.is_relative_to(ROOT) else destination}")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target}: no heading #{anchor} in {destination.relative_to(ROOT)}")
    assert broken == []


def commands(parser: argparse.ArgumentParser, prefix: str = "caseledger") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every sub-command's full name (``caseledger admin grant``) and its parser."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix} {name}", sub
                yield from commands(sub, f"{prefix} {name}")


def test_the_cli_reference_names_every_command_and_option() -> None:
    reference = (ROOT / "docs" / "cli.md").read_text()
    sections = dict(re.findall(r"^### `(caseledger[^`]*)`\n(.*?)(?=^### |\Z)", reference, re.MULTILINE | re.DOTALL))
    missing = []
    for name, parser in [("caseledger", build_parser()), *commands(build_parser())]:
        text = reference if name == "caseledger" else sections.get(name)
        if text is None:
            missing.append(f"{name}: no section")
            continue
        for action in parser._actions:
            if action.help == argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
                continue
            missing += [f"{name} {option}" for option in action.option_strings if f"`{option}" not in text and f" {option}" not in text]
    assert missing == []


def test_the_interchange_page_names_every_event_type() -> None:
    page = (ROOT / "docs" / "interchange.md").read_text()
    assert [name for name in PAYLOAD_TYPES if f"| `{name}` |" not in page] == []


def test_the_readme_gives_every_pinned_dependency_a_reason() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = [*project["dependencies"], *(pin for extra in project["optional-dependencies"].values() for pin in extra)]
    rows = [line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("| `")]
    unexplained = sorted({pin for pin in pins if not any(re.search(rf"`{re.escape(pin)}`", row) for row in rows)})
    assert pins and unexplained == []
