"""``python -m bankcrm``."""

from bankcrm.cli.main import main

main()
