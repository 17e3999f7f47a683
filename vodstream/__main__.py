from vodstream.cli.app import main

raise SystemExit(main())
