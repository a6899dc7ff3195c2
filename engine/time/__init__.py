"""Working time: the Chinese working calendar (official, administered and provisional) and the holiday notice."""
