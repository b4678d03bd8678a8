"""The `code` verifier and its parts."""
