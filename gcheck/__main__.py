import sys

from gcheck.cli import main

sys.exit(main())
