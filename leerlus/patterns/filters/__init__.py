"""The filters of the list pages and the API, one definition per entity."""
