"""``python -m arviointi`` is the ``arviointi`` command."""

from arviointi.cli import main

raise SystemExit(main())
