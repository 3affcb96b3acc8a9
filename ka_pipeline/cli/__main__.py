"""`python -m ka_pipeline.cli`."""

import sys

from ka_pipeline.cli import main

sys.exit(main())
