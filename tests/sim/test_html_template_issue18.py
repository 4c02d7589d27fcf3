"""Issue 18, item 4: the printable page from a Jinja2 template: escaped whatever the template
does, re-brandable with --template, the same page for calls and a progress report, and a
template error named by its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from callsim.sim.cli import main
from callsim.sim.store import Store

SCRIPTS = Path(__file__).parent / "scripts"
SCENARIO = "broadband-down-repeat-caller"
HOSTILE_REPLY = "<script>alert(1)</script> & \x1b[31mred"

BRANDED = """<!DOCTYPE html><html><head><title>{{ title }}</title></head><body>
<header>Acme Training Academy</header>
{% for call in calls %}<section><h1>{{ call.title }}</h1>
{% for turn in call.turns %}<p class="{{ turn.speaker }}">{{ turn.who }}: {{ turn.text }}</p>
{% endfor %}{% if call.grade %}<p>Total {{ call.grade.headline }}</p>{% endif %}</section>
{% endfor %}
{% if progress %}<section><h1>Progress of {{ progress.trainee }}</h1>
{% for d in progress.dimensions %}<p>{{ d.title }} {{ d.change }}</p>{% endfor %}</section>
{% endif %}
</body></html>
"""


@pytest.fixture
def db(tmp_path, capsys) -> Path:
    """Two calls by ann (taken, not scripted), the first with a hostile reply."""
    from callsim.engine.loader import load_scenario
    from callsim.sim.scenario_paths import resolve_scenario
    from callsim.sim.session import CallSession, SimulatedClock, play_script

    path = tmp_path / "calls.db"
    loaded = load_scenario(resolve_scenario(SCENARIO))
    lines = (SCRIPTS / f"{SCENARIO}.good.txt").read_text().splitlines()
    with Store(path) as store:
        for first in (HOSTILE_REPLY, "Hello, thanks for calling"):
            session = CallSession(loaded, trainee="ann", clock=SimulatedClock())
            store.recorder(session)
            play_script(session, [first, *lines])
            session.finish()
    return path


def first_call(db: Path) -> str:
    with Store(db) as store:
        return store.list_calls()[-1].id


def test_the_default_page_escapes_every_text(db, capsys):
    assert main(["export", first_call(db), "--format", "html", "--db", str(db)]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<script>" not in page and "\x1b" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; \\x1b[31mred" in page


def test_a_teams_template_rebrands_calls_and_progress_alike(db, capsys, tmp_path):
    template = tmp_path / "acme.html.j2"
    template.write_text(BRANDED, encoding="utf-8")
    out = tmp_path / "call.html"
    argv = ["export", first_call(db), "--format", "html", "--template", str(template)]
    assert main([*argv, "-o", str(out), "--db", str(db)]) == 0
    capsys.readouterr()
    call_page = out.read_text(encoding="utf-8")
    assert "<header>Acme Training Academy</header>" in call_page
    # the template escapes nothing itself, and still nothing a trainee typed becomes markup
    assert '<p class="trainee">Trainee: &lt;script&gt;alert(1)&lt;/script&gt;' in call_page
    assert "<script>" not in call_page and "\x1b" not in call_page
    assert "<p>Total " in call_page

    argv = ["progress", "ann", "--format", "html", "--template", str(template)]
    assert main([*argv, "--db", str(db)]) == 0
    progress_page = capsys.readouterr().out
    assert "<header>Acme Training Academy</header>" in progress_page
    assert "<h1>Progress of ann</h1>" in progress_page and "<p>Empathy " in progress_page


def test_the_default_progress_page_is_the_call_pages_layout(db, capsys):
    assert main(["progress", "ann", "--format", "html", "--db", str(db)]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>") and "<title>Progress of ann</title>" in page
    assert '<article class="progress"><h1>Progress of ann</h1>' in page
    assert "<td>Empathy</td>" in page and "First-contact resolution" in page
    assert "Development plan" in page
    assert main(["export", first_call(db), "--format", "html", "--db", str(db)]) == 0
    call_page = capsys.readouterr().out
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert f"<style>{style}</style>" in call_page  # one stylesheet, one look


@pytest.mark.parametrize(
    "template, where, message",
    [
        ("<h1>{{ title }}</h1>\n{% for c in calls %}\n{{ c.titel }}\n{% endfor %}\n", 3, "titel"),
        ("<h1>{{ title }</h1>\n", 1, "unexpected '}'"),
        ("ok\n{% if calls %}\nno end\n", 3, "endif"),
        ("{{ title }}\n{{ ''.__class__.__mro__ }}\n", 2, "unsafe"),
        ("{{ title }}\n{{ 1 / 0 }}\n", 2, "division by zero"),
    ],
)
def test_a_template_error_names_its_line(db, capsys, tmp_path, template, where, message):
    path = tmp_path / "team.html.j2"
    path.write_text(template, encoding="utf-8")
    out = tmp_path / "out.html"
    argv = ["export", first_call(db), "--format", "html", "--template", str(path)]
    assert main([*argv, "-o", str(out), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"callsim export: {path}:{where}: error: "), err
    assert message in err and "Traceback" not in err
    assert not out.exists()  # nothing half written


def test_a_template_that_cannot_be_read_is_a_message(db, capsys, tmp_path):
    missing = tmp_path / "none.j2"
    assert main(["progress", "ann", "--format", "html", "--template", str(missing),
                 "--db", str(db)]) == 1  # fmt: skip
    assert f"{missing}: error: cannot read it" in capsys.readouterr().err
    latin = tmp_path / "latin.j2"
    latin.write_bytes("caf\xe9 {{ title }}".encode("latin-1"))
    assert main(["progress", "ann", "--format", "html", "--template", str(latin),
                 "--db", str(db)]) == 1  # fmt: skip
    assert f"{latin}: error: not UTF-8 text" in capsys.readouterr().err


def test_template_goes_only_with_html(db, capsys, tmp_path):
    assert main(["export", first_call(db), "--template", "x.j2", "--db", str(db)]) == 2
    assert "--template goes with --format html" in capsys.readouterr().err
    assert main(["progress", "ann", "--template", "x.j2", "--db", str(db)]) == 2
    assert "--template goes with --format html" in capsys.readouterr().err
