"""`python -m kerasbind` runs the command line."""

from kerasbind.cli import main

raise SystemExit(main())
