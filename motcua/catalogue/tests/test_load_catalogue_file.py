import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.catalogue.management.commands.load_catalogue import default_data_file
from motcua.catalogue.models import Procedure
from motcua.catalogue.tests.conftest import BADGE

pytestmark = pytest.mark.django_db

RECORDS = {r["code"]: r for r in json.loads(default_data_file().read_text(encoding="utf-8"))}


def _load(**kwargs) -> str:
    out = io.StringIO()
    call_command("load_catalogue", stdout=out, **kwargs)
    return out.getvalue()


def test_it_reads_the_file_named_by_option_or_environment(db, tmp_path, monkeypatch):
    small = tmp_path / "two.json"
    small.write_text(
        json.dumps([RECORDS["1.000703"], RECORDS[BADGE]], ensure_ascii=False), encoding="utf-8"
    )
    monkeypatch.setenv("CATALOGUE_DATA_FILE", str(small))
    with pytest.raises(CommandError, match="không có trong tệp dữ liệu"):
        _load()  # the ship and aircraft registrations to complete are missing

    with pytest.raises(CommandError, match="Không tìm thấy"):
        _load(file=tmp_path / "missing.json")
    assert not Procedure.objects.exists()  # all or nothing
