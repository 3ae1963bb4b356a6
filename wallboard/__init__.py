"""The live wallboard: the WebSocket consumer, the admin page and the TV link."""
