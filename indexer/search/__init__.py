"""The read path: ``searcher.Searcher`` answers searches, quotes, exports and documents.

request (what is asked, and every limit), queries (pure body builders), plan (the msearch
a page sends, shared with the benchmarks), vectors (query vectors per collection encoder),
hybrid (fusion), reads (quotes, export and document bodies), results (pure shaping of
answers), highlight (semantic sentence marks), timeline and concordance (the analyst views).
"""
