"""The ``ccm`` command line."""
