"""`python -m usmctl`."""

from usmctl.cli import main

main()
