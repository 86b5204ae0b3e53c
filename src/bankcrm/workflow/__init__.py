"""Status workflows as data: states, allowed moves with their permissions, and the history of every move."""
