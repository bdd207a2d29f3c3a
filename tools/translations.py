"""Extract, update and check the translation catalogs: ``python tools/translations.py --help``.

The logic lives in :mod:`talimat_sphinx.catalogs` (installed with the ``docs`` extra).
"""

import sys

from talimat_sphinx.catalogs import main

if __name__ == "__main__":
    sys.exit(main())
