"""Synthetic Apex Legends VODs: script -> per-frame state -> rendered frames -> HLS/Twitch layout."""
