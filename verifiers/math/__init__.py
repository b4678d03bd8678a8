"""The `math` verifier and its parts."""
