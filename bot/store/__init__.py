"""The store: products, store information, the catalog snapshot, search and the BWW client."""
