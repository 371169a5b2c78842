"""Search (高效检索): how text is normalised, what a customer's search document holds, which
query matches which field and how results rank. Pure rules; the index lives in
persistence/search/."""
