"""`cleaner mine`: recurring lines become families, families become a draft rule file that validates,
and each drafted rule, alone, removes the lines it was mined from and no prose that shares their words."""

from __future__ import annotations

import gzip
import json
import random
import re
import tomllib
from pathlib import Path

import pytest

from cleaner import load_rules
from cleaner.authoring.draft import toml_string
from cleaner.authoring.generalise import family_pattern
from cleaner.authoring.lines import Template, templates, tokenize

from .conftest import ROOT

NAMES = ["Jane Doe", "Ahmed Karimi", "Li Wei", "Maria Gonzalez", "Tom O'Brien", "Olu Adeyemi", "Anna Nowak",
         "Pierre Martin", "Sam", "Grace Hopper-Lee", "Ravi Shankar Rao", "Eva Lind"]  # fmt: skip
CREDITS = ["Reuters", "Getty Images", "AP Photo/John Smith", "AFP", "EPA-EFE/Kim Park", "Jane Roe for The Paper"]
TOPICS = ["harbour", "budget", "school", "railway", "library", "hospital", "bridge", "market", "stadium", "museum",
          "tramline", "reservoir"]  # fmt: skip
PLACES = ["the north bank", "the old quarter", "the valley towns", "the coastal villages", "the eastern suburbs",
          "the river district", "the hill farms", "the market square", "the port estate", "the ring road",
          "the canal side", "the airport zone"]  # fmt: skip


def prose(rng: random.Random, i: int) -> list[str]:
    """Sentences of a made-up news story; three share words with the boilerplate (follow, Twitter, photo,
    comments, reply) yet are prose. Each is long and varied enough not to recur as a form."""
    topic, place = TOPICS[i], PLACES[i]
    n = rng.randint(3, 40)
    return [
        f"Residents of {place} who follow the {topic} debate closely on Twitter said on day {n} that nobody "
        f"had asked them before the plans for the {topic} were drawn up.",
        f"A photo taken in {place} shows the {topic} at dawn, {n} hours before inspectors arrived to check "
        f"what the contractors had left behind.",
        f"Officials declined to reply to questions about the {topic}, and comments from {n} councillors were "
        f"sent by letter to {place} instead of being read aloud.",
        f"The {topic} opened in {1900 + n * 3} and has been repaired {n} times since, mostly after the winter "
        f"storms that flood {place} every few years.",
    ]


def boilerplate(rng: random.Random, i: int) -> list[str]:
    return [
        "Leave a Reply",
        f"{rng.randint(2, 90)} Comments",
        f"Follow {NAMES[i]} on Twitter",
        f"Photo: {CREDITS[i % len(CREDITS)]}",
    ]


def planted_corpus(folder: Path, docs: int = 12) -> tuple[set[str], set[str]]:
    """Text files of prose with boilerplate lines; returns (boilerplate lines, prose lines)."""
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    planted: set[str] = set()
    kept: set[str] = set()
    for i in range(docs):
        body, extra = prose(rng, i), boilerplate(rng, i)
        planted.update(extra)
        kept.update(body)
        lines = [body[0], extra[3], body[1], body[2], extra[0], extra[1], body[3], extra[2]]
        (folder / f"doc{i:02}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return planted, kept


def rules_of(draft: Path) -> list[dict]:
    return tomllib.loads(draft.read_text(encoding="utf-8")).get("rule", [])


def removed_by(rule_id: str, draft: Path, texts: list[str]) -> set[str]:
    """The lines one drafted rule, applied alone, removes from `texts`."""
    alone = load_rules([draft], defaults=False, select=[rule_id])
    gone: set[str] = set()
    for text in texts:
        kept = alone.apply(text).text.splitlines()
        gone.update(line for line in text.splitlines() if line not in kept)
    return gone


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    """The planted corpus, mined once with only the draft's own rules (no defaults)."""
    from .conftest import run_cli

    root = tmp_path_factory.mktemp("mine")
    planted, kept = planted_corpus(root / "corpus")
    draft = root / "draft.toml"
    r = run_cli("mine", str(root / "corpus"), "--no-default-rules", "-o", str(draft))
    assert r.returncode == 0, r.stderr.decode()
    return root, planted, kept, draft, r.stderr.decode()


def test_draft_validates_as_written(mined, cli):
    _, _, _, draft, _ = mined
    r = cli("rules", "check", "--no-default-rules", "--rules", str(draft))
    assert r.returncode == 0, r.stdout.decode()
    assert "0 failed" in r.stdout.decode() and "0 pattern(s) flagged" in r.stdout.decode()


def test_each_rule_alone_removes_its_lines_and_spares_prose(mined):
    root, planted, kept, draft, _ = mined
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "corpus").iterdir())]
    rules = rules_of(draft)
    assert len(rules) == 4, [r["id"] for r in rules]  # one per planted family
    removed: set[str] = set()
    for rule in rules:
        gone = removed_by(rule["id"], draft, texts)
        changed = [ex["input"] for ex in rule["examples"] if "output" in ex]
        assert set(changed) <= gone, rule["id"]  # the lines it was mined from
        assert not gone & kept, (rule["id"], gone & kept)  # prose sharing their words survives
        removed |= gone
    assert removed == planted  # every recurring line, and nothing else


def test_families_generalise_over_what_varies(mined):
    _, _, _, draft, stderr = mined
    patterns = {r["id"]: re.sub(r"\s+", " ", r["pattern"]) for r in rules_of(draft)}
    follow = next(p for i, p in patterns.items() if i.startswith("mined.follow"))
    comments = next(p for i, p in patterns.items() if "comments" in i)
    assert r"\d+" in comments
    pipeline = load_rules([draft], defaults=False)
    # a name the corpus never showed, and a count it never showed
    assert pipeline.apply("Follow Someone Else on Twitter\nBody.\n").text == "Body.\n"
    assert pipeline.apply("1234 comments\nBody.\n").text == "Body.\n"
    assert "^" in follow and "$" in follow
    assert "12 documents" in draft.read_text(encoding="utf-8")
    assert "mined.follow" in stderr and "docs" in stderr  # the table


def test_each_rule_has_three_real_examples_and_a_corpus_lookalike(mined):
    _, planted, kept, draft, _ = mined
    for rule in rules_of(draft):
        changed = [ex["input"] for ex in rule["examples"] if "output" in ex]
        unchanged = [ex["input"] for ex in rule["examples"] if ex.get("unchanged")]
        assert changed and set(changed) <= planted
        assert len(changed) == min(3, len(changed)) and len(set(changed)) == len(changed)
        assert len(unchanged) == 1 and unchanged[0] in kept  # a prose line of the corpus
    follow = next(r for r in rules_of(draft) if r["id"].startswith("mined.follow"))
    assert len([ex for ex in follow["examples"] if "output" in ex]) == 3


# Headings each used once: they share a first word (a function word), not a form.
HEADINGS = ["Die Ergebnisse", "Die wichtigsten Infos:", "Die Holzballen im Winter", "Das Wetter morgen",
            "Das neue Stadion", "Was zieht mir Energie?", "Was bringt der Sommer?", "Was kostet das Ticket?",
            "The results", "The new stadium plan", "The winter ahead", "What the council decided",
            "What comes next?", "What it costs", "How it works", "How to apply", "How we checked",
            "Wie es weitergeht", "Wie alles begann", "Wie teuer wird es?"]  # fmt: skip


def test_all_unique_prose_proposes_nothing(cli, tmp_path):
    """Sentences of the seeds, each used once, one per line, and headings that share only a function word:
    prose does not recur as a form."""
    sentences: list[str] = []
    for seed in sorted((ROOT / "seeds").iterdir()):
        for para in seed.read_text(encoding="utf-8").splitlines():
            sentences += [s.strip() for s in re.split(r"(?<=[.!?”])\s+(?=[A-Z“])", para) if len(s.split()) >= 4]
    sentences = list(dict.fromkeys(sentences))
    corpus = tmp_path / "prose"
    corpus.mkdir()
    for i in range(10):
        lines = [HEADINGS[i], *sentences[i::10], HEADINGS[i + 10]]
        (corpus / f"{i}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = cli("mine", str(corpus), "--no-default-rules")
    assert r.returncode == 0, r.stderr.decode()
    assert "[[rule]]" not in r.stdout.decode()
    assert "nothing to propose" in r.stdout.decode()
    assert "0 family(ies) proposed" in r.stderr.decode()
    draft = tmp_path / "empty.toml"
    draft.write_bytes(r.stdout)
    assert cli("rules", "check", "--rules", str(draft)).returncode == 0


def test_lines_the_current_rules_remove_are_not_proposed(cli, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    rng = random.Random(3)
    for i in range(5):
        body = prose(rng, i)
        lines = [body[0], "Advertisement", body[1], "Tell us what you think of the new layout", body[2]]
        (corpus / f"{i}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with_defaults = cli("mine", str(corpus)).stdout.decode()
    without = cli("mine", str(corpus), "--no-default-rules").stdout.decode()
    assert '"Advertisement"' not in with_defaults and '"Advertisement"' in without  # default rules drop ad markers
    assert "Tell us what you think of the new layout" in with_defaults


def test_jsonl_gz_by_source_counts_recurrence_within_a_source(cli, tmp_path):
    """A line in 3 documents of one domain recurs; a line once in each of 3 domains does not, with --by."""
    rng = random.Random(5)
    records = []
    for i in range(9):
        domain = ["a.example", "b.example", "c.example"][i % 3]
        text = prose(rng, i) + (["Sign in to our app for the full edition"] if domain == "a.example" else [])
        if i < 3:
            text.append("Shared by one reader of each site")
        records.append({"id": f"r{i}", "domain": domain, "body": "\n".join(text)})
    path = tmp_path / "corpus.jsonl.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode()))
    flat = cli("mine", str(path), "--text-field", "body", "--no-default-rules")
    per_source = cli("mine", str(path), "--text-field", "body", "--by", "domain", "--no-default-rules")
    assert flat.returncode == per_source.returncode == 0, per_source.stderr.decode()
    assert "Shared by one reader" in flat.stdout.decode()
    assert "Shared by one reader" not in per_source.stdout.decode()
    assert "Sign in to our app" in per_source.stdout.decode()
    assert "of 1 source(s) (domain)" in per_source.stdout.decode()


def test_html_pages_are_extracted_then_mined(cli, tmp_path):
    rng = random.Random(11)
    corpus = tmp_path / "pages"
    corpus.mkdir()
    for i in range(4):
        paras = "".join(f"<p>{s}</p>" for s in [*prose(rng, i), f"Photo: {CREDITS[i]}"])
        head = f"<head><meta charset='utf-8'><title>T{i}</title></head>"
        page = f"<html>{head}<body><article>{paras}</article></body></html>"
        data = page.encode("utf-8")
        if i % 2:
            (corpus / f"p{i}.html.gz").write_bytes(gzip.compress(data))
        else:
            (corpus / f"p{i}.html").write_bytes(data)
    r = cli("mine", str(corpus), "--no-default-rules", "--min-docs", "4")
    assert r.returncode == 0, r.stderr.decode()
    assert "4 document(s) read from 4 input(s)" in r.stderr.decode()
    rules = tomllib.loads(r.stdout.decode())["rule"]
    assert [r["id"] for r in rules] == ["mined.photo"]


def test_bad_records_are_named_and_skipped(cli, tmp_path):
    path = tmp_path / "c.jsonl"
    lines = [json.dumps({"text": "Leave a Reply\nSome prose here that is long enough."})] * 3
    lines.insert(1, "{not json")
    lines.append(json.dumps({"body": "no text field"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = cli("mine", str(path), "--no-default-rules")
    err = r.stderr.decode()
    assert r.returncode == 0
    assert f"{path}:2: not valid JSON" in err and f"{path}:5: no 'text' field" in err
    assert "3 document(s) read from 1 input(s), 2 skipped" in err
    assert "Leave a Reply" in r.stdout.decode()


def test_usage_errors(cli, tmp_path):
    assert cli("mine", str(tmp_path / "missing")).returncode == 2
    assert cli("mine", str(tmp_path), "--min-docs", "1").returncode == 2


# Units: keys, patterns, TOML strings.


def test_keys_normalise_digits_case_whitespace_and_apostrophes():
    assert tokenize("12 Comments").key == tokenize("3  comments").key
    assert tokenize("Don’t miss").key == tokenize("don't MISS").key
    assert tokenize("Comments").key != tokenize("Comment").key


def test_pattern_matches_every_spelling_of_its_key():
    lines = ["Tom O’Brien’s 12 comments", "tom o'brien's 3 COMMENTS", "Tom  O'Brien's 4 Comments"]
    pattern = re.compile(family_pattern(Template(tokenize(lines[0]).key), []))
    assert all(pattern.search(line) for line in lines)
    assert not pattern.search("Tom O'Brien's comments")


def test_wildcard_templates_need_a_fixed_form():
    for line in ["12 34", "Die Ergebnisse", "The results", "What is it?", "Und jetzt?", "- the rest"]:
        key = tokenize(line).key
        assert templates(key) == [Template(key)], line  # numbers, or a function word alone: no form
    photo = tokenize("Photo: Getty Images").key
    assert Template(photo[:2], (), True) in templates(photo)  # `photo: …`


@pytest.mark.parametrize("text", ['say "hi" \\ there', "nbsp\u00a0and\u200bzwsp", "tab\tdel\x7f", "emoji 😀 ok"])
def test_toml_strings_round_trip(text):
    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text


def test_stdin_jsonl_and_max_docs(cli):
    records = [
        {"text": f"Story {i} begins with a sentence of its own, number {i}.\nTell us what you think"} for i in range(6)
    ]
    data = "".join(json.dumps(r) + "\n" for r in records).encode()
    r = cli("mine", "--format", "jsonl", "--no-default-rules", input=data)
    assert r.returncode == 0 and "6 document(s) read" in r.stderr.decode()
    assert "mined.tell-us-what-you" in r.stdout.decode()
    few = cli("mine", "-", "--format", "jsonl", "--no-default-rules", "--max-docs", "2", input=data)
    assert "2 document(s) read" in few.stderr.decode() and "[[rule]]" not in few.stdout.decode()
