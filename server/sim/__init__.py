"""The simulated office: the real server on a simulated clock, and the commands that use it."""
