"""Customer tags: a catalogue as data, manual tags, rule tags computed nightly, tags delivered in files."""
