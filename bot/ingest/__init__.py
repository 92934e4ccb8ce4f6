"""Reports in: reading their text and proposing the ledger updates they support."""
