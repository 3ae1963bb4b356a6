"""``import_queue_log --follow``'s own arguments (the following itself: test_follow.py)."""

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.parametrize("interval", ["0", "0.001", "3601"])
def test_a_poll_interval_out_of_bounds_is_refused(tmp_path, interval):
    with pytest.raises(CommandError, match=r"--poll-interval must be between 0\.01 and 3600"):
        call_command("import_queue_log", str(tmp_path / "queue_log"), "--follow",
                     "--poll-interval", interval)  # fmt: skip


@pytest.mark.django_db
def test_an_unknown_source_is_refused_before_following(tmp_path):
    with pytest.raises(CommandError, match="Unknown telephony source nowhere"):
        call_command("import_queue_log", str(tmp_path / "queue_log"), "--follow",
                     "--source", "nowhere")  # fmt: skip
