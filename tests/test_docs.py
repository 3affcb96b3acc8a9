"""The README and docs/ as a new user reads them: links resolve, the configuration table is
complete, and every command in a fenced `bash` block is run, here or by the test named for
it in COVERED_ELSEWHERE.

Blocks fenced as `bash test` are run as written. Blocks fenced as `console` are a server
administrator's steps (users, systemd: docs/deploying.md), documentation only.
`ka-pipeline run` / `backfill` commands are run with `--check` (every check of a real run,
no build: a build per documented command would cost minutes each); the builds themselves
are covered by the tests named below.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import Workspace, make_workspace
from servers.processes import default_signal_handlers, free_port

from ka_pipeline.settings import DBT_PROJECT_DIR, REPO_ROOT

DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"```(bash[^\n]*)\n(.*?)```", re.DOTALL)
ENV_NAME = r"KA_[A-Z0-9_]+|DAGSTER_HOME"
TABLE_VARIABLE = re.compile(r"^\| `([A-Z][A-Z0-9_]+)` \|", re.MULTILINE)
# a documented command that a build runs, and the test (or CI) that runs it
COVERED_ELSEWHERE = {
    r"make run$": "tests/conftest.py::clean_build (ka-pipeline generate + run, as make run)",
    r"make test$": ".ci/run (CI runs exactly this)",
    r"make spark-build$": "tests/test_spark_parity.py (ka-pipeline spark-build --compare)",
    r"make dev$": "test_make_dev_serves_the_ui (below)",
    r"make clean$": "test_make_clean_removes_what_setup_made (below)",
}


def bash_commands() -> list[tuple[str, bool, str]]:
    """(file, is a `bash test` block, command) for every command line of the docs."""
    commands = []
    for doc in DOCS:
        for info, body in FENCE.findall(doc.read_text(encoding="utf-8")):
            for line in body.splitlines():
                command = line.split("  #")[0].strip()
                if command and not command.startswith("#"):
                    commands.append((doc.name, info.split()[1:] == ["test"], command))
    return commands


def test_the_front_page_is_short_and_links_resolve():
    assert len((REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 200
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            assert (doc.parent / target).exists(), f"{doc.name}: broken link {target}"


def _variables_read_by_the_code() -> set[str]:
    names = set()
    for path in (REPO_ROOT / "ka_pipeline").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and re.fullmatch(ENV_NAME, str(node.value)):
                names.add(node.value)
    profiles = (DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8")
    return names | set(re.findall(r"env_var\('([A-Z0-9_]+)'", profiles))


def test_the_configuration_table_lists_every_variable_the_code_reads():
    table = set(TABLE_VARIABLE.findall((REPO_ROOT / "docs" / "configuration.md").read_text()))
    read = _variables_read_by_the_code()
    assert read - table == set(), "read by the code, missing in docs/configuration.md"
    assert table - read == set(), "documented in docs/configuration.md, read nowhere"


def test_every_documented_command_is_run_somewhere():
    for doc, runnable, command in bash_commands():
        covered = any(re.match(pattern, command) for pattern in COVERED_ELSEWHERE)
        ours = runnable or _is_pipeline_run(command) or "check-mapping" in command
        assert covered or ours, f"{doc}: `{command}` is run by no test"


def _is_pipeline_run(command: str) -> bool:
    return bool(re.search(r"ka-pipeline (run|backfill)\b", command)) and "--help" not in command


@pytest.fixture(scope="module")
def walkthrough(tmp_path_factory) -> Workspace:
    """A workspace with the bring-your-own-data walkthrough's file and mapping."""
    return walkthrough_workspace(tmp_path_factory.mktemp("docs"))


def walkthrough_workspace(root: Path) -> Workspace:
    ws = make_workspace(root)
    byo = (REPO_ROOT / "docs" / "bring-your-own-data.md").read_text(encoding="utf-8")
    csv_rows = re.search(r"```\n(客户编号.*?)```", byo, re.DOTALL).group(1)
    mapping = re.search(r"```yaml\n   (version: 1.*?)```", byo, re.DOTALL).group(1)
    landing = ws.settings.landing_dir
    landing.mkdir(parents=True)
    (landing / "orders.csv").write_bytes(csv_rows.encode("gbk"))
    (ws.root / "my_mapping.yaml").write_text(mapping.replace("\n   ", "\n"), encoding="utf-8")
    return ws


def _run_documented(
    ws: Workspace, command: str, *, check_only: bool = True
) -> subprocess.CompletedProcess:
    words = shlex.split(command)
    # the walkthrough's export stands in for a company's data in every command
    env = {**ws.env, "KA_MAPPING_FILE": str(ws.root / "my_mapping.yaml")}
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = str(ws.root / value) if value.endswith(".yaml") else value
    assert words[0].endswith("ka-pipeline"), command
    args = words[1:] + (["--check"] if _is_pipeline_run(command) and check_only else [])
    return subprocess.run(
        [sys.executable, "-m", "ka_pipeline.cli", *args],
        env=env, cwd=ws.root, capture_output=True, text=True, timeout=300 if check_only else 1200,
    )  # fmt: skip


@pytest.mark.slow
def test_the_walkthrough_builds_and_validates_its_undated_export(tmp_path):
    """Step 4 of the walkthrough for real, on its two-row export: the build passes (a
    handful of accounts only warns on distribution rules), and the raw check validated the
    rows of the undated file, which carry no business day."""
    ws = walkthrough_workspace(tmp_path)
    result = _run_documented(
        ws, "KA_MAPPING_FILE=my_mapping.yaml .venv/bin/ka-pipeline run", check_only=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output
    raw_check = next(line for line in result.stdout.splitlines() if "gx_raw__erp__orders" in line)
    assert "the undated delivery (2 rows): 2 rows" in raw_check


def test_the_documented_ka_pipeline_commands_work(walkthrough):
    ran = 0
    for doc, runnable, command in bash_commands():
        if "ka-pipeline" not in command or any(re.match(p, command) for p in COVERED_ELSEWHERE):
            continue
        if not (runnable or _is_pipeline_run(command) or "check-mapping" in command):
            continue
        env_mapping = "KA_MAPPING_FILE=" in command
        result = _run_documented(walkthrough, command)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{doc}: `{command}` exited {result.returncode}\n{output}"
        assert "Traceback" not in output
        if env_mapping:
            assert "erp/orders" in result.stdout
        ran += 1
    assert ran >= 10


@pytest.mark.slow
def test_make_dev_serves_the_ui(tmp_path):
    """`make dev` is `ka-pipeline dev`: the UI answers on its port, on the CLI's instance."""
    ws = make_workspace(tmp_path)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ka_pipeline.cli", "dev", "--port", str(port)],
        env=ws.env, cwd=ws.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own group: stopping it stops the daemon and webserver
        preexec_fn=default_signal_handlers,
    )  # fmt: skip
    try:
        deadline, answer = time.monotonic() + 180, None
        while time.monotonic() < deadline and answer is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info") as response:
                    answer = response.read().decode()
            except OSError:
                time.sleep(1)
        assert answer and "dagster_webserver_version" in answer
        assert (ws.settings.dagster_home / "dagster.yaml").exists()
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def test_make_clean_removes_what_setup_made():
    plan = subprocess.run(
        ["make", "-n", "clean"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    for made in (".venv", ".venv-tools", "data", "dbt_project/target"):
        assert re.search(rf"rm -rf .*(?<![\w/-]){re.escape(made)}(?![\w-])", plan), made
