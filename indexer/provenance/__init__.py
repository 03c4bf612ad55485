"""Quote provenance: finding a quotation's source in the record and grading its wording."""
