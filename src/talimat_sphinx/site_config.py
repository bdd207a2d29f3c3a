"""Where Talimat is published and where its code lives: one place for conf.py and the build.

Override with environment variables when publishing a fork.
"""

from __future__ import annotations

import os

#: The assembled bilingual site's root URL (GitHub Pages by default), ending in "/".
SITE_URL = (
    os.environ.get("TALIMAT_SITE_URL", "https://talimat-docs.github.io/talimat/").rstrip("/") + "/"
)
#: The repository; Colab and Binder open the notebooks published on its Pages branch.
REPOSITORY = os.environ.get("TALIMAT_REPOSITORY", "https://github.com/talimat-docs/talimat")
PAGES_BRANCH = os.environ.get("TALIMAT_PAGES_BRANCH", "gh-pages")
#: What a downloaded notebook's setup cell installs when talimat is missing.
INSTALL = f"talimat @ git+{REPOSITORY}"
