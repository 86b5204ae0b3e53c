"""The registry's steps in dependency order; an unknown step or a cycle is a programming error named here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bankcrm.kit.module import Job


class UnknownJob(ValueError):
    """A step name the registry does not declare."""

    def __init__(self, name: str, known: Iterable[str], *, needed_by: str | None = None) -> None:
        self.name = name
        self.known = sorted(known)
        where = f" (named in the 'after' of {needed_by})" if needed_by else ""
        super().__init__(f"unknown job {name!r}{where}; known jobs: {', '.join(self.known)}")


class JobCycle(ValueError):
    """Steps that wait for each other."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        super().__init__(f"jobs wait for each other in a cycle: {' -> '.join(self.names)}")


def ordered(jobs: Sequence[Job]) -> list[Job]:
    """Every step after the steps it names, otherwise in declaration order (a stable topological sort)."""
    by_code = {j.code: j for j in jobs}
    for job in jobs:
        for name in job.after:
            if name not in by_code:
                raise UnknownJob(name, by_code, needed_by=job.code)
    done: list[Job] = []
    state: dict[str, str] = {}  # code -> "visiting" | "done"

    def visit(job: Job, path: list[str]) -> None:
        if state.get(job.code) == "done":
            return
        if state.get(job.code) == "visiting":
            raise JobCycle([*path[path.index(job.code) :], job.code])
        state[job.code] = "visiting"
        for name in job.after:
            visit(by_code[name], [*path, job.code])
        state[job.code] = "done"
        done.append(job)

    for job in jobs:
        visit(job, [])
    return done


def find(jobs: Sequence[Job], code: str) -> Job:
    """The step with this code, or UnknownJob listing the known ones."""
    for job in jobs:
        if job.code == code:
            return job
    raise UnknownJob(code, (j.code for j in jobs))
