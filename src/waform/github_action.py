"""The step behind the composite GitHub Action (``action.yml``): run one waform command.

The action's inputs arrive as ``WAFORM_ACTION_*`` environment variables. The command runs in this
process; then the workflow gets what its later steps need: outputs (exit code, outcome,
plan file, counts) in ``$GITHUB_OUTPUT``, the report in the job log and summary, and a comment
body that names the outcome, the commit and the run — also when the command failed, so that a
comment is never empty or a footer alone.

Run as ``python -m waform.github_action``; it exits with the command's code unless
``fail-on-error`` is ``false`` (then 0, and the workflow decides after commenting).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from waform.render.markdown import PLAN_LIMIT, PLAN_MARKER
from waform.render.markdown_drift import DRIFT_MARKER

#: Hidden first line of each comment kind, so a workflow finds (and edits) its earlier comment.
MARKERS = {
    "validate": PLAN_MARKER,
    "plan": PLAN_MARKER,
    "apply": "<!-- waform-apply -->",
    "drift": DRIFT_MARKER,
}
HEADLINES = {
    "valid": "✅ **waform validate: the files are valid**",
    "no-changes": "✅ **waform plan: no changes**",
    "changes": "📝 **waform plan: changes to apply on merge**",
    "blocked": "⛔ **waform plan: some changes are blocked**",
    "applied": "✅ **waform apply: applied**",
    "refused": "🛑 **waform apply refused: nothing was written**",
    "clean": "✅ **waform drift: the target matches git**",
    "drift": "⚠️ **waform drift: the target differs from git**",
    "failed": "❌ **waform {command} failed**",
}
EXPLANATIONS = {
    "blocked": "Blocked changes cannot be applied now (see the table for why and what to do); "
    "the other changes are applied on merge, and the scheduled apply retries the blocked ones.",
    "refused": "The saved plan no longer matches the files or the target, or was made for "
    "another target; applying it could undo changes nobody reviewed.",
    "failed": "Nothing was planned or applied by this step; the error is below.",
}


@dataclass(frozen=True)
class ActionInputs:
    """The action's inputs, as the composite step passes them."""

    command: str
    path: str = ""
    target: str = ""
    args: list[str] = field(default_factory=list)
    plan_file: str = ""
    sha: str = ""
    run_url: str = ""
    note: str = ""
    fail_on_error: bool = True

    @classmethod
    def from_env(cls, env: dict[str, str]) -> ActionInputs:
        def get(name: str) -> str:
            return env.get(f"WAFORM_ACTION_{name}", "").strip()

        run_url = ""
        if env.get("GITHUB_RUN_ID"):
            run_url = (
                f"{env.get('GITHUB_SERVER_URL', 'https://github.com')}/"
                f"{env.get('GITHUB_REPOSITORY', '')}/actions/runs/{env['GITHUB_RUN_ID']}"
            )
        command = get("COMMAND")
        if command not in MARKERS:
            raise SystemExit(f"error: input command must be one of {', '.join(MARKERS)}")
        return cls(
            command=command,
            path=get("PATH"),
            target=get("TARGET"),
            args=shlex.split(get("ARGS")),
            plan_file=get("PLAN_FILE"),
            sha=get("SHA") or env.get("GITHUB_SHA", ""),
            run_url=run_url,
            note=env.get("WAFORM_ACTION_NOTE", ""),
            fail_on_error=get("FAIL_ON_ERROR").lower() not in ("false", "0", "no"),
        )


def command_line(inputs: ActionInputs) -> list[str]:
    """The waform argv for the inputs (without the program name)."""
    argv = [inputs.command]
    saved_plan = inputs.command == "apply" and inputs.plan_file and not inputs.path
    if saved_plan:
        argv.append(inputs.plan_file)
    elif inputs.path:
        argv += shlex.split(inputs.path)
    if inputs.target and not saved_plan:
        argv += ["--target", inputs.target]
    if inputs.command == "validate":
        argv += ["--format", "github"]
    else:
        argv.append("--markdown")
    if inputs.command == "plan":
        argv.append("--detailed-exitcode")
        if inputs.plan_file:
            argv += ["--out", inputs.plan_file]
    if inputs.command == "apply" and not saved_plan:
        argv.append("--auto-approve")
    return argv + inputs.args


def outcome_of(inputs: ActionInputs, code: int, report: str, summary: dict[str, int]) -> str:
    """One word for what happened, from the exit code and (for plans) the saved summary."""
    if inputs.command == "validate":
        return "valid" if code == 0 else "failed"
    if inputs.command == "plan":
        if code == 0:
            return "no-changes"
        if code == 2 and report.strip():
            return "blocked" if summary.get("blocked") else "changes"
        return "failed"
    if inputs.command == "apply":
        if code == 0:
            return "applied"
        # apply writes a report once it has started; a refusal is one error line and no report
        return "failed" if report.strip() else "refused"
    if code == 2 and report.lstrip().startswith(MARKERS["drift"]):
        return "drift"
    return "clean" if code == 0 else "failed"


def plan_counts(plan_file: str) -> dict[str, int]:
    """Counts from a saved plan (zeros when there is none)."""
    try:
        summary = json.loads(Path(plan_file).read_text(encoding="utf-8"))["summary"]
    except (OSError, ValueError, KeyError, TypeError):
        summary = {}
    counts = {
        "create": summary.get("create", 0) + summary.get("createDraft", 0),
        "submit": summary.get("submit", 0),
        "update": summary.get("update", 0),
        "delete": summary.get("delete", 0),
        "blocked": summary.get("blocked", 0),
    }
    counts["changes"] = sum(counts[k] for k in ("create", "submit", "update", "delete"))
    counts["changes"] += summary.get("discardDraft", 0)  # --discard-draft: no output of its own
    return counts


def comment_body(inputs: ActionInputs, outcome: str, report: str, errors: str) -> str:
    """The comment: marker, headline with commit and run, the report or the error lines."""
    marker = MARKERS[inputs.command]
    where = f"commit `{inputs.sha[:12]}`" if inputs.sha else "this commit"
    if inputs.run_url:
        where += f" · [run]({inputs.run_url})"
    if inputs.target:
        where = f"target `{inputs.target}` · " + where
    lines = [marker, HEADLINES[outcome].format(command=inputs.command), "", where, ""]
    if outcome in EXPLANATIONS:
        lines += [EXPLANATIONS[outcome], ""]
    if inputs.note and outcome not in ("valid", "no-changes", "applied", "clean"):
        lines += [inputs.note, ""]
    shown = report.replace(marker, "", 1).strip()
    if inputs.command == "validate":
        errors, shown = plain_annotations(report) + "\n" + errors, ""
    if outcome in ("failed", "refused") and errors.strip():
        tail = "\n".join(errors.strip().splitlines()[-40:])
        fence = "````" if "```" in tail else "```"
        lines += [f"{fence}text", tail, fence, ""]
    body = "\n".join(lines) + "\n"
    room = PLAN_LIMIT - len(body) - 200
    if shown:
        if len(shown) > room:
            shown = shown[: max(room, 0)] + "\n\n… (cut: the full report is in the job summary)"
        body += "\n" + shown + "\n"
    return body


_ANNOTATION = re.compile(r"^::(\w+) file=([^,]*),line=(\d+),col=(\d+)(?:,[^:]*)?::(.*)$")


def plain_annotations(report: str) -> str:
    """``::error file=F,line=L,col=C,…::message`` workflow commands → ``F:L:C: error: message``."""
    return "\n".join(_ANNOTATION.sub(r"\2:\3:\4: \1: \5", line) for line in report.splitlines())


def _write(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


class _Tee(io.StringIO):
    """Keeps what is written and passes it on, so the job log shows the output as it comes."""

    def __init__(self, through: TextIO) -> None:
        super().__init__()
        self.through = through

    def write(self, text: str) -> int:
        self.through.write(text)
        return super().write(text)

    def isatty(self) -> bool:
        return False


def run_waform(argv: list[str]) -> tuple[int, str, str]:
    """Run the CLI in this process (one interpreter start less); (exit code, stdout, stderr).
    Not as the console script: this process goes on after the command (its outputs)."""
    from waform.cli import cli

    out, err = _Tee(sys.stdout), _Tee(sys.stderr)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli(argv, prog_name="waform")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, out.getvalue(), err.getvalue()


def main() -> int:
    env = dict(os.environ)
    inputs = ActionInputs.from_env(env)
    argv = command_line(inputs)
    print(f"$ waform {shlex.join(argv)}", flush=True)
    if inputs.command == "plan" and inputs.plan_file:
        Path(inputs.plan_file).parent.mkdir(parents=True, exist_ok=True)
    code, stdout, stderr = run_waform(argv)
    counts = plan_counts(inputs.plan_file) if inputs.plan_file else plan_counts("")
    outcome = outcome_of(inputs, code, stdout, counts)
    body = comment_body(inputs, outcome, stdout, stderr)
    out_dir = Path(env.get("RUNNER_TEMP") or ".")
    report_file = out_dir / f"waform-{inputs.command}-report.md"
    comment_file = out_dir / f"waform-{inputs.command}-comment.md"
    report_file.write_text(stdout, encoding="utf-8")
    comment_file.write_text(body, encoding="utf-8")
    _write(env.get("GITHUB_STEP_SUMMARY"), body.replace(MARKERS[inputs.command], "", 1) + "\n")
    outputs = {
        "exit-code": str(code),
        "outcome": outcome,
        "plan-file": inputs.plan_file if Path(inputs.plan_file or ".").is_file() else "",
        "report": str(report_file),
        "comment": str(comment_file),
        **{key: str(value) for key, value in counts.items()},
    }
    _write(env.get("GITHUB_OUTPUT"), "".join(f"{k}={v}\n" for k, v in outputs.items()))
    print(f"waform {inputs.command}: {outcome} (exit {code})", flush=True)
    if inputs.fail_on_error and outcome in ("failed", "refused"):
        return code or 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
