"""The framework commands of the real CLI."""

from __future__ import annotations

import json


def test_create_list_show_set(cli, data_dir, tmp_path) -> None:
    assert cli("--data-dir", data_dir, "init", "--name", "Mina", "--role", "taskforce")[0] == 0
    code, out, _err = cli("--data-dir", data_dir, "framework", "create", "--lang", "ko")
    assert code == 0 and "16" in out

    code, out, _err = cli("--data-dir", data_dir, "framework", "list", "--json")
    listed = json.loads(out)
    assert listed[0]["title"] == "배경" and listed[0]["number"] == "1"
    assert [s["number"] for s in listed if s["parent_id"] == "fw-annexes"] == ["13.1", "13.2", "13.3"]
    code, out, _err = cli("--data-dir", data_dir, "framework", "list")
    assert code == 0 and "  13.2  부속서 B" in out

    code, out, _err = cli("--data-dir", data_dir, "framework", "show", "2", "--json")
    shown = json.loads(out)
    assert shown["id"] == "fw-vision" and "**비전:**" in shown["body"] and shown["comments"] == []

    text = tmp_path / "governance.md"
    text.write_text("## 거버넌스\n\n- 연례 회의\n- 사무국: WeGO\n", encoding="utf-8")
    code, out, _err = cli("--data-dir", data_dir, "framework", "set", "거버넌스", "--file", text)
    assert code == 0
    code, out, _err = cli("--data-dir", data_dir, "framework", "show", "fw-governance")
    assert code == 0 and "- 사무국: WeGO" in out and out.startswith("# 6 거버넌스")
    code, out, _err = cli("--data-dir", data_dir, "--json", "framework", "set", "6", "--file", text)
    assert json.loads(out) == {"id": "fw-governance", "changed": False}


def test_errors_are_one_line(cli, data_dir, tmp_path) -> None:
    cli("--data-dir", data_dir, "init", "--name", "Mina", "--role", "taskforce")
    cli("--data-dir", data_dir, "framework", "create")
    code, _out, err = cli("--data-dir", data_dir, "framework", "show", "99")
    assert code == 2 and err.count("\n") == 1 and "99" in err
    code, _out, err = cli("--data-dir", data_dir, "framework", "set", "1", "--file", tmp_path / "missing.md")
    assert code == 2 and "missing.md" in err
    code, _out, err = cli("--data-dir", data_dir, "framework", "create")
    assert code == 2 and err.count("\n") == 1


def test_stats_count_the_framework(cli, data_dir) -> None:
    cli("--data-dir", data_dir, "init", "--name", "Mina", "--role", "taskforce")
    cli("--data-dir", data_dir, "framework", "create")
    code, out, _err = cli("--data-dir", data_dir, "stats", "--json")
    stats = json.loads(out)
    assert stats["framework_sections"] == 16 and stats["framework_open_comments"] == 0
    assert stats["framework_sections_in_conflict"] == 0
