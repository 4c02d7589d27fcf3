"""What the app remembers between runs besides who is training: the theme.

Kept in `app.json` beside the trainee's `trainee.json` (the same folder, `CALLSIM_CONFIG_DIR` or
the user's config directory), so each file is written whole without reading the other. A file
that is missing, unreadable or holds something odd means "nothing remembered", never an error.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from callsim.sim.trainee import config_path

SETTINGS_FILENAME = "app.json"
MAX_THEME_NAME = 100


def settings_path() -> Path:
    return config_path().with_name(SETTINGS_FILENAME)


def _settings() -> dict:
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def saved_theme() -> str | None:
    """The theme last chosen in the app, or None."""
    name = _settings().get("theme")
    if not isinstance(name, str) or not name or len(name) > MAX_THEME_NAME:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        return None
    return name


def save_theme(name: str) -> Path:
    """Remember `name` as the app's theme (other settings kept); returns the file written.
    Raises OSError when the folder cannot be written."""
    path = settings_path()
    data = _settings()
    data["theme"] = name
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return path
