import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from waform import __version__
from waform.cli import cli


def test_version_flag_prints_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_python_dash_m_runs_the_cli():
    proc = subprocess.run(
        [sys.executable, "-m", "waform", "--help"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert "validate" in proc.stdout


def test_usage_errors_exit_1_not_2_so_they_cannot_pass_for_changes():
    # Exit 2 means "changes present" (plan --detailed-exitcode) or "drift found" (drift).
    result = CliRunner().invoke(cli, ["plan", "--no-such-option"])
    assert result.exit_code == 1
    assert "No such option" in result.output
    result = CliRunner().invoke(cli, ["no-such-command"])
    assert result.exit_code == 1


def test_command_exit_codes_pass_through():
    result = CliRunner().invoke(cli, ["validate", "/nonexistent/path"])
    assert result.exit_code == 1
    assert result.output.count("\n") >= 1
    assert "Traceback" not in result.output


def test_a_command_imports_only_its_own_module_and_help_lists_them_all():
    """Each command's module is imported when that command runs: importing them all cost a
    third of a second on every start (waform.commands)."""
    from waform.commands import MODULES

    script = (
        "import sys\n"
        "from waform.cli import cli\n"
        "try:\n"
        "    cli(['validate', '--help'], prog_name='waform')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('waform.commands.')))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    imported = proc.stdout.strip().splitlines()[-1]
    assert "waform.commands.validate" in imported
    assert "waform.commands.apply" not in imported and "waform.commands.emulator" not in imported
    listed = CliRunner().invoke(cli, ["--help"]).output
    assert all(f"  {name} " in listed for name in MODULES)


def test_a_mistyped_command_is_told_the_command_it_resembles():
    """The commands are loaded on first use, so click alone knows none of their names yet (a
    fresh process: in this one, other tests have loaded them)."""
    proc = subprocess.run(
        [sys.executable, "-m", "waform", "plna"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1
    assert "Error: No such command 'plna'. Did you mean 'plan'?" in proc.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="a device that is always full")
def test_output_that_cannot_be_written_is_one_line_on_stderr():
    """`waform … > /dev/full`: the command says so in one line and exits 1, no traceback."""
    full = "/dev/full"
    with open(full, "w") as stdout:
        proc = subprocess.run(
            [sys.executable, "-m", "waform", "rules"],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == ["error: cannot write the output: No space left on device"]
