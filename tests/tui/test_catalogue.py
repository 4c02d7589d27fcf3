"""The home screen's list: bundled scenarios and a trainer's folder, broken files included."""

from pathlib import Path

from callsim.tui.catalogue import load_catalogue, matches


def test_catalogue_lists_folder_and_bundled_scenarios_with_problems(tmp_path: Path):
    (tmp_path / "broken.yaml").write_text("id: broken\ntitle: [oops\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a scenario", encoding="utf-8")
    entries = load_catalogue([tmp_path, tmp_path])
    assert entries[0].path == tmp_path / "broken.yaml"
    assert entries[0].loaded is None and entries[0].problems[0].startswith(f"{tmp_path}/broken")
    bundled = [e for e in entries if e.loaded is not None]
    assert any(e.loaded.scenario.id == "broadband-down-repeat-caller" for e in bundled)
    assert all(e.where.startswith("bundled: ") for e in bundled)
    assert len({e.key for e in entries}) == len(entries)
    jordan = next(e for e in bundled if e.loaded.scenario.id == "broadband-down-repeat-caller")
    assert matches(jordan, "JORDAN broadband", "outage", 3)
    assert not matches(jordan, "jordan", "billing", None)
    assert not matches(jordan, "", None, 5)
