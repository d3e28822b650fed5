"""Runs the shipped GitHub workflows here, step by step, the way a runner would.

GitHub itself is not involved. ``run:`` steps run in bash; the waform action
(``your-org/waform@…``) runs the composite steps of the repository's own ``action.yml`` (all but
its install step: waform is installed in this virtualenv already, and a separate test runs that
step); ``actions/upload-artifact`` / ``download-artifact`` copy directories in and out of an
artifact store; ``actions/github-script`` scripts run in Node against a fake GitHub (pull
requests, comments, issues, artifacts, branches) kept in :attr:`WorkflowRunner.github`;
``actions/cache`` restores a directory saved by an earlier job (exact key, else the newest whose
key starts with a restore key) and saves it when the job succeeds. Each job starts, like a fresh
runner, without waform's load cache (``.waform/cache``). Checkout and setup-python do nothing:
the test has prepared the repository. ``${{ … }}`` and
``if:`` expressions are evaluated with a small evaluator for the subset the workflows use.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml as pyyaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FAKE_GITHUB = Path(__file__).with_name("github_script_fake.js")
WAFORM_ACTION = "your-org/waform@"
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.S)
_TOKEN = re.compile(r"\s*('(?:[^']|'')*'|&&|\|\||==|!=|!|\(|\)|[A-Za-z_][\w.-]*(?:\(\))?|\d+)")
_WORDS = {"true": "True", "false": "False", "null": "None", "&&": "and", "||": "or", "!": "not"}


def load_yaml(path: Path) -> dict[str, Any]:
    data = pyyaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # PyYAML (YAML 1.1) reads the key `on` as True
        data["on"] = data.pop(True)
    return data


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class Scope:
    """What expressions can see: contexts, step outputs, and the job's status."""

    contexts: dict[str, Any]
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: bool = False

    def lookup(self, path: str) -> Any:
        head, *rest = path.split(".")
        value: Any = self.steps if head == "steps" else self.contexts.get(head, {})
        if head == "secrets":
            return "not-used-by-a-local-target"
        for part in rest:
            value = value.get(part) if isinstance(value, dict) else None
        # GitHub coerces null and '' alike in comparisons (both are 0): a missing output is ''
        return "" if value is None else value

    def evaluate(self, expression: str) -> Any:
        python: list[str] = []
        position = 0
        while position < len(expression.rstrip()):
            match = _TOKEN.match(expression, position)
            assert match, f"cannot read expression at {expression[position:]!r}"
            token, position = match.group(1), match.end()
            if token.startswith("'"):
                python.append(repr(token[1:-1].replace("''", "'")))
            elif token in _WORDS:
                python.append(_WORDS[token])
            elif token.endswith("()"):
                status = {"always": True, "success": not self.failed, "failure": self.failed}
                python.append(repr(status[token[:-2]]))
            elif token[0].isalpha() or token[0] == "_":
                python.append(repr(self.lookup(token)))
            else:
                python.append(token)
        return eval(" ".join(python), {"__builtins__": {}})  # noqa: S307 - our own test input

    def substitute(self, value: Any) -> str:
        return _EXPR.sub(lambda m: _text(self.evaluate(m.group(1))), _text(value))

    def condition(self, expression: str | None) -> bool:
        if expression is None:
            return not self.failed
        expression = _EXPR.sub(lambda m: m.group(1), str(expression))
        uses_status = re.search(r"\b(always|success|failure|cancelled)\(\)", expression)
        if not uses_status and self.failed:
            return False
        return bool(self.evaluate(expression))


@dataclass
class StepResult:
    job: str
    name: str
    code: int
    outputs: dict[str, str]


class WorkflowRunner:
    """Runs workflows in ``repo`` against a fake GitHub; keeps artifacts between runs."""

    def __init__(self, repo: Path, github: dict[str, Any]) -> None:
        self.repo = repo
        self.github = github
        self.store = repo.parent / "artifact-store"
        self.logs: list[str] = []
        self.run_id = 1000
        self.summary = ""
        self.current_payload: dict[str, Any] = {}
        #: ``actions/cache`` entries, oldest first: key → saved copy.
        self.caches: dict[str, Path] = {}
        self._saves: list[tuple[str, Path]] = []

    def log(self) -> str:
        return "\n".join(self.logs)

    # ------------------------------------------------------------------ one workflow run

    def run(
        self,
        workflow: Path,
        *,
        event: str,
        sha: str,
        payload: dict[str, Any] | None = None,
        inputs: dict[str, Any] | None = None,
    ) -> list[StepResult]:
        data = load_yaml(workflow)
        self.run_id += 1
        self.summary = ""
        self.current_payload = payload or {}
        github = {
            "event_name": event,
            "sha": sha,
            "ref": "refs/heads/main",
            "repository": "acme/templates",
            "token": "fake-token",
            "event": payload or {},
            "run_id": str(self.run_id),
        }
        results: list[StepResult] = []
        for job_id, job in data["jobs"].items():
            scope = Scope({"github": github, "inputs": inputs or {}, "env": {}})
            scope.contexts["env"] = {k: scope.substitute(v) for k, v in data.get("env", {}).items()}
            scope.contexts["env"].update(
                {k: scope.substitute(v) for k, v in job.get("env", {}).items()}
            )
            if not scope.condition(job.get("if")):
                continue
            shutil.rmtree(self.repo / ".waform" / "cache", ignore_errors=True)  # a fresh runner
            self._saves = []
            for step in job["steps"]:
                if not scope.condition(step.get("if")):
                    continue
                name = step.get("name") or step.get("uses") or step["run"].splitlines()[0]
                code, outputs = self._step(step, scope, github)
                self.logs.append(f"[{job_id}] {name}: exit {code} {outputs}")
                if "id" in step:
                    scope.steps[step["id"]] = {
                        "outputs": outputs,
                        "outcome": "success" if code == 0 else "failure",
                    }
                results.append(StepResult(job_id, name, code, outputs))
                scope.failed = scope.failed or code != 0
            for key, path in self._saves if not scope.failed else ():  # the post step
                if path.exists():
                    saved = self.repo.parent / "cache-store" / str(len(self.caches))
                    shutil.copytree(path, saved)
                    self.caches[key] = saved
        return results

    def _env(self, scope: Scope, github: dict[str, Any], *layers: dict[str, Any]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "WAFORM_"))}
        env.update(scope.contexts["env"])
        for layer in layers:
            env.update({k: scope.substitute(v) for k, v in layer.items()})
        temp = self.repo.parent / f"runner-temp-{self.run_id}"
        temp.mkdir(exist_ok=True)
        env.update(
            PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            GITHUB_STEP_SUMMARY=str(temp / "summary.md"),
            GITHUB_WORKSPACE=str(self.repo),
            GITHUB_SHA=github["sha"],
            GITHUB_RUN_ID=github["run_id"],
            GITHUB_REPOSITORY=github["repository"],
            GITHUB_SERVER_URL="https://github.com",
            RUNNER_TEMP=str(temp),
            WAFORM_EMULATOR_REVIEW_DELAY="3600",  # reviews end when a test says so
            CI="true",
        )
        return env

    def _bash(self, script: str, env: dict[str, str]) -> tuple[int, dict[str, str]]:
        output = Path(env["RUNNER_TEMP"]) / "output"
        output.write_text("")
        env = {**env, "GITHUB_OUTPUT": str(output)}
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=self.repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        self.logs.append(proc.stdout + proc.stderr)
        summary = Path(env["GITHUB_STEP_SUMMARY"])
        if summary.is_file():
            self.summary = summary.read_text(encoding="utf-8")
        lines = output.read_text(encoding="utf-8").splitlines()
        return proc.returncode, dict(line.split("=", 1) for line in lines if "=" in line)

    def _step(
        self, step: dict[str, Any], scope: Scope, github: dict[str, Any]
    ) -> tuple[int, dict[str, str]]:
        if "run" in step:
            env = self._env(scope, github, step.get("env", {}))
            return self._bash(scope.substitute(step["run"]), env)
        uses: str = step["uses"]
        given = {k: scope.substitute(v) for k, v in step.get("with", {}).items()}
        if uses.startswith(WAFORM_ACTION):
            return self._waform_action(given, self._env(scope, github, step.get("env", {})))
        action = uses.split("@")[0]
        if action in ("actions/checkout", "actions/setup-python"):
            return 0, {}
        if action == "actions/upload-artifact":
            return self._upload(given, github)
        if action == "actions/download-artifact":
            return self._download(given)
        if action == "actions/cache":
            return self._restore_cache(given)
        assert action == "actions/github-script", uses
        return self._github_script(given["script"], self._env(scope, github, step.get("env", {})))

    # ------------------------------------------------------------------ the pieces

    def _waform_action(self, given: dict[str, str], env: dict[str, str]) -> tuple[int, dict]:
        action = load_yaml(ROOT / "action.yml")
        inputs = {k: _text(spec.get("default", "")) for k, spec in action["inputs"].items()}
        inputs.update(given)
        scope = Scope({"inputs": inputs, "env": {}})
        code = 0
        for step in action["runs"]["steps"]:
            if step["name"].startswith("Install"):
                continue  # installed already; test_action_installs_from_its_own_checkout
            if not scope.condition(step.get("if")):
                continue
            step_env = {**env, "GITHUB_ACTION_PATH": str(ROOT)}
            step_env.update({k: scope.substitute(v) for k, v in step.get("env", {}).items()})
            code, outputs = self._bash(step["run"], step_env)
            scope.steps[step["id"]] = {"outputs": outputs}
            if code:
                break
        outputs = {k: scope.substitute(spec["value"]) for k, spec in action["outputs"].items()}
        return code, outputs

    def _upload(self, given: dict[str, str], github: dict[str, Any]) -> tuple[int, dict]:
        source = self.repo / given["path"]
        if not source.exists():
            return (1 if given.get("if-no-files-found") == "error" else 0), {}
        artifact_id = len(self.github["artifacts"]) + 1
        shutil.copytree(source, self.store / str(artifact_id))
        self.github["artifacts"].append(
            {
                "id": artifact_id,
                "name": given["name"],
                "expired": False,
                "workflow_run": {"id": int(github["run_id"])},
            }
        )
        url = f"https://github.com/{github['repository']}/actions/runs/{github['run_id']}"
        return 0, {
            "artifact-id": str(artifact_id),
            "artifact-url": f"{url}/artifacts/{artifact_id}",
        }

    def _download(self, given: dict[str, str]) -> tuple[int, dict]:
        [artifact] = [a for a in self.github["artifacts"] if str(a["id"]) == given["artifact-ids"]]
        assert str(artifact["workflow_run"]["id"]) == given["run-id"]
        target = self.repo / given["path"]
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(self.store / str(artifact["id"]), target)
        return 0, {"download-path": str(target)}

    def _restore_cache(self, given: dict[str, str]) -> tuple[int, dict]:
        key, path = given["key"], self.repo / given["path"]
        prefixes = [k.strip() for k in given.get("restore-keys", "").splitlines() if k.strip()]
        matched = key if key in self.caches else None
        for prefix in prefixes if matched is None else ():
            matched = next((k for k in reversed(self.caches) if k.startswith(prefix)), None)
            if matched is not None:
                break
        if matched is not None:
            shutil.rmtree(path, ignore_errors=True)
            shutil.copytree(self.caches[matched], path)
        if matched != key:
            self._saves.append((key, path))
        return 0, {"cache-hit": _text(matched == key), "cache-matched-key": matched or ""}

    def _github_script(self, script: str, env: dict[str, str]) -> tuple[int, dict]:
        temp = Path(env["RUNNER_TEMP"])
        (temp / "script.js").write_text(script, encoding="utf-8")
        (temp / "github.json").write_text(json.dumps(self.github), encoding="utf-8")
        payload = json.loads(json.dumps(self.current_payload))
        context = {
            "repo": {"owner": "acme", "repo": "templates"},
            "sha": env["GITHUB_SHA"],
            "runId": int(env["GITHUB_RUN_ID"]),
            "serverUrl": "https://github.com",
            "payload": payload,
            "issueNumber": (payload.get("pull_request") or {}).get("number"),
        }
        (temp / "context.json").write_text(json.dumps(context), encoding="utf-8")
        script_path = str(temp / "script.js")
        code, outputs = self._bash(
            f'node "{FAKE_GITHUB}" "{temp / "github.json"}" "{script_path}" '
            f'"{temp / "context.json"}"',
            env,
        )
        self.github.clear()
        self.github.update(json.loads((temp / "github.json").read_text(encoding="utf-8")))
        return code, outputs
