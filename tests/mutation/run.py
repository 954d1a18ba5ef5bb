"""`./run mutation`: cosmic-ray over the modules that decide correctness, with a score table.

Each module in `modules.toml` is mutated by cosmic-ray (comparisons, boolean and binary
operators, numbers ±1, keywords, exceptions, loops, decorators) and every mutant runs
that module's own tests. The mutations are applied to a throw-away copy of the repository,
never to the working tree: an interrupted run cannot leave a mutant behind, and tests
running beside it in the same tree see the real code.

Mutants whose change no test can observe are listed, each with its reason, in
`equivalent.toml` and excluded from the score. `--sample N` runs a fixed (seeded) sample
of N mutants per module; `--quick` a tiny fixed sample that CI runs so the tooling keeps
working, and that fails if one of those mutants survives.

    ./run mutation                      every mutant of every module (slow)
    ./run mutation --sample 40          a fixed sample of 40 per module
    ./run mutation --quick              what CI runs (about a minute)
    ./run mutation --module backoff     only the named module(s)
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
REPORTS = REPO / "build" / "mutation"
QUICK_SAMPLE = 2
SEED = 22
# What the copy leaves out: caches, the virtualenv, git, earlier reports.
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "__pycache__", "*.pyc", ".*_cache", ".hypothesis"
)


@dataclass(frozen=True)
class Module:
    name: str
    path: str
    tests: tuple[str, ...]


@dataclass(frozen=True)
class Equivalent:
    path: str
    operator: str
    line: int
    col: int
    reason: str
    # The mutated line's text, when one position has several mutants (NumberReplacer's
    # +1 and -1): only the one that reads like this is equivalent.
    becomes: str | None = None

    def matches(self, source: str, operator: str, occurrence: int) -> bool:
        if self.becomes is None:
            return True
        from cosmic_ray.mutating import mutate_code
        from cosmic_ray.plugins import get_operator

        mutated = mutate_code(source, get_operator(operator)(), occurrence)
        if mutated is None:
            return False
        line = mutated.splitlines()[self.line - 1]
        return "".join(line.split()) == "".join(self.becomes.split())


@dataclass
class Score:
    module: Module
    generated: int = 0
    run: int = 0
    killed: int = 0
    equivalent: int = 0
    incompetent: int = 0
    in_annotations: int = 0
    survivors: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.killed / self.run if self.run else 100.0


def load_modules(path: Path = HERE / "modules.toml") -> list[Module]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Module(m["name"], m["path"], tuple(m["tests"])) for m in raw["module"]]


def load_equivalents(path: Path = HERE / "equivalent.toml") -> list[Equivalent]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    found = []
    for e in raw.get("equivalent", []):
        if not str(e.get("reason", "")).strip():
            raise ValueError(f"equivalent mutant {e} in {path.name} has no reason")
        found.append(
            Equivalent(e["path"], e["operator"], e["line"], e["col"], e["reason"], e.get("becomes"))
        )
    return found


def _test_command(module: Module) -> str:
    args = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    return shlex.join([*args, *module.tests])


def _environment(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(copy)  # the copy's modules, never the working tree's
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def _config(module: Module, copy: Path, timeout_s: float) -> str:
    return "\n".join(
        [
            "[cosmic-ray]",
            f"module-path = {str(copy / module.path)!r}",
            f"timeout = {timeout_s}",
            "excluded-modules = []",
            f"test-command = {_test_command(module)!r}",
            "[cosmic-ray.distributor]",
            'name = "local"',
            "",
        ]
    )


def _cosmic_ray(*args: str, copy: Path) -> None:
    exe = Path(sys.executable).with_name("cosmic-ray")
    subprocess.run([str(exe), *args], cwd=copy, env=_environment(copy), check=True)


def _baseline_seconds(module: Module, copy: Path) -> float:
    """The unmutated tests must pass, or every mutant would count as killed."""
    started = time.monotonic()
    done = subprocess.run(
        shlex.split(_test_command(module)),
        cwd=copy,
        env=_environment(copy),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"mutation: the tests of {module.path} fail unmutated:\n{done.stdout[-3000:]}")
    return time.monotonic() - started


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the type annotations are: with `from __future__ import annotations` they are
    never evaluated, so a mutant there (`float | None` → `float % None`) is for mypy to
    catch, not the tests; such mutants are counted apart and not run."""
    spans = []
    for node in ast.walk(ast.parse(source)):
        notes: list[ast.expr | None] = []
        if isinstance(node, ast.arg | ast.AnnAssign):
            notes.append(node.annotation)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            notes.append(node.returns)
        for n in notes:
            if n is not None and n.end_lineno is not None and n.end_col_offset is not None:
                spans.append(((n.lineno, n.col_offset), (n.end_lineno, n.end_col_offset)))
    return spans


def _select(module: Module, db: Path, sample: int | None, equivalents: list[Equivalent]) -> Score:
    """Mark equivalent and unsampled mutants as skipped in cosmic-ray's session."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    score = Score(module)
    known = {(e.operator, e.line, e.col): e for e in equivalents if e.path == module.path}
    source = (REPO / module.path).read_text(encoding="utf-8")
    lazy = "from __future__ import annotations" in source
    notes = annotation_spans(source) if lazy else []
    with use_db(str(db), WorkDB.Mode.open) as work_db:
        items = sorted(
            work_db.pending_work_items,
            key=lambda i: (i.mutations[0].start_pos, i.mutations[0].operator_name),
        )
        in_notes = {
            i.job_id
            for i in items
            if any(a <= tuple(i.mutations[0].start_pos) < b for a, b in notes)
        }
        score.in_annotations = len(in_notes)
        score.generated = len(items)
        for item in items:
            if item.job_id in in_notes:
                why = "in a type annotation (not evaluated at run time)"
                work_db.set_result(item.job_id, WorkResult(WorkerOutcome.SKIPPED, output=why))
        items = [i for i in items if i.job_id not in in_notes]
        chosen = items
        if sample is not None and sample < len(items):
            chosen = random.Random(f"{SEED}:{module.path}").sample(items, sample)
        chosen_ids = {i.job_id for i in chosen}
        for item in items:
            m = item.mutations[0]
            if item.job_id not in chosen_ids:
                why = "not in this sample"
            elif (m.operator_name, *m.start_pos) in known and known[
                (m.operator_name, *m.start_pos)
            ].matches(source, m.operator_name, m.occurrence):
                why = "equivalent (equivalent.toml)"
                score.equivalent += 1
            else:
                continue
            work_db.set_result(item.job_id, WorkResult(WorkerOutcome.SKIPPED, output=why))
    return score


def _tally(score: Score, db: Path) -> None:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    with use_db(str(db), WorkDB.Mode.open) as work_db:
        for item, result in work_db.completed_work_items:
            if result.worker_outcome in (WorkerOutcome.SKIPPED, WorkerOutcome.NO_TEST):
                continue
            score.run += 1
            m = item.mutations[0]
            where = f"{m.operator_name} line {m.start_pos[0]} col {m.start_pos[1]}"
            if result.test_outcome == TestOutcome.SURVIVED:
                score.survivors.append(f"{where}\n{result.diff}")
            elif result.test_outcome == TestOutcome.INCOMPETENT:
                # The mutant could not even be run (it broke the worker): not a kill.
                score.incompetent += 1
                score.survivors.append(f"{where} (incompetent)\n{result.output}")
            else:
                score.killed += 1


def mutate(module: Module, copy: Path, sample: int | None, eq: list[Equivalent]) -> Score:
    timeout_s = 180.0
    if sample != QUICK_SAMPLE:
        timeout_s = max(60.0, 4 * _baseline_seconds(module, copy))
    work = copy / ".mutation" / module.path.replace("/", "_")
    work.mkdir(parents=True, exist_ok=True)
    config, db = work / "config.toml", work / "session.sqlite"
    config.write_text(_config(module, copy, timeout_s), encoding="utf-8")
    _cosmic_ray("init", str(config), str(db), copy=copy)
    score = _select(module, db, sample, eq)
    _cosmic_ray("exec", str(config), str(db), copy=copy)
    _tally(score, db)
    REPORTS.mkdir(parents=True, exist_ok=True)
    report = REPORTS / f"{module.path.replace('/', '_')}.survivors.txt"
    report.write_text("\n\n".join(score.survivors) + "\n", encoding="utf-8")
    return score


def table(scores: Sequence[Score], eq: list[Equivalent]) -> str:
    head = ["module", "mutants", "in annotations", "run", "killed", "equivalent", "score"]
    body = [
        [
            f"{s.module.path} ({s.module.name})",
            str(s.generated),
            str(s.in_annotations),
            str(s.run),
            str(s.killed),
            str(s.equivalent),
            f"{s.percent:.0f} %",
        ]
        for s in scores
    ]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        padded = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rows = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    rows += [line(r) for r in body]
    listed = [e for e in eq if any(e.path == s.module.path for s in scores)]
    if listed:
        rows.append("\nEquivalent mutants (excluded):")
        rows += [
            f"  {e.path}:{e.line}:{e.col} {e.operator}: {' '.join(e.reason.split())}"
            for e in listed
        ]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./run mutation", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the fixed tiny sample CI runs")
    parser.add_argument("--sample", type=int, help="a fixed sample of N mutants per module")
    parser.add_argument("--module", action="append", help="only this module (name or path)")
    parser.add_argument("--min-score", type=float, default=85.0, help="fail below (percent)")
    args = parser.parse_args(argv)
    modules = load_modules()
    if args.module:
        modules = [m for m in modules if m.name in args.module or m.path in args.module]
        if not modules:
            parser.error(f"no module named {args.module} in modules.toml")
    sample = QUICK_SAMPLE if args.quick else args.sample
    eq = load_equivalents()
    scores = []
    with tempfile.TemporaryDirectory(prefix="sweepline-mutation-") as tmp:
        copy = Path(tmp) / "repo"
        shutil.copytree(REPO, copy, ignore=IGNORED)
        for module in modules:
            print(f"mutation: {module.path} against {' '.join(module.tests)}", flush=True)
            score = mutate(module, copy, sample, eq)
            scores.append(score)
            print(
                f"mutation: {module.path}: {score.killed} of {score.run} killed"
                f" ({score.percent:.0f} %), {score.equivalent} equivalent excluded",
                flush=True,
            )
    print(table(scores, eq))
    print(f"survivors: {REPORTS}/")
    if args.quick:
        return 1 if any(s.survivors for s in scores) else 0
    return 1 if any(s.percent < args.min_score for s in scores) else 0


if __name__ == "__main__":
    sys.exit(main())
