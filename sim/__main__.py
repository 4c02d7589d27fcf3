import sys

from callsim.sim.cli import main

sys.exit(main())
