"""Import speed through the real command line, next to the code of before issue 21, both
measured in the same run.

Each import is a whole ``python -m territoires import FILE --db URL`` process, timed from its
start to its exit (history recorded, as always). The files:

- the **realistic file** (``bench/realistic.py``): every column of the app's initiatives export,
  written by the export itself from synthetic initiatives, plus an area served on about 16 % of
  the rows and a status; 20,000 and 50,000 rows;
- a **committee's file** of 20,000 rows that names its communes (with their département) for
  70 % of the rows instead of giving their INSEE code.

Cases: into a new SQLite database; into an existing one holding the same 50,000 initiatives (a
re-import of the file where 2,500 amounts changed since: 2,500 updates with their history,
47,500 unchanged rows); and on PostgreSQL (a new schema, then the re-import) when
``TERRITOIRES_TEST_DATABASE_URL`` is set (each run in a schema of its own, dropped after).

The baseline, « avant », is the same command run from a copy of the code at
``BASELINE_COMMIT`` (``main`` when the work on issue 21 began), extracted by ``git archive``
into a temporary folder: the product keeps no old code path, and the old one stays runnable
exactly as it was. Both use the same Python, geodata cache and files; runs alternate, so that
a slow moment of a shared machine hits both. Target: ≥ 5,000 rows/s.

Run with ``python -m bench import`` (``BENCH_IMPORT_RUNS`` sets the runs per case, 3 by
default). Needs the geodata cache (``make bench`` builds it) and git for the baseline.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from bench.realistic import cached_reference, realistic_file
from bench.timing import timed_process
from territoires.formatting import fr_count, fr_number

ROOT = Path(__file__).resolve().parent.parent
BASELINE_COMMIT = "826aa00b5e2a55af8d0a60c78de8ba6b45b57ce8"
SIZES = (20_000, 50_000)
COMMITTEE_ROWS = 20_000
CHANGED = 2_500  # rows of the re-imported file whose amount changed (5 %)
TARGET = 5_000.0
RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "3"))
FUNDERS = ("Carasso", "FdF", "Terre et Fils", "JM Bruneau + FdF", "Fondation Entreprendre")
THEMES = ("Prendre soin", "cultures + coopération", "Espaces de coopération", "savoirs")


@dataclass(frozen=True)
class Case:
    """One timed import: a label, a file, its row count, the counts it must report
    (« 50 000 nouvelles »…) and a database URL made fresh for each run of each code (« actuel »,
    « avant »), with the run's number."""

    label: str
    path: Path
    rows: int
    outcome: tuple[str, ...]
    database: Callable[[str, int], str]


def make_file(reference, path: Path, rows: int = COMMITTEE_ROWS, seed: int = 1) -> Path:
    """A committee-like CSV: names + département, some INSEE codes, French amounts."""
    rng = random.Random(seed)
    communes = reference.communes[["code_insee", "nom", "departement_code"]].values.tolist()
    lines = [
        "Réf;Intitulé du projet;Structure porteuse;Commune;Dép;Code INSEE;Financeurs;Axes;"
        "Montant;Année"
    ]
    for index in range(rows):
        code, name, dep = rng.choice(communes)
        by_code = rng.random() < 0.3
        amount = f"{rng.randint(2, 200)} {rng.randint(0, 999):03d} €"
        lines.append(
            f"B{index};Projet {index};Association {index % 97};{'' if by_code else name};"
            f"{'' if by_code else dep};{code if by_code else ''};{rng.choice(FUNDERS)};"
            f"{rng.choice(THEMES)};{amount};{rng.randint(2019, 2026)}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="cp1252", errors="replace")
    return path


def baseline_code(folder: Path, commit: str = BASELINE_COMMIT) -> Path | None:
    """The code at ``commit``, extracted into ``folder``; None (said why) without git or that
    commit."""
    target = folder / "avant"
    target.mkdir()
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit],
            capture_output=True,
            check=True,
        )
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"  (code d'avant {commit[:7]} indisponible : {exc} ; pas de comparaison)")
        return None
    return target


def code_environment(data_dir: Path, code: Path) -> dict[str, str]:
    """The environment of a process running ``code`` (on ``PYTHONPATH``) with its own data
    folder, no demo data, and this run's geodata cache."""
    from territoires.settings import get_settings

    return {
        **os.environ,
        "PYTHONPATH": str(code),
        "TERRITOIRES_DEMO": "0",
        "TERRITOIRES_DATA_DIR": str(data_dir),
        "TERRITOIRES_GEODATA_DIR": str(get_settings().geodata_dir.resolve()),
    }


def run_import(code: Path, path: Path, url: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall-clock and CPU seconds of one import process, from its start to its exit, and its
    output."""
    command = [sys.executable, "-m", "territoires", "import", str(path), "--db", url]
    elapsed, cpu, done = timed_process(command, env=env, cwd=code)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"import failed ({done.returncode}): {done.stdout}{done.stderr}")
    return elapsed, cpu, done.stdout


def _check(case: Case, output: str) -> None:
    words = "".join(output.split())
    if not all("".join(expected.split()) in words for expected in case.outcome):
        raise RuntimeError(f"{case.label}: expected {case.outcome}, got {output}")


def _new(rows: int) -> tuple[str, ...]:
    return (f"{fr_number(rows)} nouvelles",)


# A re-import: the same file, but for CHANGED rows whose amount changed since.
REIMPORTED = (f"{fr_number(CHANGED)} modifiées", f"{fr_number(SIZES[-1] - CHANGED)} inchangées")
REIMPORT_LABEL = (
    f"ré-import de {fr_number(SIZES[-1])} lignes ({fr_number(CHANGED)} modifiées) dans "
    "{where} qui les contient"
)


def _sqlite_cases(folder: Path, files: dict[str, Path], seeds: dict[str, Path]) -> list[Case]:
    """``seeds``: for each code, a database it filled with the initiatives a re-import finds
    (each code its own: the schema changed since the baseline)."""

    def new(name: str) -> Callable[[str, int], str]:
        return lambda code, run: f"sqlite:///{folder / f'{name}-{code}-{run}.db'}"

    def existing(code: str, run: int) -> str:
        copy = folder / f"existant-{code}-{run}.db"
        shutil.copyfile(seeds[code], copy)
        return f"sqlite:///{copy}"

    return [
        *(
            Case(f"SQLite, base neuve, {fr_number(n)} lignes", files[f"realiste-{n}"], n,
                 _new(n), new(f"realiste-{n}"))
            for n in SIZES
        ),
        Case(f"SQLite, {REIMPORT_LABEL.format(where='une base')}", files["reimport"], SIZES[-1],
             REIMPORTED, existing),
        Case(f"SQLite, fichier de comité (noms de communes), {fr_number(COMMITTEE_ROWS)} lignes",
             files["comite"], COMMITTEE_ROWS, _new(COMMITTEE_ROWS), new("comite")),
    ]  # fmt: skip


def _postgres_cases(files: dict[str, Path], prepare: Callable[[str, str], None]) -> list[Case]:
    base = os.environ.get("TERRITOIRES_TEST_DATABASE_URL")
    if not base:
        return []

    def schema(filled: bool) -> Callable[[str, int], str]:
        def make(code: str, run: int) -> str:
            name = f"bench_{uuid.uuid4().hex[:10]}"
            _SCHEMAS.append((base, name))
            _admin(base, f'CREATE SCHEMA "{name}"')
            url = f"{base}{'&' if '?' in base else '?'}options={quote(f'-csearch_path={name}')}"
            if filled:
                prepare(url, code)
            return url

        return make

    return [
        *(
            Case(f"PostgreSQL, schéma neuf, {fr_number(n)} lignes", files[f"realiste-{n}"], n,
                 _new(n), schema(False))
            for n in SIZES
        ),
        Case(f"PostgreSQL, {REIMPORT_LABEL.format(where='un schéma')}", files["reimport"],
             SIZES[-1], REIMPORTED, schema(True)),
    ]  # fmt: skip


_SCHEMAS: list[tuple[str, str]] = []


def _admin(base: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(statement)


def _measure(
    cases: list[Case], codes: dict[str, Path], env: dict[str, dict[str, str]]
) -> dict[tuple[str, str], list[tuple[float, float]]]:
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for run in range(RUNS):
        for case in cases:
            for name, code in codes.items():  # alternate: a slow moment hits both
                url = case.database(name, run)
                wall, cpu, output = run_import(code, case.path, url, env[name])
                _check(case, output)
                times.setdefault((case.label, name), []).append((wall, cpu))
    return times


def _line(name: str, rows: int, runs: list[tuple[float, float]]) -> str:
    wall, cpu = min(runs)
    rate = rows / wall
    verdict = ""
    if name == "actuel":
        reached = "atteint" if rate >= TARGET else "NON atteint"
        verdict = f" (objectif ≥ {fr_number(TARGET)}/s : {reached})"
    trials = ", ".join(f"{w:.2f} s ({c:.2f} s proc.)" for w, c in runs)
    best = f"meilleur {wall:6.2f} s = {fr_number(rate):>7} lignes/s{verdict}"
    return f"    {name:<6} : {best} ; essais {trials}"


def _report(cases: list[Case], times: dict[tuple[str, str], list[tuple[float, float]]]) -> None:
    for case in cases:
        print(f"  {case.label} :")
        current = times[(case.label, "actuel")]
        print(_line("actuel", case.rows, current))
        previous = times.get((case.label, "avant"))
        if previous:
            print(_line("avant", case.rows, previous))
            print(f"    gain : × {min(previous)[0] / min(current)[0]:.1f} (meilleurs essais)")


def main() -> None:
    reference = cached_reference()
    if reference is None:
        return
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        files = {f"realiste-{n}": realistic_file(reference, folder / f"r{n}.csv", n) for n in SIZES}
        files["reimport"] = realistic_file(
            reference, folder / "reimport.csv", SIZES[-1], changed=CHANGED
        )
        files["comite"] = make_file(reference, folder / "comite.csv", COMMITTEE_ROWS)
        codes = {"actuel": ROOT}
        before = baseline_code(folder)
        if before is not None:
            codes["avant"] = before
        env = {
            key: code_environment(folder / f"donnees-{key}", code) for key, code in codes.items()
        }

        def prepare(url: str, code: str) -> None:  # what a re-import finds: the initiatives
            run_import(codes[code], files[f"realiste-{SIZES[-1]}"], url, env[code])

        seeds = {code: folder / f"existant-{code}.db" for code in codes}
        for code, seed in seeds.items():
            prepare(f"sqlite:///{seed}", code)
        cases = [*_sqlite_cases(folder, files, seeds), *_postgres_cases(files, prepare)]
        try:
            times = _measure(cases, codes, env)
        finally:
            for base, schema in _SCHEMAS:
                _admin(base, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        sizes = ", ".join(f"{files[f'realiste-{n}'].stat().st_size / 1e6:.1f} Mo" for n in SIZES)
    print(
        f"Import par la ligne de commande, du lancement à la fin du processus, historique "
        f"compris ; fichier réaliste ({sizes}) : toutes les colonnes de l'export, zone "
        f"d'intervention sur 16 % des lignes, coordonnées, statut, description ; « avant » = "
        f"le code de {BASELINE_COMMIT[:7]}, mesuré dans la même exécution ; "
        f"{fr_count(RUNS, 'essai', 'essais')} :"
    )
    _report(cases, times)


if __name__ == "__main__":
    main()
