"""Entry point: everything is in the router (ui/router.py), which pages can also call on a first visit."""

from ui.router import main

main()
