"""One module per `rlvr` verb; each has ``add_parser(verbs)`` that registers the verb and its function."""
