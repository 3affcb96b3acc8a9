"""The systemd units in deploy/ are valid for systemd and start commands that exist.

`systemd-analyze verify` parses each unit as systemd would load it: unknown keys and
sections, bad values, and an ExecStart that is not an executable are reported. The units
name the install directory /opt/ka-pipeline (docs/deploying.md); here it is this checkout,
whose .venv has the same executables.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess

import pytest

from ka_pipeline.settings import REPO_ROOT

UNITS = sorted((REPO_ROOT / "deploy" / "systemd").glob("*.service"))
INSTALL_DIR = "/opt/ka-pipeline"

pytestmark = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="needs systemd-analyze (systemd)"
)


def test_the_units_verify_clean(tmp_path):
    assert {u.name for u in UNITS} == {
        "ka-pipeline-daemon.service",
        "ka-pipeline-webserver.service",
    }
    installed = []
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8").replace(INSTALL_DIR, str(REPO_ROOT))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
        installed.append(str(tmp_path / unit.name))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *installed],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0 and result.stderr == "", result.stderr


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.stem)
def test_each_unit_starts_a_dagster_command_that_answers(unit):
    """The ExecStart line, run with --help from the install directory: the executable and
    its workspace file exist, and the options are ones the command knows."""
    exec_start = next(
        line.removeprefix("ExecStart=")
        for line in unit.read_text(encoding="utf-8").splitlines()
        if line.startswith("ExecStart=")
    )
    words = shlex.split(exec_start.replace(INSTALL_DIR, str(REPO_ROOT)))
    workspace = words[words.index("-w") + 1]
    assert (REPO_ROOT / workspace).is_file()
    result = subprocess.run(
        [*words, "--help"], capture_output=True, text=True, timeout=120, cwd=REPO_ROOT
    )
    assert result.returncode == 0, result.stderr
