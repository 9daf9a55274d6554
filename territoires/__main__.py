"""``python -m territoires``: the command-line interface."""

from territoires.cli import main

raise SystemExit(main())
