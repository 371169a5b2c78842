"""The search index (search_doc, search_gram) and the queries over it."""
