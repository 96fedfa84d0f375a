"""postfeed's Markdown renderer gives, byte for byte, what a plain Python-Markdown
instance of the same profile gives: its tuning (the inline patterns in a list rather
than looked up in the registry each time, a pattern passed over for text without
the characters every match of it holds, and where a link's brackets close found
without a step for each character) changes nothing but the time."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postfeed.model import MarkdownProfile
from postfeed.reading.frontmatter import split
from postfeed.reading.sources import astro, eleventy, jekyll
from postfeed.rendering import markup

ROOT = Path(__file__).resolve().parent.parent

# Every inline pattern of "extra" and of the generators' profiles has something to match.
EVERY_PATTERN = """\
Code `x = 1` and ``a `b` c``, an escaped \\*star\\*, a footnote[^1] and an *HTML* abbreviation.
A [link](https://example.com/ "title"), a [reference][ref], a [short one], an
![image](/a.png), ![a reference image][ref] and ![short], <https://example.com/auto>,
<mail@example.com>, a hard break<BR>
here, <span class="x">inline HTML</span>, &amp; &copy; &#169; entities, **strong**,
_em_, ***both***, __strong__ and ~~struck~~, "quotes" -- and... www.example.org, H~2~O.

- [ ] a task
- [x] done

Term
:   Definition with `code`.

| a | b |
|---|---|
| *1* | [2](/two) |

```go
fmt.Println("hi")
```

{: #id .class }
Paragraph with attributes.
{: .more }

*[HTML]: Hyper Text Markup Language
[^1]: The note, with a [link](/note).
[ref]: https://example.com/ref
[short one]: /short
[short]: /short.png
""".replace("<BR>", "  ")  # two spaces at a line's end: a hard break


_JEKYLL = MarkdownProfile(name="jekyll", extensions=jekyll._EXTENSIONS, settings=jekyll._SETTINGS)


def _plain(profile: MarkdownProfile, text: str) -> str:
    md = markdown.Markdown(
        extensions=list(profile.extensions),
        extension_configs={name: markup._options(options) for name, options in profile.settings},
    )
    return md.convert(text)


def _texts() -> list[str]:
    posts = sorted((ROOT / "posts").glob("*.md"))
    assert posts
    return [EVERY_PATTERN, *(split(path.read_text(encoding="utf-8")).body for path in posts)]


@pytest.mark.parametrize(
    "profile",
    [
        markup.POSTFEED,
        eleventy._PROFILE,
        astro._PROFILE,
        _JEKYLL,
    ],
    ids=lambda profile: profile.name,
)
def test_renderer_renders_as_python_markdown_does(profile: MarkdownProfile) -> None:
    renderer = markup.Renderer(profile)
    lists = [
        processor.inlinePatterns
        for processor in renderer._md.treeprocessors
        if hasattr(processor, "inlinePatterns")
    ]
    assert any(isinstance(patterns, markup._Patterns) for patterns in lists)
    inline = renderer._md.treeprocessors["inline"]
    assert "_InlineProcessor__handleInline" in vars(inline)  # the skipping loop
    links = [
        pattern
        for pattern in renderer._md.inlinePatterns
        if isinstance(pattern, markdown.inlinepatterns.LinkInlineProcessor)
    ]
    assert links
    assert all(vars(pattern)["_findBracketEnds"] is markup._BracketEnds for pattern in links)
    for text in _texts():
        # Twice: the renderer is reused, and must forget the last text's references.
        assert renderer.render(text) == _plain(profile, text)
        assert renderer.render(text) == _plain(profile, text)


def test_patterns_list_answers_as_the_registry_does() -> None:
    md = markdown.Markdown(extensions=["extra"])
    registry = md.inlinePatterns
    patterns = markup._Patterns(registry)
    assert list(patterns) == list(registry)
    assert len(patterns) == len(registry)
    assert [patterns[at] for at in range(len(patterns))] == [
        registry[at] for at in range(len(registry))
    ]
    assert "link" in patterns
    assert "nothing" not in patterns
    assert patterns.get_index_for_name("link") == registry.get_index_for_name("link")


def test_the_patterns_passed_over_are_known() -> None:
    """The default profile's patterns whose regular expressions are known: with
    Python-Markdown 3.11, all of them."""
    md = markdown.Markdown(extensions=list(markup.POSTFEED.extensions))
    known = [pattern.compiled_re.pattern in markup._NEEDS for pattern in md.inlinePatterns]
    assert any(known)
    if markdown.__version_info__[:2] == (3, 11):
        assert all(known)


# Text made of words and of every character an inline pattern looks for, on lines
# that may end with the two spaces of a hard break.
_INLINE = st.text(
    alphabet=list("abc xy \n") + list("*_`\\[]()!<>&#^~:;/.@=-|\"'{}"),
    max_size=80,
).map(lambda text: text.replace("\n", "  \n", 1))


@settings(max_examples=1500, deadline=None)
@given(_INLINE)
def test_renderer_agrees_with_python_markdown_on_generated_text(text: str) -> None:
    for profile, renderer in _RENDERERS:
        assert renderer.render(text) == _plain(profile, text)


_RENDERERS = [(profile, markup.Renderer(profile)) for profile in (markup.POSTFEED, astro._PROFILE)]


def test_own_extensions_are_made_without_looking_up_entry_points() -> None:
    """Python-Markdown's own extensions ("extra" as the ones it stands for) are made
    directly: making a renderer reads no distribution's entry points."""
    import markdown.util

    markdown.util.get_installed_extensions.cache_clear()
    own = MarkdownProfile(name="own", extensions=("extra", "sane_lists", "toc", "smarty"))
    rendered = {
        profile: markup.Renderer(profile).render(EVERY_PATTERN)
        for profile in (markup.POSTFEED, own)
    }
    assert markdown.util.get_installed_extensions.cache_info().currsize == 0
    for profile, html in rendered.items():
        assert html == _plain(profile, EVERY_PATTERN)
    # A name Python-Markdown resolves itself still works, with its settings.
    tilde = MarkdownProfile(
        name="tilde",
        extensions=("pymdownx.tilde",),
        settings=(("pymdownx.tilde", (("subscript", False),)),),
    )
    assert markup.Renderer(tilde).render("H~2~O ~~x~~") == _plain(tilde, "H~2~O ~~x~~")


# Brackets, and what is not one.
_BRACKETS = st.text(alphabet="[]a", max_size=60)


@settings(max_examples=3000, deadline=None)
@given(_BRACKETS)
def test_bracket_ends_are_python_markdowns(data: str) -> None:
    """For every index of a text (and its length, and counted from the end), where a
    bracket opened before it closes is what Python-Markdown 3.11 finds, a character
    at a time."""
    stock = markdown.inlinepatterns.LinkInlineProcessor._findBracketEnds
    expected = stock(data)
    ends = markup._BracketEnds(data)
    assert [ends[index] for index in range(len(data) + 1)] == expected
    assert [ends[-index] for index in range(1, len(data) + 2)] == [
        expected[-index] for index in range(1, len(data) + 2)
    ]
    for index in (len(data) + 1, -len(data) - 2):
        with pytest.raises(IndexError):
            ends[index]


@pytest.mark.parametrize(
    "text",
    [
        "[a [nested] link](/x) and [another](/y), [unclosed and [one](/z)",
        "[" * 300 + " no bracket closes, then a [link](/l)",
        "]" * 50 + "[closed](/c) " + "[[[x]]](/deep) ![img [alt]](/i.png)",
        " ".join(f"[link {n}](/p/{n}) [ref {n}][r]" for n in range(200)) + "\n\n[r]: /ref\n",
    ],
    ids=["nested", "unclosed", "stray", "many"],
)
def test_links_render_as_python_markdown_does(text: str) -> None:
    """Links whose brackets nest, never close, or come by the hundred render to the
    same bytes."""
    assert markup.Renderer(markup.POSTFEED).render(text) == _plain(markup.POSTFEED, text)
