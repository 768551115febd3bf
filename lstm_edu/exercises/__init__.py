"""One module per notebook, each registering that notebook's exercises.

:func:`lstm_edu.checks.get` imports every module here, so a new notebook's
exercises need no other edit.
"""
