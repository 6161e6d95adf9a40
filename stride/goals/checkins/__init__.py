"""Weekly check-ins: the second concept of the goals app, with the same rooms."""
