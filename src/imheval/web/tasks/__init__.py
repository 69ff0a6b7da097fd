"""Background work: jobs a person waits for on a progress page, and the worker that runs them."""
