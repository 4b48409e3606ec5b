"""Services: every state change, one module per topic (functions named do_*)."""
