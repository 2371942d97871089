"""``python -m benchmarks [--quick] [--out PATH] ...``: run every benchmark."""

from benchmarks.run import main

raise SystemExit(main())
