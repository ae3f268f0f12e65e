"""Run `python -m seedbed`, the same as the `proto` command."""

from seedbed.cli.app import main

main()
