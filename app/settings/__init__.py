"""Store settings pages: catalogue, promotions, tax rates and shipping options."""
