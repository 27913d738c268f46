import sys

from antrean.cli import main

sys.exit(main())
