"""What every case type shares (dossiers, feedback): the transition table's form, the keyed hash
chain of events and the gap-free daily numbering."""
