"""Allow `python -m bot` to behave exactly like the `mlprep` command."""

from bot.cli import main

raise SystemExit(main())
