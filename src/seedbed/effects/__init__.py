"""Effects: the only places that run git and uv, edit TOML and files, and undo changes."""
