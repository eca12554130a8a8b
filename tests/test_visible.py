from cleaner.visible import show, visible_diff


def test_show_names_invisible_characters():
    assert show("a\u00a0b\u200bc\u00ad\ufffd  ") == "a⟨NBSP⟩b⟨ZWSP⟩c⟨SHY⟩⟨U+FFFD⟩··"
    assert show("tab\there\r") == "tab→here␍"
    assert show("\u2028") == "⟨U+2028⟩"


def test_diff_reports_missing_final_newline():
    d = visible_diff("a\n", "a")
    assert "No newline at end of actual" in d


def test_diff_marks_changed_lines_only():
    d = visible_diff("one\ntwo \nthree\n", "one\ntwo\nthree\n")
    assert "-two·" in d and "+two" in d and " one" in d
