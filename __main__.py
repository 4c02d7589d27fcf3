"""`python -m callsim`: the same command line as `callsim`."""

import sys

from callsim.sim.cli import main

sys.exit(main())
