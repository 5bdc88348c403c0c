"""Conformance benchmark: import every XLSForm of a folder, export it back, compare through pyxform.

    python benchmarks/xlsform_corpus.py [DIR] [--verbose]

For each ``*.xlsx``/``*.xls``/``*.csv`` form in DIR (default: ``../shared/xlsform-corpus``):

* **imported** — ``import_xlsform`` accepted it (else the refusal sentence is printed);
* **faithful** — our XLSForm export converts to an XForm (pyxform's ``xls2xform``) and gives
  the same normalised tree as the original converted by pyxform (every element's path,
  type, label, hint, bind, control, choices and media, and every setting; language headers
  compared by our language code);
* **answered, exported** — ``--responses N`` (default 20) generated responses, relevance and
  constraints respected (``benchmarks/generated_answers.py``), exported in every layout
  (flat, central, kobo) as CSV and XLSX, each export holding all N responses and one table
  per repeat.

Prints one line per form and the totals; the table is kept in ``docs/xlsform.md``.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import warnings
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

#: ``../shared/xlsform-corpus`` beside the checkout (a worktree sits one level deeper).
DEFAULT_DIR = next(
    (p / "shared" / "xlsform-corpus" for p in Path(__file__).resolve().parents[2:4]
     if (p / "shared" / "xlsform-corpus").is_dir()),
    Path("../shared/xlsform-corpus"),
)
_IGNORED_KEYS = {"sms_keyword", "id_string", "title", "name", "default_language", "version"}


def _pyxform_tree(path: Path) -> dict[str, Any]:
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    with warnings.catch_warnings(), redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        return workbook_to_json(get_xlsform(str(path)), fallback_form_name="form", warnings=[])


def _language(key: str, default: str) -> str:
    from neascn_desktop.surveys.xlsform import language_from_header

    return default if key == "default" else language_from_header(key)


def _texts(value: Any, default: str) -> Any:
    if isinstance(value, dict):
        return {_language(k, default): _texts(v, default) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_texts(v, default) for v in value]
    return value


def _canonical(element: dict[str, Any], default: str) -> dict[str, Any]:
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    out: dict[str, Any] = {}
    base = QUESTION_TYPE_DICT.get(element.get("type", ""), {})
    for key, value in element.items():
        if key in ("children", "choices", "itemset", "columns") or key.startswith("neascn"):
            continue
        if key in ("label", "hint", "guidance_hint") and isinstance(value, str):
            value = {default: value}  # one unnamed language is the default one
        out[key] = _texts(value, default)
    bind = dict(out.get("bind") or {})
    for key in ("jr:constraintMsg", "jr:requiredMsg"):
        if isinstance(element.get("bind", {}).get(key), str):
            bind[key] = {default: element["bind"][key]}
    if isinstance(element.get("media"), dict):
        out["media"] = {k: _texts({default: v} if isinstance(v, str) else v, default)
                        for k, v in element["media"].items()}
    if "required" in bind:  # yes / true / true() are one thing
        flag = str(bind["required"]).strip().lower()
        bind["required"] = {"yes": "yes", "true": "yes", "true()": "yes", "1": "yes"}.get(flag, flag)
        if flag in ("no", "false", "false()", "0"):
            del bind["required"]
    out["bind"] = bind
    out["type"] = (base.get("bind", {}).get("type"), base.get("control", {}).get("tag"),
                   base.get("control", {}).get("mediatype"), element.get("type") if not base else None)
    out["bind"] = {**base.get("bind", {}), **out.get("bind", {})}
    out["control"] = {**base.get("control", {}), **out.get("control", {})}
    for key in ("choices", "columns"):  # a loop's columns are its choice list
        if isinstance(element.get(key), list):
            out[key] = [_choice(c, default) for c in element[key]]
    if not out.get("parameters"):
        out.pop("parameters", None)  # an empty parameters cell is no parameters
    out.pop("list_name", None)
    if "children" in element:
        out["children"] = [_canonical(child, default) for child in element["children"]]
    return out


def _choice(choice: dict[str, Any], default: str) -> Any:
    out: dict[str, Any] = {}
    for key, value in choice.items():
        if key.startswith("score"):
            continue
        if key == "label" and isinstance(value, str):
            value = {default: value}
        if key == "media" and isinstance(value, dict):
            value = {k: {default: v} if isinstance(v, str) else v for k, v in value.items()}
        out[key] = value
    return _texts(out, default)


def _converts(path: Path) -> str | None:
    """None if pyxform converts the file to an XForm (``xls2xform``, without ODK Validate)."""
    from pyxform.xls2xform import convert

    try:
        with warnings.catch_warnings(), redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            convert(xlsform=str(path), validate=False, pretty_print=False)
    except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure
        return f"pyxform cannot convert the export to an XForm: {exc}"
    return None


def compare(original: Path, exported: Path) -> str | None:
    """None if pyxform converts the export to an XForm and reads both files to the same
    tree, else the first difference."""
    failure = _converts(exported)
    if failure:
        return failure
    a, b = _pyxform_tree(original), _pyxform_tree(exported)
    # The settings (root keys): every one the original has, but those our export names itself.
    skip = _IGNORED_KEYS | {"children", "choices"}
    diff = _first_difference({k: v for k, v in a.items() if k not in skip},
                             {k: b.get(k) for k in a if k not in skip}, "settings")
    if diff:
        return diff
    default_a = _language(a.get("default_language", "default"), "en")
    ca = [_canonical(c, default_a) for c in a.get("children", [])]
    cb = [_canonical(c, _language(b.get("default_language", "default"), "en"))
          for c in b.get("children", [])]
    return _first_difference(ca, cb, "")


def _first_difference(a: Any, b: Any, where: str) -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key in _IGNORED_KEYS and not where:
                continue
            label = a.get("name", "") if isinstance(a.get("name"), str) else ""
            diff = _first_difference(a.get(key), b.get(key), f"{where}/{label}.{key}")
            if diff:
                return diff
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            diff = _first_difference(x, y, f"{where}[{i}]")
            if diff:
                return diff
        return None
    if a != b and str(a) != str(b):  # a TRUE cell reads as True, written back as "True"
        return f"{where}: {a!r} vs {b!r}"
    return None


def answer_and_export(definition: Any, folder: Path, responses: int) -> tuple[int, str | None]:
    """Generate ``responses`` answer trees and export them in every layout and format; the
    number of instances made and None, or the first failure."""
    import random

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from generated_answers import generate, payload

    from neascn_desktop.reports.layout_export import LAYOUTS, write_layout

    rng = random.Random(responses)
    records = []
    instances = 0
    for i in range(responses):
        answers = generate(definition, rng)
        instances += sum(len(v) for v in answers.values() if isinstance(v, list)
                         and v and isinstance(v[0], dict))
        records.append((f"bench-{i}", payload(definition, answers)))
    tables = 1 + sum(1 for g in definition.groups if g.kind == "repeat")
    for layout in LAYOUTS:
        for fmt in ("csv", "xlsx"):
            out = folder / f"{definition.form_id}-{layout}.{'zip' if fmt == 'csv' else fmt}"
            try:
                result = write_layout(definition, lambda: records, out, fmt, layout)
            except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure
                return instances, f"{layout} {fmt}: {exc}"
            if result.rows != responses:
                return instances, f"{layout} {fmt}: {result.rows} rows, not {responses}"
            if fmt == "xlsx" and layout != "flat":
                from openpyxl import load_workbook

                sheets = len(load_workbook(out, read_only=True).sheetnames)
                if sheets != tables:
                    return instances, f"{layout} xlsx: {sheets} sheets, not {tables}"
    return instances, None


def run(folder: Path, verbose: bool = False, responses: int = 20) -> tuple[int, int, int]:
    from neascn_desktop.surveys.xlsform import export_xlsform, import_xlsform

    forms = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".xlsx", ".xls", ".csv"))
    imported = faithful = exported = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in forms:
            stderr = io.StringIO()
            try:
                with redirect_stderr(stderr):
                    definition = import_xlsform(path)
            except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure
                print(f"REFUSED  {path.name}: {exc}")
                continue
            imported += 1
            leaked = " (stderr leaked)" if stderr.getvalue().strip() else ""
            out = Path(tmp) / f"{path.stem}.xlsx"
            try:
                export_xlsform(definition, out)
                diff = compare(path, out)
            except Exception as exc:  # noqa: BLE001
                diff = f"re-export failed: {exc}"
            if diff is None:
                faithful += 1
                print(f"FAITHFUL {path.name}{leaked}")
            else:
                print(f"IMPORTED {path.name}{leaked}" + (f": {diff}" if verbose else ""))
            if responses:
                instances, failure = answer_and_export(definition, Path(tmp), responses)
                if failure is None:
                    exported += 1
                    print(f"         {responses} responses ({instances} repeat instances) "
                          f"exported flat, central, kobo as CSV and XLSX")
                else:
                    print(f"         EXPORT FAILED: {failure}")
    print(f"\n{len(forms)} forms: {imported} imported, {faithful} round-trip faithful"
          + (f", {exported} answered and exported in every layout" if responses else ""))
    return len(forms), imported, faithful


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--verbose", action="store_true", help="print the first difference")
    parser.add_argument("--responses", type=int, default=20,
                        help="generated responses per form to export (0: skip)")
    args = parser.parse_args(argv)
    run(args.folder, args.verbose, args.responses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
