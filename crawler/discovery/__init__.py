"""Discovery documents (sitemaps, feeds) parsed into plain entries. No requests are made here."""
