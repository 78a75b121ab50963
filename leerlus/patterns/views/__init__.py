"""Staff pages of the patterns app, one module per entity."""
