"""One module per area; each exports ROUTES."""
