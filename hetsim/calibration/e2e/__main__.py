import sys

from hetsim.calibration.e2e.cli import main

sys.exit(main())
