"""AidLedger: the money side of community funds for migrant workers."""
