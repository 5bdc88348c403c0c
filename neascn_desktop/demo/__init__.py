"""Demo data kept apart from real data.

Two ways to try the app: a separate demo data directory (``directory``: the
"Try with demo data" start, which never touches the real profile), or demo
data loaded into a real profile after a confirmation (``loading``): then every
demo record is marked (``marks``), left out of reports and exports, audited,
and removed in one step.
"""
