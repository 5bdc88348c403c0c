"""Form media at scale: importing a form whose files are large, sending them in a deployment,
and ``pulldata()`` on a large table.

    python benchmarks/form_media.py [--rows 100000] [--lookups 20000]

Writes, in a temporary folder, a form with ``select_one_from_file`` on a CSV of ROWS places,
``pulldata()`` on a CSV of ROWS rows (key, population, district) and a 4 MB label image (a
list longer than 10,000 stays in its file and is read from there); then,
through the real CLI (``neascn_desktop.cli`` main with ``--data-dir``): a secretariat imports it,
exports a deployment, a field profile imports that; last, LOOKUPS ``pulldata()`` evaluations
with keys spread over the table (the first builds the table's index).  Prints one line per step.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _form(folder: Path, rows: int) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    for row in [["type", "name", "label", "calculation", "media::image"],
                ["select_one_from_file places.csv", "place", "Place", None, "map.png"],
                ["calculate", "population", None, "pulldata('census', 'population', 'key', ${place})"]]:
        survey.append(row)
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["big_media", "1"])
    form = folder / "big_media.xlsx"
    wb.save(form)
    media = folder / "big_media-media"
    media.mkdir()
    with (media / "places.csv").open("w", encoding="utf-8") as handle:
        handle.write("name,label\n")
        handle.writelines(f"p{n},Place {n}\n" for n in range(rows))
    with (media / "census.csv").open("w", encoding="utf-8") as handle:
        handle.write("key,population,district\n")
        handle.writelines(f"p{n},{1000 + n},d{n % 97}\n" for n in range(rows))
    (media / "map.png").write_bytes(os.urandom(4 * 1024 * 1024))  # the bytes only travel
    return form


def _cli(*args: object) -> None:
    from neascn_desktop.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    if code != 0:
        raise SystemExit(f"neascn {' '.join(map(str, args))}: exit {code}\n{out.getvalue()}{err.getvalue()}")


def _timed(label: str, step: object) -> float:
    start = time.perf_counter()
    step()  # type: ignore[operator]
    seconds = time.perf_counter() - start
    print(f"{label:<62} {seconds:8.2f} s")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        form = _form(folder, args.rows)
        sec, field = folder / "sec", folder / "field"
        for data, role in ((sec, "secretariat"), (field, "field")):
            _cli("--data-dir", data, "init", "--name", role.title(), "--role", role, "--org", "Bench")
        size = sum(p.stat().st_size for p in (folder / "big_media-media").iterdir())
        print(f"form media: {args.rows:,} places, {args.rows:,} table rows, {size / 1e6:.1f} MB in all")
        _timed("secretariat: survey import-xlsform", lambda: _cli(
            "--data-dir", sec, "survey", "import-xlsform", form))
        package = folder / "deployment.neascn"
        _timed("secretariat: package export --kind deployment", lambda: _cli(
            "--data-dir", sec, "package", "export", "--kind", "deployment", "-o", package))
        print(f"{'deployment package':<62} {package.stat().st_size / 1e6:8.1f} MB")
        _timed("field: package import", lambda: _cli("--data-dir", field, "package", "import", package))

        from neascn_desktop.store import open_database
        from neascn_desktop.surveys import expressions, service
        from neascn_desktop.surveys.expression_scope import FormScope

        db = open_database(field)
        try:
            definition = service.get_definition(db, "big_media")
            place = definition.question("place")
            _timed(f"field: the {args.rows:,} choices read from the stored file",
                   lambda: definition.choices_for(place))
            assert len(definition.choices_for(place)) == args.rows
            parsed = expressions.parse("pulldata('census', 'population', 'key', ${place})")
            rng = random.Random(1)
            keys = [f"p{rng.randrange(args.rows)}" for _ in range(args.lookups)]
            first = _timed("field: first pulldata() (reads the table, builds the index)",
                           lambda: expressions.evaluate(parsed, FormScope(definition, {"place": keys[0]})))
            assert first >= 0

            def lookups() -> None:
                for key in keys:
                    value = expressions.evaluate(parsed, FormScope(definition, {"place": key}))
                    assert value == str(1000 + int(key[1:])), (key, value)

            seconds = _timed(f"field: {args.lookups:,} further pulldata() evaluations", lookups)
            print(f"{'  per evaluation':<62} {seconds / args.lookups * 1e6:8.1f} µs")
        finally:
            db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
