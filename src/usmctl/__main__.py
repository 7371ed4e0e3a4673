"""`python -m usmctl`."""

import sys

try:
    from usmctl.cli import main
except KeyboardInterrupt:  # Ctrl-C while still importing: the same one line as later
    sys.stderr.write("usmctl: interrupted\n")
    sys.exit(130)

main()
