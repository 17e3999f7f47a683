"""One module per CLI subcommand (see vodstream.cli.app)."""
