"""Protocol buffers of the supplynet API."""
