from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from stride.lib import uploads


def test_a_kept_file_comes_back_to_its_owner_only(tmp_path: Path) -> None:
    token = uploads.stash(b"email,name\n", owner=7, directory=tmp_path)
    assert uploads.unstash(token, owner=7, directory=tmp_path) == b"email,name\n"
    assert uploads.unstash(token, owner=8, directory=tmp_path) is None
    (path,) = tmp_path.iterdir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_token_that_stash_did_not_make_builds_no_path(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("x")
    for token in ["../secret", "", "a" * 31, "a" * 31 + "/"]:
        assert uploads.unstash(token, owner=7, directory=tmp_path) is None


def test_discarded_and_old_files_are_gone(tmp_path: Path) -> None:
    token = uploads.stash(b"a", owner=1, directory=tmp_path)
    uploads.discard(token, owner=1, directory=tmp_path)
    assert uploads.unstash(token, owner=1, directory=tmp_path) is None

    old = uploads.stash(b"b", owner=1, directory=tmp_path)
    (path,) = tmp_path.iterdir()
    day_ago = time.time() - uploads.MAX_AGE - 60
    os.utime(path, (day_ago, day_ago))
    assert uploads.unstash(old, owner=1, directory=tmp_path) is None
    uploads.stash(b"c", owner=1, directory=tmp_path)  # storing a new one prunes the old
    assert not path.exists()
