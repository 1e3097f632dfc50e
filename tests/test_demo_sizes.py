"""`seed-demo --size medium`: counts, sealed phones, a year of repairs with seasons, and the same data for the same
seed and day. (The small demo's own rows are checked by test_operations.py and the browser tests.)"""

from __future__ import annotations

import base64
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from backend.settings import load_settings, override_settings

ROOT = Path(__file__).resolve().parent.parent
DAY = "2026-11-30"


def _keys() -> dict[str, str]:
    def key() -> str:
        return base64.urlsafe_b64encode(os.urandom(32)).decode()

    return {"SECRET_KEY": key() + key(), "FIELD_ENCRYPTION_KEY": key(), "FIELD_HASH_KEY": key()}


def _seed(data_dir: Path, keys: dict[str, str]) -> tuple[sqlite3.Connection, str]:
    env = {**os.environ, **keys, "COURTYARD_DATA_DIR": str(data_dir), "COURTYARD_ENV": "dev"}
    env.pop("DATABASE_URL", None)
    for args in (["migrate"], ["seed-demo", "--size", "medium", "--today", DAY]):
        out = subprocess.run([sys.executable, "-m", "backend.cli", *args], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
    return sqlite3.connect(data_dir / "courtyard.sqlite3"), out.stdout


# What must come out the same: everything but what is random by design (nonces in the encrypted phones, password
# salts), stamped by the clock (updated_at) or made by the small demo at seed time (its tickets' times).
DETERMINISTIC = {
    "community": "SELECT id, name, address FROM community ORDER BY id",
    "building": "SELECT id, community_id, name, floors FROM building ORDER BY id",
    "unit": "SELECT id, building_id, number, floor, area, type FROM unit ORDER BY id",
    "user": "SELECT id, phone_hash, name FROM user_account ORDER BY id",
    "staff": "SELECT id, user_id, title FROM staff_member ORDER BY id",
    "binding": "SELECT id, unit_id, user_id, relation, status, added_by_id, reviewed_by_id, reviewed_at FROM unit_binding"
               " ORDER BY id",
    "ticket": "SELECT id, unit_id, public_area, category_id, reporter_id, technician_id, urgency, status, created_at,"
              " accept_due, finish_due, accepted_at, completed_at, completion_minutes, sla_met, rating_speed,"
              " rating_comment, closed_at FROM ticket WHERE idempotency_key LIKE 'demo-%-%' ORDER BY id",
    "audit": "SELECT id, community_id, actor_id, action, target_id, summary, created_at FROM audit_log ORDER BY id",
    "event": "SELECT e.id, e.ticket_id, e.actor_id, e.kind, e.from_status, e.to_status, e.note, e.created_at"
             " FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id WHERE t.idempotency_key LIKE 'demo-%-%'"
             " ORDER BY e.id",
}


def _digest(db: sqlite3.Connection) -> dict[str, str]:
    return {name: hashlib.sha256(repr(db.execute(sql).fetchall()).encode()).hexdigest()
            for name, sql in DETERMINISTIC.items()}


def test_medium_demo_counts_phones_seasons_and_determinism(tmp_path: Path) -> None:
    keys = _keys()
    first, printed = _seed(tmp_path / "a", keys)
    assert "created (medium)" in printed and "13800000002" in printed

    def one(sql: str) -> int:
        return int(first.execute(sql).fetchone()[0])

    # Then the company has five communities (the small demo's two and three more) with lists worth paging
    assert one("SELECT COUNT(*) FROM community") == 5
    assert 1_200 <= one("SELECT COUNT(*) FROM unit") <= 2_500
    assert one("SELECT COUNT(*) FROM unit WHERE type = 'parking'") > 100
    assert one("SELECT COUNT(*) FROM unit WHERE type = 'commercial'") > 0
    assert one("SELECT COUNT(*) FROM unit_binding WHERE relation = 'owner' AND status = 'approved'") > 800
    assert one("SELECT COUNT(*) FROM unit_binding WHERE relation IN ('family', 'tenant')") > 200
    assert one("SELECT COUNT(*) FROM unit_binding WHERE status = 'pending'") > 1
    # Every staff member has a 职位; the new communities have their own technicians with skills
    assert one("SELECT COUNT(*) FROM staff_member WHERE title = ''") == 0
    assert one("SELECT COUNT(*) FROM technician_skill") > 9
    # The desk's approvals are in the audit log, oldest first, as the staff's own approvals would be
    approvals = one("SELECT COUNT(*) FROM unit_binding WHERE reviewed_by_id IS NOT NULL")
    assert approvals > 800 and one("SELECT COUNT(*) FROM audit_log WHERE action = 'binding.approve'") == approvals
    times = [r[0] for r in first.execute("SELECT created_at FROM audit_log ORDER BY id")]
    assert times == sorted(times)
    # A year of repairs, each with its timeline and the inbox messages the workflow sends
    tickets = one("SELECT COUNT(*) FROM ticket")
    assert 2_000 <= tickets <= 5_000
    assert one("SELECT COUNT(*) FROM ticket t WHERE NOT EXISTS "
               "(SELECT 1 FROM ticket_event e WHERE e.ticket_id = t.id AND e.kind = 'created')") == 0
    assert one("SELECT COUNT(*) FROM notification") > tickets
    assert one("SELECT COUNT(*) FROM ticket WHERE status IN ('closed', 'rated', 'completed')") > tickets * 0.8
    assert one("SELECT COUNT(*) FROM ticket WHERE completed_at IS NOT NULL AND (completion_minutes IS NULL "
               "OR sla_met IS NULL OR started_at IS NULL OR acknowledged_at IS NULL)") == 0
    span = first.execute("SELECT MIN(created_at), MAX(created_at) FROM ticket "
                         "WHERE idempotency_key LIKE 'demo-%-%'").fetchone()
    assert span[0] < "2025-12-02" and "2026-11-29" < span[1] < "2026-12-01"
    # Seasons: more water and power in winter (Dec-Feb) than in autumn (Sep-Nov); few reports at night
    water = "SELECT COUNT(*) FROM ticket t JOIN repair_category c ON c.id = t.category_id WHERE c.name = '水电' AND "
    winter = one(water + "strftime('%m', t.created_at) IN ('12', '01', '02')")
    autumn = one(water + "strftime('%m', t.created_at) IN ('09', '10', '11')")
    assert winter > autumn * 1.4
    night = one("SELECT COUNT(*) FROM ticket WHERE strftime('%H', created_at) BETWEEN '16' AND '21'")  # 0-6 h local
    evening = one("SELECT COUNT(*) FROM ticket WHERE strftime('%H', created_at) BETWEEN '10' AND '13'")  # 18-22 h
    assert evening > night * 3

    # Phones are sealed as the accounts service seals them: a generated technician's opens with the data dir's keys
    override_settings(load_settings({**keys, "COURTYARD_ENV": "test", "COURTYARD_DATA_DIR": str(tmp_path / "a")}))
    from backend.core.crypto import open_phone, phone_hash

    row = first.execute("SELECT phone_enc, phone_hash FROM user_account WHERE phone_hash = ?",
                        (phone_hash("13700000003"),)).fetchone()
    assert row is not None and open_phone(row[0], row[1]) == "13700000003"
    owner = first.execute("SELECT phone_enc, phone_hash FROM user_account WHERE phone_hash = ?",
                          (phone_hash("18600000001"),)).fetchone()
    assert owner is not None and open_phone(owner[0], owner[1]) == "18600000001"

    # And the same seed and day give the same data
    second, _ = _seed(tmp_path / "b", keys)
    assert _digest(first) == _digest(second)
    assert one("SELECT COUNT(*) FROM ticket") == int(second.execute("SELECT COUNT(*) FROM ticket").fetchone()[0])

    # Seeding again adds nothing
    env = {**os.environ, **keys, "COURTYARD_DATA_DIR": str(tmp_path / "a"), "COURTYARD_ENV": "dev"}
    env.pop("DATABASE_URL", None)
    again = subprocess.run([sys.executable, "-m", "backend.cli", "seed-demo", "--size", "medium"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "already present" in again.stdout
    assert one("SELECT COUNT(*) FROM ticket") == tickets
