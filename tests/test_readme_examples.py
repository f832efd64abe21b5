"""The README's console examples print what the README shows.

Each ```console block runs, command by command, in a temporary folder, in a pseudo-terminal
(so tables print as they do on a terminal, and standard error interleaves with standard
output), and its output is compared with the README's line by line. Only what legitimately
varies is normalised: step timings (``Reading tables: 0.13 s``), file sizes in MB, the
temporary folder's path and the banner the JVM and pyspark print as Spark starts. The files
an example shows with ``cat`` are written first; the platform exports of the import example
are the fixtures in tests/data/platforms/northwind/, zipped under the names the README gives.
"""

from __future__ import annotations

import fcntl
import importlib.util
import itertools
import os
import re
import select
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import PLATFORM_EXPORTS, ROOT, shared_data_dir, zip_folder

README = ROOT / "README.md"
SHARED_DATA_IN_README = "../shared/data"
TERMINAL_COLUMNS = 200  # wider than the widest table, so rich never squeezes one
TIMEOUT_SECONDS = 600

# The platform exports of the import example, as the README names them.
EXPORTS = {
    "exports/twitter-northwindcloud.zip": ("northwind_x", None),
    "exports/twitter-maya_builds.zip": ("maya_x", None),
    "exports/twitter-dreyes_secarch.zip": ("daniel_x", None),
    "exports/Basic_LinkedInDataExport_maya.zip": (
        "maya_linkedin",
        "Basic_LinkedInDataExport_05-01-2024",
    ),
    "exports/Basic_LinkedInDataExport_daniel.zip": ("daniel_linkedin", None),
    "exports/archive-hana.zip": ("hana_mastodon", None),
}

# Examples whose inputs are not in the repository, and how to get them.
NOT_RUN = {
    "-o 1M.html": "needs the 1M-follow benchmark graph "
    "(python -m benchmarks.generate --edges 1M --seed 1, run in benchmarks/data/1M/)",
}

# Every command is a fresh graphkit process (seconds each, minutes for Spark), so only these
# examples run in the fast tier (pytest -m "not slow"): the terminal table and the formula
# guard. CI runs them all.
FAST = ("graphkit rank --demo --audience", "graphkit rank hostile -q")


@dataclass
class Command:
    line: int  # where the command starts in README.md
    text: str  # the shell command, continuation lines joined
    expected: list[str] = field(default_factory=list)


@dataclass
class Block:
    line: int
    commands: list[Command]

    def mentions(self, text: str) -> bool:
        return any(text in command.text for command in self.commands)


def console_blocks(text: str) -> list[Block]:
    """The README's ```console blocks, each a list of commands with their output."""
    blocks: list[Block] = []
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        if lines[number].strip() != "```console":
            number += 1
            continue
        block = Block(line=number + 1, commands=[])
        number += 1
        while lines[number].strip() != "```":
            line = lines[number]
            if line.startswith("$ "):
                command = Command(line=number + 1, text=line[2:])
                while command.text.endswith("\\"):
                    number += 1
                    command.text = command.text[:-1].rstrip() + " " + lines[number].strip()
                block.commands.append(command)
            else:
                assert block.commands, f"README.md:{number + 1}: output before any command"
                block.commands[-1].expected.append(line)
            number += 1
        blocks.append(block)
        number += 1
    return blocks


BLOCKS = console_blocks(README.read_text(encoding="utf-8"))


def shown_files(blocks: list[Block]) -> dict[str, str]:
    """The files the README shows with ``cat FILE``: inputs the examples presume."""
    files = {}
    for block in blocks:
        for command in block.commands:
            words = shlex.split(command.text)
            if len(words) == 2 and words[0] == "cat":
                files[words[1]] = "\n".join(command.expected) + "\n"
    return files


def written_folders(blocks: list[Block]) -> dict[str, Command]:
    """Dataset folders an example writes (``-o NAME/``) and the command that writes them."""
    folders = {}
    for block in blocks:
        for command in block.commands:
            words = shlex.split(command.text)
            for flag, value in itertools.pairwise(words):
                if flag == "-o" and value.endswith("/"):
                    folders[value] = command
    return folders


# What the JVM and pyspark print on a terminal as Spark starts, whatever log settings
# graphkit gives; their wording varies with the Java and Spark versions.
SPARK_BANNER = (
    "WARNING: Using incubator modules:",
    'Setting default log level to "',
    "To adjust logging level use sc.setLogLevel(",
)
# What a run prints once when it compiles the kernels (an empty numba cache).
FIRST_COMPILE = "compiling graphkit's kernels for this machine, once"
_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[@-Z\\-_])")
_SECONDS = re.compile(r"^(.+): \d+\.\d+ s$")
_MEGABYTES = re.compile(r"\(\d+\.\d+ MB\)")


def normalise(lines: list[str], folder: Path | None = None) -> list[str]:
    """Lines without what varies from run to run, and without trailing blanks."""
    result = []
    for line in lines:
        if line.startswith(SPARK_BANNER) or line.startswith(FIRST_COMPILE):
            continue
        if folder is not None:
            line = line.replace(f"{folder}{os.sep}", "")
        line = _SECONDS.sub(r"\1: <seconds> s", line.rstrip())
        result.append(_MEGABYTES.sub("(<size> MB)", line))
    while result and not result[-1]:
        result.pop()
    return result


def run_in_terminal(command: str, folder: Path, env: dict[str, str]) -> tuple[int, list[str]]:
    """Run a shell command with a pseudo-terminal as its standard output and error."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, TERMINAL_COLUMNS, 0, 0))
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
    )
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + TIMEOUT_SECONDS
    try:
        while True:
            ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                os.killpg(process.pid, signal.SIGKILL)
                pytest.fail(f"{command!r} ran past {TIMEOUT_SECONDS} s")
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        process.wait()
    text = _ANSI.sub("", b"".join(chunks).decode("utf-8", errors="replace"))
    return process.returncode, text.replace("\r\n", "\n").replace("\r", "").split("\n")


def terminal_env() -> dict[str, str]:
    """The environment of a plain terminal, with this interpreter's graphkit first on PATH."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"COLUMNS", "LINES", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"}
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["TERM"] = "dumb"  # no colours, no spinners: the text the README shows
    env["COLUMNS"], env["LINES"] = str(TERMINAL_COLUMNS), "50"  # rich's size of a dumb terminal
    env["NO_COLOR"] = "1"
    return env


def block_id(block: Block) -> str:
    words = shlex.split(block.commands[0].text)
    return f"line{block.line}-" + "-".join(word.lstrip("-") for word in words[:3])


def block_params() -> list[object]:
    params = []
    for block in BLOCKS:
        marks = [] if any(block.mentions(text) for text in FAST) else [pytest.mark.slow]
        if block.mentions(SHARED_DATA_IN_README):
            marks.append(pytest.mark.shared_data)
        params.append(pytest.param(block, id=block_id(block), marks=marks))
    return params


def _prepare(folder: Path, block: Block) -> None:
    for name, content in shown_files(BLOCKS).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    if block.mentions("exports/") or any(block.mentions(name) for name in written_folders(BLOCKS)):
        (folder / "exports").mkdir()
        for name, (fixture, wrap) in EXPORTS.items():
            zip_folder(PLATFORM_EXPORTS / fixture, folder / name, wrap=wrap)


def test_readme_has_console_examples():
    assert len(BLOCKS) >= 10
    assert sum(len(block.commands) for block in BLOCKS) >= 20


def test_the_shown_export_settings_are_the_fixtures():
    files = shown_files(BLOCKS)
    for name in ("roles.csv", "identities.csv"):
        assert files[name] == (PLATFORM_EXPORTS / name).read_text(encoding="utf-8"), name


@pytest.mark.parametrize("block", block_params())
def test_console_example_prints_what_the_readme_shows(block: Block, tmp_path: Path):
    for text, reason in NOT_RUN.items():
        if block.mentions(text):
            pytest.skip(reason)
    if block.mentions("--engine spark"):
        pytest.importorskip("pyspark", reason="the Spark engine needs pip install -e '.[spark]'")
        if shutil.which("java") is None:
            pytest.skip("the Spark engine needs Java (a JDK 17 on PATH)")
    if block.mentions("graphkit report") and importlib.util.find_spec("vl_convert") is None:
        pytest.skip("the report needs pip install -e '.[report]'")
    shared = shared_data_dir()
    if block.mentions(SHARED_DATA_IN_README) and not (shared / "README.md").is_file():
        pytest.skip(
            f"real data not found at {shared}: set GRAPHKIT_SHARED_DATA to the shared/data folder"
        )
    _prepare(tmp_path, block)
    env = terminal_env()
    # A block that reads a dataset folder another example writes runs that example first.
    for name, writer in written_folders(BLOCKS).items():
        if block.mentions(name) and writer not in block.commands:
            code, output = run_in_terminal(writer.text, tmp_path, env)
            assert code == 0, f"README.md:{writer.line}: {writer.text}\n" + "\n".join(output)
    for command in block.commands:
        if command.text.startswith("pip install"):
            continue  # the environment is set up already (checked above)
        shell = command.text.replace(SHARED_DATA_IN_README, shlex.quote(str(shared)))
        code, output = run_in_terminal(shell, tmp_path, env)
        where = f"README.md:{command.line}: $ {command.text}"
        assert code == 0, f"{where}\nexit status {code}\n" + "\n".join(output)
        assert normalise(output, tmp_path) == normalise(command.expected), where
