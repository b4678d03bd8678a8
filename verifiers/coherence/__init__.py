"""The `coherence` verifier and its parts."""
