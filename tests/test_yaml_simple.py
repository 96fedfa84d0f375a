"""Front matter in its most common shape ("key: value" lines, each value quoted or plain
text, or a list of such in brackets) is read without PyYAML, to exactly the data and
lines PyYAML gives; everything else is left to PyYAML. Compared here with PyYAML itself,
on hand-picked texts, on every post of this blog and on generated ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postfeed.reading import _yaml
from postfeed.reading._yaml import Mapping, YAMLProblem, load_mapping
from postfeed.reading.frontmatter import split

ROOT = Path(__file__).resolve().parent.parent


def _by_pyyaml(text: str, first_line: int = 1) -> Mapping:
    return _yaml._parsed(text, first_line, "front matter", timestamps=False, tagged=False)


@pytest.mark.parametrize(
    ("text", "data"),
    [
        (
            'title: "Fuzz (42)"\ndate: 2001-01-13T15:00:00+00:00\ntags: [grpc]\n'
            'categories: ["Case Studies"]\nauthors: [Nia Nord, Tam Vik]\n',
            {
                "title": "Fuzz (42)",
                "date": "2001-01-13T15:00:00+00:00",
                "tags": ["grpc"],
                "categories": ["Case Studies"],
                "authors": ["Nia Nord", "Tam Vik"],
            },
        ),
        ("title: Don't panic, it's fine\n", {"title": "Don't panic, it's fine"}),
        ("title: 'Say \"hi\"'\nslug: say-hi\n", {"title": 'Say "hi"', "slug": "say-hi"}),
        ('title: "C# & F#: a tour"\n', {"title": "C# & F#: a tour"}),
        ("image: https://example.com/a.png\n", {"image": "https://example.com/a.png"}),
        ("title: Café — naïve\n", {"title": "Café — naïve"}),
        ("tags: []\n\nsummary: x\n", {"tags": [], "summary": "x"}),
        ("tags: [\"a, b\", 'c', d e]\n", {"tags": ["a, b", "c", "d e"]}),
        (
            "cover-image: a.png\n_private: yes please\n",
            {"cover-image": "a.png", "_private": "yes please"},
        ),
        ("date: 2024-01-02\n", {"date": "2024-01-02"}),
        ("", {}),
    ],
)
def test_common_front_matter_is_read_without_pyyaml(text: str, data: dict[str, object]) -> None:
    """These take the quick way, and give what PyYAML gives."""
    quick = _yaml._simple_mapping(text, 2)
    assert quick is not None
    assert quick.data == data
    assert quick == _by_pyyaml(text, 2)
    assert load_mapping(text, first_line=2) == quick


@pytest.mark.parametrize(
    "text",
    [
        "draft: true\n",  # a boolean
        "draft: yes\n",  # YAML 1.1's boolean
        "weight: 10\n",  # a number
        "ratio: .5\n",
        "summary: ~\n",  # null
        "summary:\n",
        "title: a: b\n",  # YAML refuses it
        "title: foo # a comment\n",
        "# a comment\ntitle: x\n",
        "title: x\ntitle: y\n",  # a duplicate key
        "title: x\r\n",
        "title:\tx\n",
        "\ufefftitle: x\n",
        "title: x\x00\n",
        "title: a\u2028b\n",
        'title: "a\\"b"\n',  # an escape
        "title: 'it''s'\n",
        "title: >\n  folded\n",
        "title: |\n  literal\n",
        "title: first\n  second line\n",  # plain text on two lines
        "tags:\n  - a\n  - b\n",
        "tags: go\n  - testing\n",
        "tags: [a, [b]]\n",
        "tags: [a, {b: c}]\n",
        "tags: [a,]\n",
        "tags: [ ]\n",
        "tags: [yes, no]\n",
        "tags: [1, 2]\n",
        "tags: [a:b]\n",
        "author: {name: A}\n",
        "a: &x y\nb: *x\n",
        "title: !!str 1\n",
        "true: x\n",  # a key that is not text
        "1: x\n",
        "title: x \n",  # plain text ending with a space
        "  title: x\n",
        "---\ntitle: x\n",
        "title: -x\n",
        "title: `x`\n",
        "title: [a] b\n",
        "title: x:\n",
        "title: <<\n",
        "title: =\n",
    ],
)
def test_anything_else_is_read_by_pyyaml(text: str) -> None:
    """These are left to PyYAML, which reads or refuses them as before."""
    assert _yaml._simple_mapping(text, 1) is None
    try:
        expected: Mapping | str = _by_pyyaml(text)
    except YAMLProblem as err:
        expected = f"{err.line}: {err.message}"
    try:
        found: Mapping | str = load_mapping(text)
    except YAMLProblem as err:
        found = f"{err.line}: {err.message}"
    assert found == expected


def test_this_blogs_posts_are_read_without_pyyaml() -> None:
    """Every post of this blog has front matter in the common shape."""
    posts = sorted((ROOT / "posts").glob("*.md"))
    assert len(posts) >= 10
    for path in posts:
        parts = split(path.read_text(encoding="utf-8"))
        quick = _yaml._simple_mapping(parts.front_matter, parts.front_matter_line)
        assert quick is not None, path.name
        assert quick == _by_pyyaml(parts.front_matter, parts.front_matter_line), path.name


# Generated front matter: keys and values built from the characters YAML treats
# specially, so that the quick reader meets its edges often.
_CHARS = "abcXY019 -_.:#,[]{}\"'\\&*!|>%@`?~=<+é—\t\x85\u2028"
_KEYS = st.sampled_from(
    ["title", "date", "tags", "a-b", "_x", "yes", "on", "null", "1a", "x y", "é", "-k", "k:"]
)
_TEXT = st.text(alphabet=_CHARS, max_size=12)
_PLAIN = st.one_of(
    _TEXT,
    st.sampled_from(["yes", "No", "null", "~", "12", "0x1f", "1e3", ".inf", "2024-01-02", "a b"]),
)
_ITEM = st.one_of(_PLAIN, _TEXT.map(lambda t: f'"{t}"'), _TEXT.map(lambda t: f"'{t}'"))
_VALUE = st.one_of(
    _PLAIN,
    _TEXT.map(lambda t: f'"{t}"'),
    _TEXT.map(lambda t: f"'{t}'"),
    st.lists(_ITEM, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
    st.lists(_ITEM, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
)
_LINE = st.one_of(
    st.tuples(_KEYS, st.sampled_from([": ", ":  ", ":", ": \t"]), _VALUE).map("".join),
    st.sampled_from(["", " ", "# note", "  - item", "---"]),
)


# And front matter close to the common shape: text mostly of letters and spaces, with
# now and then a character YAML treats specially.
_NEAR_CHARS = list("abcdxyzAZ09 " * 4) + list(_CHARS) + ["\u00e9", "\u2014", "\U0001f600"]
_NEAR_TEXT = st.text(alphabet=_NEAR_CHARS, min_size=1, max_size=16)
_NEAR_ITEM = st.one_of(
    _NEAR_TEXT, _NEAR_TEXT.map(lambda t: f'"{t}"'), _NEAR_TEXT.map(lambda t: f"'{t}'")
)
_NEAR_VALUE = st.one_of(
    _NEAR_TEXT,
    _NEAR_TEXT.map(lambda t: f'"{t}"'),
    _NEAR_TEXT.map(lambda t: f"'{t}'"),
    st.lists(_NEAR_ITEM, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
)
_NEAR_LINE = st.one_of(
    st.tuples(
        st.sampled_from(["title", "date", "tags", "summary", "cover-image", "_x"]),
        st.sampled_from([": ", ":  "]),
        _NEAR_VALUE,
    ).map("".join),
    st.just(""),
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_LINE, max_size=6).map("\n".join), st.integers(min_value=1, max_value=4))
def test_quick_reading_agrees_with_pyyaml(text: str, first_line: int) -> None:
    """Whatever the quick reader accepts, PyYAML reads to the same data and lines."""
    quick = _yaml._simple_mapping(text, first_line)
    if quick is not None:
        assert quick == _by_pyyaml(text, first_line)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_NEAR_LINE, min_size=1, max_size=6).map("\n".join))
def test_quick_reading_agrees_with_pyyaml_near_the_common_shape(text: str) -> None:
    """The same, on text the quick reader mostly accepts."""
    quick = _yaml._simple_mapping(text, 2)
    if quick is not None:
        assert quick == _by_pyyaml(text, 2)
