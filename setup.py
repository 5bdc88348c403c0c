"""Packaging glue that pyproject.toml cannot express on its own.

The top-level folders ``ui/``, ``resources/`` and ``translations/`` live beside
the package in the repository (see DESIGN.md) but must travel inside the wheel,
so they are mapped to ``neascn_desktop.ui`` and friends.  ``neascn_desktop.paths``
finds them the same way in a checkout, a wheel and a PyInstaller bundle.
"""

from setuptools import find_packages, setup

DATA_DIRS = {"ui": "ui", "resources": "resources", "translations": "translations"}

setup(
    packages=find_packages(include=["neascn_desktop", "neascn_desktop.*"])
    + [f"neascn_desktop.{name}" for name in DATA_DIRS],
    package_dir={f"neascn_desktop.{name}": folder for name, folder in DATA_DIRS.items()},
    package_data={
        "neascn_desktop.store": ["migrations/*.py", "migrations/*.mako", "migrations/versions/*.py"],
        "neascn_desktop.ui": ["**/*"],
        "neascn_desktop.resources": ["**/*"],
        "neascn_desktop.translations": ["**/*.po", "**/*.pot", "**/*.mo"],
    },
)
