"""postfeed's Markdown renderer gives, byte for byte, what a plain Python-Markdown
instance of the same profile gives: its one tuning (the inline patterns in a list
rather than looked up in the registry each time) changes nothing but the time."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest

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
        MarkdownProfile(name="jekyll", extensions=jekyll._EXTENSIONS, settings=jekyll._SETTINGS),
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
