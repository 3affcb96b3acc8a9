"""ka-pipeline: key-account sales analytics warehouse."""
