"""Benchmark kassa.ach against carta-ach (a Python peer) on 100,000 and 1,000,000 entries.

Run from the repository root:

    python bench/ach.py            # both sizes
    python bench/ach.py 100000     # chosen sizes

Every case runs in its own subprocess; peak memory is that process's
``ru_maxrss`` (resource.getrusage(RUSAGE_SELF) read at the end of the case, so
it includes the interpreter and the input entries).  Times cover the work
only, not building the input entries or starting Python.

Cases:
  kassa write         FileBuilder.write: entries -> complete file on disk (streaming)
  kassa read          Reader(path).entries(): every entry as an object, full validation,
                      bounded memory
  kassa read-all      read(path): the whole file as objects, full validation
  kassa validate      validate(path): full validation without building objects
  carta write         carta-ach AchFile.add_batch + render_to_string + write
  carta read          carta-ach Parser(text).as_dict() (carta validates nothing)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# This script is named ach.py, like carta-ach's package: keep its folder off the
# import path so ``import ach`` finds the peer, not this file.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
BATCH = 10_000
RDFIS = 997  # distinct receiving banks in the generated files


def _routings() -> list[str]:
    sys.path.insert(0, str(SRC))
    from kassa.ach import routing_check_digit

    heads = [f"{10000000 + 1000 * i:08d}" for i in range(RDFIS)]
    return [h + str(routing_check_digit(h)) for h in heads]


def _kassa_inputs(n: int) -> object:
    sys.path.insert(0, str(SRC))
    from kassa.ach import EntryInput, FileBuilder

    routings = _routings()
    builder = FileBuilder(
        "231380104",
        "121042882",
        "FEDERAL RESERVE",
        "KASSA BANK",
        file_creation_date="250102",
        file_creation_time="1200",
    )
    for start in range(0, n, BATCH):
        batch = builder.add_batch(
            "PPD", "KASSA PAYROLL", "1234567890", "PAYROLL", "12104288", "250103"
        )
        for i in range(start, min(n, start + BATCH)):
            batch.add_entry(
                EntryInput(
                    22 if i % 3 else 27,
                    routings[i % RDFIS],
                    f"{i:012d}",
                    1000 + i % 50_000,
                    individual_name=f"CUSTOMER {i}",
                    identification_number=f"ID{i}",
                )
            )
    return builder


def case(name: str, n: int, path: str) -> dict[str, float]:
    """Run one case in this process and return its figures."""
    sys.path.insert(0, str(SRC))
    elapsed = 0.0
    if name == "kassa-write":
        builder = _kassa_inputs(n)
        t = time.perf_counter()
        builder.write(path)  # type: ignore[attr-defined]
        elapsed = time.perf_counter() - t
    elif name == "kassa-read":
        from kassa.ach import Reader

        t = time.perf_counter()
        reader = Reader(path)
        count = 0
        for _, _entry in reader.entries():
            count += 1
        elapsed = time.perf_counter() - t
        assert count == n and not reader.issues, reader.issues[:3]
    elif name == "kassa-read-all":
        from kassa.ach import read

        t = time.perf_counter()
        file = read(path)
        elapsed = time.perf_counter() - t
        assert file.entry_count == n
    elif name == "kassa-validate":
        from kassa.ach import validate

        t = time.perf_counter()
        issues = validate(path)
        elapsed = time.perf_counter() - t
        assert not issues
    elif name == "carta-write":
        from ach.builder import AchFile

        routings = _routings()
        settings = {
            "immediate_dest": "231380104",
            "immediate_org": "121042882",
            "immediate_dest_name": "FEDERAL RESERVE",
            "immediate_org_name": "KASSA BANK",
            "company_id": "1234567890",
        }
        batches = []
        for start in range(0, n, BATCH):
            batches.append(
                [
                    {
                        "type": "22",
                        "routing_number": routings[i % RDFIS],
                        "account_number": f"{i:012d}",
                        "amount": str((1000 + i % 50_000) / 100),  # carta takes dollars
                        "name": f"CUSTOMER {i}",
                        "id_number": f"ID{i}",
                    }
                    for i in range(start, min(n, start + BATCH))
                ]
            )
        t = time.perf_counter()
        ach_file = AchFile("A", settings)
        for entries in batches:
            ach_file.add_batch("PPD", entries, credits=True, debits=False)
        text = ach_file.render_to_string()
        with open(path, "w") as fh:
            fh.write(text)
        elapsed = time.perf_counter() - t
    elif name == "carta-read":
        from ach.parser import Parser

        t = time.perf_counter()
        with open(path) as fh:
            data = Parser(fh.read()).as_dict()
        elapsed = time.perf_counter() - t
        assert sum(len(b["entries"]) for b in data["batches"]) == n
    else:
        raise SystemExit(f"unknown case {name}")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    return {"seconds": elapsed, "entries_per_s": n / elapsed, "peak_mib": peak_mib}


def _run(name: str, n: int, path: str) -> dict[str, float] | None:
    proc = subprocess.run(
        [sys.executable, __file__, "--case", name, str(n), path],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        print(f"  {name}: failed\n{proc.stderr[-2000:]}")
        return None
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(sizes: list[int]) -> None:
    try:
        import ach.builder
        import ach.parser  # noqa: F401

        have_carta = True
    except ImportError:
        have_carta = False
        print(
            "carta-ach is not installed; skipping the peer. "
            "Install it with: pip install carta-ach==0.4.5"
        )
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} "
        "CPU(s); peak memory = ru_maxrss of a subprocess per case"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            ours = os.path.join(tmp, f"kassa-{n}.ach")
            theirs = os.path.join(tmp, f"carta-{n}.ach")
            results: dict[str, dict[str, float] | None] = {}
            results["kassa write"] = _run("kassa-write", n, ours)
            for name in ("kassa-read", "kassa-read-all", "kassa-validate"):
                results[name.replace("-", " ", 1)] = _run(name, n, ours)
            if have_carta:
                results["carta write"] = _run("carta-write", n, theirs)
                results["carta read"] = _run("carta-read", n, ours)
            print(f"\n{n:,} entries")
            print(f"  {'case':<16}{'seconds':>9}{'entries/s':>14}{'peak MiB':>10}")
            for label, r in results.items():
                if r is not None:
                    rate = r["entries_per_s"]
                    print(f"  {label:<16}{r['seconds']:>9.2f}{rate:>14,.0f}{r['peak_mib']:>10.0f}")
            cw, cr = results.get("carta write"), results.get("carta read")
            kw, kr, ka = (
                results.get("kassa write"),
                results.get("kassa read"),
                results.get("kassa read-all"),
            )
            if cw and kw:
                print(
                    "  write: kassa / carta = "
                    f"{kw['entries_per_s'] / cw['entries_per_s']:.1f}x (goal >= 30x)"
                )
            if cr and kr:
                print(
                    "  read (streaming, full validation) / carta read = "
                    f"{kr['entries_per_s'] / cr['entries_per_s']:.1f}x (goal >= 3x)"
                )
            kv = results.get("kassa validate")
            if cr and kv:
                ratio = kv["entries_per_s"] / cr["entries_per_s"]
                print(f"  validate (full validation, no objects) / carta read = {ratio:.1f}x")
            if cr and ka:
                print(
                    "  read-all (objects, full validation) / carta read "
                    f"= {ka['entries_per_s'] / cr['entries_per_s']:.1f}x"
                )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--case":
        print(json.dumps(case(sys.argv[2], int(sys.argv[3]), sys.argv[4])))
    else:
        main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
