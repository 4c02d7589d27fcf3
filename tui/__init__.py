"""The Textual app. Talks to sim/ only; holds no domain rules."""
