"""The command bodies of `proto`: each parses nothing itself (typer does), calls one operation
and prints its result. `seedbed.cli` registers them."""
