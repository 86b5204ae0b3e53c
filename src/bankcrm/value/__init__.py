"""Customer value: contribution with funds-transfer pricing, its parameters under maker-checker, roll-ups."""
