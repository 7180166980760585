"""The staff's web console, served at /console on the bot's one web server (docs/console.md)."""
