"""The ``caseledger`` command line: parses arguments, calls the application layer, prints."""
