"""What leaves the system: export file formats (CSV, JSON Lines, JSON, Parquet) and de-identification."""
