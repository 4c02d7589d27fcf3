"""The home screen's list: bundled scenarios and a trainer's folder, broken files included."""

from pathlib import Path

from callsim.sim.catalogue import load_catalogue, matches


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


def test_a_summary_that_breaks_the_loaders_rules_is_listed_with_its_place(tmp_path: Path):
    """The list reads summaries with the engine's strict reader, so its rules hold there too."""
    from callsim.sim.catalogue import peek_entry
    from callsim.sim.scenario_paths import resolve_scenario

    good = resolve_scenario("broadband-down-repeat-caller").read_text(encoding="utf-8")
    twice = tmp_path / "twice.yaml"
    twice.write_text(good.replace("\ntitle:", "\ntitle: Once\ntitle:", 1), encoding="utf-8")
    alias = tmp_path / "alias.yaml"
    alias.write_text(good.replace("\ngoal:", "\ngoal: &g", 1), encoding="utf-8")
    for path, says in ((twice, "duplicate key 'title'"), (alias, "anchors (&g)")):
        entry = peek_entry(path)
        assert entry.summary is None and entry.broken  # checked at once, not listed as fine
        assert any(p.startswith(f"{path}:") and says in p for p in entry.problems), path
        line, col = next(p for p in entry.problems if says in p).split(":")[1:3]
        assert line.isdigit() and col.isdigit()
