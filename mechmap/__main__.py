from mechmap.cli import main

main()
