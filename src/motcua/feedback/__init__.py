"""Citizens' feedback: ratings of returned dossiers (the satisfaction group of the index)."""
