"""The counter staff's console: call, serve and finish tickets with one key
each, and (for supervisors) run the office floor from an extra tab."""
