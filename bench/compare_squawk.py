#!/usr/bin/env python3
"""Runs zerodown and squawk on every case in bench/squawk_cases/ and prints a markdown table.

Each case runs twice per tool: without and with `--assume-in-transaction`. When both tools
give the same answer in both modes, the case gets one row ("both"); otherwise a row per mode.

A case may start with `-- given: <sql>` comment lines: the schema that earlier migrations
built. squawk sees only the case file (the lines are comments to it). zerodown is run once on
the case alone and once with the given SQL as an earlier migration in the same folder
(`0001_given.sql` before `0002_<case>.sql`), and only its findings in the case file count; a
case with `given` lines gets its own row for that run ("+given").

squawk rule names are mapped to zerodown ids with the table in src/sql/ignore.rs
(`SQUAWK_NAMES`), read as text. A squawk rule counts as matched when zerodown fired any of
its ids; a zerodown rule as matched when a fired squawk rule maps to it. Rules with no
counterpart on the other side are listed in their own columns and do not decide the verdict.

Environment: ZERODOWN (binary; default $CARGO_TARGET_DIR/release/zerodown, else
target/release/zerodown, built with `cargo build --release` when missing), SQUAWK (default
${TMPDIR:-/tmp}/sqvenv/bin/squawk, installed there with pip, pinned, when missing).
Always exits 0.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "bench" / "squawk_cases"
SQUAWK_VERSION = "2.70.0"


def squawk_names():
    """SQUAWK_NAMES from src/sql/ignore.rs: {squawk name: [zerodown ids]}."""
    text = (ROOT / "src" / "sql" / "ignore.rs").read_text()
    start = text.index("SQUAWK_NAMES")
    body = text[text.index("= &[", start) : text.index("];", start)]
    mapping = {}
    for entry in re.finditer(r'\(\s*"([^"]+)"\s*,\s*&\[([^\]]*)\]\s*,?\s*\)', body):
        mapping[entry.group(1)] = re.findall(r'"([^"]+)"', entry.group(2))
    return mapping


def zerodown_binary():
    if os.environ.get("ZERODOWN"):
        return os.environ["ZERODOWN"]
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not target.is_absolute():
        target = ROOT / target
    binary = target / "release" / "zerodown"
    if not binary.exists():
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    return str(binary)


def squawk_binary():
    if os.environ.get("SQUAWK"):
        return os.environ["SQUAWK"]
    venv = Path(os.environ.get("TMPDIR", "/tmp")) / "sqvenv"
    binary = venv / "bin" / "squawk"
    try:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    except OSError:
        version = ""
    if SQUAWK_VERSION not in version:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run(
            [venv / "bin" / "pip", "install", "-q", f"squawk-cli=={SQUAWK_VERSION}"], check=True
        )
    return str(binary)


def squawk_supports_json(squawk):
    help_text = subprocess.run([squawk, "--help"], capture_output=True, text=True).stdout
    return "--reporter" in help_text and "json" in help_text


TEXT_RULE = re.compile(r"^\s*(?:warning|error)\[([a-z0-9-]+)\]", re.M)


def run_squawk(squawk, json_reporter, case, assume):
    args = [squawk, *(["--assume-in-transaction"] if assume else []), str(case)]
    if json_reporter:
        out = subprocess.run([*args, "--reporter", "json"], capture_output=True, text=True)
        try:
            return {v["rule_name"] for v in json.loads(out.stdout or "[]")}
        except json.JSONDecodeError:
            return {"(squawk output unreadable)"}
    out = subprocess.run(args, capture_output=True, text=True)
    return set(TEXT_RULE.findall(out.stdout))


def run_zerodown(zerodown, paths, case_name, assume):
    args = [zerodown, "migrate", "lint", "--no-config", "--format", "json"]
    args += ["--assume-in-transaction"] if assume else []
    out = subprocess.run([*args, *map(str, paths)], capture_output=True, text=True)
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError:
        return {"(zerodown output unreadable)": "error"}, []
    fired = {}
    rank = {"info": 0, "warning": 1, "error": 2}
    for f in report.get("findings", []):
        if Path(f["file"]).name != case_name:
            continue
        old = fired.get(f["rule"])
        if old is None or rank.get(f["severity"], 0) > rank.get(old, 0):
            fired[f["rule"]] = f["severity"]
    errors = [e.get("message", str(e)) if isinstance(e, dict) else str(e) for e in report.get("errors", [])]
    return fired, errors


def given_sql(case):
    lines = []
    for line in case.read_text().splitlines():
        m = re.match(r"\s*--\s*given:\s*(.*)$", line)
        if m:
            lines.append(m.group(1))
    return "\n".join(lines)


def compare(squawk_fired, zd_fired, mapping):
    shared_zd = {z for ids in mapping.values() for z in ids}
    mapped = {s for s in squawk_fired if s in mapping}
    sq_only_unmapped = sorted(squawk_fired - mapped)
    zd_shared = {z for z in zd_fired if z in shared_zd}
    zd_unshared = sorted(set(zd_fired) - zd_shared)
    missing_in_zd = sorted(s for s in mapped if not set(mapping[s]) & set(zd_fired))
    covered = {z for s in mapped for z in mapping[s]}
    missing_in_sq = sorted(z for z in zd_shared if z not in covered)
    agree = not missing_in_zd and not missing_in_sq
    return agree, missing_in_zd, missing_in_sq, sq_only_unmapped, zd_unshared


def fmt_zd(fired):
    if not fired:
        return "—"
    return ", ".join(f"{r}" + ("" if s == "error" else f" ({s})") for r, s in sorted(fired.items()))


def main():
    mapping = squawk_names()
    zerodown = zerodown_binary()
    squawk = squawk_binary()
    json_reporter = squawk_supports_json(squawk)
    version = subprocess.run([squawk, "--version"], capture_output=True, text=True).stdout.strip()
    cases = sorted(CASES.glob("*.sql"))
    rows = []
    counts = {"agree": 0, "differ": 0}
    notes = []
    with tempfile.TemporaryDirectory(prefix="zd-squawk-cases-") as tmp:
        tmp = Path(tmp)
        for case in cases:
            runs = {}
            given = given_sql(case)
            for assume in (False, True):
                sq = run_squawk(squawk, json_reporter, case, assume)
                # A folder of its own, so that no other case is read as an earlier migration.
                alone = tmp / f"{case.stem}-{int(assume)}"
                alone.mkdir()
                shutil.copy(case, alone / case.name)
                zd, errors = run_zerodown(zerodown, [alone / case.name], case.name, assume)
                runs[("alone", assume)] = (sq, zd, errors)
                if given:
                    folder = tmp / f"{case.stem}-given-{int(assume)}"
                    folder.mkdir()
                    (folder / "0001_given.sql").write_text(given + "\n")
                    name = f"0002_{case.name}"
                    shutil.copy(case, folder / name)
                    zd, errors = run_zerodown(zerodown, [folder / "0001_given.sql", folder / name], name, assume)
                    runs[("given", assume)] = (sq, zd, errors)
            for variant in ("alone", "given"):
                if (variant, False) not in runs:
                    continue
                a, b = runs[(variant, False)], runs[(variant, True)]
                # One row when the rules that decide the verdict are the same in both modes.
                same = {s for s in a[0] if s in mapping} == {s for s in b[0] if s in mapping} and a[1] == b[1]
                if same:
                    modes = [("both", a, b[0] - a[0])]
                else:
                    modes = [("no txn", a, set()), ("--assume-in-transaction", b, set())]
                for mode, (sq, zd, errors), sq_assume_only in modes:
                    agree, miss_zd, miss_sq, sq_extra, zd_extra = compare(sq, zd, mapping)
                    counts["agree" if agree else "differ"] += 1
                    verdict = "agree" if agree else "**differ**"
                    detail = []
                    if miss_zd:
                        detail.append("squawk only: " + ", ".join(miss_zd))
                    if miss_sq:
                        detail.append("zerodown only: " + ", ".join(miss_sq))
                    if detail:
                        verdict += " (" + "; ".join(detail) + ")"
                    if errors:
                        notes.append(f"{case.name}: zerodown input errors: {errors}")
                    label = case.stem + (" +given" if variant == "given" else "")
                    mapped_sq = sorted(s for s in sq if s in mapping)
                    rows.append(
                        (
                            label,
                            mode,
                            ", ".join(mapped_sq) or "—",
                            fmt_zd(zd),
                            verdict,
                            (", ".join(sq_extra) or "—")
                            + (f" (+ {', '.join(sorted(sq_assume_only))} with --assume-in-transaction)" if sq_assume_only else ""),
                            ", ".join(zd_extra) or "—",
                        )
                    )
    print(f"squawk: {version} ({'--reporter json' if json_reporter else 'text output'}); zerodown: {zerodown}")
    print()
    print(
        "| case | mode | squawk rules fired (with a zerodown counterpart) | zerodown rules fired "
        "(severity if not error) | verdict | other squawk rules | other zerodown rules |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print(f"{counts['agree']} agree, {counts['differ']} differ ({len(cases)} case files, {len(rows)} rows)")
    for note in notes:
        print(f"- {note}")
    return 0


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # the table is a report: never fail the caller
        print(f"compare_squawk.py: {error}", file=sys.stderr)
    sys.exit(0)
