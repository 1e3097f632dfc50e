"""Models and migrations agree, and the test database is built by the migrations themselves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

import backend.migrations
from backend.settings import tortoise_config

MIGRATIONS_DIR = Path(backend.migrations.__file__).parent


async def pending_changes(migrations_module: str = "backend.migrations") -> list[str]:
    """What `tortoise makemigrations` would write, as migration source text (nothing is written).

    Uses the app's own ORM registry: initialising a second context would rebind the model classes to it.
    """
    apps = Tortoise.apps
    assert apps is not None
    config = {label: {**app, "migrations": migrations_module} for label, app in tortoise_config()["apps"].items()}
    writers = await MigrationAutodetector(apps, config).changes()
    return [w.as_string() for w in writers]


async def test_models_have_no_changes_without_a_migration(app: Any) -> None:
    changes = await pending_changes()
    assert not changes, (
        "the models differ from backend/migrations: run `.venv/bin/tortoise makemigrations`, review the new "
        "migration and commit it\n" + "\n".join(changes)[:6000]
    )


async def test_the_detector_sees_models_without_migrations(app: Any, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # Against an empty migrations package every model is new: proves the check above can fail.
    (tmp_path / "no_migrations_yet").mkdir()
    (tmp_path / "no_migrations_yet" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    [source] = await pending_changes("no_migrations_yet")
    for table in ("company", "unit_binding", "audit_log", "user_account"):
        assert f"'table': '{table}'" in source


async def test_the_test_database_was_built_by_the_migrations(app: Any) -> None:
    conn = Tortoise.get_connection("default")
    _, rows = await conn.execute_query("SELECT app, name FROM tortoise_migrations")
    applied = {(r["app"], r["name"]) for r in rows}
    on_disk = {("models", p.stem) for p in MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.py")}
    assert on_disk and applied == on_disk


async def test_every_model_table_and_column_exists(app: Any) -> None:
    apps = Tortoise.apps
    assert apps is not None
    models = list(apps.get_models_iterable())
    assert len(models) >= 10
    for model in models:
        # Selecting every field by name fails if a table or a column is missing.
        assert await model.all().limit(1).values(*model._meta.db_fields) is not None, model.__name__
