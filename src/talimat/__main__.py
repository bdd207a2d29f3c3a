"""Run the ``talimat`` command as ``python -m talimat``."""

from talimat.cli import main

raise SystemExit(main())
