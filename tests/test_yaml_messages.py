"""YAML mistakes get messages a newcomer can act on: the line to change, and for a value
that needs quotes, the line written with them, which YAML then reads as meant."""

from __future__ import annotations

import pytest

from postfeed.reading._yaml import YAMLProblem, load_mapping


@pytest.mark.parametrize(
    ("line", "meant"),
    [
        ("title: Go: a guide", "Go: a guide"),
        ('title: It\'s "fine": ok', 'It\'s "fine": ok'),
        ("title: Note:", "Note:"),
        ("title: @home", "@home"),
        ("title: `code` in titles", "`code` in titles"),
        ("title: %d things", "%d things"),
        ("title: *bold* claims", "*bold* claims"),
        ("title: |x", "|x"),
        ("title: > quoted", "> quoted"),
        ("title: - a list?", "- a list?"),
        ("title: [WIP] Notes", "[WIP] Notes"),
        ("title: {draft} Notes", "{draft} Notes"),
        ('title: "Quoted" twice', '"Quoted" twice'),
        ("title: Über: ein Überblick # a comment", "Über: ein Überblick"),
    ],
)
def test_the_suggested_line_reads_as_meant(line: str, meant: str) -> None:
    """The fixed line a message gives is valid YAML that holds the value as written."""
    with pytest.raises(YAMLProblem) as info:
        load_mapping(f"{line}\ndate: 2024-05-01\n", first_line=2)
    assert info.value.line == 2
    assert info.value.message.startswith("invalid YAML: a value ")
    fixed = info.value.message.split(" must be quoted: ", 1)[1]
    assert load_mapping(fixed).data == {"title": meant}


def test_list_item_under_a_value_suggests_the_whole_list() -> None:
    """Items under a key that has a value become one list, quoted where YAML needs it."""
    text = "tags: go\n- testing\n- 'a, b'\n- x: y\ntitle: T\n"
    with pytest.raises(YAMLProblem) as info:
        load_mapping(text)
    assert (info.value.line, info.value.message) == (
        2,
        "invalid YAML: a list item under 'tags', which already has a value:"
        ' write tags: [go, testing, "\'a, b\'", "x: y"]',
    )
    fixed = info.value.message.split("write ", 1)[1]
    assert load_mapping(fixed).data == {"tags": ["go", "testing", "'a, b'", "x: y"]}


def test_a_list_in_the_middle_of_a_text_is_refused() -> None:
    """YAML would read 'tags: go' and an indented '- testing' as the text 'go - testing'."""
    with pytest.raises(YAMLProblem) as info:
        load_mapping("title: T\ntags: go\n  - testing\n  - fast\n", first_line=2)
    assert (info.value.line, info.value.message) == (
        4,
        "invalid YAML: a list item under 'tags', which already has a value:"
        " write tags: [go, testing, fast]",
    )


def test_valid_front_matter_is_untouched() -> None:
    """Text with colons, dashes and quotes that YAML reads as meant gives no problem."""
    data = load_mapping(
        "title: 'Go: a guide'\n"
        "url: https://x.org/a:b\n"
        "summary: >\n  Folded: text\n  - with a dash\n"
        "tags:\n  - go\n  - testing\n"
        "note: a - b\n"
        "time: 10:30\n"
    ).data
    assert data["title"] == "Go: a guide"
    assert data["summary"] == "Folded: text - with a dash\n"
    assert data["tags"] == ["go", "testing"]
    assert data["note"] == "a - b"
