"""How fast `make autograde` grades a class: serial against parallel, sandboxed against not.

A scratch course gets N submissions of one lesson (default 100 of 05-gather-and-wait),
made from the lesson's sample submissions (autograder/corpus/, taken in turn), and grades
them with coursetools.autograde.Grader, all in this one run, side by side:

1. one at a time (JOBS=1), each in a sandbox;
2. JOBS at once (default: the number of cores), each in a sandbox;
3. (on the first K submissions) one at a time without a sandbox, and with one, to show
   what the sandbox costs per notebook.

It prints the ratios and checks that every run gave every submission the same score.
Not a test: timings depend on the machine; only ratios measured in one run mean anything.

    make bench-autograde [SUBMISSIONS=100] [JOBS=2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from coursetools import corpus
from coursetools.autograde import Grader


def make_class(folder: Path, manifest: corpus.Manifest, count: int):
    course = corpus.scratch_course(folder, manifest.course_dir)
    released = nbformat.read(course.release(manifest.lesson) / manifest.notebook, as_version=4)
    if manifest.exercises_only:
        released = corpus.exercises_only(released)
    for i in range(count):
        case = manifest.cases[i % len(manifest.cases)]
        target = folder / "submitted" / f"student-{i:03d}" / manifest.lesson / manifest.notebook
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(corpus.build_submission(released, case), target)
    return course


def grade(course, lesson: str, students: list[str], jobs: int, sandboxed: bool) -> tuple[float, dict]:
    os.environ["COURSE_SANDBOX"] = "" if sandboxed else "off"
    shutil.rmtree(course.root / "autograded", ignore_errors=True)
    started = time.monotonic()
    outcomes = Grader(course, jobs, progress=sys.stderr.isatty()).grade(lesson, students)
    seconds = time.monotonic() - started
    failed = [f"{o.student}: {o.reason}" for o in outcomes if not o.graded]
    if failed:
        raise SystemExit(f"not graded: {failed[:3]}")
    return seconds, {o.student: o.score for o in outcomes}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lesson", default="05-gather-and-wait")
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=0, help="parallel run's jobs (default: the number of cores)")
    parser.add_argument("--sandbox-sample", type=int, default=10,
                        help="submissions graded with and without a sandbox (one at a time) for its cost")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    jobs = args.jobs or os.cpu_count() or 1
    manifest = next(m for m in corpus.manifests() if m.lesson == args.lesson)

    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as folder:
        course = make_class(Path(folder), manifest, args.submissions)
        everyone = course.students("submitted", args.lesson)
        sample = everyone[:min(args.sandbox_sample, len(everyone))]
        print(f"{len(everyone)} submissions of {args.lesson} ({len(manifest.cases)} sample answers in turn), "
              f"{os.cpu_count()} cores", flush=True)
        serial, serial_scores = grade(course, args.lesson, everyone, 1, True)
        print(f"  one at a time, sandboxed:   {serial:7.1f} s  ({serial / len(everyone):.2f} s per submission)",
              flush=True)
        parallel, parallel_scores = grade(course, args.lesson, everyone, jobs, True)
        print(f"  {jobs} at once, sandboxed:     {parallel:7.1f} s  ({parallel / len(everyone):.2f} s per submission)",
              flush=True)
        bare, bare_scores = grade(course, args.lesson, sample, 1, False)
        boxed, boxed_scores = grade(course, args.lesson, sample, 1, True)
        print(f"  {len(sample)} one at a time, without / with a sandbox: {bare:.1f} s / {boxed:.1f} s", flush=True)

    same = (serial_scores == parallel_scores
            and all(bare_scores[s] == boxed_scores[s] == serial_scores[s] for s in sample))
    figures = {"lesson": args.lesson, "submissions": len(everyone), "jobs": jobs, "cores": os.cpu_count(),
               "serial_s": round(serial, 1), "parallel_s": round(parallel, 1),
               "speedup": round(serial / parallel, 2), "sandbox_sample": len(sample),
               "unsandboxed_s": round(bare, 1), "sandboxed_s": round(boxed, 1),
               "sandbox_cost": round(boxed / bare - 1, 3), "same_scores": same}
    print(f"parallel speed-up: {figures['speedup']:.2f}x with {jobs} jobs; "
          f"sandbox cost per notebook: {figures['sandbox_cost']:+.1%}; "
          f"every run gave the same scores: {'yes' if same else 'NO'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
