"""The CI recipes: this repository's workflow, the GitHub Actions and GitLab CI examples in
docs/ci.md and the pre-commit hooks. Their YAML is parsed, and their commands run against a copy
of this blog in tmp_path (the CI services themselves are not involved)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml
from pre_commit.clientlib import load_manifest

# The CI recipes run real builds in subprocesses: seconds each.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).parent.parent
WORKFLOW = ROOT / ".github/workflows/feeds.yml"
GITHUB_EXAMPLE = ROOT / "docs/examples/github-feeds.yml"
GITLAB_EXAMPLE = ROOT / "docs/examples/gitlab-ci.yml"
CI_DOC = ROOT / "docs/ci.md"
SCRIPTS = Path(sys.executable).parent  # where this environment's postfeed command lives
PIN = '"postfeed=={}.*"'.format(".".join(version("postfeed").split(".")[:2]))
# Actions and the major versions current when this workflow was written.
ACTIONS = {
    "actions/checkout@v7",
    "actions/setup-python@v7",
    "actions/upload-pages-artifact@v5",
}


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    """A copy of this repository's blog: its config, posts and committed feeds."""
    copy = tmp_path / "blog"
    copy.mkdir()
    shutil.copy2(ROOT / "postfeed.yaml", copy)
    shutil.copytree(ROOT / "posts", copy / "posts")
    shutil.copytree(ROOT / "feeds", copy / "feeds")
    return copy


def _run(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run one recipe line with bash, as the CI runner does, with this postfeed on PATH."""
    environ = {
        **{k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")},
        "PATH": f"{SCRIPTS}{os.pathsep}{os.environ['PATH']}",
        **env,
    }
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", command],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _github_steps(path: Path, job: str) -> list[dict[str, Any]]:
    steps = _load(path)["jobs"][job]["steps"]
    assert isinstance(steps, list)
    return steps


def _commands(steps: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """A job's install commands and its other commands, in order."""
    runs = [str(step["run"]).strip() for step in steps if "run" in step]
    installs = [run for run in runs if run.startswith("python -m pip install")]
    return installs, [run for run in runs if run not in installs]


def _stale(blog: Path) -> None:
    """Edit a post the way an author does, without rebuilding the feeds."""
    post = blog / "posts/graceful-shutdown-go.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nOne more paragraph.\n", "utf-8")


@pytest.mark.parametrize("path", [WORKFLOW, GITHUB_EXAMPLE])
def test_github_workflow_shape(path: Path) -> None:
    """Pull requests run the check job, pushes to main the build job, with current actions."""
    workflow = _load(path)
    # PyYAML reads the key `on` as the boolean True (YAML 1.1).
    triggers = workflow[True]
    assert set(triggers) == {"pull_request", "push", "workflow_dispatch"}
    assert triggers["push"] == {"branches": ["main"]}
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    assert jobs["check"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["build"]["if"] == "github.event_name != 'pull_request'"
    uses = {step["uses"] for job in jobs.values() for step in job["steps"] if "uses" in step}
    assert uses == ACTIONS
    upload = next(s for s in jobs["build"]["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"] == {"path": "_site"}


def test_example_is_this_workflow_installed_from_pypi() -> None:
    """The documented workflow differs from this repository's only in how postfeed is installed."""
    ours = _load(WORKFLOW)
    theirs = _load(GITHUB_EXAMPLE)
    for job in ("check", "build"):
        ours_installs, ours_runs = _commands(_github_steps(WORKFLOW, job))
        their_installs, their_runs = _commands(_github_steps(GITHUB_EXAMPLE, job))
        assert ours_installs == ["python -m pip install ."]
        assert their_installs == [f"python -m pip install {PIN}"]
        assert ours_runs == their_runs
    text = yaml.safe_dump(ours).replace("python -m pip install .", f"python -m pip install {PIN}")
    assert text == yaml.safe_dump(theirs)


@pytest.mark.parametrize("path", [WORKFLOW, GITHUB_EXAMPLE])
def test_github_check_job_fails_on_stale_feeds(path: Path, blog: Path) -> None:
    """The pull request job passes on the committed feeds and fails, listing them, when stale."""
    installs, runs = _commands(_github_steps(path, "check"))
    assert len(installs) == 1
    assert runs == ["postfeed build --check"]
    github = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(blog)}
    fresh = _run(runs[0], blog, **github)
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout.startswith("postfeed: feeds in feeds are up to date (10 posts published")
    _stale(blog)
    stale = _run(runs[0], blog, **github)
    assert stale.returncode == 1
    listed = [line for line in stale.stderr.splitlines() if line.endswith(": stale")]
    assert "feeds/atom.xml: stale" in listed
    assert "feeds/tags/reliability/rss.xml: stale" in listed
    assert stale.stderr.splitlines()[-1].endswith("feed file(s) out of date; run 'postfeed build'")
    assert "::error file=feeds/atom.xml::feed file is stale" in stale.stdout


def test_github_check_job_annotates_broken_posts(blog: Path) -> None:
    """A broken post fails the check with an annotation on its line."""
    (blog / "posts/broken.md").write_text("---\ntitle: Broken\ndate: tomorow\n---\n", "utf-8")
    _, runs = _commands(_github_steps(WORKFLOW, "check"))
    result = _run(runs[0], blog, GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(blog))
    assert result.returncode == 2
    assert (
        result.stdout
        == "::error file=posts/broken.md,line=3::date: expected a date, got 'tomorow'\n"
    )


@pytest.mark.parametrize("path", [WORKFLOW, GITHUB_EXAMPLE])
def test_github_build_job_fills_the_artifact(path: Path, blog: Path) -> None:
    """The main-branch job writes every feed into _site/feeds/, as the site publishes them."""
    _, runs = _commands(_github_steps(path, "build"))
    for command in runs:
        result = _run(command, blog, GITHUB_ACTIONS="true")
        assert result.returncode == 0, result.stderr
    site = blog / "_site/feeds"
    assert sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file()) == sorted(
        p.relative_to(blog / "feeds") for p in (blog / "feeds").rglob("*") if p.is_file()
    )
    assert (site / "atom.xml").read_bytes() == (blog / "feeds/atom.xml").read_bytes()
    parsed = feedparser.parse((site / "rss.xml").read_bytes())
    assert not parsed.bozo
    assert len(parsed.entries) == 10


def test_gitlab_recipe(blog: Path) -> None:
    """The merge request job passes on fresh feeds and fails on stale ones; pages fills public/."""
    recipe = _load(GITLAB_EXAMPLE)
    check, pages = recipe["feeds-check"], recipe["pages"]
    assert check["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert pages["artifacts"] == {"paths": ["public"]}
    assert recipe["stages"] == ["test", "deploy"]
    for job in (check, pages):
        assert job["script"][0] == f"python -m pip install {PIN}"
    [command] = check["script"][1:]
    assert _run(command, blog).returncode == 0
    (blog / "feeds/tags/go/atom.xml").unlink()
    missing = _run(command, blog)
    assert missing.returncode == 1
    assert "feeds/tags/go/atom.xml: missing" in missing.stderr.splitlines()
    for command in pages["script"][1:]:
        result = _run(command, blog)
        assert result.returncode == 0, result.stderr
    assert (blog / "public/feeds/tags/go/atom.xml").is_file()
    assert (blog / "public/feeds/feed.json").read_bytes() == (blog / "feeds/feed.json").read_bytes()


@pytest.mark.parametrize("path", [GITHUB_EXAMPLE, GITLAB_EXAMPLE])
def test_docs_show_the_example_files(path: Path) -> None:
    """docs/ci.md includes each example file verbatim, so that what is tested is what is shown."""
    doc = CI_DOC.read_text(encoding="utf-8")
    name = path.relative_to(ROOT).as_posix()
    match = re.search(rf"^<!-- file: {re.escape(name)} -->\n```yaml\n(.*?)^```$", doc, re.M | re.S)
    assert match is not None, f"docs/ci.md does not include {name}"
    assert match.group(1) == path.read_text(encoding="utf-8")


def test_pre_commit_manifest_is_valid() -> None:
    """pre-commit's own schema accepts the hooks, which run once per commit on posts and config."""
    hooks = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"postfeed-build", "postfeed-check"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        files = re.compile(hook["files"])
        assert files.search("posts/hello.md")
        assert files.search("postfeed.yaml")
        assert not files.search("README.md")
        assert not files.search("src/postfeed/cli.py")
    assert re.search(hooks["postfeed-check"]["files"], "feeds/atom.xml")


@pytest.mark.parametrize("hook_id", ["postfeed-build", "postfeed-check"])
def test_pre_commit_hooks_fail_on_stale_feeds(hook_id: str, blog: Path) -> None:
    """Each hook's entry passes on fresh feeds and fails on stale ones; the build hook fixes them."""
    hooks = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    entry = hooks[hook_id]["entry"]
    fresh = _run(entry, blog)
    assert (fresh.returncode, fresh.stdout) == (0, "")
    _stale(blog)
    before = (blog / "feeds/atom.xml").read_bytes()
    result = _run(entry, blog)
    if hook_id == "postfeed-check":
        assert result.returncode == 1
        assert "feeds/atom.xml: stale" in result.stderr.splitlines()
    else:
        # pre-commit fails a hook that changes files; here the feeds are rebuilt.
        assert result.returncode == 0
        assert (blog / "feeds/atom.xml").read_bytes() != before
        assert _run("postfeed build --check", blog).returncode == 0
