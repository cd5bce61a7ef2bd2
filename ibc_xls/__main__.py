"""``python -m ibc_xls``, and the entry point of the ``ibc-xls`` console script."""

import sys


def main() -> None:
    try:
        from ibc_xls.cli import main as run
    except KeyboardInterrupt:  # Ctrl+C while the program is still loading: no traceback
        from ibc_xls.cli_ru import MESSAGES

        sys.stderr.write(MESSAGES["Aborted!"] + "\n")
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
