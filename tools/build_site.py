"""Build the site in every language: ``python tools/build_site.py --help``.

The logic lives in :mod:`talimat_sphinx.site_build` (installed with the ``docs`` extra).
"""

import sys

from talimat_sphinx.site_build import main

if __name__ == "__main__":
    sys.exit(main())
