"""``python -m arviointi`` is the ``arviointi`` command."""

from arviointi.cli import main

# The guard matters: notebook workers are spawned processes that re-import this module.
if __name__ == "__main__":
    raise SystemExit(main())
