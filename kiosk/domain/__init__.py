"""The library's rules, in the standard library only: no database, screen, camera or file format."""
