"""Staff of the agencies and centres: established posts by role, the officials holding them over
time, the workload per official against the province's median, and transfers from units with staff
to spare to units short of it (the Department of Home Affairs decides them one by one)."""
