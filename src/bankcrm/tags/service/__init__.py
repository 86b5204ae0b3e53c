"""Use cases of tags: the catalogue, a customer's tags, the nightly rule tags."""
