from vodstream.cli import main

raise SystemExit(main())
