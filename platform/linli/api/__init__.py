"""HTTP API: problems, platform and tenant endpoints, OpenAPI wiring."""
