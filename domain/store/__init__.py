"""Where the log lives: store URLs, the Application, the mapper, reading the log, and one recorder class per backend."""
