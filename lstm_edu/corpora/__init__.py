"""Text corpora shipped with the package, each in its own folder with its licence and provenance.

* ``tang_poems`` - 18,393 five-character Tang poems (notebook 15); loaded by
  :func:`lstm_edu.data.load_tang_poems`.
"""
