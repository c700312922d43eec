"""The copier migrations (copier.yml, ``_migrations``).

migrations/carry_renamed_files.py on its own: merge, conflict and fallback.
tests/test_update.py runs it through a real `copier update`; here the old
template rendering (the merge base) is given, to reach the cases a release
pair does not: both sides changed the same line, and no base at all.

migrations/check_recorded_answers.py: an update stops, with the template's
message and nothing changed, when the new rules refuse a recorded answer.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copier_copy
from release_history import CURRENT, OLDEST, TEMPLATE_ROOT, commit_all, git, new_repository

spec = importlib.util.spec_from_file_location(
    "carry_renamed_files", TEMPLATE_ROOT / "migrations" / "carry_renamed_files.py"
)
carry_renamed_files = importlib.util.module_from_spec(spec)
spec.loader.exec_module(carry_renamed_files)

OLD, NEW = "docs/page.md", "docs/guides/page-guide.md"
BASE = "# Page\n\nfirst line\nsecond line\nthird line\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project whose HEAD has the team's page at OLD; copier has written NEW."""
    git(tmp_path, "init", "-q", "-b", "main")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def commit_team_page(project: Path, text: str) -> None:
    (project / OLD).parent.mkdir(parents=True, exist_ok=True)
    (project / OLD).write_text(text)
    commit_all(project, "team page")
    # What copier leaves before "after" migrations: the old path removed,
    # the new path rendered from the new template version.
    (project / OLD).unlink()


def render_new(project: Path, text: str) -> None:
    (project / NEW).parent.mkdir(parents=True, exist_ok=True)
    (project / NEW).write_text(text)


def test_both_sides_merge_when_they_touch_different_lines(project, monkeypatch):
    monkeypatch.setattr(carry_renamed_files, "old_template_rendering", lambda path: BASE.encode())
    commit_team_page(project, BASE.replace("first line", "first line, as the team wrote it"))
    render_new(project, BASE.replace("third line", "third line, as the template now says"))

    message = carry_renamed_files.carry(OLD, NEW)

    assert "merged with the template's version" in message
    assert (project / NEW).read_text() == BASE.replace("first line", "first line, as the team wrote it").replace(
        "third line", "third line, as the template now says")
    assert not (project / OLD).exists()


def test_a_line_both_changed_is_a_conflict_with_copier_markers(project, monkeypatch):
    monkeypatch.setattr(carry_renamed_files, "old_template_rendering", lambda path: BASE.encode())
    commit_team_page(project, BASE.replace("second line", "second line (team)"))
    render_new(project, BASE.replace("second line", "second line (template)"))

    message = carry_renamed_files.carry(OLD, NEW)

    assert "CONFLICTS" in message
    text = (project / NEW).read_text()
    assert "<<<<<<< before updating\nsecond line (team)\n=======\nsecond line (template)\n>>>>>>> after updating\n" in text
    unmerged = git(project, "ls-files", "--unmerged")
    assert {line.split()[2] for line in unmerged.splitlines()} == {"1", "2", "3"}
    assert all(line.endswith("\t" + NEW) for line in unmerged.splitlines())


def test_without_a_base_the_team_version_is_kept_as_it_was(project, monkeypatch):
    monkeypatch.setattr(carry_renamed_files, "old_template_rendering", lambda path: None)
    team = BASE.replace("first line", "first line (team)")
    commit_team_page(project, team)
    render_new(project, BASE.replace("third line", "third line (template)"))

    message = carry_renamed_files.carry(OLD, NEW)

    assert (project / NEW).read_text() == team
    assert "moved as it was" in message and "copier recopy" in message


def test_nothing_to_carry_when_the_project_already_has_the_new_name(project):
    (project / NEW).parent.mkdir(parents=True)
    (project / NEW).write_text("the team moved it already\n")
    commit_all(project, "moved by hand")

    assert "nothing to carry" in carry_renamed_files.carry(OLD, NEW)
    assert (project / NEW).read_text() == "the team moved it already\n"


def test_wrong_arguments_are_refused(capsys):
    assert carry_renamed_files.main(["only-one"]) == 2
    assert "usage: carry_renamed_files.py OLD NEW" in capsys.readouterr().err


def test_the_base_is_the_file_as_the_recorded_release_rendered_it(release_repo, tmp_path, monkeypatch):
    project = new_repository(copier_copy(release_repo, tmp_path / "zeta_accel", {}, vcs_ref=OLDEST), "generated")
    monkeypatch.chdir(project)
    for path in ("README.md", "docs/zeta_accel-fuzzing.md", "docs/tutorials/zeta_accel-basic-tutorial.md"):
        assert carry_renamed_files.old_template_rendering(path) == (project / path).read_bytes(), path
    assert carry_renamed_files.old_template_rendering("docs/no-such-page.md") is None


def test_only_the_one_file_is_rendered():
    from pathspec import PathSpec

    # The pattern syntax copier's `exclude` uses (pathspec >= 1.0).
    patterns = carry_renamed_files.exclude_all_but("docs/guides/page.md")
    excluded = PathSpec.from_lines("gitignore", patterns).match_file
    assert not excluded("docs/guides/page.md")
    for other in ("README.md", "docs/index.md", "docs/guides/other.md", "docs/guides/deeper/page.md", "src/docs/guides/page.md"):
        assert excluded(other), other


CHECK_ANSWERS = TEMPLATE_ROOT / "migrations" / "check_recorded_answers.py"


def check_recorded_answers(project: Path, answers: str) -> subprocess.CompletedProcess:
    (project / ".copier-answers.yml").write_text(answers)
    return subprocess.run([sys.executable, CHECK_ANSWERS, TEMPLATE_ROOT], cwd=project, capture_output=True, text=True)


def test_recorded_answers_the_rules_accept_pass(tmp_path):
    run = check_recorded_answers(tmp_path, "_commit: 0.2.0\nbackend_slug: zeta_accel\ninclude_quantizer: true\n")
    assert (run.returncode, run.stderr) == (0, "")


def test_a_recorded_answer_the_rules_refuse_stops_with_the_message(tmp_path):
    run = check_recorded_answers(tmp_path, "_commit: 0.2.0\nbackend_slug: coreml\nclass_prefix: Coreml\n")
    assert run.returncode == 1
    lines = run.stderr.splitlines()
    import local_extensions

    assert lines[:2] == [
        local_extensions.answer_error("coreml", "backend_slug") + " (recorded in .copier-answers.yml)",
        local_extensions.answer_error("Coreml", "class_prefix") + " (recorded in .copier-answers.yml)",
    ]
    assert "CHANGELOG.md" in lines[2]


def test_copier_update_stops_instead_of_renaming_the_backend(release_repo, tmp_path):
    """Without the check, copier --defaults would replace the slug by its default."""
    import copier

    # The oldest release read only the top-level folders of executorch/backends.
    project = new_repository(
        copier_copy(release_repo, tmp_path / "coreml", {"backend_slug": "coreml"}, vcs_ref=OLDEST), "generated")
    with pytest.raises(Exception, match="returned non-zero exit status 1"):
        copier.run_update(project, defaults=True, unsafe=True, overwrite=True, vcs_ref=CURRENT, quiet=True)
    assert git(project, "status", "--porcelain") == ""
    assert (project / "docs" / "coreml-overview.md").exists()
