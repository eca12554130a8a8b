"""Fuzzing the edges that take input from strangers: rule files, JSONL, Parquet, HTML.

The promise at each edge: a clear error (rule files: exit 2 naming the problem) or a
quarantined record (data), never a traceback, never a hang, never a lost record.

`make test` runs a few examples of each (FUZZ profile below); `make test-slow` runs the
`slow` variants with a fixed, larger example budget. Every input that ever broke the
promise is kept in tests/fuzz_corpus/<edge>/ and replayed by `test_fuzz_corpus_replays`.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.errors import InputProblem, RuleFileError
from cleaner.ruleset.loader import compile_sources, default_rules_dir

CORPUS = Path(__file__).parent / "fuzz_corpus"
BOUND = 60.0  # seconds any one input may take; the budgets inside are far smaller

FEW = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
MANY = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))

# --- rule files ------------------------------------------------------------------------

REGEX_PIECES = [
    "a",
    "b",
    "x",
    ".",
    "\\s",
    "\\w",
    "\\d",
    "\\p{L}",
    "^",
    "$",
    "(",
    ")",
    "(?:",
    "[",
    "]",
    "[^",
    "{",
    "}",
    "{2}",
    "{0,80}",
    "{99999999}",
    "{1000}",
    "{3,}",
    "*",
    "+",
    "?",
    "*?",
    "|",
    "\\",
    "\\b",
    "(?i)",
    "(?=",
    "(?!",
    "(?<=",
    "\\1",
    "(?P<n>",
    "(?&n)",
    "{{words}}",
    "{{missing}}",
    "-",
    ",",
    "\u00a0",
    "\n",
    "'''",
    '"',
    "\x00",
]
REGEXES = st.lists(st.sampled_from(REGEX_PIECES), max_size=12).map("".join) | st.text(max_size=20)
KINDS = [
    "drop_line",
    "strip_span",
    "replace",
    "drop_block",
    "dedupe_words",
    "normalize_whitespace",
    "fix_encoding",
    "drop_doc",
    "nope",
]
SCALARS = st.one_of(st.integers(-5, 10**12), st.booleans(), st.floats(allow_nan=False), REGEXES, st.none())
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=6)


def toml_value(value: object) -> str:
    """A TOML literal for `value` (None leaves the key out; see toml_table)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if not isinstance(value, float) or value == value else "0"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=True).replace("\\ud", "\\uFFFD\\ud")  # TOML has no surrogates
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value if v is not None) + "]"
    raise TypeError(value)


def toml_table(values: dict) -> str:
    return "".join(f"{k} = {toml_value(v)}\n" for k, v in values.items() if v is not None)


RULE = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["fz.one", "fz.two", "Bad Id", "fz.one"]),
        "kind": st.sampled_from(KINDS),
        "description": st.sampled_from(["d", "", "a rule"]),
        "pattern": REGEXES,
    },
    optional={
        "unless": REGEXES,
        "start": REGEXES,
        "end": REGEXES,
        "replacement": st.text(max_size=5),
        "first_lines": SCALARS,
        "words": VALUES,
        "examples": st.lists(
            st.fixed_dictionaries(
                {"input": st.text(max_size=30)}, optional={"output": st.text(max_size=10), "unchanged": st.booleans()}
            ),
            max_size=3,
        ),
        "extra": VALUES,
    },
)
LISTS = st.dictionaries(
    st.sampled_from(["words", "seps", "bad-name"]), st.one_of(REGEXES, st.lists(REGEXES, max_size=4))
)


def rule_file(lists: dict, rules: list[dict]) -> str:
    out = ""
    if lists:
        out += "[lists]\n" + "".join(f'"{k}" = {toml_value(v)}\n' for k, v in lists.items())
    for r in rules:
        examples = r.pop("examples", None)
        out += "\n[[rule]]\n" + toml_table(r)
        if examples is not None:
            out += (
                "examples = ["
                + ", ".join("{ " + toml_table(e).strip().replace("\n", ", ") + " }" for e in examples)
                + "]\n"
            )
    return out


def assert_check_is_clean(text: str, tmp: Path, defaults: bool = False) -> None:
    """`cleaner rules check` on this file: exit 0, 1 (failures found) or 2 (broken file, named), in bounded time."""
    path = tmp / "fuzzed.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    args = ["rules", "check", "--rules", str(path), *([] if defaults else ["--no-default-rules"])]
    start = time.monotonic()
    result = CliRunner().invoke(app, args)
    assert time.monotonic() - start < BOUND
    assert result.exception is None or isinstance(result.exception, SystemExit), (text, result.exception)
    assert result.exit_code in (0, 1, 2), (text, result.output)
    if result.exit_code == 2:
        assert "fuzzed.toml" in result.stderr or "no rule" in result.stderr, result.stderr


def assert_loads_or_names_problems(text: str) -> None:
    start = time.monotonic()
    try:
        compile_sources(((("fuzzed.toml", text),),))
    except RuleFileError as exc:
        assert exc.problems and all(str(p.path) == "fuzzed.toml" for p in exc.problems)
    assert time.monotonic() - start < BOUND


def _generated_rule_files(lists, rules):
    assert_loads_or_names_problems(rule_file(lists, rules))


@FEW
@given(LISTS, st.lists(RULE, max_size=3))
def test_generated_rule_files_load_or_name_their_problems(lists, rules):
    _generated_rule_files(lists, rules)


@pytest.mark.slow
@MANY
@given(LISTS, st.lists(RULE, max_size=3))
def test_generated_rule_files_load_or_name_their_problems_long(lists, rules):
    _generated_rule_files(lists, rules)


DEFAULT_FILES = sorted(default_rules_dir().glob("*.toml"))
SNIPPETS = [
    "{99999999}",
    "{1000}{1000}",
    "(?:",
    ")",
    "'''",
    '"',
    "\\",
    "[",
    "]]",
    "{{nope}}",
    "\n[[rule]]\n",
    "\n[lists]\n",
    "= ",
    "\x00",
    "\ud800",
    "(a|aa)+$",
    "\n",
    "#",
    "0" * 30,
]
MUTATION = st.tuples(
    st.sampled_from(["insert", "delete", "replace"]),
    st.floats(0, 1),
    st.integers(1, 40),
    st.sampled_from(SNIPPETS) | st.text(max_size=8),
)


def mutate(text: str, mutations: list) -> str:
    for op, where, length, snippet in mutations:
        at = int(where * len(text))
        if op == "insert":
            text = text[:at] + snippet + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + length :]
        else:
            text = text[:at] + snippet + text[at + len(snippet) :]
    return text


def _mutated_default_rule_file(tmp_path_factory, index, mutations):
    source = DEFAULT_FILES[index % len(DEFAULT_FILES)].read_text("utf-8")
    assert_check_is_clean(mutate(source, mutations), tmp_path_factory.mktemp("fz"))


@FEW
@given(st.integers(0, 1000), st.lists(MUTATION, min_size=1, max_size=4))
def test_mutated_default_rule_files_pass_check_or_name_their_problems(tmp_path_factory, index, mutations):
    _mutated_default_rule_file(tmp_path_factory, index, mutations)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(0, 1000), st.lists(MUTATION, min_size=1, max_size=4))
def test_mutated_default_rule_files_pass_check_or_name_their_problems_long(tmp_path_factory, index, mutations):
    _mutated_default_rule_file(tmp_path_factory, index, mutations)


# --- JSONL and Parquet -------------------------------------------------------------------


def deep(n: int) -> bytes:
    return b'{"id": "deep", "text": "x", "meta": ' + b"[" * n + b"]" * n + b"}"


JSONL_LINES = st.one_of(
    st.binary(max_size=60),
    st.builds(lambda n: deep(n), st.integers(1, 100_000)),
    st.builds(
        lambda n, c: json.dumps({"id": "big", "text": c * n}).encode(),
        st.integers(0, 3_000_000),
        st.sampled_from(["a", "é", "\n", " ", "\u00a0", "\ufffd"]),
    ),
    st.sampled_from(
        [
            b'{"text": "\\ud800"}',
            b'{"text": 1e999}',
            b'{"text": "a", "text": 5}',
            b"\xef\xbb\xbf{}",
            b'{"id": {"a": 1}, "text": "x"}',
            b"[]",
            b"null",
            b'"text"',
            b'{"text": "a\\u0000b"}',
        ]
    ),
)


def run_jsonl(data: bytes, pipeline) -> None:
    """Read `data` as a JSONL file and clean it as a worker would: every line is accounted for."""
    from cleaner.runner.options import RunOptions
    from cleaner.runner.tasks import Task, jsonl_batches
    from cleaner.runner.work import run_task, set_pipeline

    set_pipeline(pipeline, RunOptions(workers=1))
    start = time.monotonic()
    try:
        batches = list(jsonl_batches(io.BytesIO(data)))
    except InputProblem:
        return  # a clear refusal of the whole file (UTF-16)
    seen = 0
    for seq, (lines, _size, last) in enumerate(batches):
        result = run_task(Task(0, seq, "jsonl", "fuzz.jsonl", lines, last=last))
        records = [raw for _, raw in lines if raw.strip()]
        stats = result.stats
        assert stats.read == len(records) == stats.written + stats.quarantined + stats.dropped_empty
        assert len(result.quarantine) == stats.quarantined
        assert all(entry["reason"] for entry in result.quarantine)
        seen += len(lines)
    assert seen == data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    assert time.monotonic() - start < BOUND


@FEW
@given(st.lists(JSONL_LINES, max_size=5))
def test_jsonl_of_any_bytes_is_written_or_quarantined(pipeline, lines):
    run_jsonl(b"\n".join(lines), pipeline)


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(JSONL_LINES, max_size=8))
def test_jsonl_of_any_bytes_is_written_or_quarantined_long(pipeline, lines):
    run_jsonl(b"\n".join(lines), pipeline)


def parquet_bytes() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(
        pa.Table.from_pylist([{"id": f"r{i}", "text": f"Advertisement\nRow {i}.\n"} for i in range(50)]), sink
    )
    return sink.getvalue()


def read_parquet(data: bytes, tmp: Path) -> None:
    """A damaged Parquet file is refused as a whole with a clear reason, or read in full."""
    pytest.importorskip("pyarrow")
    from cleaner.runner.tasks import tasks_for
    from cleaner.runner.units import Unit

    path = tmp / "fuzz.parquet"
    path.write_bytes(data)
    try:
        tasks = list(tasks_for(Unit(0, path, None, "parquet")))
    except InputProblem as exc:
        assert str(exc)
        return
    assert tasks[-1].last


PARQUET = st.one_of(
    st.binary(max_size=300),
    st.tuples(st.integers(0, 10_000), st.binary(min_size=1, max_size=8)).map(
        lambda cut: (lambda d: d[: cut[0] % len(d)] + cut[1] + d[cut[0] % len(d) + len(cut[1]) :])(parquet_bytes())
    ),
    st.integers(0, 10_000).map(lambda n: parquet_bytes()[: n % len(parquet_bytes())]),
)


@FEW
@given(PARQUET)
def test_damaged_parquet_is_refused_clearly(tmp_path_factory, data):
    read_parquet(data, tmp_path_factory.mktemp("pq"))


@pytest.mark.slow
@MANY
@given(PARQUET)
def test_damaged_parquet_is_refused_clearly_long(tmp_path_factory, data):
    read_parquet(data, tmp_path_factory.mktemp("pq"))


# --- HTML --------------------------------------------------------------------------------

BODY = "<p>" + " ".join(f"Sentence {j} is long enough to be kept as the main text of this page." for j in range(6))
PAGE = f"<html><head><title>T</title></head><body><article><h1>Title</h1>{BODY}</p></article></body></html>"
HTML = st.one_of(
    st.integers(0, len(PAGE)).map(lambda n: PAGE[:n].encode()),  # truncated
    st.integers(1, 50_000).map(lambda n: ("<div>" * n + BODY + "</div>" * (n // 2)).encode()),  # deeply nested
    st.binary(max_size=400).map(lambda b: PAGE.encode()[:120] + b + PAGE.encode()[120:]),  # binary inside
    st.integers(1, 2_000_000).map(lambda n: f'<html><body><div class="{"x" * n}">{BODY}</div></body></html>'.encode()),
    st.integers(1, 20_000).map(lambda n: ("<html><body>" + "<a href=x>" * n + BODY).encode()),  # unclosed tags
    st.binary(max_size=200),
)


def extract(data: bytes) -> None:
    from cleaner.io.html import extract_page

    start = time.monotonic()
    try:
        page = extract_page(data)
    except InputProblem as exc:
        assert str(exc)
    else:
        assert isinstance(page.text, str)
    assert time.monotonic() - start < BOUND


@FEW
@given(HTML)
def test_any_html_gives_text_or_a_clear_reason(data):
    extract(data)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(HTML)
def test_any_html_gives_text_or_a_clear_reason_long(data):
    extract(data)


# --- the regression corpus: every input that ever broke the promise -----------------------


def corpus_cases() -> list:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "README.md")


@pytest.mark.parametrize("case", corpus_cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fuzz_corpus_replays(case, tmp_path, pipeline):
    data = case.read_bytes()
    edge = case.parent.name
    if edge == "rules":
        assert_check_is_clean(data.decode("utf-8"), tmp_path)
    elif edge == "jsonl":
        run_jsonl(data, pipeline)
    elif edge == "parquet":
        read_parquet(data, tmp_path)
    elif edge == "html":
        extract(data)
    else:
        pytest.fail(f"unknown edge {edge}")
