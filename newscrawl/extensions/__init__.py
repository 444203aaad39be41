"""Scrapy extensions around a whole-site run, in ``EXTENSIONS``: the run's record
(:mod:`.record`), progress lines (:mod:`.progress`), the log (:mod:`.logs`) and feed exports
of the articles (:mod:`.feeds`)."""
