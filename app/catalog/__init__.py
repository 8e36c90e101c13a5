"""The catalogue: products, variants and their prices, promotions and shipping options."""
