"""`python -m hetsim.calibration.gpu_suite`."""

import sys

from hetsim.calibration.gpu_suite.cli import main

sys.exit(main())
