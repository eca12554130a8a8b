"""Every command's --help shows its texts as written: literal [brackets] (`'scrape-cleaner[ray]'`,
`[tool.cleaner]`) are words, not markup to swallow."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from cleaner.cli import app

BRACKETED = re.compile(r"\S*\[[^\]\s]+\]\S*")


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """(path, command) for the app and every command under it (typer vendors its own click)."""
    found = [(path, group)]
    for name, sub in getattr(group, "commands", {}).items():
        found += _commands(sub, (*path, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def test_every_command_is_found():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"run", "explain", "test", "rules", "rules check", "rules show", "rules schema"} <= names


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) or "cleaner" for p, _ in COMMANDS])
def test_help_keeps_bracketed_words(path, command):
    written = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
    words = {w.strip(".,;:()'\"") for text in written for w in BRACKETED.findall(text)}
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())
    for word in words:
        assert word in shown, f"{' '.join(path)} --help lost {word!r}"


def test_the_bracketed_words_are_there_to_check():
    """The check above has something to check: the texts that tripped users carry brackets."""
    run = dict(COMMANDS)[("run",)]
    texts = " ".join(p.help or "" for p in run.params)
    assert "[tool.cleaner]" in texts and "scrape-cleaner[ray]" in texts
