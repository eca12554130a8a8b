"""The match plan's compiled scanners on disk: reused when warm, rebuilt when damaged or
unwritable, never a reason for a run to fail; and the plain path where there is no scanner."""

from __future__ import annotations

import regex

from cleaner import load_rules
from cleaner.kinds.base import StepContext
from cleaner.match import cache, scanner
from cleaner.match.plan import MatchPlan

PATTERNS = [r"^(?i:advertisement)$", r"^Photo:\s*\S+", r"(?i)\bclick here\b"]
TEXT = "Body.\nADVERTISEMENT\nPhoto: AP\nPlease click here now\n"
EXPECTED = [[(1, 6, 19)], [(2, 20, 29)], [(3, 30, 51)]]


def plan() -> MatchPlan:
    p = MatchPlan()
    for source in PATTERNS:
        p.add(regex.compile(source))
    return p


def entries(folder):
    return sorted(folder.glob("plan-*.bin"))


def test_a_warm_cache_skips_the_compile(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    cold = plan()
    assert cold.candidates(TEXT, StepContext(2.0)) == EXPECTED
    assert cold.build_seconds > 0 and len(entries(tmp_path)) == 1
    warm = plan()
    assert warm.candidates(TEXT, StepContext(2.0)) == EXPECTED
    assert warm.build_seconds == 0


def test_other_patterns_get_their_own_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    plan().ready()
    other = MatchPlan()
    other.add(regex.compile(r"^Other$"))
    other.ready()
    assert len(entries(tmp_path)) == 2


def test_a_damaged_entry_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    plan().ready()
    (entry,) = entries(tmp_path)
    for damage in (b"", b"not json\n123", entry.read_bytes()[:-10], b'{"planned": [true], "length": 3}\nabc'):
        entry.write_bytes(damage)
        again = plan()
        assert again.candidates(TEXT, StepContext(2.0)) == EXPECTED


def test_an_unwritable_cache_never_breaks_a_run(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(blocker / "cache"))
    assert plan().candidates(TEXT, StepContext(2.0)) == EXPECTED


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() is None
    assert plan().candidates(TEXT, StepContext(2.0)) == EXPECTED
    assert not list(tmp_path.rglob("*.bin"))


def test_default_location_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("CLEANER_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "cleaner"


def test_without_a_scanner_the_plain_path_runs_with_one_notice(monkeypatch, capsys):
    import cleaner.match.plan as plan_module

    monkeypatch.setattr(scanner, "available", lambda: False)
    monkeypatch.setattr(plan_module, "_notified", False)
    fast = load_rules(fast=True)
    plain = load_rules(fast=False)
    texts = [TEXT, "READ\u00a0 Some headline here today - Outlet\nBody text.\n", "Advertisement\n\nBody.\n"]
    for text in texts:
        assert fast.apply(text) == plain.apply(text)
    err = capsys.readouterr().err
    assert err.count("hyperscan is not available") == 1


def test_one_pipeline_serves_several_threads():
    """Hyperscan's scratch space is per thread; a pipeline shared by threads gives each its own."""
    from concurrent.futures import ThreadPoolExecutor

    pipeline = load_rules()
    texts = [f"Advertisement\nBody {i} text here.\nRead more: Another story {i}\n" * 50 for i in range(40)]
    expected = [pipeline.apply(t) for t in texts]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(pipeline.apply, texts)) == expected
