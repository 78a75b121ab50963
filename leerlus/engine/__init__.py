"""The analysis engine: pure functions over strings and arrays. It imports no Django."""
