"""Reading sources: files and their formats, record layouts, news articles, UN transcripts."""
