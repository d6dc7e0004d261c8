"""``python -m geomap`` runs the command line."""

from geomap.cli import cli

if __name__ == "__main__":
    cli()
