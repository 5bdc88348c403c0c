"""Packages re-signed by a real device key after a change to their manifest: what a trusted (or
untrusted) sender can do to its own packages, for the hostile-package tests."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from neascn_desktop.identity.keys import load_device_keys
from tests.sync.sync_support import Device


def resign(source: Path, target: Path, signer: Device, change: Callable[[dict[str, Any]], None]) -> Path:
    """Copy the package ``source`` to ``target`` with its manifest changed by ``change`` and signed
    by ``signer``'s device key (the sender in the manifest becomes whatever ``change`` leaves)."""
    with zipfile.ZipFile(source) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    raw = json.dumps(manifest).encode("utf-8")  # ASCII escapes: lone surrogates too
    members["manifest.json"] = raw
    members["manifest.sig"] = load_device_keys(signer.data_dir).signing.sign(raw)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, content in members.items():
            out.writestr(name, content)
    target.write_bytes(buffer.getvalue())
    return target


def manifest_of(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("manifest.json"))


def sender_of(device: Device, source: Path) -> dict[str, Any]:
    """The sender block ``device`` writes in its manifests (taken from one of its packages)."""
    return dict(manifest_of(source)["sender"])
