"""Issue 14.3's acceptance: a client generated from the served schema by a standard generator
(`datamodel-code-generator`) has typed member and webhook-event models — mypy accepts a correct
sync call and refuses `"hosting_capacity": "2"`. Bounded in time (each step ≤ 2 minutes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from exchange.config import Settings
from exchange.main import create_app
from tests.conftest import TEST_SECRET

BIN = Path(sys.executable).parent

CORRECT = '''
from models import CellRecord, MarketReach, MemberRecord, MemberUpdatedEvent, SyncIn, Visibility

record = MemberRecord(id="crm-1", name="Kavya Logistics", isic="4923", country="IN",
                      city="Pune", market_reach=MarketReach.regional, hosting_capacity=2,
                      visibility=Visibility.networks,
                      cells=[CellRecord(process="marketing.seo", level=1, need=3, offer=False)])
body: SyncIn = SyncIn(members=[record])
event = MemberUpdatedEvent.model_validate_json(b"{}")
who: str = event.data.external_id
members: list[str] = event.members
'''

WRONG = '''
from models import MarketReach, MemberRecord

record = MemberRecord(id="crm-1", name="Kavya Logistics", isic="4923", country="IN",
                      city="Pune", market_reach=MarketReach.regional, hosting_capacity="2")
'''


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_a_generated_client_has_typed_members_and_webhook_events(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'schema.sqlite3'}",
                        secret_key=TEST_SECRET, data_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    (tmp_path / "openapi.json").write_text(schema.text)
    generated = _run(str(BIN / "datamodel-codegen"), "--input", "openapi.json",
                     "--input-file-type", "openapi", "--output", "models.py",
                     "--output-model-type", "pydantic_v2.BaseModel",
                     "--target-python-version", "3.11", "--use-annotated",
                     "--field-constraints", "--formatters", "ruff-format", cwd=tmp_path)
    assert generated.returncode == 0, generated.stderr
    models = (tmp_path / "models.py").read_text()
    for name in ("class MemberRecord(", "class CellRecord(", "class MarketReach(",
                 "class MemberUpdatedEvent(", "class RoundClearedEvent(",
                 "class InternshipAcceptedEvent("):
        assert name in models, name
    (tmp_path / "correct.py").write_text(CORRECT)
    (tmp_path / "wrong.py").write_text(WRONG)
    mypy = (sys.executable, "-m", "mypy", "--no-incremental", "--strict",
            "--follow-imports=silent", "--cache-dir", str(tmp_path / ".mypy"))
    accepted = _run(*mypy, "correct.py", cwd=tmp_path)
    assert accepted.returncode == 0, accepted.stdout
    refused = _run(*mypy, "wrong.py", cwd=tmp_path)
    assert refused.returncode == 1
    assert 'Argument "hosting_capacity" to "MemberRecord" has incompatible type "str"' in (
        refused.stdout)
