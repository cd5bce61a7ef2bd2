from ibc_xls.cli import main

main()
