"""PyInstaller run-time hook of the desktop bundle (runs before the app's code).

PyInstaller's own matplotlib hook points ``MPLCONFIGDIR`` at a fresh temporary
folder on every start, so matplotlib would scan every system font (seconds with
Noto CJK installed) before each first chart.  A one-folder bundle does not move
between runs, so the font cache can live in the user's cache folder instead.
"""

import os


def _keep_matplotlib_cache() -> None:
    try:
        import platformdirs

        folder = os.path.join(platformdirs.user_cache_dir("neascn-desktop", "NEASCN"), "matplotlib")
        os.makedirs(folder, exist_ok=True)
        os.environ["MPLCONFIGDIR"] = folder
    except OSError:
        pass  # the temporary folder PyInstaller chose still works


_keep_matplotlib_cache()

