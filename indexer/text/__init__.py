"""Text analysis: spans, the lexicon, sentences and passages, quotes and names, stems."""
