"""Production table statistics: ``migsafe stats`` reads them from a server's catalog into a snapshot file, which
reviews (and, later, replay) load to know how large and how busy each table is. No database access here:
:mod:`migsafe.stats.snapshot` is the file format, :mod:`migsafe.stats.collect` the server side."""
