"""The sections of intake/1, one module per page of the paper form."""
